"""Links for several candidates at once: a new link to each ticked candidate, or every ticked link withdrawn.

Each candidate is taken on their own, locked as a single resend or withdrawal locks them, so one who cannot be
sent a link is named with the reason and the others still go."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..config import Config
from ..content import ContentLibrary
from ..domain.pipeline import Stage
from ..errors import AppError, InputError
from ..models import Candidate, Opening, User
from . import invitations, links
from .attempts import is_open

# A page of the candidate list is 50; a batch may hold two.
MOST_AT_ONCE = 100
# A link sent this recently is not sent again in a batch: a second click, or a second tab, mails nobody twice.
RESEND_GAP = timedelta(minutes=10)


@dataclass
class Batch:
    """What a step on several candidates did: whom it reached, whom not and why, and the links it sent."""

    done: list[Candidate] = field(default_factory=list)
    skipped: list[tuple[Candidate, str]] = field(default_factory=list)
    sent: list[invitations.Invited] = field(default_factory=list)
    under_way: int = 0  # of those reached, how many were in the middle of an exercise


def _chosen(session: Session, opening: Opening, candidate_ids: list[int]) -> list[Candidate]:
    ids = set(candidate_ids)
    if not ids:
        raise InputError("Tick the candidates first, in the list's left-hand boxes.")
    if len(ids) > MOST_AT_ONCE:
        raise InputError(f"{len(ids):,} candidates are ticked; take at most {MOST_AT_ONCE} at a time.")
    people = list(session.scalars(select(Candidate).where(Candidate.opening_id == opening.id, Candidate.id.in_(ids))
                                  .order_by(Candidate.name, Candidate.id)))
    if len(people) != len(ids):
        raise InputError("Some of the ticked candidates are not in this opening; reload the page and tick again.")
    return people


def _doing_an_exercise(candidate: Candidate, now: datetime) -> bool:
    return any(a.started_at is not None and is_open(a, now) for a in candidate.attempts)


def _why_not_resend(candidate: Candidate, now: datetime) -> str | None:
    if candidate.erased_at is not None:
        return f"their data was erased on {candidate.erased_at:%d %B %Y}"
    if _doing_an_exercise(candidate, now):
        return "they are in the middle of an exercise, and a new link would end their session (use Resend on " \
               "their row if you mean to)"
    if candidate.stage is Stage.DECIDED:
        return "a decision on them stands, and a new link would invite them back (use Resend on their row if you " \
               "mean to)"
    latest = links.latest_invitation(candidate)
    if latest is not None and latest.revoked_at is None and now - latest.created_at < RESEND_GAP:
        minutes = int((now - latest.created_at).total_seconds() // 60)
        since = f"{minutes} minute{'' if minutes == 1 else 's'}" if minutes else "a moment"
        return f"a link went to them {since} ago"
    return None


def resend_many(session: Session, config: Config, library: ContentLibrary, opening: Opening, candidate_ids: list[int],
                *, actor: User, now: datetime) -> Batch:
    """A new link to each ticked candidate (their old one stops), except those it would harm or mail twice."""
    done = Batch()
    for person in _chosen(session, opening, candidate_ids):
        person = links.lock_candidate(session, person)
        why = _why_not_resend(person, now)
        if why:
            session.commit()  # nothing changed; the lock is let go
            done.skipped.append((person, why))
            continue
        try:
            sent = invitations.resend(session, config, library, person, actor=actor, now=now)
        except AppError as error:
            session.rollback()
            done.skipped.append((person, error.message))
            continue
        done.done.append(person)
        done.sent.append(sent)
    return done


def withdraw_many(session: Session, opening: Opening, candidate_ids: list[int], *, actor: User,
                  now: datetime) -> Batch:
    """Withdraw each ticked candidate's link, ending their session; those without one are named."""
    done = Batch()
    for person in _chosen(session, opening, candidate_ids):
        person = links.lock_candidate(session, person)
        if person.erased_at is None and not any(i.revoked_at is None for i in person.invitations):
            session.commit()
            done.skipped.append((person, "they have no link to withdraw"))
            continue
        busy = _doing_an_exercise(person, now)
        try:
            links.revoke(session, person, actor=actor, now=now)
        except AppError as error:
            session.rollback()
            done.skipped.append((person, error.message))
            continue
        done.done.append(person)
        done.under_way += busy
    return done
