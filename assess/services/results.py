"""Calibrated results for an opening: the ranking, what it rests on, what would change it."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..content import ContentLibrary
from ..domain.calibration import Calibration, CandidateEstimate, DesignError, Rating, calibrate
from ..domain.model_notices import Notice
from ..domain.ranking import calibration_ratings, place
from ..errors import NotFound
from ..models import Candidate, Opening, User
from .scores import FIRST, scored_cards


@dataclass(frozen=True)
class CandidateRow:
    candidate: Candidate
    estimate: CandidateEstimate
    rank: int
    scorecards: int
    by_dimension: dict[str, float]  # raw mean per rubric dimension
    flags: list[str]
    raw_rank: int = 0  # the place a plain average of the ratings would give, within the group
    moved: int = 0  # places up (+) or down (-) against the full ranking of the same candidates
    why: str = ""  # when calibration moves the candidate, which interviewer's leniency explains it
    ahead_of_next: float | None = None  # when the next one is close: the chance this one is really ahead


@dataclass(frozen=True)
class RaterRow:
    interviewer: User
    leniency: float
    low: float
    high: float
    ratings: int


@dataclass
class Comparison:
    rows: list[CandidateRow] = field(default_factory=list)
    raters: list[RaterRow] = field(default_factory=list)
    dimensions: list[str] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
    excluded: User | None = None
    dropped: list[Candidate] = field(default_factory=list)  # ranked with everyone, not without the excluded
    groups: int = 1
    unrated: list[Candidate] = field(default_factory=list)
    ratings: str = FIRST
    revised: int = 0  # scorecards changed, with approval, after their author saw others' ratings
    revised_candidates: set[int] = field(default_factory=set)


def _fit(ratings: list[Rating], result: Comparison) -> Calibration | None:
    try:
        return calibrate(ratings)
    except DesignError as error:
        result.warnings = [Notice("design", str(error))]
        return None


def comparison(session: Session, library: ContentLibrary, opening: Opening, exclude: int | None = None,
               ratings: str = FIRST) -> Comparison:
    """The opening's candidates ranked by calibrated score, optionally without one interviewer.

    The first-submitted ratings are read unless ratings is REVISED.
    """
    from_cards = scored_cards(session, opening, ratings)
    candidates = {c.id: c for c in session.scalars(select(Candidate).where(Candidate.opening_id == opening.id))}
    ids = {card.interviewer_id for card in from_cards}
    interviewers = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    result = Comparison(dimensions=[d.key for d in library.rubric.dimensions], ratings=ratings,
                        revised=sum(card.revised for card in from_cards),
                        revised_candidates={card.candidate_id for card in from_cards if card.revised})
    if exclude is not None:
        if exclude not in interviewers:
            raise NotFound("That interviewer has no scorecards in this opening.")
        result.excluded = interviewers[exclude]
    full = _fit(calibration_ratings(from_cards), result)
    if full is None:
        result.unrated = list(candidates.values())
        return result
    fit = full if exclude is None else _fit(calibration_ratings(from_cards, exclude), result)
    if fit is None:
        return result
    result.warnings = list(fit.warnings)
    result.groups = fit.groups
    kept = {e.candidate for e in fit.candidates}
    result.dropped = [candidates[int(e.candidate)] for e in full.candidates if e.candidate not in kept]
    names = {str(uid): user.name for uid, user in interviewers.items()}
    for placed in place(fit, full, from_cards, names, exclude):
        result.rows.append(CandidateRow(
            candidate=candidates[int(placed.candidate)], estimate=placed.estimate, rank=placed.rank,
            scorecards=placed.scorecards, by_dimension=placed.by_dimension, flags=placed.flags,
            raw_rank=placed.raw_rank, moved=placed.moved, why=placed.why, ahead_of_next=placed.ahead_of_next,
        ))
    rated = {int(e.candidate) for e in fit.candidates}
    result.unrated = [c for cid, c in candidates.items() if cid not in rated]
    result.raters = sorted(
        (RaterRow(interviewers[int(e.rater)], e.leniency, e.low, e.high, e.ratings) for e in fit.raters),
        key=lambda r: r.leniency,
    )
    return result
