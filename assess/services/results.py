"""Calibrated results for an opening: the ranking, what it rests on, and what would change it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, subqueryload

from ..content import ContentLibrary
from ..domain.calibration import Calibration, CandidateEstimate, DesignError, Rating, calibrate
from ..domain.scoring import disagreements
from ..errors import Conflict, InputError, NotFound
from ..models import (
    AiDraftStatus,
    Assignment,
    Attempt,
    Candidate,
    Decision,
    Opening,
    Outcome,
    Rating as RatingRow,
    Scorecard,
    ScorecardStatus,
    ScoringState,
    User,
)
from . import audit

MIN_RATERS = 2
# Which ratings the results read: each interviewer's independent first submission, or the ratings as they
# stand after any reopening (for a scorecard reopened and not yet submitted again, its first submission).
FIRST, REVISED = "first", "revised"
RATINGS = {FIRST: "First-submitted ratings", REVISED: "Ratings as revised"}


@dataclass(frozen=True)
class CandidateRow:
    candidate: Candidate
    estimate: CandidateEstimate
    rank: int
    scorecards: int
    by_dimension: dict[str, float]  # raw mean per rubric dimension
    flags: list[str]
    raw_rank: int = 0  # the place a plain average of the ratings would give
    moved: int = 0  # places up (+) or down (-) compared with the full ranking
    why: str = ""  # when calibration moves the candidate, which interviewer's leniency explains it


@dataclass(frozen=True)
class RaterRow:
    interviewer: User
    severity: float
    low: float
    high: float
    ratings: int


@dataclass
class Comparison:
    rows: list[CandidateRow] = field(default_factory=list)
    raters: list[RaterRow] = field(default_factory=list)
    dimensions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    excluded: User | None = None
    unrated: list[Candidate] = field(default_factory=list)
    ratings: str = FIRST
    revised: int = 0  # scorecards changed, with approval, after their author saw others' ratings
    revised_candidates: set[int] = field(default_factory=set)


def _submitted(opening: Opening) -> Any:
    return (select(Scorecard).join(Assignment).join(Attempt).join(Candidate)
            .where(Candidate.opening_id == opening.id, Scorecard.status == ScorecardStatus.SUBMITTED))


def _ever_submitted(opening: Opening) -> Any:
    return (select(Scorecard).join(Assignment).join(Attempt).join(Candidate)
            .where(Candidate.opening_id == opening.id, Scorecard.first_submitted_at.is_not(None)))


def count_submitted(session: Session, opening: Opening) -> int:
    return session.scalar(select(func.count()).select_from(_submitted(opening).subquery())) or 0


# One query per collection and joins for single rows, so the count does not grow with candidates.
_SCORECARD_LOADS = (
    subqueryload(Scorecard.ratings),
    subqueryload(Scorecard.ai_drafts),
    joinedload(Scorecard.assignment).joinedload(Assignment.interviewer),
    joinedload(Scorecard.assignment).joinedload(Assignment.attempt).joinedload(Attempt.candidate),
)


def submitted_scorecards(session: Session, opening: Opening, *, limit: int | None = None,
                         offset: int = 0) -> list[Scorecard]:
    """Every submitted scorecard of the opening (one page of them with limit), with ratings, interviewer, attempt."""
    return list(session.scalars(
        _submitted(opening)
        .options(*_SCORECARD_LOADS)
        .order_by(Scorecard.id)
        .limit(limit).offset(offset)
    ))


def first_submitted_scorecards(session: Session, opening: Opening) -> list[Scorecard]:
    """Every scorecard of the opening that has been submitted at least once, for reading its first ratings."""
    return list(session.scalars(
        _ever_submitted(opening)
        .options(*_SCORECARD_LOADS)
        .order_by(Scorecard.id)
    ))


def ratings_of(scorecards: list[Scorecard], exclude: int | None = None) -> list[Rating]:
    """Every first-submitted rating, the independent one; a dimension is read within its exercise, where its
    difficulty lives."""
    return [
        Rating(
            candidate=str(card.assignment.attempt.candidate_id),
            rater=str(card.assignment.interviewer_id),
            dimension=f"{card.assignment.attempt.exercise_key}:{rating.dimension_key}",
            score=float(rating.first_score),
        )
        for card in scorecards
        if card.assignment.interviewer_id != exclude
        for rating in card.ratings
        if rating.first_score is not None
    ]


@dataclass
class CardScores:
    """A submitted scorecard reduced to what ranking needs, read without building ORM objects."""

    candidate_id: int
    attempt_id: int
    exercise_key: str
    interviewer_id: int
    scores: dict[str, int | None] = field(default_factory=dict)
    revised: bool = False


def scored_cards(session: Session, opening: Opening, ratings: str = FIRST) -> list[CardScores]:
    """Every submitted scorecard's scores in one query of plain rows: thousands of scorecards stay fast.

    By default these are the first-submitted scores; with REVISED, the current scores of scorecards that
    stand submitted (a scorecard reopened and not yet submitted again keeps its first scores).
    """
    if ratings not in RATINGS:
        raise InputError("Choose the first-submitted or the revised ratings.")
    rows = session.execute(
        select(Scorecard.id, Attempt.candidate_id, Assignment.attempt_id, Attempt.exercise_key,
               Assignment.interviewer_id, Scorecard.status, Scorecard.revision_approved_at,
               RatingRow.dimension_key, RatingRow.score, RatingRow.first_score)
        .join(Assignment, Scorecard.assignment_id == Assignment.id)
        .join(Attempt, Assignment.attempt_id == Attempt.id)
        .join(Candidate, Attempt.candidate_id == Candidate.id)
        .outerjoin(RatingRow, RatingRow.scorecard_id == Scorecard.id)
        .where(Candidate.opening_id == opening.id, Scorecard.first_submitted_at.is_not(None))
        .order_by(Scorecard.id)
    )
    cards: dict[int, CardScores] = {}
    for (card_id, candidate_id, attempt_id, exercise_key, interviewer_id, status, revised_at, dimension, score,
         first_score) in rows:
        card = cards.setdefault(card_id, CardScores(candidate_id, attempt_id, exercise_key, interviewer_id,
                                                    revised=revised_at is not None))
        if dimension is not None:
            current = ratings == REVISED and status is ScorecardStatus.SUBMITTED
            card.scores[dimension] = score if current else first_score
    return list(cards.values())


def _ratings(cards: list[CardScores], exclude: int | None = None) -> list[Rating]:
    return [Rating(candidate=str(card.candidate_id), rater=str(card.interviewer_id),
                   dimension=f"{card.exercise_key}:{dimension}", score=float(score))
            for card in cards if card.interviewer_id != exclude
            for dimension, score in card.scores.items() if score is not None]


def comparison(session: Session, library: ContentLibrary, opening: Opening, exclude: int | None = None,
               ratings: str = FIRST) -> Comparison:
    """The opening's candidates ranked by calibrated score, optionally without one interviewer.

    The first-submitted ratings are read unless ratings is REVISED.
    """
    scorecards = scored_cards(session, opening, ratings)
    candidates = {c.id: c for c in session.scalars(select(Candidate).where(Candidate.opening_id == opening.id))}
    ids = {card.interviewer_id for card in scorecards}
    interviewers = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    result = Comparison(dimensions=[d.key for d in library.rubric.dimensions], ratings=ratings,
                        revised=sum(card.revised for card in scorecards),
                        revised_candidates={card.candidate_id for card in scorecards if card.revised})
    if exclude is not None:
        if exclude not in interviewers:
            raise NotFound("That interviewer has no scorecards in this opening.")
        result.excluded = interviewers[exclude]
    full = _fit(_ratings(scorecards), result)
    if full is None:
        result.unrated = list(candidates.values())
        return result
    fit = full if exclude is None else _fit(_ratings(scorecards, exclude), result)
    if fit is None:
        return result
    result.warnings = list(fit.warnings)
    full_rank = {e.candidate: i for i, e in enumerate(full.candidates, start=1)}
    per_dimension: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    count_cards: dict[str, int] = defaultdict(int)
    disagreeing: dict[str, int] = defaultdict(int)
    by_attempt: dict[tuple[str, int], dict[str, dict[str, int | None]]] = defaultdict(dict)
    for card in scorecards:
        if card.interviewer_id == exclude:
            continue
        key = str(card.candidate_id)
        count_cards[key] += 1
        by_attempt[(key, card.attempt_id)][str(card.interviewer_id)] = card.scores
        for dimension, score in card.scores.items():
            if score is not None:
                per_dimension[key][dimension].append(score)
    for (owner, _attempt), scores in by_attempt.items():
        disagreeing[owner] += len(disagreements(scores))
    estimates = fit.candidates
    raw_order = sorted(estimates, key=lambda e: (-e.raw_mean, e.candidate))
    raw_rank = {e.candidate: i for i, e in enumerate(raw_order, start=1)}
    severity = {e.rater: e.severity for e in fit.raters}
    share = _rater_shares(scorecards, exclude)
    for rank, estimate in enumerate(estimates, start=1):
        flags = []
        if disagreeing[estimate.candidate]:
            flags.append(f"{disagreeing[estimate.candidate]} dimension(s) with interviewers two or more apart")
        if estimate.raters < MIN_RATERS:
            flags.append("rests on one interviewer")
        neighbours = [estimates[i] for i in (rank - 2, rank) if 0 <= i < len(estimates)]
        if any(_overlap(estimate, other) > 0.5 for other in neighbours):
            flags.append("interval overlaps a neighbour's: the order here is not meaningful")
        result.rows.append(CandidateRow(
            candidate=candidates[int(estimate.candidate)],
            estimate=estimate,
            rank=rank,
            scorecards=count_cards[estimate.candidate],
            by_dimension={d: sum(v) / len(v) for d, v in per_dimension[estimate.candidate].items()},
            flags=flags,
            raw_rank=raw_rank[estimate.candidate],
            moved=full_rank.get(estimate.candidate, rank) - rank,
            why=_why(estimate.candidate, rank, raw_rank[estimate.candidate], severity, share.get(estimate.candidate, {}),
                     interviewers),
        ))
    rated = {int(e.candidate) for e in estimates}
    result.unrated = [c for cid, c in candidates.items() if cid not in rated]
    result.raters = sorted(
        (RaterRow(interviewers[int(e.rater)], e.severity, e.low, e.high, e.ratings) for e in fit.raters),
        key=lambda r: r.severity,
    )
    return result


def _rater_shares(scorecards: list[CardScores], exclude: int | None) -> dict[str, dict[str, float]]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for card in scorecards:
        if card.interviewer_id != exclude:
            counts[str(card.candidate_id)][str(card.interviewer_id)] += len(card.scores)
    return {c: {r: n / sum(by.values()) for r, n in by.items()} for c, by in counts.items()}


def _why(
    candidate: str, rank: int, raw: int, severity: dict[str, float], share: dict[str, float],
    interviewers: dict[int, User],
) -> str:
    """Name the interviewer whose leniency or harshness most bent this candidate's plain average."""
    if rank == raw or not share:
        return ""
    weight = {rater: share[rater] * severity.get(rater, 0.0) for rater in share}
    rater = max(weight, key=lambda r: abs(weight[r]))
    if abs(severity.get(rater, 0.0)) < 0.1:
        return ""
    name = interviewers[int(rater)].name
    kind = "harsher" if severity[rater] < 0 else "more lenient"
    direction = "up" if rank < raw else "down"
    return (f"Moves {direction} from #{raw} by plain average: {share[rater]:.0%} of the ratings came from {name}, "
            f"who scores {abs(severity[rater]):.2f} points {kind} than the others.")


