"""Emailed links to choose a password: to reset a forgotten one, or to set the first one of a new account.

A link works once and for a short while; only the SHA-256 of its token is stored, and the outbox keeps the link
only until a mail server has taken the message. Asking for a reset says the same whether or not the address has
an account, so the page tells nobody who works here. Setting a password ends every session of the account and
every other link it has.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from ..config import Config
from ..domain.links import hash_token, new_token
from ..errors import AppError
from ..models import PasswordLink, PasswordLinkPurpose, User
from . import audit, mail
from .users import check_password, end_all_sessions, normalise_email

VALID = {PasswordLinkPurpose.RESET: timedelta(hours=1), PasswordLinkPurpose.WELCOME: timedelta(days=7)}


class LinkGone(AppError):
    """A password link that has been used, has expired or never existed."""

    status_code = 410


def _url(config: Config, token: str) -> str:
    return f"{config.base_url.rstrip('/')}/auth/password/{token}"


def end_links(session: Session, user: User, now: datetime, *purposes: PasswordLinkPurpose) -> None:
    """End the user's working links (of these purposes only, if given)."""
    query = update(PasswordLink).where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None))
    if purposes:
        query = query.where(PasswordLink.purpose.in_(purposes))
    session.execute(query.values(used_at=now).execution_options(synchronize_session=False))


def purpose_for(user: User) -> PasswordLinkPurpose:
    """A welcome link for an account whose owner has not chosen a password yet, else a reset link."""
    return PasswordLinkPurpose.RESET if user.password_hash else PasswordLinkPurpose.WELCOME


def send_link(session: Session, config: Config, user: User, purpose: PasswordLinkPurpose, *, now: datetime,
              actor: User | None = None) -> PasswordLink:
    """Email the user a new link to choose a password; part of the caller's transaction.

    A welcome link ends every earlier link; a reset link ends earlier reset links only, so asking for a reset
    with someone's address never spoils the invitation an admin sent them."""
    end_links(session, user, now, *(() if purpose is PasswordLinkPurpose.WELCOME else (purpose,)))
    token = new_token()
    link = PasswordLink(user=user, token_hash=hash_token(token), purpose=purpose, created_at=now,
                        expires_at=now + VALID[purpose])
    session.add(link)
    session.flush()
    url = _url(config, token)
    until = f"{link.expires_at:%d %B %Y, %H:%M} UTC"
    if purpose is PasswordLinkPurpose.RESET:
        subject = "Reset your password"
        who = (f"{actor.name}, an administrator, sent you a link to choose a new password for your account "
               f"{user.email}" if actor else
               f"Someone, we hope you, asked to reset the password of your account {user.email}")
        opening = (f"{who}. Choose a new one here:\n\n{url}\n\nThe link works once, until {until}. If you did "
                   "not expect it, ignore this email: your password stays as it is.")
    else:
        subject = "Your account is ready: choose a password"
        opening = (f"{actor.name if actor else 'An administrator'} made you an account ({user.role.label}) with "
                   f"the address {user.email}. Choose your password here:\n\n{url}\n\nThe link works once, "
                   f"until {until}; after that, ask for a new one on the sign-in page.")
    link.email = mail.queue(session, mail.Message(user.email, subject, f"Hello {user.name},\n\n{opening}\n",
                                                  secret=url), now=now)
    audit.record(session, "user.password_link_sent", now=now, actor=actor, actor_kind=None if actor else "system",
                 subject_type="user", subject_id=user.id, purpose=purpose.value)
    return link


def ask_reset(session: Session, config: Config, email: str, *, now: datetime) -> None:
    """Email a reset link to the active account with this address, if there is one; says nothing either way."""
    address = normalise_email(email)
    user = session.scalar(select(User).where(User.email == address, User.active.is_(True)))
    if user is not None:
        send_link(session, config, user, purpose_for(user), now=now)
    session.commit()


def _gone() -> LinkGone:
    return LinkGone("This link does not work any more: it has been used, a newer one was sent, or it has expired. "
                    "Ask for a new one from the sign-in page (Forgot your password?).")


def link_for(session: Session, token: str, *, now: datetime, hold: bool = False) -> PasswordLink:
    """The working link with this token (its row held until commit when hold), or LinkGone."""
    query = select(PasswordLink).where(PasswordLink.token_hash == hash_token(token))
    if hold:
        query = query.with_for_update().execution_options(populate_existing=True)
    link = session.scalar(query)
    if link is None or link.used_at is not None or link.expires_at <= now or not link.user.active:
        raise _gone()
    return link


def choose_password(session: Session, token: str, password: str, *, now: datetime) -> User:
    """Set the password the link is for, once: every session of the account and every other link end."""
    link = link_for(session, token, now=now, hold=True)
    check_password(password)
    user = link.user
    user.password_hash = generate_password_hash(password)
    link.used_at = now
    end_links(session, user, now)
    end_all_sessions(session, user)
    audit.record(session, "user.password_set", now=now, actor=user, subject_type="user", subject_id=user.id,
                 purpose=link.purpose.value)
    session.commit()
    return user
