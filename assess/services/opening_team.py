"""The people who work on an opening besides its hiring manager: co-owning hiring managers, with the same rights,
and recruiters, who invite candidates and follow their progress and see the work, the scorecards and the results
only where the opening allows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..config import Config
from ..errors import Conflict, Forbidden, InputError, NotFound
from ..models import Opening, OpeningMember, Role, User
from . import audit, mail
from .row_locks import hold_rows, share_rows
from .staff import TEAM_ROLES


@dataclass(frozen=True)
class Team:
    manager: User  # the opening's hiring manager, named on candidates' emails
    members: list[OpeningMember]  # everyone else on it, by name
    addable: list[User]  # active hiring managers and recruiters not on it yet


def may_see_results(user: User, opening: Opening) -> bool:
    """Whether the person may read the opening's candidates' work, scorecards and results."""
    return user.role is not Role.RECRUITER or opening.recruiters_see_results


def team_of(session: Session, opening: Opening) -> Team:
    members = sorted(opening.team, key=lambda m: (m.user.role is not Role.HIRING_MANAGER, m.user.name.lower()))
    taken = {opening.hiring_manager_id, *(m.user_id for m in members)}
    addable = [user for user in session.scalars(
        select(User).where(User.role.in_(TEAM_ROLES), User.active.is_(True)).order_by(User.name))
        if user.id not in taken]
    return Team(opening.hiring_manager, members, addable)


def _held(session: Session, opening: Opening) -> None:
    """Changes to one opening's team wait for each other, and then read the team as the last one left it."""
    hold_rows(session, Opening, [opening.id])
    session.expire(opening, ["team", "hiring_manager", "hiring_manager_id", "recruiters_see_results"])


def _person(session: Session, user_id: int) -> User:
    """The person, read afresh with a share lock, so a change of their role waits for this step or it sees it."""
    user = next(iter(share_rows(session, User, [user_id])), None)
    if user is None:
        raise NotFound("There is no staff account with that id.")
    return user


def add(session: Session, config: Config, opening: Opening, user_id: int, *, actor: User, now: datetime) -> bool:
    """Put the person on the opening's team and tell them by email; False if they were on it already."""
    _held(session, opening)
    user = _person(session, user_id)
    if user.id == opening.hiring_manager_id or any(m.user_id == user.id for m in opening.team):
        return False
    if user.role not in TEAM_ROLES or not user.active:
        raise InputError(f"{user.name} cannot join an opening's team: only active hiring managers and recruiters "
                         "can. An admin can change their role on the Staff page.")
    opening.team.append(OpeningMember(user=user, added_at=now))
    session.flush()
    audit.record(session, "opening.member_added", now=now, actor=actor, subject_type="opening",
                 subject_id=opening.id, user_id=user.id, role=user.role.value)
    address = f"{config.base_url.rstrip('/')}/hiring/openings/{opening.slug}"
    rights = ("You can invite candidates and follow their progress"
              + (", and read their work, scorecards and results." if opening.recruiters_see_results else
                 "; their work, scorecards and results stay hidden unless the hiring manager opens them to you.")
              if user.role is Role.RECRUITER else
              "You manage it with the same rights as its hiring manager: invite, assign, decide and read results.")
    mail.queue(session, mail.Message(user.email, f"You are on the team for {opening.title}",
                                     f"Hello {user.name},\n\n{actor.name} added you to the team hiring for "
                                     f"{opening.title}. {rights}\n\n{address}\n"), now=now, opening_id=opening.id)
    session.commit()
    return True


def remove(session: Session, opening: Opening, user_id: int, *, actor: User, now: datetime) -> bool:
    """Take the person off the team; False if they were not on it. The hiring manager is handed over, not removed."""
    _held(session, opening)
    if user_id == opening.hiring_manager_id:
        raise Conflict("The hiring manager cannot be taken off the opening; hand it to a co-owner first.")
    gone = session.execute(delete(OpeningMember).where(OpeningMember.opening_id == opening.id,
                                                       OpeningMember.user_id == user_id)).rowcount
    session.expire(opening, ["team"])
    if gone:
        audit.record(session, "opening.member_removed", now=now, actor=actor, subject_type="opening",
                     subject_id=opening.id, user_id=user_id)
    session.commit()
    return bool(gone)


def hand_over(session: Session, config: Config, opening: Opening, user_id: int, *, actor: User,
              now: datetime) -> User:
    """Make a co-owning hiring manager the opening's hiring manager; the one before stays on as a co-owner. Only
    the hiring manager or an admin may; both people are told by email."""
    _held(session, opening)
    if actor.role is not Role.ADMIN and actor.id != opening.hiring_manager_id:
        raise Forbidden("Only the opening's hiring manager, or an admin, can hand it to someone else.")
    member = next((m for m in opening.team if m.user_id == user_id), None)
    if member is not None:
        _person(session, user_id)
    if member is None or member.user.role is not Role.HIRING_MANAGER or not member.user.active:
        raise InputError("Hand the opening to an active hiring manager on its team: add them first, then hand over.")
    before = opening.hiring_manager
    opening.team.remove(member)
    session.flush()
    opening.hiring_manager = member.user
    if before.role in TEAM_ROLES:  # an admin who had the opening needs no place on its team
        opening.team.append(OpeningMember(user=before, added_at=now))
    audit.record(session, "opening.handed_over", now=now, actor=actor, subject_type="opening",
                 subject_id=opening.id, before=before.id, after=member.user_id)
    address = f"{config.base_url.rstrip('/')}/hiring/openings/{opening.slug}"
    for person, said in ((member.user, f"{actor.name} made you the hiring manager of {opening.title}. Candidates "
                                       "are now told to write to you, unless the opening names another address."),
                         (before, f"{actor.name} handed {opening.title} to {member.user.name}, who is now its hiring "
                                  "manager. You stay on its team as a co-owner.")):
        mail.queue(session, mail.Message(person.email, f"{opening.title} has a new hiring manager",
                                         f"Hello {person.name},\n\n{said}\n\n{address}\n"),
                   now=now, opening_id=opening.id)
    session.commit()
    return member.user


def show_results_to_recruiters(session: Session, opening: Opening, shown: bool, *, actor: User,
                               now: datetime) -> bool:
    """Open the work, scorecards and results to the opening's recruiters, or close them; False if unchanged."""
    _held(session, opening)
    if opening.recruiters_see_results == shown:
        return False
    opening.recruiters_see_results = shown
    audit.record(session, "opening.recruiter_sight_changed", now=now, actor=actor, subject_type="opening",
                 subject_id=opening.id, shown=shown)
    session.commit()
    return True