def _fit(ratings: list[Rating], result: Comparison) -> Calibration | None:
    try:
        return calibrate(ratings)
    except DesignError as error:
        result.warnings = [str(error)]
        return None


def _overlap(a: CandidateEstimate, b: CandidateEstimate) -> float:
    """How much of the narrower interval the two share (0 to 1)."""
    shared = min(a.high, b.high) - max(a.low, b.low)
    narrower = min(a.high - a.low, b.high - b.low)
    return max(0.0, shared) / narrower if narrower > 0 else 0.0


def chart_config(comparison: Comparison) -> dict[str, object]:
    """A Chart.js configuration: each candidate's 80% interval as a bar, the score and raw mean as points."""
    labels = [row.candidate.name for row in comparison.rows]
    def mark(value: float) -> list[float]:
        return [round(value - 0.02, 3), round(value + 0.02, 3)]

    return {
        "type": "bar",
        "data": {
            "labels": labels,
            "datasets": [
                {"label": "80% interval", "data": [[round(r.estimate.low, 2), round(r.estimate.high, 2)]
                                                   for r in comparison.rows],
                 "backgroundColor": "#c9d6fb", "grouped": False, "order": 3},
                {"label": "Calibrated score", "data": [mark(r.estimate.score) for r in comparison.rows],
                 "backgroundColor": "#2f5bd3", "grouped": False, "order": 1},
                {"label": "Raw mean", "data": [mark(r.estimate.raw_mean) for r in comparison.rows],
                 "backgroundColor": "#e07a1f", "grouped": False, "order": 2},
            ],
        },
        "options": {"indexAxis": "y", "scales": {"x": {"min": 1, "max": 5, "title": {"display": True,
                                                                                      "text": "score on the 1-5 scale"}}}},
    }


