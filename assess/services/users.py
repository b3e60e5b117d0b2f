"""Staff accounts: create, authenticate, and the sessions of each sign-in."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import Conflict, InputError
from ..domain.links import hash_token
from ..models import Role, StaffSession, User
from . import audit

MIN_PASSWORD_LENGTH = 12
MIN_DIFFERENT_CHARACTERS = 6
# Checked against when the email is unknown, so a wrong address costs as long as a wrong password.
_UNKNOWN_USER_HASH = generate_password_hash("unknown-user-placeholder")


def normalise_email(email: str) -> str:
    """Check an address and return it in the one form we store, or raise InputError."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise InputError(f"{email!r} is not a valid email address: {error}") from error


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower().replace(" ", "_").replace("-", "_"))
    except ValueError as error:
        choices = ", ".join(r.value for r in Role)
        raise InputError(f"{value!r} is not a role; choose one of {choices}.") from error


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            f"The password is too short: use at least {MIN_PASSWORD_LENGTH} characters."
        )
    if len(set(password.lower())) < MIN_DIFFERENT_CHARACTERS:
        raise InputError("The password repeats too few characters to be hard to guess: use a few words of your own.")


def create_user(
    session: Session, *, email: str, name: str, role: Role, password: str, now: datetime,
    actor: User | None = None,
) -> User:
    """Create a member of staff with a hashed password."""
    address = normalise_email(email)
    if not name.strip():
        raise InputError("Give the person's name.")
    check_password(password)
    if session.scalar(select(User.id).where(User.email == address)) is not None:
        raise Conflict(f"There is already a staff account for {address}.")
    user = User(
        email=address,
        name=name.strip(),
        role=role,
        password_hash=generate_password_hash(password),
    )
    session.add(user)
    session.flush()
    audit.record(
        session, "user.created", now=now, actor=actor, actor_kind=None if actor else "cli",
        subject_type="user", subject_id=user.id, role=role.value,
    )
    session.commit()
    return user


def authenticate(session: Session, email: str, password: str, *, now: datetime) -> User | None:
    """Return the active user with these credentials, recording the sign-in; else None."""
    address = email.strip().lower()
    user = session.scalar(select(User).where(User.email == address))
    if user is None or not user.password_hash:  # unknown, or invited and no password chosen yet
        check_password_hash(_UNKNOWN_USER_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = now
    audit.record(session, "user.signed_in", now=now, actor=user, subject_type="user", subject_id=user.id)
    session.commit()
    return user


def start_session(session: Session, user: User, *, now: datetime, lifetime: timedelta) -> str:
    """Record a new sign-in of user and return the identifier for its cookie."""
    key = secrets.token_urlsafe(32)
    # Sign-ins older than a session may last are over anyway; drop them as we go.
    session.execute(delete(StaffSession).where(StaffSession.user_id == user.id,
                                               StaffSession.created_at < now - lifetime))
    session.add(StaffSession(user_id=user.id, key_hash=hash_token(key), created_at=now))
    session.commit()
    return f"{user.id}:{user.auth_version}:{key}"


def load_session_user(session: Session, session_id: str) -> User | None:
    """Find the user a session cookie names, if that session is still valid."""
    user_id, version, key = _parts(session_id)
    if user_id is None:
        return None
    return session.scalar(
        select(User).join(StaffSession, StaffSession.user_id == User.id)
        .where(User.id == user_id, User.active.is_(True), User.auth_version == version,
               StaffSession.key_hash == hash_token(key))
    )


def end_session(session: Session, session_id: str) -> None:
    """End the one sign-in a cookie names: a copy of the cookie stops working too."""
    user_id, _, key = _parts(session_id)
    if user_id is not None:
        session.execute(delete(StaffSession).where(StaffSession.user_id == user_id,
                                                   StaffSession.key_hash == hash_token(key)))
        session.commit()


def end_every_session(session: Session, user: User, *, now: datetime, actor: User | None = None) -> None:
    """End every sign-in the user has, on every device."""
    end_all_sessions(session, user)
    audit.record(session, "user.signed_out_everywhere", now=now, actor=actor or user, subject_type="user",
                 subject_id=user.id)
    session.commit()


def set_work_emails(session: Session, user: User, *, given: bool, digest: bool, now: datetime) -> None:
    """Choose the emails about one's work: on being given work, and the morning digest."""
    changes = {key: value for key, value in (("assignment_emails", given), ("daily_digest", digest))
               if getattr(user, key) != value}
    user.assignment_emails, user.daily_digest = given, digest
    if changes:
        audit.record(session, "user.work_emails_changed", now=now, actor=user, subject_type="user",
                     subject_id=user.id, **changes)
    session.commit()


def live_sessions(session: Session, user: User, *, now: datetime, lifetime: timedelta) -> int:
    """How many sign-ins of user may still be in use."""
    return session.scalar(select(func.count(StaffSession.id)).where(
        StaffSession.user_id == user.id, StaffSession.created_at >= now - lifetime)) or 0


def end_all_sessions(session: Session, user: User) -> None:
    user.auth_version += 1
    session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))


def _parts(session_id: str) -> tuple[int | None, int, str]:
    user_id, version, key = (session_id.split(":") + ["", "", ""])[:3]
    if not (user_id.isdigit() and version.isdigit() and key):
        return None, 0, ""
    return int(user_id), int(version), key


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.role, User.name)))
