"""A calibration and an agreement table as plain, strictly JSON-safe data: null where a figure is undefined,
never NaN or infinity, and a reason beside every null the reader might ask about."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .agreement import agreement_by_dimension
from .calibration import Calibration, DesignError, Rating, calibrate
from .fit_statistics import BIAS_T, READINGS

DIGITS = 4


def finite(value: Any) -> Any:
    """The value with every float rounded, and NaN or infinity (anywhere inside it) made None."""
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item) for item in value]
    if isinstance(value, float | np.floating):
        return round(float(value), DIGITS) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def _flags(codes: Sequence[str]) -> list[dict[str, str]]:
    return [{"code": code, "reading": READINGS[code]} for code in codes]


def calibration_fields(fit: Calibration) -> dict[str, Any]:
    """Every figure of a calibration, named as the README documents them."""
    diagnostics = fit.diagnostics
    assert diagnostics is not None
    rank: dict[int, int] = {}
    candidates = []
    for e in fit.candidates:
        rank[e.group] = rank.get(e.group, 0) + 1
        candidates.append({
            "candidate": e.candidate, "group": e.group, "rank_in_group": rank[e.group], "score": e.score,
            "low": e.low, "high": e.high, "se": e.se, "fair_average": e.fair_average, "raw_mean": e.raw_mean,
            "ratings": e.ratings, "raters": e.raters, "infit": e.infit, "outfit": e.outfit, "flags": _flags(e.flags),
        })
    return finite({
        "candidates": candidates,
        "raters": [{"rater": e.rater, "group": e.group, "leniency": e.leniency, "low": e.low, "high": e.high,
                    "se": e.se, "ratings": e.ratings, "infit": e.infit, "outfit": e.outfit, "flags": _flags(e.flags)}
                   for e in fit.raters],
        "dimensions": [{"dimension": e.dimension, "mean": e.mean, "difficulty": e.difficulty} for e in fit.dimensions],
        "bias": [{"rater": b.rater, "dimension": b.dimension, "ratings": b.ratings, "bias": b.bias, "t": b.t,
                  "flagged": abs(b.t) >= BIAS_T} for b in diagnostics.bias],
        "reliability": {
            **{facet: {"reliability": f.reliability, "separation": f.separation}
               for facet, f in diagnostics.facets.items()},
            "generalizability": diagnostics.generalizability,
        },
        "model": {"ends": "censored" if fit.censored else "linear", "prior": fit.prior},
        "variances": fit.variances,
        "groups": fit.groups,
        "iterations": fit.iterations,
        "converged": fit.converged,
        "warnings": [{"code": w.code, "message": w.message} for w in fit.warnings],
    })


SHROUT_FLEISS = ("icc1_1", "icc2_1", "icc3_1", "icc1_k", "icc2_k", "icc3_k")
ALPHAS = ("alpha_nominal", "alpha_ordinal", "alpha_interval")


def _components(ratings: Sequence[Rating], low: float, high: float) -> dict[str, Any]:
    """Agreement from the model's variance components, for any panel, complete or not.

    icc_agreement: one interviewer's rating against the candidate's level, interviewers' leniency counted
    as error (absolute agreement); icc_consistency: the same with leniency set aside; g_coefficient: the
    reliability of the plain average of the interviewers each candidate actually had (their harmonic mean
    number), leniency counted, since different candidates meet different interviewers."""
    try:
        fit = calibrate(ratings, low=low, high=high)
    except DesignError as error:
        model = ("icc_agreement", "icc_consistency", "g_coefficient", "raters_per_candidate")
        return dict.fromkeys(model) | {"reasons": dict.fromkeys(model, str(error))}
    v = fit.variances
    per = [e.raters for e in fit.candidates]
    raters = len(per) / sum(1.0 / p for p in per)
    c, r, e = v["candidate"], v["rater"], v["residual"] + v["pair"]
    reasons = {}
    if c <= 0:
        reasons["icc_agreement"] = "The candidates' levels do not differ beyond the ratings' noise on this dimension."
    figures = {
        "icc_agreement": c / (c + r + e) if c > 0 else None,
        "icc_consistency": c / (c + e) if c > 0 else None,
        "g_coefficient": c / (c + (r + e) / raters) if c > 0 else None,
        "raters_per_candidate": raters,
    }
    return figures | {"reasons": reasons}


def agreement_fields(ratings: Sequence[Rating], low: float = 1, high: float = 5) -> dict[str, Any]:
    """Per dimension: the model-based ICCs and G coefficient, the six Shrout-Fleiss ICCs where the panel is
    complete, Krippendorff's alpha at three levels; each null with its reason."""
    by_dimension: dict[str, list[Rating]] = {}
    for rating in ratings:
        by_dimension.setdefault(rating.dimension, []).append(rating)
    rows = []
    for row in agreement_by_dimension(ratings):
        items = by_dimension[row["dimension"]]
        reasons: dict[str, str] = {}
        if row["icc1_1"] is None:
            why = ("Not every rater scored every candidate on this dimension, and the Shrout-Fleiss forms need a "
                   "complete table; read icc_agreement, icc_consistency and g_coefficient, which do not.")
            if len({r.candidate for r in items}) < 2 or len({r.rater for r in items}) < 2:
                why = "The Shrout-Fleiss forms need at least two candidates and two raters."
            reasons |= dict.fromkeys(SHROUT_FLEISS, why)
        for name in ALPHAS:
            if row[name] is None:
                reasons[name] = ("No candidate was scored by two raters, or every rating is the same: there is "
                                 "nothing to agree about.")
        model = _components(items, low, high)
        reasons |= model.pop("reasons")
        row = finite(row | model)
        for name, value in row.items():
            if value is None and name not in reasons:
                reasons[name] = reasons.get("icc_agreement", "Undefined here: the ratings do not vary enough to compare.")
        rows.append(row | {"reasons": reasons})
    return finite({"dimensions": rows})
