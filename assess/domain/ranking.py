"""Ranking arithmetic: places within each connected group by calibrated and by plain score, moves and why,
overlapping intervals and the chance one neighbour is really ahead of the other."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from scipy.special import ndtr

from .calibration import Calibration, CandidateEstimate, Rating
from .scoring import disagreements

MIN_RATERS = 2
# A rater this close to the middle explains no move.
NOTABLE_LENIENCY = 0.1


def rated_dimension(exercise_key: str, dimension_key: str) -> str:
    """The name a dimension is calibrated under: read within its exercise, where its difficulty lives."""
    return f"{exercise_key}:{dimension_key}"


@dataclass
class ScoredCard:
    """A submitted scorecard reduced to what ranking needs."""

    card_id: int
    candidate_id: int
    attempt_id: int
    exercise_key: str
    interviewer_id: int
    scores: dict[str, int | None] = field(default_factory=dict)  # dimension key -> score
    revised: bool = False  # changed, with approval, after its author saw others' ratings
    submitted_at: datetime | None = None


@dataclass(frozen=True)
class Placed:
    """One candidate's place in a ranking, with what it rests on."""

    candidate: str
    estimate: CandidateEstimate
    rank: int  # within the candidate's connected group
    raw_rank: int  # the place a plain average of the ratings would give, within the group
    moved: int  # places up (+) or down (-) against the full ranking of the same candidates
    scorecards: int
    by_dimension: dict[str, float]  # plain mean per rubric dimension
    flags: list[str]
    why: str  # when calibration moves the candidate, which interviewer's leniency explains it
    ahead_of_next: float | None = None  # the chance this candidate is really ahead of the next one, when close


def calibration_ratings(cards: Sequence[ScoredCard], exclude: int | None = None) -> list[Rating]:
    """Every given score of the cards as a rating for the model, leaving out one interviewer's if asked."""
    return [Rating(candidate=str(card.candidate_id), rater=str(card.interviewer_id),
                   dimension=rated_dimension(card.exercise_key, dimension), score=float(score))
            for card in cards if card.interviewer_id != exclude
            for dimension, score in card.scores.items() if score is not None]


def overlap(a: CandidateEstimate, b: CandidateEstimate) -> float:
    """How much of the narrower interval the two share (0 to 1); a point inside the other interval shares all."""
    shared = min(a.high, b.high) - max(a.low, b.low)
    if shared < 0:
        return 0.0
    narrower = min(a.high - a.low, b.high - b.low)
    return shared / narrower if narrower > 0 else 1.0


def ranks(estimates: Sequence[CandidateEstimate], key: str = "score") -> dict[str, int]:
    """Each candidate's place within their connected group, highest first by calibrated score or by plain
    average (key "raw_mean"); ties keep the calibrated order."""
    order = sorted(range(len(estimates)), key=lambda i: (estimates[i].group, -getattr(estimates[i], key), i))
    placed: dict[str, int] = {}
    counts: dict[int, int] = defaultdict(int)
    for i in order:
        counts[estimates[i].group] += 1
        placed[estimates[i].candidate] = counts[estimates[i].group]
    return placed


def raw_ranks(estimates: Sequence[CandidateEstimate]) -> dict[str, int]:
    """Each candidate's place by plain average within their group, highest first."""
    return ranks(estimates, "raw_mean")


def chance_ahead(a: CandidateEstimate, b: CandidateEstimate) -> float:
    """The chance a's level is really above b's, reading each estimate as normal with its standard error."""
    spread = (a.se**2 + b.se**2) ** 0.5
    if spread == 0:
        return 1.0 if a.score > b.score else 0.5 if a.score == b.score else 0.0
    return float(ndtr((a.score - b.score) / spread))


