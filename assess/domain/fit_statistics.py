"""How well the ratings fit the model: infit and outfit mean squares, the interviewer-by-dimension bias
table, fair averages, separation and reliability, the generalizability of plain averages.

The model's expected rating and its variance are those of a normal score around the fitted value
(dimension mean + candidate + rater + pair), rounded to the scale's points and cut at its ends: so a
fitted value near 5 expects less spread than one at 3, as an ordinal scale does. Mean squares are
given relative to the median interviewer's (or candidate's), so 1 is typical here: below 0.5 the ratings are more predictable
than the model expects (central tendency, or one score across every dimension), above 1.5 less
(erratic scores, or extreme use of the scale). Residuals from fitted effects are smaller than the noise
(each pair's effect is fitted from its own ratings), so raw mean squares sit below 1 for everyone;
dividing by the median keeps the usual 0.5-1.5 reading, and one misfitting interviewer cannot move
the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtr

from .mixed_model import Design, Solution, dimension_effects
from .mixed_model import fitted as fitted_values

LOW_FIT, HIGH_FIT = 0.5, 1.5
MIN_FOR_FIT = 3  # fewer ratings than this give no mean square
BIAS_T = 2.0
MAX_POINTS = 21  # beyond this many scale points the rounding is ignored

READINGS = {
    "central_tendency": "Uses the middle of the scale for nearly everything, so strong and weak work look alike.",
    "halo": "Gives each candidate nearly the same score on every dimension: an overall impression, not a reading "
            "of each dimension.",
    "overfit": "Scores more predictably than the model expects; check whether the dimensions are really read apart.",
    "extreme_scale_use": "Uses mostly the ends of the scale, so small differences in the work become large ones.",
    "erratic": "Scores that the candidates' levels and this interviewer's leniency do not explain; read a few of "
               "their scorecards beside another interviewer's.",
    "inconsistent_ratings": "The interviewers' ratings of this candidate disagree more than usual; read the "
                            "scorecards before relying on the score.",
    "one_rater": "Rests on one interviewer, whose leniency cannot be checked against another's on this work.",
    "all_top": "Every rating is the top score: the scale shows only that the work reached it, so how far above it "
               "the level lies rests on the model's assumptions, not on these ratings.",
    "all_bottom": "Every rating is the lowest score: the scale shows only that the work reached it, so how far below "
                  "it the level lies rests on the model's assumptions, not on these ratings.",
}


@dataclass(frozen=True)
class Bias:
    rater: str
    dimension: str
    ratings: int
    bias: float  # mean residual: positive, this interviewer scores this dimension higher than the model expects
    t: float


@dataclass(frozen=True)
class Facet:
    """Separation and reliability of one facet's estimates (as FACETS reports them)."""

    reliability: float | None  # the share of the estimates' variance that is real difference
    separation: float | None  # real spread in units of estimation error


@dataclass
class Diagnostics:
    fair_average: np.ndarray
    candidate_infit: list[float | None]
    candidate_outfit: list[float | None]
    candidate_flags: list[tuple[str, ...]]
    rater_infit: list[float | None]
    rater_outfit: list[float | None]
    rater_flags: list[tuple[str, ...]]
    bias: list[Bias] = field(default_factory=list)
    generalizability: float | None = None  # reliability of a plain average in this design
    facets: dict[str, Facet] = field(default_factory=dict)


