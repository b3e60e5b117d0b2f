"""Who scores what: assigning by hand and automatically, reminders, and each interviewer's load."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..config import Config
from ..content import ContentLibrary
from ..domain.assignment import WorkItem, plan_assignments
from ..errors import Conflict, InputError, NotFound
from ..models import Assignment, Attempt, Opening, Role, Scorecard, ScorecardStatus, User
from . import audit, mail, worklist
from .calibration_sessions import has_passed, passed_interviewers
from .content import exercise_of
from .interviewer_pool import active_interviewers
from .scoring_state import require_scoring_open
from .worklist import add_live_stages, is_submitted, nothing_left_to_score, work_rows

DEFAULT_DUE = timedelta(days=3)


def calibrated(session: Session, opening: Opening, interviewer_id: int) -> bool:
    """Whether the interviewer may score this opening's candidates, as far as calibration goes."""
    return not opening.calibration_required or has_passed(session, opening, interviewer_id)


def open_load(session: Session) -> dict[int, int]:
    """Open assignments per interviewer: the ones without a submitted scorecard."""
    rows = session.execute(
        select(Assignment.interviewer_id, func.count(Assignment.id))
        .outerjoin(Scorecard)
        .where((Scorecard.id.is_(None)) | (Scorecard.status != ScorecardStatus.SUBMITTED))
        .group_by(Assignment.interviewer_id)
    ).all()
    return {interviewer: count for interviewer, count in rows}


def assign(
    session: Session, opening: Opening, attempt_id: int, interviewer_id: int, *,
    due_at: datetime | None, actor: User, now: datetime,
) -> Assignment:
    """Ask one interviewer to score one submission or live stage."""
    require_scoring_open(session, opening, "nobody can be assigned any more")
    attempt = session.get(Attempt, attempt_id)
    if attempt is None or attempt.candidate.opening_id != opening.id:
        raise NotFound("There is no such submission in this opening.")
    if attempt.started_at is not None and attempt.submission is None:
        raise Conflict("This exercise has not been submitted yet; assign it once it is in.")
    nothing_left_to_score(attempt)
    interviewer = session.get(User, interviewer_id)
    if interviewer is None or interviewer.role is not Role.INTERVIEWER or not interviewer.active:
        raise InputError("Choose an active interviewer.")
    if any(a.interviewer_id == interviewer_id for a in attempt.assignments):
        raise Conflict(f"{interviewer.name} is already scoring this.")
    if not calibrated(session, opening, interviewer.id):
        raise Conflict(f"{interviewer.name} has not passed a calibration session for this opening yet, "
                       "which the opening requires before scoring candidates.")
    if due_at is not None and due_at <= now:
        raise InputError("Choose a due date in the future.")
    assignment = Assignment(
        attempt=attempt, interviewer=interviewer, assigned_by_id=actor.id,
        due_at=due_at or now + DEFAULT_DUE, created_at=now,
    )
    session.add(assignment)
    worklist.recount(session, [attempt.id])
    audit.record(session, "assignment.created", actor=actor, subject_type="assignment", now=now,
                 subject_id=assignment.id, attempt_id=attempt.id, interviewer_id=interviewer.id)
    session.commit()
    return assignment


@dataclass(frozen=True)
class AutoResult:
    added: int
    short: int


def auto_assign(
    session: Session, library: ContentLibrary, opening: Opening, *, actor: User, now: datetime
) -> AutoResult:
    """Give every submission and live stage its interviewers, balancing everyone's load."""
    require_scoring_open(session, opening, "nobody can be assigned any more")
    add_live_stages(session, library, opening)
    rows = work_rows(session, opening)
    pool = active_interviewers(session)
    if opening.calibration_required:
        allowed = passed_interviewers(session, opening)
        pool = [u for u in pool if u.id in allowed]
    if not pool:
        raise Conflict("There are no active interviewers to assign (who have passed calibration, "
                       "where the opening requires it).")
    items = [
        WorkItem(item_id=row.attempt.id, candidate_id=row.attempt.candidate_id,
                 assigned=frozenset(a.interviewer_id for a in row.assignments))
        for row in rows if row.attempt.candidate.erased_at is None
    ]
    plan = plan_assignments(items, [u.id for u in pool], opening.interviewers_per_submission, open_load(session))
    attempts = {row.attempt.id: row.attempt for row in rows}
    for attempt_id, interviewer_id in plan.pairs:
        session.add(Assignment(attempt=attempts[attempt_id], interviewer_id=interviewer_id,
                               assigned_by_id=actor.id, due_at=now + DEFAULT_DUE, created_at=now))
    worklist.recount(session, {attempt_id for attempt_id, _ in plan.pairs})
    audit.record(session, "assignment.auto", actor=actor, subject_type="opening", subject_id=opening.id,
                 now=now, added=len(plan.pairs), short=len(plan.short))
    session.commit()
    return AutoResult(added=len(plan.pairs), short=len(plan.short))


def assignment_in(session: Session, opening: Opening, assignment_id: int) -> Assignment:
    """The assignment with this id, if it belongs to the opening."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or assignment.attempt.candidate.opening_id != opening.id:
        raise NotFound("There is no such assignment in this opening.")
    return assignment


def remind(
    session: Session, config: Config, opening: Opening, assignment: Assignment, *, actor: User, now: datetime,
) -> Assignment:
    """Email an interviewer about a scorecard they have not submitted."""
    require_scoring_open(session, opening, "reminders are no longer sent")
    if is_submitted(assignment):
        raise Conflict("That scorecard is already submitted.")
    exercise = exercise_of(assignment.attempt.exercise_version)
    due = f"was due {assignment.due_at:%d %B}" if assignment.due_at and assignment.due_at < now else (
        f"is due {assignment.due_at:%d %B}" if assignment.due_at else "is waiting")
    body = (
        f"Hello {assignment.interviewer.name},\n\nYour scorecard for {exercise.title} by Candidate "
        f"{assignment.attempt.candidate.pseudonym} ({opening.title}) {due}.\n"
        f"It is in your queue: {config.base_url.rstrip('/')}/review/assignments/{assignment.id}\n\n"
        f"Thank you,\n{actor.name}"
    )
    mail.queue(session, mail.Message(assignment.interviewer.email,
               f"Reminder: scorecard for {exercise.title}", body), now=now, opening_id=opening.id)
    assignment.reminded_at = now
    audit.record(session, "assignment.reminded", actor=actor, subject_type="assignment", subject_id=assignment.id,
                 now=now)
    session.commit()
    return assignment
