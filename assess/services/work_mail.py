"""The emails that tell interviewers about their work: what they were just given, a morning digest of what is
open, and reminders of what is overdue.

Candidates appear in them by code only, as on every page interviewers see. A new assignment is announced
through the door: it is marked in the transaction that makes it, and the worker (`announce`) writes one email
per interviewer for everything given to them since, however many pieces one change assigned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, selectinload

from ..config import Config
from ..domain.reminders import digest_due, digest_moment
from ..models import Assignment, Attempt, Candidate, Opening, Scorecard, ScorecardStatus, ScoringState, User
from . import effects, mail
from .content import exercise_of


def announce_later(session: Session, assignment: Assignment) -> None:
    """Have the interviewer emailed about this new assignment once the transaction commits."""
    effects.later(session, effects.Effect.WORK_NOTICE, assignment)


def _when(moment: datetime | None) -> str:
    return f"{moment:%A %d %B, %H:%M} UTC" if moment else "no due date"


def _line(config: Config, assignment: Assignment, now: datetime) -> str:
    attempt = assignment.attempt
    due = assignment.due_at
    state = "was due" if due is not None and due < now else "due"
    return (f"- {exercise_of(attempt.exercise_version).title}, Candidate {attempt.candidate.pseudonym} "
            f"({attempt.candidate.opening.title}), {state} {_when(due)}\n"
            f"  {config.base_url.rstrip('/')}/review/assignments/{assignment.id}")


def _footer(config: Config, *, chosen: bool = True) -> str:
    """Where the rest of the work is, and, for the emails an interviewer chooses, where to choose."""
    where = f"\n\nAll your work: {config.base_url.rstrip('/')}/review/"
    if not chosen:
        return where
    return where + f"\nChoose which of these emails you get on your account page: {config.base_url.rstrip('/')}/auth/account"


def _pieces(count: int) -> str:
    return "1 piece of work" if count == 1 else f"{count} pieces of work"


def given(config: Config, interviewer: User, assignments: Sequence[Assignment], now: datetime) -> mail.Message:
    """The email telling an interviewer what they have just been asked to score."""
    lines = "\n".join(_line(config, a, now) for a in assignments)
    body = (f"Hello {interviewer.name},\n\nYou have been asked to score {_pieces(len(assignments))}:\n\n{lines}\n\n"
            "Score each one on its own, before reading anyone else's scorecard." + _footer(config))
    return mail.Message(interviewer.email, f"New scoring work: {_pieces(len(assignments))}", body)


def reminder(config: Config, interviewer: User, assignments: Sequence[Assignment], now: datetime, *,
             signed: str = "assess") -> mail.Message:
    """The reminder of scorecards an interviewer has not submitted (sent by hand, or when work is overdue)."""
    lines = "\n".join(_line(config, a, now) for a in assignments)
    many = len(assignments) > 1
    subject = (f"Reminder: {len(assignments)} scorecards waiting" if many else
               f"Reminder: scorecard for {exercise_of(assignments[0].attempt.exercise_version).title}")
    body = (f"Hello {interviewer.name},\n\n{'These scorecards are' if many else 'This scorecard is'} still open:"
            f"\n\n{lines}\n\nThank you,\n{signed}" + _footer(config, chosen=False))
    return mail.Message(interviewer.email, subject, body)


def digest(config: Config, interviewer: User, assignments: Sequence[Assignment], now: datetime) -> mail.Message:
    """The morning summary of an interviewer's open work, overdue first, soonest due first."""
    overdue = [a for a in assignments if a.due_at is not None and a.due_at < now]
    rest = [a for a in assignments if a not in overdue]
    parts = []
    if overdue:
        parts.append("Overdue:\n" + "\n".join(_line(config, a, now) for a in overdue))
    if rest:
        parts.append("Open:\n" + "\n".join(_line(config, a, now) for a in rest))
    late = f", {len(overdue)} overdue" if overdue else ""
    body = (f"Hello {interviewer.name},\n\nYou have {_pieces(len(assignments))} to score{late}.\n\n"
            + "\n\n".join(parts) + _footer(config))
    return mail.Message(interviewer.email, f"Your scoring today: {_pieces(len(assignments))}{late}", body)


