"""Agreement between raters, computed with statsmodels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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


def icc_forms(matrix: np.ndarray) -> dict[str, float]:
    """The six intraclass correlations of Shrout and Fleiss (1979) for a complete targets x raters table.

    From the two-way ANOVA mean squares: between targets (BMS), within targets
    (WMS), between raters (JMS) and residual (EMS).
    """
    n, k = matrix.shape
    if n < 2 or k < 2 or np.isnan(matrix).any():
        raise ValueError("ICC needs a complete table of at least two targets and two raters")
    grand = matrix.mean()
    ss_targets = k * ((matrix.mean(axis=1) - grand) ** 2).sum()
    ss_raters = n * ((matrix.mean(axis=0) - grand) ** 2).sum()
    ss_total = ((matrix - grand) ** 2).sum()
    ss_within = ss_total - ss_targets
    ss_error = ss_within - ss_raters
    bms = ss_targets / (n - 1)
    wms = ss_within / (n * (k - 1))
    jms = ss_raters / (k - 1)
    ems = ss_error / ((n - 1) * (k - 1))
    forms = {
        "icc1_1": (bms - wms) / (bms + (k - 1) * wms),
        "icc2_1": (bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n),
        "icc3_1": (bms - ems) / (bms + (k - 1) * ems),
        "icc1_k": (bms - wms) / bms,
        "icc2_k": (bms - ems) / (bms + (jms - ems) / n),
        "icc3_k": (bms - ems) / bms,
    }
    return {name: float(value) for name, value in forms.items()}


def krippendorff_alpha(reliability: np.ndarray, level: str) -> float | None:
    """Krippendorff's alpha for a raters x units table with NaN where a rater gave no value."""
    import krippendorff

    pairable = (~np.isnan(reliability)).sum(axis=0) >= 2
    if pairable.sum() < 1 or len(np.unique(reliability[:, pairable][~np.isnan(reliability[:, pairable])])) < 2:
        return None
    return float(krippendorff.alpha(reliability_data=reliability, level_of_measurement=level))


def agreement_by_dimension(ratings: Sequence[Any]) -> list[dict[str, Any]]:
    """Per dimension: the six ICCs where every rater scored every candidate, and alpha at three levels."""
    by_dimension: dict[str, list[Any]] = {}
    for rating in ratings:
        by_dimension.setdefault(rating.dimension, []).append(rating)
    rows = []
    for dimension, items in sorted(by_dimension.items()):
        candidates = sorted({r.candidate for r in items})
        raters = sorted({r.rater for r in items})
        table = np.full((len(raters), len(candidates)), np.nan)
        for r in items:
            table[raters.index(r.rater), candidates.index(r.candidate)] = r.score
        row: dict[str, Any] = {"dimension": dimension}
        try:
            row |= {name: float(value) for name, value in icc_forms(table.T).items()}
        except ValueError:
            row |= dict.fromkeys(("icc1_1", "icc2_1", "icc3_1", "icc1_k", "icc2_k", "icc3_k"))
        for level in ("nominal", "ordinal", "interval"):
            row[f"alpha_{level}"] = krippendorff_alpha(table, level)
        rows.append(row)
    return rows
