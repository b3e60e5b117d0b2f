"""Ratings with a known truth, for testing and benchmarking the calibration model.

A candidate's rating is a normal score around 3 + level + leniency - difficulty + halo, rounded to a whole
point and cut to 1-5, as a real scorecard is. The halo is what one interviewer thinks of one candidate
across every dimension. Assignment can be confounded (lenient interviewers given weaker candidates, as
happens when one team screens the early, weaker applicants), and some interviewers can use the scale
badly: a central one gives only 3s, an extreme one only 1s and 5s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .calibration import Z_80, Calibration, Rating


@dataclass(frozen=True)
class Simulated:
    ratings: list[Rating]
    level: np.ndarray  # each candidate's true level
    leniency: np.ndarray  # each rater's true leniency (positive: scores higher)
    difficulty: np.ndarray  # each dimension's true difficulty


def _assign(rng: np.random.Generator, level: np.ndarray, leniency: np.ndarray, per_candidate: int,
            confounded: float) -> np.ndarray:
    """Each candidate's raters, drawn without replacement; confounded > 0 sends weaker candidates to lenient raters."""
    z_level = (level - level.mean()) / (level.std() or 1.0)
    z_rater = (leniency - leniency.mean()) / (leniency.std() or 1.0)
    keys = -confounded * np.outer(z_level, z_rater) + rng.gumbel(size=(len(level), len(leniency)))
    return np.argsort(-keys, axis=1)[:, :per_candidate]


def simulate(
    seed: int, candidates: int = 150, raters: int = 10, per_candidate: int = 2, dimensions: int = 5,
    spread: float = 0.8, rater_spread: float = 0.7, noise: float = 0.6, *, halo: float = 0.0,
    confounded: float = 0.0, central: int = 0, extreme: int = 0, rounded: bool = True, centre: float = 3.0,
) -> Simulated:
    """Candidates scored on a 1-5 scale by a few of many raters of differing leniency, with noise; centre is the
    average latent score (above 3, ratings pile up at 5).

    The first `central` raters give only 3s and the next `extreme` only 1s and 5s (5 when the work
    deserves above 3); rounded=False keeps the unrounded, unclipped scores.
    """
    rng = np.random.default_rng(seed)
    level = rng.normal(0, spread, candidates)
    leniency = rng.normal(0, rater_spread, raters)
    difficulty = rng.normal(0, 0.3, dimensions)
    chosen = _assign(rng, level, leniency, per_candidate, confounded)  # candidates x per_candidate
    c = np.repeat(np.arange(candidates), per_candidate * dimensions)
    r = np.repeat(chosen.ravel(), dimensions)
    d = np.tile(np.arange(dimensions), candidates * per_candidate)
    pair = np.repeat(rng.normal(0, halo, candidates * per_candidate), dimensions) if halo else 0.0
    mean = centre + level[c] + leniency[r] - difficulty[d] + pair
    latent = mean + rng.normal(0, noise, len(c))
    score = np.clip(np.round(latent), 1, 5) if rounded else latent
    score = np.where(r < central, 3.0, score)
    score = np.where((r >= central) & (r < central + extreme), np.where(latent > 3, 5.0, 1.0), score)
    ratings = [Rating(f"c{ci}", f"r{ri}", f"d{di}", float(s)) for ci, ri, di, s in zip(c, r, d, score, strict=True)]
    return Simulated(ratings, level, leniency, difficulty)


# Realistic panels for checking the intervals: confounded assignment, 2-3 of 4 to 15 interviewers per
# candidate, halo, whole points cut to 1-5 (one setting unrounded, for comparison), and ratings piled up at
# the top (45% and 55% of them at 5) or the bottom of the scale.
SETTINGS: dict[str, dict[str, Any]] = {
    "ten_two_each": dict(raters=10, per_candidate=2),
    "ten_halo": dict(raters=10, per_candidate=2, halo=0.5),
    "ten_halo_confounded": dict(raters=10, per_candidate=2, halo=0.5, confounded=1.0),
    "four_halo": dict(raters=4, per_candidate=2, halo=0.4),
    "four_three_each_confounded": dict(raters=4, per_candidate=3, halo=0.4, confounded=1.0),
    "fifteen_three_each_halo": dict(raters=15, per_candidate=3, halo=0.5),
    "fifteen_confounded": dict(raters=15, per_candidate=2, halo=0.3, confounded=1.0),
    "six_similar_leniency": dict(raters=6, per_candidate=2, halo=0.5, rater_spread=0.2),
    "eight_unrounded": dict(raters=8, per_candidate=2, halo=0.5, rounded=False),
    "ten_ceiling": dict(raters=10, per_candidate=2, halo=0.5, centre=4.2),
    "ten_ceiling_confounded": dict(raters=10, per_candidate=2, halo=0.5, confounded=1.0, centre=4.5),
    "four_floor": dict(raters=4, per_candidate=3, halo=0.4, centre=1.8),
}


def held(data: Simulated, fit: Calibration) -> tuple[np.ndarray, np.ndarray]:
    """Whether each 80% interval holds the truth, candidates' and raters', both read against their average (the
    latent level and leniency, before rounding and the ends of the scale cut them)."""
    by_c = {e.candidate: e for e in fit.candidates}
    names = [f"c{i}" for i in range(len(data.level))]
    score = np.array([by_c[n].score for n in names])
    se = np.array([by_c[n].se for n in names])
    held_c = np.abs((score - score.mean()) - (data.level - data.level.mean())) <= Z_80 * se
    by_r = {e.rater: e for e in fit.raters}
    present = [k for k in range(len(data.leniency)) if f"r{k}" in by_r]
    truth = data.leniency[present] - data.leniency[present].mean()
    lenient = np.array([by_r[f"r{k}"].leniency for k in present])
    held_r = np.abs(lenient - truth) <= Z_80 * np.array([by_r[f"r{k}"].se for k in present])
    return held_c, held_r
