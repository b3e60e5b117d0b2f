"""Agreement between raters: weighted kappa with a clustered bootstrap interval, simple agreement shares, ICCs, alpha."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


def confusion_table(first: Sequence[int], second: Sequence[int], low: int = 1, high: int = 5) -> np.ndarray:
    """Counts of each (first score, second score) pair, rows the first rater's, on the scale low..high."""
    if len(first) != len(second):
        raise ValueError("both raters must score the same items")
    size = high - low + 1
    table = np.zeros((size, size))
    for a, b in zip(first, second, strict=True):
        table[a - low, b - low] += 1
    return table


def kappa_of_tables(tables: np.ndarray) -> np.ndarray:
    """Quadratic weighted kappa of each square table in a stack (..., k, k); NaN where it is undefined.

    1 - sum(w * observed) / sum(w * expected), w the squared distance between scores and expected the
    product of the margins: one expression over the whole stack, so thousands of bootstrap resamples
    cost milliseconds. It is undefined for fewer than two items, and when both raters gave one and the
    same score throughout (nothing to agree about beyond chance)."""
    size = tables.shape[-1]
    weights = np.subtract.outer(np.arange(size), np.arange(size)) ** 2
    total = tables.sum(axis=(-2, -1))
    expected = tables.sum(axis=-1)[..., :, None] * tables.sum(axis=-2)[..., None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = expected / total[..., None, None]
        chance = (weights * expected).sum(axis=(-2, -1))
        kappa = 1.0 - (weights * tables).sum(axis=(-2, -1)) / chance
    return np.where((total >= 2) & (chance > 0), kappa, np.nan)


def quadratic_weighted_kappa(first: Sequence[int], second: Sequence[int], low: int = 1, high: int = 5) -> float | None:
    """Cohen's kappa with quadratic weights for two raters' scores on the same items; None if undefined."""
    kappa = float(kappa_of_tables(confusion_table(first, second, low, high)))
    return None if np.isnan(kappa) else kappa


def exact_agreement(first: Sequence[int], second: Sequence[int]) -> float | None:
    """The share of items both raters scored the same; None without items."""
    return _share(first, second, 0)


def adjacent_agreement(first: Sequence[int], second: Sequence[int], within: int = 1) -> float | None:
    """The share of items the raters scored at most `within` points apart; None without items."""
    return _share(first, second, within)


def _share(first: Sequence[int], second: Sequence[int], within: int) -> float | None:
    if len(first) != len(second):
        raise ValueError("both raters must score the same items")
    if not first:
        return None
    return sum(1 for a, b in zip(first, second, strict=True) if abs(a - b) <= within) / len(first)


def mean_difference(reference: Sequence[int], other: Sequence[int]) -> float | None:
    """How far the other rater scores above the reference on average (other minus reference); None without items."""
    if len(reference) != len(other):
        raise ValueError("both raters must score the same items")
    if not reference:
        return None
    return sum(b - a for a, b in zip(reference, other, strict=True)) / len(reference)


@dataclass(frozen=True)
class Interval:
    """A bootstrap percentile interval, with how many resamples were drawn and how many had a value."""

    low: float
    high: float
    level: float
    resamples: int
    used: int


def clustered_kappa_interval(
    clusters: Sequence[Sequence[tuple[int, int]]], *, low: int = 1, high: int = 5, resamples: int = 2000,
    level: float = 0.9, seed: int = 0,
) -> Interval | None:
    """A percentile bootstrap interval for quadratic weighted kappa, resampling whole clusters.

    A cluster is the (first, second) pairs of one item scored on several dimensions, so pairs that
    share an item are drawn together and the interval is not made narrow by counting one answer's
    dimensions as independent. Resamples where kappa is undefined are left out (`used` says how many
    remain). None with fewer than two clusters, or when no resample has a kappa. Seeded: the same
    clusters always give the same interval."""
    if len(clusters) < 2:
        return None
    tables = np.stack([confusion_table([a for a, _ in c], [b for _, b in c], low, high) for c in clusters])
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(len(clusters), np.full(len(clusters), 1 / len(clusters)), size=resamples)
    drawn = np.tensordot(counts, tables, axes=1)
    kappas = kappa_of_tables(drawn)
    kappas = kappas[~np.isnan(kappas)]
    if kappas.size == 0:
        return None
    tail = (1 - level) / 2
    bottom, top = np.quantile(kappas, [tail, 1 - tail])
    return Interval(float(bottom), float(top), level, resamples, int(kappas.size))


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
    with np.errstate(divide="ignore", invalid="ignore"):
        forms = _forms(n, k, bms, wms, jms, ems)
    return {name: float(value) for name, value in forms.items()}


def _forms(n: int, k: int, bms: float, wms: float, jms: float, ems: float) -> dict[str, float]:
    return {
        "icc1_1": (bms - wms) / (bms + (k - 1) * wms),
        "icc2_1": (bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n),
        "icc3_1": (bms - ems) / (bms + (k - 1) * ems),
        "icc1_k": (bms - wms) / bms,
        "icc2_k": (bms - ems) / (bms + (jms - ems) / n),
        "icc3_k": (bms - ems) / bms,
    }


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
