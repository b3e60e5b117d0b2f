"""How each interviewer scores: leniency, fit, agreement with the others, drift by week; the AI as one more rater."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..domain.agreement import quadratic_weighted_kappa
from ..domain.ai_influence import NONE, DimensionChange, Influence, of_draft
from ..domain.calibration import DesignError, Rating, calibrate
from ..domain.calibration_output import agreement_fields
from ..domain.ranking import ScoredCard, calibration_ratings, rated_dimension
from ..models import AiDraft, AiDraftStatus, Assignment, Attempt, Candidate, Opening, Scorecard, User
from .ai_use import scores_after, scores_before, seen_by
from .calibration_sessions import reference_of, sessions_of
from .scores import scored_cards

AI_RATER = "ai"


@dataclass(frozen=True)
class InterviewerReport:
    name: str
    is_ai: bool
    leniency: float
    low: float
    high: float
    ratings: int
    agreement: float | None  # quadratic weighted kappa against the others on the same work
    drift: list[tuple[str, float]]  # (week, mean leniency that week)
    benchmark_distance: float | None = None  # mean |score - reference| in calibration sessions
    infit: float | None = None  # fit mean squares, 1 typical; below 0.5 or above 1.5 is flagged
    outfit: float | None = None
    flags: tuple[str, ...] = ()  # codes of fit_statistics.READINGS
    rater: str = ""  # the interviewer's id, or AI_RATER


@dataclass(frozen=True)
class PairAgreement:
    first: str
    second: str
    kappa: float | None
    shared: int  # dimensions of the same work both rated


def _ai_ratings(session: Session, cards: Sequence[ScoredCard]) -> list[Rating]:
    """The latest finished AI draft of each scorecard, read as one more rater's ratings."""
    by_id = {card.card_id: card for card in cards}
    if not by_id:
        return []
    latest: dict[int, AiDraft] = {}
    for draft in session.scalars(select(AiDraft).where(AiDraft.scorecard_id.in_(by_id),
                                                      AiDraft.status == AiDraftStatus.DONE).order_by(AiDraft.id)):
        if draft.result:
            latest[draft.scorecard_id] = draft
    found = []
    for card in cards:
        draft = latest.get(card.card_id)
        if draft is None:
            continue
        for key, item in draft.result["dimensions"].items():
            found.append(Rating(str(card.candidate_id), AI_RATER, rated_dimension(card.exercise_key, key),
                                float(item["score"])))
    return found


