"""Reopening a submitted scorecard: at once, or on a request the hiring manager approves or refuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from ..errors import Conflict, InputError
from ..models import (
    Assignment,
    Attempt,
    Candidate,
    Opening,
    RevisionRequest,
    RevisionStatus,
    Scorecard,
    ScorecardStatus,
    User,
)
from . import audit, snapshots, worklist
from .scorecards import audited_values, locked_scorecard
from .scoring_state import require_scoring_open


def needs_approval(session: Session, assignment: Assignment) -> bool:
    """Whether reopening needs the hiring manager's approval: another scorecard on the same work has been
    submitted, so once this one was in its author could see those ratings."""
    others = session.scalar(
        select(func.count(Scorecard.id)).join(Assignment)
        .where(Assignment.attempt_id == assignment.attempt_id, Assignment.id != assignment.id,
               Scorecard.first_submitted_at.is_not(None))
    )
    return bool(others)


def pending_request(scorecard: Scorecard | None) -> RevisionRequest | None:
    if scorecard is None:
        return None
    return next((r for r in scorecard.revision_requests if r.status is RevisionStatus.PENDING), None)


def latest_request(scorecard: Scorecard | None) -> RevisionRequest | None:
    """The scorecard's most recent reopen request, whatever became of it."""
    return scorecard.revision_requests[-1] if scorecard is not None and scorecard.revision_requests else None


@dataclass(frozen=True)
class Reopened:
    scorecard: Scorecard
    # Set when the scorecard stays locked until the hiring manager approves this request.
    request: RevisionRequest | None = None


def reopen(session: Session, assignment: Assignment, reason: str, *, actor: User, now: datetime) -> Reopened:
    """Unlock a submitted scorecard, or ask the hiring manager to once its author has seen others' ratings."""
    scorecard = locked_scorecard(session, assignment)
    require_scoring_open(session, assignment.attempt.candidate.opening, "scorecards can no longer be reopened")
    if scorecard is None or scorecard.status is not ScorecardStatus.SUBMITTED:
        raise Conflict("Only a submitted scorecard can be reopened, and this one is open for changes already.")
    if len(reason.strip()) < 10:
        raise InputError("Say why the scorecard is being reopened (at least a short sentence).")
    if needs_approval(session, assignment):
        if pending_request(scorecard) is not None:
            raise Conflict("You have already asked to reopen this scorecard; the hiring manager has not decided yet.")
        request = RevisionRequest(scorecard=scorecard, requested_by_id=actor.id, reason=reason.strip(),
                                  requested_at=now)
        session.add(request)
        try:
            session.flush()
        except IntegrityError as error:
            session.rollback()
            raise Conflict("You have already asked to reopen this scorecard; the hiring manager has not decided "
                           "yet.") from error
        audit.record(session, "scorecard.revision_requested", actor=actor, subject_type="scorecard",
                     subject_id=scorecard.id, now=now, reason=reason.strip())
        session.commit()
        return Reopened(scorecard, request)
    audit.record(session, "scorecard.reopened", actor=actor, subject_type="scorecard", subject_id=scorecard.id,
                 now=now, reason=reason.strip(), values=audited_values(scorecard))
    scorecard.status = ScorecardStatus.DRAFT
    scorecard.updated_at = now
    worklist.recount(session, [assignment.attempt_id])
    snapshots.ratings_changed(session, assignment.attempt.candidate.opening_id, now)
    session.commit()
    return Reopened(scorecard)


def decide_revision(
    session: Session, opening: Opening, assignment: Assignment, *, approve: bool, note: str, actor: User,
    now: datetime,
) -> RevisionRequest:
    """Approve a reopen request, which unlocks the scorecard, or refuse it; the note goes to the interviewer."""
    scorecard = locked_scorecard(session, assignment)
    require_scoring_open(session, opening, "reopen requests can no longer be approved")
    request = pending_request(scorecard)
    if scorecard is None or request is None:
        raise Conflict("There is no reopen request waiting for this scorecard; it may have been decided already.")
    if len(note) > 1000:
        raise InputError("Keep the note to 1,000 characters.")
    request.status = RevisionStatus.APPROVED if approve else RevisionStatus.REFUSED
    request.decided_by_id, request.decided_at, request.note = actor.id, now, note.strip()
    if approve:
        audit.record(session, "scorecard.reopened", actor=actor, subject_type="scorecard", subject_id=scorecard.id,
                     now=now, reason=request.reason, approved_for=request.requested_by_id, note=request.note,
                     values=audited_values(scorecard))
        scorecard.status = ScorecardStatus.DRAFT
        scorecard.revision_approved_at = now
        scorecard.updated_at = now
        worklist.recount(session, [assignment.attempt_id])
        snapshots.ratings_changed(session, opening.id, now)
    else:
        audit.record(session, "scorecard.revision_refused", actor=actor, subject_type="scorecard",
                     subject_id=scorecard.id, now=now, reason=request.reason, note=request.note)
    session.commit()
    return request


def pending_requests(session: Session, opening: Opening) -> list[RevisionRequest]:
    """The opening's reopen requests waiting for the hiring manager, oldest first."""
    return list(session.scalars(
        select(RevisionRequest).join(Scorecard).join(Assignment).join(Attempt).join(Candidate)
        .where(Candidate.opening_id == opening.id, RevisionRequest.status == RevisionStatus.PENDING)
        .options(
            joinedload(RevisionRequest.requested_by),
            joinedload(RevisionRequest.scorecard).joinedload(Scorecard.assignment)
            .joinedload(Assignment.attempt).joinedload(Attempt.candidate),
            joinedload(RevisionRequest.scorecard).joinedload(Scorecard.assignment)
            .joinedload(Assignment.attempt).joinedload(Attempt.exercise_version),
        )
        .order_by(RevisionRequest.requested_at, RevisionRequest.id)
    ))