def rater_shares(cards: Sequence[ScoredCard], exclude: int | None = None) -> dict[str, dict[str, float]]:
    """For each candidate, the share of their given scores that came from each interviewer."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for card in cards:
        if card.interviewer_id != exclude:
            given = sum(1 for score in card.scores.values() if score is not None)
            if given:
                counts[str(card.candidate_id)][str(card.interviewer_id)] += given
    return {c: {r: n / sum(by.values()) for r, n in by.items()} for c, by in counts.items()}


def explain_move(rank: int, raw: int, leniency: Mapping[str, float], share: Mapping[str, float],
                 names: Mapping[str, str]) -> str:
    """Name the interviewer whose harshness (for a move up) or leniency (for a move down) most bent the
    candidate's plain average; nothing when no rater pulled that way."""
    if rank == raw or not share:
        return ""
    up = rank < raw
    # A move up means the plain average was held down, by harsh raters; a move down, held up by lenient ones.
    pulling = {rater: share[rater] * leniency.get(rater, 0.0) for rater in share
               if (leniency.get(rater, 0.0) < 0) == up and abs(leniency.get(rater, 0.0)) >= NOTABLE_LENIENCY}
    if not pulling:
        return ""
    rater = max(pulling, key=lambda r: (abs(pulling[r]), r))
    kind = "harsher" if leniency[rater] < 0 else "more lenient"
    direction = "up" if up else "down"
    return (f"Moves {direction} from #{raw} by plain average: {share[rater]:.0%} of the ratings came from "
            f"{names.get(rater, rater)}, who scores {abs(leniency[rater]):.2f} points {kind} than the others.")


def flags_for(index: int, estimates: Sequence[CandidateEstimate], disagreeing: int) -> list[str]:
    """What to keep in mind about the candidate at this index of the ranking (how sure its place is against
    the next one's is close_to_next)."""
    estimate = estimates[index]
    flags = []
    if disagreeing:
        flags.append(f"{disagreeing} dimension(s) with interviewers two or more apart")
    if estimate.raters < MIN_RATERS:
        flags.append("rests on one interviewer")
    if "inconsistent_ratings" in estimate.flags:
        flags.append("interviewers disagree about this candidate more than usual")
    return flags


def close_to_next(index: int, estimates: Sequence[CandidateEstimate]) -> float | None:
    """The chance the candidate at index is really ahead of the next one in the same group, when their
    intervals overlap; None when they do not, or there is no next one."""
    if index + 1 >= len(estimates) or estimates[index + 1].group != estimates[index].group:
        return None
    this, after = estimates[index], estimates[index + 1]
    return chance_ahead(this, after) if overlap(this, after) > 0 else None


def place(fit: Calibration, full: Calibration, cards: Sequence[ScoredCard], names: Mapping[str, str],
          exclude: int | None = None) -> list[Placed]:
    """The fit's candidates in calibrated order within each group, each with plain rank, move and why.

    A move compares like with like: the candidate's place in the full fit among only the candidates this
    fit still ranks, so a candidate leaving the list moves nobody. names maps rater ids to the names the
    explanations give.
    """
    kept = {e.candidate for e in fit.candidates}
    full_rank = ranks([e for e in full.candidates if e.candidate in kept])
    per_dimension: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    count_cards: dict[str, int] = defaultdict(int)
    disagreeing: dict[str, int] = defaultdict(int)
    by_attempt: dict[tuple[str, int], dict[str, dict[str, int | None]]] = defaultdict(dict)
    for card in cards:
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
    rank_of = ranks(estimates)
    raw = raw_ranks(estimates)
    leniency = {e.rater: e.leniency for e in fit.raters}
    share = rater_shares(cards, exclude)
    placed = []
    for index, estimate in enumerate(estimates):
        candidate = estimate.candidate
        rank = rank_of[candidate]
        placed.append(Placed(
            candidate=candidate, estimate=estimate, rank=rank, raw_rank=raw[candidate],
            moved=full_rank.get(candidate, rank) - rank, scorecards=count_cards[candidate],
            by_dimension={d: sum(v) / len(v) for d, v in per_dimension[candidate].items()},
            flags=flags_for(index, estimates, disagreeing[candidate]),
            why=explain_move(rank, raw[candidate], leniency, share.get(candidate, {}), names),
            ahead_of_next=close_to_next(index, estimates),
        ))
    return placed
