"""Ratings with a known truth, for testing and benchmarking the calibration model."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .calibration import Rating


@dataclass(frozen=True)
class Simulated:
    ratings: list[Rating]
    level: np.ndarray  # each candidate's true level
    severity: np.ndarray  # each rater's true leniency
    difficulty: np.ndarray  # each dimension's true difficulty


def simulate(
    seed: int, candidates: int = 150, raters: int = 10, per_candidate: int = 2, dimensions: int = 5,
    spread: float = 0.8, rater_spread: float = 0.7, noise: float = 0.6,
) -> Simulated:
    """Candidates scored on a 1-5 scale by a few of many raters of differing severity, with noise."""
    rng = np.random.default_rng(seed)
    level = rng.normal(0, spread, candidates)
    severity = rng.normal(0, rater_spread, raters)
    difficulty = rng.normal(0, 0.3, dimensions)
    ratings = []
    for c in range(candidates):
        for r in rng.choice(raters, per_candidate, replace=False):
            for d in range(dimensions):
                score = 3 + level[c] + severity[r] - difficulty[d] + rng.normal(0, noise)
                ratings.append(Rating(f"c{c}", f"r{r}", f"d{d}", float(min(5, max(1, round(score))))))
    return Simulated(ratings, level, severity, difficulty)