# -- decisions -------------------------------------------------------------------------------------


def decide(
    session: Session, opening: Opening, candidate: Candidate, outcome: str, rationale: str, *, actor: User,
    now: datetime,
) -> Decision:
    """Record a decision with its reason; a later decision supersedes an earlier one, which is kept."""
    if opening.scoring_state is not ScoringState.UNBLINDED:
        raise Conflict("Close scoring and unblind the opening before recording decisions.")
    try:
        chosen = Outcome(outcome)
    except ValueError as error:
        raise InputError("Choose advance, hold or reject.") from error
    if len(rationale.strip()) < 10:
        raise InputError("Give the reason for the decision in a sentence or two.")
    decision = Decision(candidate_id=candidate.id, decided_by_id=actor.id, outcome=chosen, rationale=rationale.strip(),
                        created_at=now)
    session.add(decision)
    session.flush()
    audit.record(session, "decision.recorded", actor=actor, subject_type="candidate", subject_id=candidate.id,
                 outcome=chosen.value)
    session.commit()
    return decision


def decisions_of(session: Session, candidate: Candidate) -> list[Decision]:
    return list(session.scalars(select(Decision).where(Decision.candidate_id == candidate.id)
                                .order_by(Decision.created_at.desc(), Decision.id.desc())))


# -- the interviewer calibration report --------------------------------------------------------

