"""One scorecard: fill, save and submit it blind; what the audit log keeps of it; its history and peers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ..content import ContentLibrary
from ..content.schema import Scorecard as ScorecardContent
from ..domain.scoring import Problem, RatingInput, ScorecardInput, problems_before_submitting
from ..errors import Conflict, NotFound
from ..models import (
    Assignment,
    Attempt,
    AuditEvent,
    Candidate,
    ContentKind,
    Rating,
    Scorecard,
    ScorecardStatus,
    User,
)
from . import assigning, audit, snapshots, webhooks, worklist
from .content import ensure_version, scorecard_of
from .scoring_state import require_scoring_open
from .worklist import is_submitted


@dataclass(frozen=True)
class Peer:
    interviewer: User
    scorecard: Scorecard


def assignment_for(session: Session, interviewer: User, assignment_id: int) -> Assignment:
    """One of the interviewer's own assignments; anyone else's does not exist for them."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or assignment.interviewer_id != interviewer.id:
        raise NotFound("There is no scorecard of yours at this address.")
    return assignment


def scorecard_content(library: ContentLibrary, session: Session, assignment: Assignment) -> ScorecardContent:
    """The scorecard version this assignment is scored against (fixed when first saved)."""
    if assignment.scorecard is not None:
        return scorecard_of(assignment.scorecard.scorecard_version)
    return library.scorecard(assignment.attempt.exercise_key).content


def snapshot(scorecard: Scorecard) -> dict[str, Any]:
    """A scorecard's values, as the audit log records them."""
    return {
        "ratings": {
            r.dimension_key: {"score": r.score, "evidence": r.evidence, "signals": list(r.signals)}
            for r in sorted(scorecard.ratings, key=lambda r: r.dimension_key)
        },
        "recommendation": scorecard.recommendation,
        "summary": scorecard.summary,
    }


def audited_values(scorecard: Scorecard) -> dict[str, Any]:
    """What the audit log keeps of a scorecard: scores, signals and recommendation, and a digest of each
    note instead of its text, since notes may quote the candidate and the log outlives an erasure."""
    full = snapshot(scorecard)
    for rating in full["ratings"].values():
        rating["evidence"] = text_digest(rating["evidence"])
    full["summary"] = text_digest(full["summary"])
    return full


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16] if text else ""


def _scorecard_version(session: Session, library: ContentLibrary, key: str) -> Any:
    """The stored row of the exercise's current scorecard version, even when another request stores it first."""
    versioned = library.scorecard(key)
    try:
        with session.begin_nested():
            return ensure_version(session, ContentKind.SCORECARD, key, versioned)[0]  # type: ignore[arg-type]
    except IntegrityError:
        return ensure_version(session, ContentKind.SCORECARD, key, versioned)[0]  # type: ignore[arg-type]


def locked_scorecard(session: Session, assignment: Assignment) -> Scorecard | None:
    """The assignment's scorecard as committed now, its row held until commit.

    Two tabs saving, submitting or reopening the same scorecard then take turns: the second sees what
    the first committed (on SQLite, which has no row locks, writers take turns anyway).
    """
    session.execute(select(Assignment.id).where(Assignment.id == assignment.id).with_for_update())
    session.expire(assignment, ["scorecard"])
    scorecard = session.scalars(
        select(Scorecard).where(Scorecard.assignment_id == assignment.id)
        .options(selectinload(Scorecard.ratings), selectinload(Scorecard.revision_requests))
        .execution_options(populate_existing=True)
    ).one_or_none()
    return scorecard


