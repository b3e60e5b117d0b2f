"""The opening's scoring life cycle: open, then closed, then unblinded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select, update
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
    Submission,
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


@dataclass(frozen=True)
class Closing:
    """What closing scoring now would leave as it is: the facts its confirmation page states."""

    unfinished: int  # assigned scorecards never submitted
    reopened: int  # submitted once, reopened for changes, not submitted again
    unassigned: int  # handed-in work or live stages with fewer interviewers than the opening asks for
    waiting: int  # reopen requests not yet decided
    newest_assignment: int  # so an assignment made since the page was read shows as a change

    @property
    def seen(self) -> str:
        """The facts in one string, sent back with the confirmation so a change in between is noticed."""
        return "-".join(str(n) for n in (self.unfinished, self.reopened, self.unassigned, self.waiting,
                                         self.newest_assignment))


def closing(session: Session, opening: Opening) -> Closing:
    in_opening = (Candidate.opening_id == opening.id,)
    not_in = (Scorecard.id.is_(None)) | (Scorecard.status != ScorecardStatus.SUBMITTED)
    unfinished, reopened, newest = session.execute(
        select(func.count(Assignment.id).filter(not_in, Scorecard.first_submitted_at.is_(None)),
               func.count(Assignment.id).filter(not_in, Scorecard.first_submitted_at.is_not(None)),
               func.coalesce(func.max(Assignment.id), 0))
        .join(Attempt).join(Candidate).outerjoin(Scorecard).where(*in_opening)).one()
    handed_in = exists().where(Submission.attempt_id == Attempt.id)
    unassigned = session.scalar(
        select(func.count(Attempt.id)).join(Candidate)
        .where(*in_opening, Candidate.erased_at.is_(None), handed_in | Attempt.started_at.is_(None),
               Attempt.assigned_count < opening.interviewers_per_submission)) or 0
    waiting = session.scalar(
        select(func.count(RevisionRequest.id)).join(Scorecard).join(Assignment).join(Attempt).join(Candidate)
        .where(*in_opening, RevisionRequest.status == RevisionStatus.PENDING)) or 0
    return Closing(unfinished, reopened, unassigned, waiting, newest)


def close_scoring(session: Session, opening: Opening, *, actor: User, now: datetime, seen: str | None = None) -> None:
    """Close scoring: from now on no scorecard starts or changes and nobody is assigned. seen: the facts the
    person was shown (Closing.seen); if scoring moved on since, nothing is closed and they are asked to look
    again."""
    closed = session.execute(
        update(Opening).where(Opening.id == opening.id, Opening.scoring_state == ScoringState.OPEN)
        .values(scoring_state=ScoringState.CLOSED, scoring_closed_at=now)
        .execution_options(synchronize_session=False)
    )
    if closed.rowcount == 0:
        session.rollback()
        raise Conflict("Scoring is already closed.")
    # The row is held now, so every change under way has committed and none can start: the facts are final.
    if seen is not None and closing(session, opening).seen != seen:
        session.rollback()
        raise Conflict("Scoring moved on since the confirmation was opened (a scorecard, an assignment or a "
                       "request changed), so it is still open. Look at the facts again before closing.")
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