AI_RATER = "ai"


@dataclass(frozen=True)
class InterviewerReport:
    name: str
    is_ai: bool
    severity: float
    low: float
    high: float
    ratings: int
    agreement: float | None  # quadratic weighted kappa against the others on the same work
    drift: list[tuple[str, float]]  # (week, mean leniency that week)
    benchmark_distance: float | None = None  # mean |score - reference| in calibration sessions


def _ai_ratings(scorecards: list[Scorecard]) -> list[Rating]:
    found = []
    for card in scorecards:
        done = [d for d in card.ai_drafts if d.status is AiDraftStatus.DONE and d.result]
        if not done:
            continue
        latest = max(done, key=lambda d: d.id)
        for key, item in latest.result["dimensions"].items():
            found.append(Rating(str(card.assignment.attempt.candidate_id), AI_RATER,
                                f"{card.assignment.attempt.exercise_key}:{key}", float(item["score"])))
    return found


@dataclass(frozen=True)
class PairAgreement:
    first: str
    second: str
    kappa: float | None
    shared: int  # dimensions of the same work both rated


def pairwise_agreement(session: Session, opening: Opening) -> list[PairAgreement]:
    """Quadratic weighted kappa for every pair of raters (the AI drafts included) on the work both scored."""
    from ..domain.agreement import quadratic_weighted_kappa

    scorecards = first_submitted_scorecards(session, opening)
    names = {str(card.assignment.interviewer_id): card.assignment.interviewer.name for card in scorecards}
    names[AI_RATER] = "AI drafts"
    by_item: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for r in ratings_of(scorecards) + _ai_ratings(scorecards):
        by_item[(r.candidate, r.dimension)][r.rater] = int(r.score)
    raters = sorted({rater for scores in by_item.values() for rater in scores}, key=lambda r: names.get(r, r))
    pairs = []
    for i, first in enumerate(raters):
        for second in raters[i + 1:]:
            shared = [(s[first], s[second]) for s in by_item.values() if first in s and second in s]
            if shared:
                kappa = quadratic_weighted_kappa([a for a, _ in shared], [b for _, b in shared])
                pairs.append(PairAgreement(names.get(first, first), names.get(second, second), kappa, len(shared)))
    return pairs


