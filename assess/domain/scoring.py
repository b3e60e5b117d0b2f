"""Rules of a scorecard: what a complete one needs, and where interviewers disagree."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from ..content.schema import Scorecard

DEBRIEF_GAP = 2  # ratings this far apart on one dimension are talked through
DUE_HOUR_UTC = 17  # a scorecard due on a day is due at the end of that day's working hours, in UTC


def due_at_end_of(day: date | None) -> datetime | None:
    """When a scorecard due on a calendar day is due; no day, no time."""
    return datetime.combine(day, time(DUE_HOUR_UTC, 0), tzinfo=UTC) if day is not None else None


@dataclass(frozen=True)
class RatingInput:
    score: int | None
    evidence: str = ""
    signals: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScorecardInput:
    ratings: Mapping[str, RatingInput]
    recommendation: str | None
    summary: str = ""


@dataclass(frozen=True)
class Problem:
    field: str  # a dimension key, "recommendation" or "summary"
    message: str


@dataclass(frozen=True)
class Disagreement:
    dimension: str
    low: int
    high: int
    raters: tuple[str, ...] = field(default=())

    @property
    def gap(self) -> int:
        return self.high - self.low


def problems_before_submitting(scorecard: Scorecard, given: ScorecardInput) -> list[Problem]:
    """Everything that stops this scorecard from being submitted, each with what to do."""
    problems: list[Problem] = []
    scale = scorecard.scale
    for scored in scorecard.dimensions:
        key, name = scored.dimension.key, scored.dimension.name
        rating = given.ratings.get(key)
        if rating is None or rating.score is None:
            problems.append(Problem(key, f"Rate {name} from {scale.min} to {scale.max}."))
            continue
        if not scale.contains(rating.score):
            problems.append(Problem(key, f"{name}: {rating.score} is not on the {scale.min}-{scale.max} scale."))
        elif rating.score in (scale.min, scale.max) and not rating.evidence.strip():
            problems.append(
                Problem(key, f"{name}: a rating of {rating.score} needs an evidence note saying what in the work shows it.")
            )
        allowed = {s.key for s in scorecard.signals_for(key)}
        unknown = [s for s in rating.signals if s not in allowed]
        if unknown:
            problems.append(Problem(key, f"{name}: unknown signals {', '.join(unknown)}."))
    if given.recommendation not in {r.key for r in scorecard.recommendations}:
        problems.append(Problem("recommendation", "Choose an overall recommendation."))
    return problems


def disagreements(
    scores_by_rater: Mapping[str, Mapping[str, int | None]], gap: int = DEBRIEF_GAP
) -> list[Disagreement]:
    """Dimensions on which two raters' scores are gap or more apart, widest first."""
    by_dimension: dict[str, dict[str, int]] = {}
    for rater, scores in scores_by_rater.items():
        for dimension, score in scores.items():
            if score is not None:
                by_dimension.setdefault(dimension, {})[rater] = score
    found = []
    for dimension, scores in by_dimension.items():
        if len(scores) < 2:
            continue
        low, high = min(scores.values()), max(scores.values())
        if high - low >= gap:
            raters = tuple(r for r, s in scores.items() if s in (low, high))
            found.append(Disagreement(dimension, low, high, raters))
    return sorted(found, key=lambda d: (-d.gap, d.dimension))


def passes_calibration(scores: Mapping[str, int], reference: Mapping[str, int], tolerance: int = 1) -> bool:
    """Within tolerance of the reference on most dimensions (more than half of them)."""
    close = sum(1 for key, ref in reference.items() if key in scores and abs(scores[key] - ref) <= tolerance)
    return close * 2 > len(reference)