def _names(session: Session, cards: Sequence[ScoredCard]) -> dict[str, str]:
    ids = {card.interviewer_id for card in cards}
    names = {str(u.id): u.name for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    names[AI_RATER] = "AI drafts"
    return names


def pairwise_agreement(session: Session, opening: Opening,
                       cards: Sequence[ScoredCard] | None = None) -> list[PairAgreement]:
    """Quadratic weighted kappa for every pair of raters (the AI drafts included) on the work both scored
    (cards: the opening's scored cards, when already read)."""
    cards = scored_cards(session, opening) if cards is None else cards
    names = _names(session, cards)
    by_item: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for r in calibration_ratings(cards) + _ai_ratings(session, cards):
        by_item[(r.candidate, r.dimension)][r.rater] = int(r.score)
    order = {rater: n for n, rater in enumerate(sorted({rater for scores in by_item.values() for rater in scores},
                                                        key=lambda r: names.get(r, r)))}
    # One pass over the work: each item adds its scores to every pair of raters who both scored it.
    shared: dict[tuple[str, str], tuple[list[int], list[int]]] = {}
    for scores in by_item.values():
        present = sorted(scores, key=order.__getitem__)
        for i, first in enumerate(present):
            for second in present[i + 1:]:
                mine, theirs = shared.setdefault((first, second), ([], []))
                mine.append(scores[first])
                theirs.append(scores[second])
    return [PairAgreement(names.get(first, first), names.get(second, second), quadratic_weighted_kappa(a, b), len(a))
            for (first, second), (a, b) in sorted(shared.items(), key=lambda kv: (order[kv[0][0]], order[kv[0][1]]))]


def interviewer_report(session: Session, opening: Opening, cards: Sequence[ScoredCard] | None = None
                       ) -> tuple[list[InterviewerReport], list[str]]:
    """Each interviewer's leniency, fit, agreement with the others and drift by week; the AI as one more row."""
    cards = scored_cards(session, opening) if cards is None else cards
    every = calibration_ratings(cards) + _ai_ratings(session, cards)
    try:
        fit = calibrate(every)
    except DesignError as error:
        return [], [str(error)]
    grand = sum(d.mean for d in fit.dimensions) / len(fit.dimensions)
    level = {e.candidate: e.score - grand for e in fit.candidates}
    dimension_mean = {d.dimension: d.mean for d in fit.dimensions}
    weeks: dict[tuple[str, str, str], str] = {}
    for card in cards:
        week = card.submitted_at.strftime("%G-W%V") if card.submitted_at else "?"
        for dimension in card.scores:
            weeks[(str(card.candidate_id), str(card.interviewer_id),
                   rated_dimension(card.exercise_key, dimension))] = week
    by_item: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for r in every:
        by_item[(r.candidate, r.dimension)][r.rater] = r.score
    names = _names(session, cards)
    distance = benchmark_distances(session, opening)
    # One pass each over the work and the ratings, for every rater at once.
    mine: dict[str, list[int]] = defaultdict(list)
    others: dict[str, list[int]] = defaultdict(list)
    for scores in by_item.values():
        for rater, own in scores.items():
            for other, score in scores.items():
                if other != rater:
                    mine[rater].append(int(own))
                    others[rater].append(int(score))
    residuals: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in every:
        week = weeks.get((r.candidate, r.rater, r.dimension), "AI")
        residuals[r.rater][week].append(r.score - dimension_mean[r.dimension] - level[r.candidate])
    rows = []
    for estimate in fit.raters:
        given, theirs = mine[estimate.rater], others[estimate.rater]
        rows.append(InterviewerReport(
            name=names.get(estimate.rater, estimate.rater), is_ai=estimate.rater == AI_RATER,
            leniency=estimate.leniency, low=estimate.low, high=estimate.high, ratings=estimate.ratings,
            agreement=quadratic_weighted_kappa(given, theirs) if len(given) >= 2 else None,
            drift=sorted((week, sum(v) / len(v)) for week, v in residuals[estimate.rater].items()),
            benchmark_distance=distance.get(estimate.rater),
            infit=estimate.infit, outfit=estimate.outfit, flags=estimate.flags, rater=estimate.rater,
        ))
    return sorted(rows, key=lambda r: (r.is_ai, r.leniency)), [str(w) for w in fit.warnings]


def dimension_agreement(session: Session, opening: Opening,
                        cards: Sequence[ScoredCard] | None = None) -> list[dict[str, Any]]:
    """Per rubric dimension (within its exercise), how far the interviewers agree: the model-based ICC and G
    coefficient for this real, incomplete panel, Krippendorff's ordinal alpha, each null with its reason."""
    ratings = calibration_ratings(scored_cards(session, opening) if cards is None else cards)
    return agreement_fields(ratings)["dimensions"] if ratings else []


def benchmark_distances(session: Session, opening: Opening) -> dict[str, float]:
    """Each interviewer's mean distance from the reference scores across calibration sessions."""
    gaps: dict[str, list[int]] = defaultdict(list)
    for cs in sessions_of(session, opening):
        reference = reference_of(cs)
        for entry in cs.entries:
            if entry.submitted_at is not None:
                gaps[str(entry.interviewer_id)] += [abs(entry.scores[k] - v) for k, v in reference.items()
                                                    if k in entry.scores]
    return {rater: sum(v) / len(v) for rater, v in gaps.items() if v}


# -- how far the AI drafts moved interviewers' ratings ------------------------------------------------------


@dataclass(frozen=True)
class InfluenceRow:
    name: str
    figures: Influence


@dataclass(frozen=True)
class InfluenceReport:
    by_interviewer: list[InfluenceRow]
    by_model: list[InfluenceRow]


def _seen_drafts(session: Session, opening: Opening) -> list[AiDraft]:
    """Per submitted scorecard, the latest finished draft its interviewer saw before first submitting it."""
    drafts = session.scalars(
        select(AiDraft).join(Scorecard, AiDraft.scorecard_id == Scorecard.id).join(Assignment).join(Attempt)
        .join(Candidate)
        .where(Candidate.opening_id == opening.id, AiDraft.status == AiDraftStatus.DONE,
               Scorecard.first_submitted_at.is_not(None))
        .options(selectinload(AiDraft.views), joinedload(AiDraft.scorecard).selectinload(Scorecard.ratings),
                 joinedload(AiDraft.scorecard).joinedload(Scorecard.assignment).joinedload(Assignment.interviewer))
        .order_by(AiDraft.id)).unique()
    latest: dict[int, AiDraft] = {}
    for draft in drafts:
        card = draft.scorecard
        if draft.result and seen_by(draft, card.assignment.interviewer_id, before=card.first_submitted_at):
            latest[draft.scorecard_id] = draft
    return list(latest.values())


def draft_changes(draft: AiDraft) -> list[DimensionChange]:
    """Each dimension of the draft: the interviewer's rating before the draft, its score, the first-submitted rating."""
    before = scores_before(draft.scorecard) or {}
    after, _ = scores_after(draft.scorecard)
    return [DimensionChange(before.get(key), item.get("score"), after.get(key))
            for key, item in draft.result["dimensions"].items()]


def ai_influence(session: Session, opening: Opening) -> InfluenceReport:
    """For each interviewer and each model, how often a rating moved towards the draft after it was seen."""
    by_interviewer: dict[tuple[str, int], Influence] = defaultdict(lambda: NONE)
    by_model: dict[str, Influence] = defaultdict(lambda: NONE)
    for draft in _seen_drafts(session, opening):
        figures = of_draft(draft_changes(draft))
        interviewer = draft.scorecard.assignment.interviewer
        by_interviewer[(interviewer.name, interviewer.id)] += figures
        by_model[draft.model or "model not recorded"] += figures
    return InfluenceReport(
        by_interviewer=[InfluenceRow(name, figures) for (name, _), figures in sorted(by_interviewer.items())],
        by_model=[InfluenceRow(model, figures) for model, figures in sorted(by_model.items())],
    )