def save(
    session: Session,
    library: ContentLibrary,
    assignment: Assignment,
    given: ScorecardInput,
    *,
    submit: bool,
    actor: User,
    now: datetime,
) -> list[Problem]:
    """Save the scorecard as a draft, or submit it when nothing is missing; returns what is."""
    scorecard = locked_scorecard(session, assignment)
    require_scoring_open(session, assignment.attempt.candidate.opening,
                         "scorecards can no longer be started, saved or submitted")
    worklist.nothing_left_to_score(assignment.attempt)
    if scorecard is None:
        version = _scorecard_version(session, library, assignment.attempt.exercise_key)
        scorecard = Scorecard(assignment=assignment, scorecard_version=version, created_at=now)
        session.add(scorecard)
        try:
            session.flush()
        except IntegrityError as error:
            session.rollback()
            raise Conflict("This scorecard was started in another tab or window at the same moment, so these "
                           "changes were not saved. Reload the page to see it.") from error
    if scorecard.status is ScorecardStatus.SUBMITTED:
        raise Conflict("This scorecard is submitted and locked, so these changes were not saved (it may have been "
                       "submitted from another tab or window). Reopen it, with a reason, to change it.")
    content = scorecard_of(scorecard.scorecard_version)
    existing = {r.dimension_key: r for r in scorecard.ratings}
    for key in content.dimension_keys:
        value = given.ratings.get(key, RatingInput(None))
        rating = existing.get(key) or Rating(dimension_key=key)
        rating.score, rating.evidence, rating.signals = value.score, value.evidence.strip(), list(value.signals)
        if key not in existing:
            scorecard.ratings.append(rating)
    scorecard.recommendation = given.recommendation
    scorecard.summary = given.summary.strip()
    scorecard.updated_at = now
    problems = problems_before_submitting(content, given) if submit else []
    if submit and not problems:
        first = scorecard.first_submitted_at is None
        scorecard.status = ScorecardStatus.SUBMITTED
        scorecard.submitted_at = now
        if first:
            scorecard.first_submitted_at = now
            for rating in scorecard.ratings:
                rating.first_score = rating.score
        session.flush()
        audit.record(session, "scorecard.submitted", actor=actor, subject_type="scorecard",
                     subject_id=scorecard.id, now=now, values=audited_values(scorecard), first=first)
        candidate = assignment.attempt.candidate
        worklist.recount(session, [assignment.attempt_id])
        assigning.third_if_apart(session, assignment.attempt, now=now)
        snapshots.ratings_changed(session, candidate.opening_id, now)
        webhooks.emit(session, "scorecard.submitted", {
            "opening": candidate.opening.slug, "candidate_id": candidate.id, "candidate_code": candidate.pseudonym,
            "exercise": assignment.attempt.exercise_key, "scorecard_id": scorecard.id,
            "recommendation": scorecard.recommendation, "submitted_at": now.isoformat(),
        }, now)
    session.commit()
    return problems


def history(session: Session, scorecard: Scorecard) -> list[AuditEvent]:
    """What happened to a scorecard after it was first submitted, oldest first."""
    return list(session.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_type == "scorecard", AuditEvent.subject_id == scorecard.id)
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ))


def peers(session: Session, assignment: Assignment) -> list[Peer]:
    """Everyone's submitted scorecards for the same work, but only once this one is submitted."""
    if not is_submitted(assignment):
        return []
    others = session.scalars(
        select(Assignment)
        .where(Assignment.attempt_id == assignment.attempt_id)
        .options(selectinload(Assignment.scorecard).selectinload(Scorecard.ratings),
                 selectinload(Assignment.interviewer))
        .order_by(Assignment.id)
    ).all()
    return [Peer(a.interviewer, a.scorecard) for a in others if a.scorecard is not None and is_submitted(a)]


def candidate_scorecards(session: Session, candidate: Candidate) -> list[Assignment]:
    """Every assignment on the candidate's work with its scorecard and AI drafts, by exercise."""
    return list(session.scalars(
        select(Assignment)
        .join(Attempt)
        .where(Attempt.candidate_id == candidate.id)
        .options(
            selectinload(Assignment.interviewer),
            selectinload(Assignment.attempt).selectinload(Attempt.exercise_version),
            selectinload(Assignment.scorecard).selectinload(Scorecard.ratings),
            selectinload(Assignment.scorecard).selectinload(Scorecard.ai_drafts),
            selectinload(Assignment.scorecard).selectinload(Scorecard.scorecard_version),
        )
        .order_by(Attempt.exercise_key, Assignment.id)
    ))
