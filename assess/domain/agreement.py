"""Agreement between raters, computed with statsmodels."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from statsmodels.stats.inter_rater import cohens_kappa


def quadratic_weighted_kappa(first: Sequence[int], second: Sequence[int], low: int = 1, high: int = 5) -> float | None:
    """Cohen's kappa with quadratic weights for two raters' scores on the same items; None if undefined."""
    if len(first) != len(second):
        raise ValueError("both raters must score the same items")
    if len(first) < 2:
        return None
    size = high - low + 1
    table = np.zeros((size, size))
    for a, b in zip(first, second, strict=True):
        table[a - low, b - low] += 1
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    weights = np.subtract.outer(np.arange(size), np.arange(size)) ** 2
    if float((weights * expected).sum()) == 0.0:
        return None  # both raters gave one and the same score throughout
    # statsmodels also computes kappa's variance, which divides by zero when one rater never varies.
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(cohens_kappa(table, wt="quadratic").kappa)