def expected_on_scale(mean: np.ndarray, sd: float, low: float, high: float, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Expectation and variance of a normal(mean, sd) score rounded to the scale's points and cut at its ends."""
    points = int(round((high - low) / step)) + 1
    if points > MAX_POINTS or sd <= 0:
        return np.clip(mean, low, high), np.full(mean.shape, sd**2 + step**2 / 12)
    values = low + step * np.arange(points)
    edges = (values[:-1] + step / 2)[None, :] - mean[:, None]
    below = ndtr(edges / sd)
    cumulative = np.hstack([np.zeros((len(mean), 1)), below, np.ones((len(mean), 1))])
    probability = np.diff(cumulative, axis=1)
    expected = probability @ values
    variance = probability @ values**2 - expected**2
    return expected, np.maximum(variance, 1e-9)


def _grouped(index: np.ndarray, size: int, *values: np.ndarray) -> list[np.ndarray]:
    return [np.bincount(index, weights=v, minlength=size) for v in values]


def _mean_squares(index: np.ndarray, size: int, r2: np.ndarray, W: np.ndarray
                  ) -> tuple[list[float | None], list[float | None], float]:
    """Infit and outfit of each element, each divided by the median element's; and that median infit."""
    count = np.bincount(index, minlength=size)
    sum_r2, sum_W, sum_z2 = _grouped(index, size, r2, W, r2 / W)
    enough = count >= MIN_FOR_FIT
    if not enough.any():
        return [None] * size, [None] * size, 1.0
    infit, outfit = sum_r2 / np.maximum(sum_W, 1e-12), sum_z2 / np.maximum(count, 1)
    typical_in, typical_out = float(np.median(infit[enough])), float(np.median(outfit[enough]))
    if typical_in <= 1e-9 or typical_out <= 1e-9:  # the model fits (nearly) every rating exactly
        return [None] * size, [None] * size, 1.0
    return ([float(infit[i] / typical_in) if enough[i] else None for i in range(size)],
            [float(outfit[i] / typical_out) if enough[i] else None for i in range(size)], typical_in)


def _spread_within(index: np.ndarray, size: int, y: np.ndarray) -> np.ndarray:
    count = np.bincount(index, minlength=size)
    total, squares = _grouped(index, size, y, y**2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt(np.maximum(squares / count - (total / count) ** 2, 0.0))


def _rater_flags(m: Design, infit: list[float | None], outfit: list[float | None], low: float, high: float
                 ) -> list[tuple[str, ...]]:
    n_r = m.sizes[1]
    y = m.y
    spread = _spread_within(m.rater, n_r, y)
    pooled_spread = float(np.std(y))
    pair_spread = _spread_within(m.pair, m.sizes[3], y)  # across the dimensions of one candidate
    multi = m.pair_count >= 2
    within = np.bincount(m.pair_rater[multi], weights=pair_spread[multi], minlength=n_r)
    within = within / np.maximum(np.bincount(m.pair_rater[multi], minlength=n_r), 1)
    pooled_within = float(pair_spread[multi].mean()) if multi.any() else 0.0
    ends = np.bincount(m.rater, weights=((y <= low) | (y >= high)).astype(float), minlength=n_r)
    ends = ends / np.maximum(np.bincount(m.rater, minlength=n_r), 1)
    flags: list[tuple[str, ...]] = []
    for k in range(n_r):
        found = [v for v in (infit[k], outfit[k]) if v is not None]
        if not found:
            flags.append(())
        elif min(found) < LOW_FIT:
            if spread[k] < 0.5 * pooled_spread:
                flags.append(("central_tendency",))
            elif pooled_within > 0 and within[k] < 0.5 * pooled_within:
                flags.append(("halo",))
            else:
                flags.append(("overfit",))
        elif max(found) > HIGH_FIT:
            flags.append(("extreme_scale_use",) if ends[k] >= 0.5 else ("erratic",))
        else:
            flags.append(())
    return flags


def _bias_table(m: Design, residual: np.ndarray, W: np.ndarray, infit_typical: float, raters: list[str],
                dimensions: list[str]) -> list[Bias]:
    n_d, n_r = len(dimensions), len(raters)
    cell = m.rater * n_d + m.dimension
    count = np.bincount(cell, minlength=n_r * n_d)
    total, variance = _grouped(cell, n_r * n_d, residual, W)
    rows = []
    for index in np.flatnonzero(count >= MIN_FOR_FIT):
        t = total[index] / np.sqrt(variance[index] * infit_typical)
        rows.append(Bias(raters[index // n_d], dimensions[index % n_d], int(count[index]),
                         float(total[index] / count[index]), float(t)))
    return sorted(rows, key=lambda b: (-abs(b.t), b.rater, b.dimension))


def facet(total: float, error: float, count: int) -> Facet:
    """Reliability (total - error) / total: the share of the estimates' variance that is real difference, and
    separation sqrt(R / (1 - R)), the real spread in units of error. error is the mean error variance of the
    estimates as they are compared (a shift they all share left out); total their variance, true plus error
    (for shrunk estimates, the model's variance of the effect)."""
    if total <= 0 or count < 2:
        return Facet(None, None)
    reliability = float(min(max(1 - error / total, 0.0), 1.0))
    separation = float(np.sqrt(reliability / (1 - reliability))) if reliability < 1 else None
    return Facet(reliability, separation)


def generalizability(m: Design, variances: dict[str, float]) -> float | None:
    """sigma_c^2 / (sigma_c^2 + (sigma_r^2 + sigma_p^2) / n_r' + sigma_e^2 / (n_r' n_d')): how reliably a plain
    average ranks candidates when each meets n_r' interviewers (harmonic mean) who rate n_d' dimensions."""
    n_c = m.sizes[2]
    raters_per = np.bincount(m.pair_candidate, minlength=n_c)
    if variances["candidate"] <= 0 or n_c < 2:
        return None
    n_r = len(raters_per) / float(np.sum(1.0 / raters_per))
    n_d = len(m.pair_count) / float(np.sum(1.0 / m.pair_count))
    error = (variances["rater"] + variances["pair"]) / n_r + variances["residual"] / (n_r * n_d)
    return float(variances["candidate"] / (variances["candidate"] + error))


def diagnose(m: Design, s: Solution, variances: dict[str, float], names: tuple[list[str], list[str], list[str]], *,
             low: float, high: float, step: float) -> Diagnostics:
    candidates, raters, dimensions = names
    n_d, n_r, n_c = len(dimensions), len(raters), len(candidates)
    beta = dimension_effects(m, s)
    fitted = fitted_values(m, s)
    sd = float(np.sqrt(variances["residual"]))
    expected, W = expected_on_scale(fitted, sd, low, high, step)
    residual = m.y - expected
    r2 = residual**2
    c_infit, c_outfit, _ = _mean_squares(m.candidate, n_c, r2, W)
    r_infit, r_outfit, typical = _mean_squares(m.rater, n_r, r2, W)
    raters_per = np.bincount(m.pair_candidate, minlength=n_c)
    count = np.bincount(m.candidate, minlength=n_c)
    at_top = np.bincount(m.candidate, weights=np.isclose(m.y, high).astype(float), minlength=n_c) == count
    at_bottom = np.bincount(m.candidate, weights=np.isclose(m.y, low).astype(float), minlength=n_c) == count
    varied = np.ptp(m.y) > 0
    c_flags = []
    for i in range(n_c):
        found = [v for v in (c_infit[i], c_outfit[i]) if v is not None]
        c_flags.append(tuple(
            [flag for flag, on in (("inconsistent_ratings", bool(found) and max(found) > HIGH_FIT),
                                   ("one_rater", raters_per[i] < 2), ("all_top", varied and at_top[i]),
                                   ("all_bottom", varied and at_bottom[i])) if on]))
    # The fair average: the expected score over the dimensions from an interviewer of average leniency,
    # whose view of the candidate (the pair term) is not known, so it counts as spread.
    fair_sd = float(np.sqrt(variances["residual"] + variances["pair"]))
    grid = (beta[None, :] + s.u_candidate[:, None]).ravel()
    fair, _ = expected_on_scale(grid, fair_sd, low, high, step)
    return Diagnostics(
        fair_average=fair.reshape(n_c, n_d).mean(axis=1), candidate_infit=c_infit, candidate_outfit=c_outfit,
        candidate_flags=c_flags, rater_infit=r_infit, rater_outfit=r_outfit,
        rater_flags=_rater_flags(m, r_infit, r_outfit, low, high),
        bias=_bias_table(m, residual, W, typical, raters, dimensions),
        generalizability=generalizability(m, variances),
    )