def interviewer_report(session: Session, opening: Opening) -> tuple[list[InterviewerReport], list[str]]:
    """Each interviewer's severity, agreement with the others and drift by week; the AI as one more row."""
    from ..domain.agreement import quadratic_weighted_kappa

    scorecards = first_submitted_scorecards(session, opening)
    human = ratings_of(scorecards)
    every = human + _ai_ratings(scorecards)
    try:
        fit = calibrate(every)
    except DesignError as error:
        return [], [str(error)]
    grand = sum(d.mean for d in fit.dimensions) / len(fit.dimensions)
    level = {e.candidate: e.score - grand for e in fit.candidates}
    dimension_mean = {d.dimension: d.mean for d in fit.dimensions}
    weeks: dict[tuple[str, str, str], str] = {}
    for card in scorecards:
        week = card.submitted_at.strftime("%G-W%V") if card.submitted_at else "?"
        for rating in card.ratings:
            weeks[(str(card.assignment.attempt.candidate_id), str(card.assignment.interviewer_id),
                   f"{card.assignment.attempt.exercise_key}:{rating.dimension_key}")] = week
    by_item: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for r in every:
        by_item[(r.candidate, r.dimension)][r.rater] = r.score
    names = {str(card.assignment.interviewer_id): card.assignment.interviewer.name for card in scorecards}
    distance = _benchmark_distances(session, opening)
    names[AI_RATER] = "AI drafts"
    rows = []
    for estimate in fit.raters:
        mine, others = [], []
        for scores in by_item.values():
            if estimate.rater in scores:
                for rater, score in scores.items():
                    if rater != estimate.rater:
                        mine.append(int(scores[estimate.rater]))
                        others.append(int(score))
        residuals: dict[str, list[float]] = defaultdict(list)
        for r in every:
            if r.rater == estimate.rater:
                week = weeks.get((r.candidate, r.rater, r.dimension), "AI")
                residuals[week].append(r.score - dimension_mean[r.dimension] - level[r.candidate])
        rows.append(InterviewerReport(
            name=names.get(estimate.rater, estimate.rater), is_ai=estimate.rater == AI_RATER,
            severity=estimate.severity, low=estimate.low, high=estimate.high, ratings=estimate.ratings,
            agreement=quadratic_weighted_kappa(mine, others) if len(mine) >= 2 else None,
            drift=sorted((week, sum(v) / len(v)) for week, v in residuals.items()),
            benchmark_distance=distance.get(estimate.rater),
        ))
    return sorted(rows, key=lambda r: (r.is_ai, r.severity)), list(fit.warnings)


def _benchmark_distances(session: Session, opening: Opening) -> dict[str, float]:
    """Each interviewer's mean distance from the reference scores across calibration sessions."""
    from .calibration_sessions import reference_of, sessions_of

    gaps: dict[str, list[int]] = defaultdict(list)
    for cs in sessions_of(session, opening):
        reference = reference_of(cs)
        for entry in cs.entries:
            if entry.submitted_at is not None:
                gaps[str(entry.interviewer_id)] += [abs(entry.scores[k] - v) for k, v in reference.items()
                                                    if k in entry.scores]
    return {rater: sum(v) / len(v) for rater, v in gaps.items() if v}
