"""The opening's scoring life cycle: open, then closed, then unblinded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..errors import Conflict
from ..models import (
    Assignment,
    Attempt,
    Candidate,
    Opening,
    RevisionRequest,
    RevisionStatus,
    Scorecard,
    ScorecardStatus,
    ScoringState,
    User,
)
from . import audit


def scoring_state(session: Session, opening: Opening) -> ScoringState:
    """The opening's scoring state as committed now, held (FOR SHARE) until the caller commits.

    Every change to scorecards and assignments reads the state this way, so closing, which updates the
    row, waits for changes already under way and every change after it sees the opening closed.
    """
    state = session.scalar(
        select(Opening.scoring_state).where(Opening.id == opening.id).with_for_update(read=True)
    )
    return ScoringState(state)


def require_scoring_open(session: Session, opening: Opening, refused: str) -> None:
    """Raise Conflict, saying why and what can still be done, unless the opening's scoring is open."""
    if scoring_state(session, opening) is ScoringState.OPEN:
        return
    session.refresh(opening)
    closed = opening.scoring_closed_at
    when = f" on {closed:%d %B %Y}" if closed else ""
    raise Conflict(f"Scoring for {opening.title} closed{when}, so {refused}. Scorecards are final once "
                   "scoring closes; the hiring manager reads the results as they stand.")


def unfinished_count(session: Session, opening: Opening) -> int:
    """How many of the opening's assignments have no submitted scorecard (what closing would leave unscored)."""
    return session.scalar(
        select(func.count(Assignment.id)).join(Attempt).join(Candidate).outerjoin(Scorecard)
        .where(Candidate.opening_id == opening.id)
        .where((Scorecard.id.is_(None)) | (Scorecard.status != ScorecardStatus.SUBMITTED))
    ) or 0


def close_scoring(session: Session, opening: Opening, *, actor: User, now: datetime) -> None:
    """Close scoring: from now on no scorecard starts or changes and nobody is assigned."""
    closed = session.execute(
        update(Opening).where(Opening.id == opening.id, Opening.scoring_state == ScoringState.OPEN)
        .values(scoring_state=ScoringState.CLOSED, scoring_closed_at=now)
        .execution_options(synchronize_session=False)
    )
    if closed.rowcount == 0:
        session.rollback()
        raise Conflict("Scoring is already closed.")
    in_opening = (select(Scorecard.id).join(Assignment).join(Attempt).join(Candidate)
                  .where(Candidate.opening_id == opening.id))
    session.execute(
        update(RevisionRequest)
        .where(RevisionRequest.status == RevisionStatus.PENDING, RevisionRequest.scorecard_id.in_(in_opening))
        .values(status=RevisionStatus.LAPSED, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    audit.record(session, "opening.scoring_closed", actor=actor, subject_type="opening", subject_id=opening.id,
                 now=now)
    session.commit()
    session.refresh(opening)


def unblind(session: Session, opening: Opening, *, actor: User, now: datetime) -> None:
    """Show candidates' names to interviewers; only once scoring has closed."""
    done = session.execute(
        update(Opening).where(Opening.id == opening.id, Opening.scoring_state == ScoringState.CLOSED)
        .values(scoring_state=ScoringState.UNBLINDED, unblinded_at=now)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount == 0:
        state = scoring_state(session, opening)
        session.rollback()
        if state is ScoringState.OPEN:
            raise Conflict("Close scoring first: names stay hidden while anyone may still score.")
        raise Conflict("The opening is already unblinded.")
    audit.record(session, "opening.unblinded", actor=actor, subject_type="opening", subject_id=opening.id,
                 now=now)
    session.commit()
    session.refresh(opening)
