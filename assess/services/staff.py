"""Managing the staff: invite by email, change a role, disable and enable, send a password link.

Every change keeps two things true: there is always an active admin, and nobody loses the access their open
work needs (the hiring manager of an opening stays a hiring manager until they hand it over, an interviewer
stays one while scorecards wait for them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from ..config import Config
from ..errors import Conflict, InputError, NotFound
from ..models import Assignment, MailStatus, Opening, OpeningMember, PasswordLink, PasswordLinkPurpose, Role, User
from . import audit, password_links, work_mail
from .row_locks import hold_rows
from .users import end_all_sessions, normalise_email

# Roles that may be on an opening's team.
TEAM_ROLES = (Role.HIRING_MANAGER, Role.RECRUITER)


@dataclass(frozen=True)
class Member:
    """One member of staff as the staff page lists them."""

    user: User
    invited: bool  # has not chosen a password yet
    link: PasswordLink | None  # their newest password link, if one still works
    manages: list[Opening]  # the openings they are the hiring manager of
    on_teams: int  # the openings they are on the team of
    open_work: int  # scorecards still to do

    @property
    def unsent_link(self) -> tuple[str, MailStatus] | None:
        """The working link of a welcome email no mail server has taken (kept, waiting or failed), and where
        that email stands: the admin may pass it on. Reset links are never shown to anyone."""
        link = self.link
        if not self.invited or link is None or link.purpose is not PasswordLinkPurpose.WELCOME or link.email is None:
            return None
        return (link.email.secret, link.email.status) if link.email.secret else None


def by_id(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("There is no staff account with that id.")
    return user


def by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"There is no staff account for {email}.")
    return user


def members(session: Session, now: datetime) -> list[Member]:
    """Everyone on the staff, by role and name, with what their account is waiting for and what they hold."""
    people = list(session.scalars(select(User).order_by(User.role, User.name)))
    links = {link.user_id: link for link in session.scalars(
        select(PasswordLink).where(PasswordLink.used_at.is_(None), PasswordLink.expires_at > now)
        .order_by(PasswordLink.id))}
    managed: dict[int, list[Opening]] = {}
    for opening in session.scalars(select(Opening).order_by(Opening.title)):
        managed.setdefault(opening.hiring_manager_id, []).append(opening)
    teams = dict(session.execute(select(OpeningMember.user_id, func.count()).group_by(OpeningMember.user_id)).all())
    work: dict[int, int] = {}
    for assignment in work_mail.open_assignments(session):
        work[assignment.interviewer_id] = work.get(assignment.interviewer_id, 0) + 1
    return [Member(user, not user.password_hash, links.get(user.id),
                   managed.get(user.id, []), teams.get(user.id, 0), work.get(user.id, 0)) for user in people]


def invite(session: Session, config: Config, *, email: str, name: str, role: Role, actor: User,
           now: datetime) -> User:
    """Make an account and email its owner a link to choose their password; nobody else ever knows it."""
    address = normalise_email(email)
    if not name.strip():
        raise InputError("Give the person's name, as colleagues know them.")
    if session.scalar(select(User.id).where(User.email == address)) is not None:
        raise Conflict(f"There is already a staff account for {address}; find it in the list below.")
    # No password until its owner chooses one through the emailed link; nothing signs in with an empty hash.
    user = User(email=address, name=name.strip()[:200], role=role, password_hash="")
    session.add(user)
    session.flush()
    audit.record(session, "user.invited", now=now, actor=actor, subject_type="user", subject_id=user.id,
                 role=role.value)
    password_links.send_link(session, config, user, PasswordLinkPurpose.WELCOME, now=now, actor=actor)
    session.commit()
    return user


def send_password_link(session: Session, config: Config, user: User, *, actor: User, now: datetime) -> PasswordLink:
    """A new link for the person to choose a password: a welcome link until they have signed in, else a reset."""
    if not user.active:
        raise Conflict(f"{user.name}'s account is disabled: enable it first, then send the link.")
    purpose = password_links.purpose_for(user)
    link = password_links.send_link(session, config, user, purpose, now=now, actor=actor)
    session.commit()
    return link


def _other_active_admins(session: Session, user: User) -> int:
    return session.scalar(select(func.count(User.id)).where(
        User.role == Role.ADMIN, User.active.is_(True), User.id != user.id, User.password_hash != "")) or 0


def _hold(session: Session, user: User) -> None:
    """Hold the person's row and every admin's, in one statement in id order, and read the person afresh.

    Two admins demoting each other wait for each other; work given to the person, a place on a team or an opening
    handed to them (which read the row with a share lock) wait for the change or make it wait."""
    hold_rows(session, User, select(User.id).where(or_(User.role == Role.ADMIN, User.id == user.id)))
    session.refresh(user)


def _keep_an_admin(session: Session, user: User) -> None:
    """Refuse to take away the last active admin who can sign in (one still invited cannot yet)."""
    if user.role is Role.ADMIN and user.active and _other_active_admins(session, user) == 0:
        raise Conflict(f"{user.name} is the only active admin; make someone else an admin first, "
                       "so that somebody can still manage the staff.")


def set_active(session: Session, user: User, *, active: bool, now: datetime, actor: User | None = None) -> User:
    """Enable or disable an account; disabling ends every session it has and every password link."""
    _hold(session, user)
    if user.active == active:
        session.commit()
        return user
    if not active:
        if actor is not None and actor.id == user.id:
            raise Conflict("You cannot disable your own account; ask another admin to do it.")
        _keep_an_admin(session, user)
        password_links.end_links(session, user, now)
    user.active = active
    end_all_sessions(session, user)
    audit.record(
        session, "user.enabled" if active else "user.disabled", now=now, actor=actor,
        actor_kind=None if actor else "cli", subject_type="user", subject_id=user.id,
    )
    session.commit()
    return user


def set_role(session: Session, user: User, role: Role, *, actor: User, now: datetime) -> bool:
    """Give the person another role; False if it was theirs already.

    Refused where it would strand something: the last admin, an opening's hiring manager (hand the opening over
    first) or an interviewer with scorecards to finish. Leaving the roles an opening's team may have takes them
    off those teams."""
    _hold(session, user)
    if user.role is role:
        session.commit()
        return False
    _keep_an_admin(session, user)
    if role not in (Role.HIRING_MANAGER, Role.ADMIN):
        managed = list(session.scalars(select(Opening.title).where(Opening.hiring_manager_id == user.id)
                                       .order_by(Opening.title)))
        if managed:
            raise Conflict(f"{user.name} is the hiring manager of {', '.join(managed)}. Hand "
                           f"{'it' if len(managed) == 1 else 'them'} to another hiring manager on the opening's "
                           "People page first.")
    if user.role is Role.INTERVIEWER:
        waiting = len(work_mail.open_assignments(session, Assignment.interviewer_id == user.id))
        if waiting:
            raise Conflict(f"{user.name} has {waiting} scorecard{'s' if waiting != 1 else ''} still to do as an "
                           "interviewer; they keep the role until that work is done or scoring closes.")
    if role not in TEAM_ROLES:
        session.execute(delete(OpeningMember).where(OpeningMember.user_id == user.id))
    audit.record(session, "user.role_changed", now=now, actor=actor, subject_type="user", subject_id=user.id,
                 before=user.role.value, after=role.value)
    user.role = role
    session.commit()
    return True
