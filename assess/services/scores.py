"""The one reader of an opening's ratings, and of its submitted scorecards as they are shown and exported."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload, subqueryload

from ..domain.ranking import ScoredCard
from ..errors import InputError
from ..models import Assignment, Attempt, Candidate, Opening, Rating, Scorecard, ScorecardStatus

# Which ratings are read: each interviewer's independent first submission, or the ratings as they stand
# after any reopening (for a scorecard reopened and not yet submitted again, its first submission).
FIRST, REVISED = "first", "revised"
RATINGS = {FIRST: "First-submitted ratings", REVISED: "Ratings as revised"}


def scored_cards(session: Session, opening: Opening, ratings: str = FIRST) -> list[ScoredCard]:
    """Every submitted scorecard's scores in one query of plain rows: thousands of scorecards stay fast.

    By default these are the first-submitted scores; with REVISED, the current scores of scorecards that
    stand submitted (a scorecard reopened and not yet submitted again keeps its first scores).
    """
    if ratings not in RATINGS:
        raise InputError("Choose the first-submitted or the revised ratings.")
    rows = session.execute(
        select(Scorecard.id, Attempt.candidate_id, Assignment.attempt_id, Attempt.exercise_key,
               Assignment.interviewer_id, Scorecard.status, Scorecard.revision_approved_at, Scorecard.submitted_at,
               Rating.dimension_key, Rating.score, Rating.first_score)
        .join(Assignment, Scorecard.assignment_id == Assignment.id)
        .join(Attempt, Assignment.attempt_id == Attempt.id)
        .join(Candidate, Attempt.candidate_id == Candidate.id)
        .outerjoin(Rating, Rating.scorecard_id == Scorecard.id)
        .where(Candidate.opening_id == opening.id, Scorecard.first_submitted_at.is_not(None))
        .order_by(Scorecard.id)
    )
    cards: dict[int, ScoredCard] = {}
    for (card_id, candidate_id, attempt_id, exercise_key, interviewer_id, status, revised_at, submitted_at,
         dimension, score, first_score) in rows:
        card = cards.setdefault(card_id, ScoredCard(card_id, candidate_id, attempt_id, exercise_key, interviewer_id,
                                                    revised=revised_at is not None, submitted_at=submitted_at))
        if dimension is not None:
            current = ratings == REVISED and status is ScorecardStatus.SUBMITTED
            card.scores[dimension] = score if current else first_score
    return list(cards.values())


def _submitted(opening: Opening) -> Any:
    return (select(Scorecard).join(Assignment).join(Attempt).join(Candidate)
            .where(Candidate.opening_id == opening.id, Scorecard.status == ScorecardStatus.SUBMITTED))


def count_submitted(session: Session, opening: Opening) -> int:
    """How many scorecards of the opening stand submitted, from the counts kept on each attempt (each of its
    assignments without a submitted scorecard is unfinished): one row per attempt, not per scorecard."""
    return session.scalar(select(func.coalesce(func.sum(Attempt.assigned_count - Attempt.unfinished_count), 0))
                          .join(Candidate, Attempt.candidate_id == Candidate.id)
                          .where(Candidate.opening_id == opening.id)) or 0


# Joins for single rows, so the count of queries does not grow with candidates.
_SCORECARD_LOADS = (
    joinedload(Scorecard.assignment).joinedload(Assignment.interviewer),
    joinedload(Scorecard.assignment).joinedload(Assignment.attempt).joinedload(Attempt.candidate),
)


def submitted_scorecards(session: Session, opening: Opening, *, limit: int | None = None,
                         offset: int = 0) -> list[Scorecard]:
    """Every submitted scorecard of the opening (one page of them with limit), candidate by candidate, with
    ratings, interviewer, attempt."""
    # A page loads its collections by the ids it holds; every scorecard, by one subquery per collection.
    collections = (selectinload(Scorecard.ratings), selectinload(Scorecard.ai_drafts)) if limit is not None else (
        subqueryload(Scorecard.ratings), subqueryload(Scorecard.ai_drafts))
    return list(session.scalars(
        _submitted(opening)
        .options(*collections, *_SCORECARD_LOADS)
        # Candidate by candidate, as the opening's index walks them: a page reads its own rows and stops.
        .order_by(Candidate.id, Scorecard.id)
        .limit(limit).offset(offset)
    ))
