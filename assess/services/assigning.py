"""Who scores what: assigning by hand and automatically, reminders, and each interviewer's load."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..config import Config
from ..content import ContentLibrary
from ..domain.assignment import Plan, WorkItem, another_wanted, plan_assignments
from ..errors import Conflict, InputError, NotFound
from ..models import Assignment, Attempt, Candidate, Opening, Role, Scorecard, ScorecardStatus, ScoringState, User
from . import audit, mail, work_mail, worklist
from .calibration_sessions import has_passed, passed_interviewers
from .interviewer_pool import active_interviewers
from .row_locks import hold_rows, share_rows
from .scoring_state import require_scoring_open, scoring_state
from .worklist import (
    WorkRow, add_live_stages, candidate_work_rows, is_submitted, nothing_left_to_score, rows_of, submitted_scores,
    work_rows,
)

DEFAULT_DUE = timedelta(days=3)
REMIND_GAP = timedelta(minutes=10)  # a second reminder by hand within this is a double click


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
    # Held, so an automatic third interviewer and this one take turns and each sees the other.
    hold_rows(session, Attempt, [attempt.id])
    session.refresh(attempt, ["assignments"])
    # Read with a share lock: a role change waits for this assignment, or this one sees the change.
    interviewer = next(iter(share_rows(session, User, [interviewer_id])), None)
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
    work_mail.announce_later(session, assignment)
    worklist.recount(session, [attempt.id])
    audit.record(session, "assignment.created", actor=actor, subject_type="assignment", now=now,
                 subject_id=assignment.id, attempt_id=attempt.id, interviewer_id=interviewer.id)
    session.commit()
    return assignment


@dataclass(frozen=True)
class AutoResult:
    added: int
    short: int


def pool_for(session: Session, opening: Opening) -> list[User]:
    """The interviewers who may be given the opening's work: active, and calibrated where the opening asks."""
    pool = [user for user in share_rows(session, User, [u.id for u in active_interviewers(session)])
            if user.role is Role.INTERVIEWER and user.active]  # as they stand once held (see `assign`)
    if opening.calibration_required:
        allowed = passed_interviewers(session, opening)
        pool = [u for u in pool if u.id in allowed]
    return pool


def _fill(session: Session, opening: Opening, rows: list[WorkRow], pool: list[User], *,
          wanted: dict[int, int] | None = None, actor: User | None, now: datetime) -> Plan:
    """Add interviewers to these pieces of work until each has per_item (the opening's number), balancing
    everyone's load; part of the caller's transaction. Each interviewer is emailed once it commits."""
    items = [
        WorkItem(item_id=row.attempt.id, candidate_id=row.attempt.candidate_id,
                 assigned=frozenset(a.interviewer_id for a in row.assignments))
        for row in rows if row.attempt.candidate.erased_at is None
    ]
    plan = plan_assignments(items, [u.id for u in pool], opening.interviewers_per_submission, open_load(session),
                            wanted)
    attempts = {row.attempt.id: row.attempt for row in rows}
    for attempt_id, interviewer_id in plan.pairs:
        added = Assignment(attempt=attempts[attempt_id], interviewer_id=interviewer_id,
                           assigned_by_id=actor.id if actor else None, due_at=now + DEFAULT_DUE, created_at=now)
        session.add(added)
        work_mail.announce_later(session, added)
    worklist.recount(session, {attempt_id for attempt_id, _ in plan.pairs})
    return plan


def auto_assign(
    session: Session, library: ContentLibrary, opening: Opening, *, actor: User, now: datetime
) -> AutoResult:
    """Give every submission and live stage its interviewers, balancing everyone's load."""
    require_scoring_open(session, opening, "nobody can be assigned any more")
    add_live_stages(session, library, opening)
    rows = work_rows(session, opening)
    pool = pool_for(session, opening)
    if not pool:
        raise Conflict("There are no active interviewers to assign (who have passed calibration, "
                       "where the opening requires it).")
    plan = _fill(session, opening, rows, pool, actor=actor, now=now)
    audit.record(session, "assignment.auto", actor=actor, subject_type="opening", subject_id=opening.id,
                 now=now, added=len(plan.pairs), short=len(plan.short))
    session.commit()
    return AutoResult(added=len(plan.pairs), short=len(plan.short))


def on_hand_in(session: Session, attempt: Attempt, *, now: datetime) -> int:
    """Give the candidate's handed-in work its interviewers as it arrives, where the opening says so; part of
    the caller's transaction. Returns how many interviewers were added (none while scoring is closed, for an
    erased candidate, or when nobody may score)."""
    candidate = attempt.candidate
    opening = candidate.opening
    if not opening.auto_assign or candidate.erased_at is not None:
        return 0
    if scoring_state(session, opening) is not ScoringState.OPEN:
        return 0
    # The candidate's row is held, so two pieces handed in at once are filled one after the other.
    hold_rows(session, Candidate, [candidate.id])
    pool = pool_for(session, opening)
    plan = _fill(session, opening, candidate_work_rows(session, candidate.id), pool, actor=None, now=now)
    if plan.pairs or plan.short:
        audit.record(session, "assignment.auto", actor=None, actor_kind="system", subject_type="attempt",
                     subject_id=attempt.id, now=now, added=len(plan.pairs), short=len(plan.short),
                     reason="handed_in")
    return len(plan.pairs)


def third_if_apart(session: Session, attempt: Attempt, *, now: datetime) -> bool:
    """Ask one more interviewer to score the work when its scorecards are as far apart as the opening's
    threshold; part of the caller's transaction (a scorecard being submitted, its attempt's row held)."""
    opening = attempt.candidate.opening
    if opening.third_interviewer_gap is None or attempt.candidate.erased_at is not None:
        return False
    [row] = rows_of(session, [attempt.id])
    scores = submitted_scores(session, [attempt.id]).get(attempt.id, {})
    if not another_wanted(opening.third_interviewer_gap, opening.interviewers_per_submission,
                          len(row.assignments), len([a for a in row.assignments if not is_submitted(a)]), scores):
        return False
    # The candidate's other work is in the plan too, so the third is not someone who already has all of it.
    others = [r for r in candidate_work_rows(session, attempt.candidate_id) if r.attempt.id != attempt.id]
    plan = _fill(session, opening, [row, *others], pool_for(session, opening),
                 wanted={attempt.id: len(row.assignments) + 1} | {r.attempt.id: len(r.assignments) for r in others},
                 actor=None, now=now)
    audit.record(session, "assignment.auto", actor=None, actor_kind="system", subject_type="attempt",
                 subject_id=attempt.id, now=now, added=len(plan.pairs), short=len(plan.short), reason="disagreement",
                 gap=opening.third_interviewer_gap)
    return bool(plan.pairs)


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
    if not assignment.interviewer.active:
        raise Conflict(f"{assignment.interviewer.name}'s account is disabled, so no reminder was sent. Assign the "
                       "work to someone else.")
    hold_rows(session, Assignment, [assignment.id])
    session.refresh(assignment, ["reminded_at"])
    if assignment.reminded_at is not None and now - assignment.reminded_at < REMIND_GAP:
        raise Conflict(f"{assignment.interviewer.name} was reminded a moment ago; one reminder is enough.")
    mail.queue(session, work_mail.reminder(config, assignment.interviewer, [assignment], now, signed=actor.name),
               now=now, opening_id=opening.id)
    assignment.reminded_at = now
    audit.record(session, "assignment.reminded", actor=actor, subject_type="assignment", subject_id=assignment.id,
                 now=now)
    session.commit()
    return assignment