def _open_work() -> tuple[object, ...]:
    """Assignments whose scorecard is not in, on work still to be scored (scoring open, candidate not erased)."""
    return (or_(Scorecard.id.is_(None), Scorecard.status != ScorecardStatus.SUBMITTED),
            Opening.scoring_state == ScoringState.OPEN, Candidate.erased_at.is_(None))


def _assignments(session: Session, *conditions: object) -> list[Assignment]:
    """Assignments with what an email about them names, by interviewer, soonest due first."""
    return list(session.scalars(
        select(Assignment).join(Attempt).join(Candidate).join(Opening)
        .outerjoin(Scorecard, Scorecard.assignment_id == Assignment.id)
        .where(*conditions)  # type: ignore[arg-type]
        .options(selectinload(Assignment.interviewer),
                 selectinload(Assignment.attempt).selectinload(Attempt.candidate).selectinload(Candidate.opening),
                 selectinload(Assignment.attempt).selectinload(Attempt.exercise_version))
        .order_by(Assignment.interviewer_id, Assignment.due_at, Assignment.id)
    ))


def open_assignments(session: Session, *conditions: object) -> list[Assignment]:
    """Open assignments on work still to be scored that also meet conditions, ready to be named in an email."""
    return _assignments(session, *_open_work(), *conditions)


def by_interviewer(assignments: Iterable[Assignment]) -> dict[User, list[Assignment]]:
    grouped: dict[User, list[Assignment]] = defaultdict(list)
    for assignment in assignments:
        grouped[assignment.interviewer].append(assignment)
    return grouped


def announce(session: Session, config: Config, now: datetime) -> int:
    """Email each interviewer about the work given to them since they were last told; returns how many emails.

    Each assignment is claimed by setting when it was announced, so two workers never announce the same one;
    work already scored or no longer to be scored, and interviewers who chose not to be told, get no email."""
    waiting = list(session.scalars(select(Assignment.id).where(Assignment.notified_at.is_(None))
                                   .order_by(Assignment.id).limit(1000)))
    if not waiting:
        session.commit()
        return 0
    claimed = session.execute(
        update(Assignment).where(Assignment.id.in_(waiting), Assignment.notified_at.is_(None))
        .values(notified_at=now).returning(Assignment.id).execution_options(synchronize_session=False)
    ).scalars().all()
    found = _assignments(session, Assignment.id.in_(claimed), *_open_work()) if claimed else []
    # One email per interviewer and opening, so each opening's outbox shows what its interviewers were told.
    grouped: dict[tuple[User, int], list[Assignment]] = defaultdict(list)
    for assignment in found:
        grouped[(assignment.interviewer, assignment.attempt.candidate.opening_id)].append(assignment)
    sent = 0
    for (interviewer, opening_id), theirs in grouped.items():
        if interviewer.active and interviewer.assignment_emails:
            mail.queue(session, given(config, interviewer, theirs, now), now=now, opening_id=opening_id)
            sent += 1
    session.commit()
    return sent


def send_digests(session: Session, config: Config, now: datetime) -> int:
    """Send each interviewer who wants one their morning digest of open work, once a day; returns how many."""
    if not digest_due(None, now):
        return 0
    moment = digest_moment(now)
    due = list(session.scalars(
        select(User.id).where(User.active.is_(True), User.daily_digest.is_(True),
                              or_(User.digest_sent_at.is_(None), User.digest_sent_at < moment))
    ))
    work = by_interviewer(_assignments(session, Assignment.interviewer_id.in_(due), *_open_work())) if due else {}
    sent = 0
    for interviewer, theirs in work.items():
        claimed = session.execute(
            update(User).where(User.id == interviewer.id,
                               or_(User.digest_sent_at.is_(None), User.digest_sent_at < moment))
            .values(digest_sent_at=now).execution_options(synchronize_session=False))
        if claimed.rowcount:
            mail.queue(session, digest(config, interviewer, theirs, now), now=now)
            sent += 1
    session.commit()
    return sent
