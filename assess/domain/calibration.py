"""The rater-effects model: separate a candidate's level from an interviewer's leniency, with honest uncertainty.

Each rating is read as

    score = dimension mean + candidate level + rater leniency + candidate-by-rater halo + noise

(the equations are in mixed_model.py). The variances are estimated by restricted
maximum likelihood with a mild boundary-avoiding penalty, optimised directly and
reported with whether the optimiser converged. The intervals carry two kinds of
uncertainty: the prediction error of each effect at the estimated variances, and
the uncertainty of the variances themselves, taken over a few variance settings
spread as the likelihood allows (so few interviewers give wide intervals, not
confident ones). Candidates are compared only within a connected group: a group of
candidates and interviewers that shares no ratings with another cannot be placed
against it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.optimize
import scipy.sparse as sp
from scipy.special import log_ndtr
from threadpoolctl import threadpool_limits
from scipy.sparse.csgraph import connected_components

from . import mixed_model
from .fit_statistics import Diagnostics, diagnose, facet
from .model_notices import Notice, design_notices, ends_as_ratings, fit_notices, reliability_notices

Z_80 = 1.2815515655446004  # two-sided 80% interval
PRIOR = 0.5  # the boundary-avoiding penalty: a Gamma(1.5, rate 0) prior on each random effect's standard deviation
LOG_BOUNDS = (-14.0, 9.0)  # variance ratios from about 1e-6 to 8000 times the residual variance
MAX_ROUNDS = 60  # Newton rounds of the censored fit before it is reported as not converged
SETTLED = 1e-4  # fitted values that move less than this (in points) have settled
SETTLED_LOG_RATIO = 1e-3  # and variance ratios that move less than 0.1%
MAX_LOG_SD = 2.0  # the spread of a log variance ratio that the likelihood does not bound is taken as this
START_GRID = (-4.0, -2.0, 0.0, 2.0)  # log variance ratios tried before the optimiser starts


@dataclass(frozen=True)
class Rating:
    candidate: str
    rater: str
    dimension: str
    score: float


@dataclass(frozen=True)
class CandidateEstimate:
    candidate: str
    score: float  # dimension mean + level: the calibrated score, on the scale's units
    low: float
    high: float
    se: float
    raw_mean: float
    ratings: int
    raters: int
    group: int = 1  # the connected group of the design; scores compare only within one
    fair_average: float = 0.0  # the expected score, on the scale, from an interviewer of average leniency
    infit: float | None = None
    outfit: float | None = None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class RaterEstimate:
    rater: str
    leniency: float  # positive: scores higher than others would
    low: float
    high: float
    se: float
    ratings: int
    group: int = 1
    infit: float | None = None
    outfit: float | None = None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class DimensionEstimate:
    dimension: str
    difficulty: float  # positive: scored lower than the average dimension
    mean: float


@dataclass(frozen=True)
class Calibration:
    candidates: list[CandidateEstimate]
    raters: list[RaterEstimate]
    dimensions: list[DimensionEstimate]
    variances: dict[str, float]
    iterations: int
    converged: bool = True
    warnings: list[Notice] = field(default_factory=list)
    diagnostics: Diagnostics | None = None
    groups: int = 1
    censored: bool = False  # whether ratings at the ends of the scale were read as censored there
    prior: float = PRIOR  # the boundary penalty's weight (0: plain REML)


class DesignError(ValueError):
    """The ratings cannot be calibrated; the message says why and what would help."""


def _codes(values: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Each value's index among the sorted distinct values, and those values."""
    labels = sorted(set(values))
    index = {label: k for k, label in enumerate(labels)}
    return np.fromiter((index[v] for v in values), np.int64, len(values)), labels


def connected_groups(candidate: np.ndarray, rater: np.ndarray, n_c: int, n_r: int) -> tuple[np.ndarray, np.ndarray]:
    """Each candidate's and each rater's connected group, numbered from 1 by size (largest first)."""
    graph = sp.coo_matrix((np.ones(len(candidate)), (candidate, n_c + rater)), shape=(n_c + n_r, n_c + n_r))
    _, labels = connected_components(graph, directed=False)
    order = np.argsort(-np.bincount(labels), kind="stable")
    number = np.empty_like(order)
    number[order] = np.arange(1, len(order) + 1)
    return number[labels[:n_c]], number[labels[n_c:]]


@dataclass(frozen=True)
class _Fitted:
    log_gamma: np.ndarray
    active: np.ndarray
    iterations: int
    converged: bool
    penalty_only: list[str]  # components the data alone would put at zero


def _fit_variances(m: mixed_model.Design, floor: float, prior: float, start: np.ndarray | None = None) -> _Fitted:
    active = np.array([True, m.sizes[3] < len(m.y)])  # a pair term needs a pair with two ratings or more
    fixed = np.full(2, LOG_BOUNDS[0] * 3)  # an absent component: a ratio of about 1e-18

    def full(x: np.ndarray) -> np.ndarray:
        out = fixed.copy()
        out[active] = x
        return out

    def objective(x: np.ndarray) -> tuple[float, np.ndarray]:
        return mixed_model.criterion(m, full(x), floor, prior, active)

    x0 = _coarse_start(objective, int(active.sum())) if start is None else start[active]
    found = scipy.optimize.minimize(objective, x0, jac=True, method="L-BFGS-B",
                                    bounds=[LOG_BOUNDS] * int(active.sum()), options={"maxiter": 200})
    at_bottom = []
    unpenalised = float(found.fun) + prior * float(found.x.sum())  # the penalty taken back off
    for index, name in enumerate(np.array(mixed_model.COMPONENTS)[active]):
        # Would the likelihood alone rather have this variance at zero?
        lowered = found.x.copy()
        lowered[index] = LOG_BOUNDS[0]
        if mixed_model.criterion(m, full(lowered), floor, 0.0, active)[0] <= unpenalised + 1e-6:
            at_bottom.append(str(name))
    return _Fitted(full(found.x), active, int(found.nit), bool(found.success), at_bottom)


def _working(y: np.ndarray, mu: np.ndarray, sd: float, low: float, high: float, step: float
             ) -> tuple[np.ndarray, np.ndarray]:
    """Working values and weights that read a rating at an end of the scale as censored there.

    A top rating says only that the latent score passed the last cut, high - step / 2. With a = (cut - mu) / sd
    and lambda = phi(a) / (1 - Phi(a)), its log-likelihood log(1 - Phi(a)) has slope lambda / sd in mu and
    curvature -lambda (lambda - a) / sd^2; one Newton step is a normal rating of mu + sd / (lambda - a)
    carrying weight lambda (lambda - a), which lies in (0, 1): the further the fitted value passes the cut,
    the less the rating says. The lowest rating mirrors it."""
    z, w = y.astype(float).copy(), np.ones(len(y))
    for end, sign in ((high, 1.0), (low, -1.0)):
        at = np.isclose(y, end)
        if not at.any():
            continue
        a = sign * (end - sign * step / 2 - mu[at]) / sd
        mills = np.exp(-0.5 * a**2 - 0.5 * np.log(2 * np.pi) - log_ndtr(-a))
        gap = np.maximum(mills - a, 1e-12)
        w[at] = np.maximum(mills * gap, 1e-9)
        z[at] = mu[at] + sign * sd / gap
    return z, w


def _censored(rated: mixed_model.Design, fitted: _Fitted, low: float, high: float, step: float, floor: float,
              prior: float) -> tuple[mixed_model.Design, _Fitted] | None:
    """The fit with the ends of the scale read as censored (a Tobit reading; Newton steps on the working values of
    _working, the variances refitted whenever the fitted values settle, until neither moves).

    A candidate rated at the top by everyone has no finite level on the ratings alone, so each candidate also
    carries a weak anchor: a pseudo-rating at the candidates' average level worth a prior SD of half the scale.
    None where the reading does not settle: too few ratings between the ends to place those at the ends (a
    dimension rated only at one end, say, whose difficulty they bound on one side only), so the residual
    spread outgrows the scale or the rounds run out."""
    mode = mixed_model.solve(rated, np.exp(fitted.log_gamma))
    centre = float(mode.u_candidate.mean())
    mu = mixed_model.fitted(rated, mode)
    iterations, converged, settled = fitted.iterations, fitted.converged, False
    m = rated
    for _ in range(MAX_ROUNDS):
        s2 = mixed_model.residual_variance(m, mode.ssr, floor)
        if s2 > (high - low) ** 2:
            return None
        z, w = _working(rated.y, mu, float(np.sqrt(s2)), low, high, step)
        m = mixed_model.reweighted(rated, w, z, (centre, s2 / ((high - low) / 2) ** 2))
        if settled:
            refit = _fit_variances(m, floor, prior, fitted.log_gamma)
            iterations, converged = iterations + refit.iterations, converged and refit.converged
            moved = float(np.max(np.abs(refit.log_gamma - fitted.log_gamma)[fitted.active]))
            fitted = refit
            if moved < SETTLED_LOG_RATIO:
                return m, replace(fitted, iterations=iterations, converged=converged)
        mode = mixed_model.solve(m, np.exp(fitted.log_gamma))
        new = mixed_model.fitted(m, mode)
        settled, mu = float(np.max(np.abs(new - mu))) < SETTLED, new
    return None


def _coarse_start(objective, k: int) -> np.ndarray:
    """The best of a coarse grid of log ratios, to start from. Far below the optimum the criterion is flat in a log
    ratio (its slope there is the variance times a bounded slope), so an optimiser started at the wrong side can
    stop on that plateau with a zero gradient, a variance put at zero that the likelihood wants well above it."""
    grid = np.array(np.meshgrid(*[START_GRID] * k)).reshape(k, -1).T
    values = [objective(point)[0] for point in grid]
    return grid[int(np.argmin(values))]


def _spread(m: mixed_model.Design, fitted: _Fitted, floor: float, prior: float) -> np.ndarray:
    """The covariance of the active log ratios: twice the inverse curvature of the criterion, bounded where the
    likelihood is flat (the curvature from central differences of its gradient)."""
    x = fitted.log_gamma[fitted.active]
    h = 1e-3

    def gradient(point: np.ndarray) -> np.ndarray:
        full = fitted.log_gamma.copy()
        full[fitted.active] = point
        return mixed_model.criterion(m, full, floor, prior, fitted.active)[1]

    steps = np.eye(len(x)) * h
    H = np.array([(gradient(x + step) - gradient(x - step)) / (2 * h) for step in steps])
    values, vectors = np.linalg.eigh((H + H.T) / 4)
    values = np.maximum(values, 1.0 / MAX_LOG_SD**2)
    return (vectors / values) @ vectors.T


def calibrate(ratings: Sequence[Rating], *, low: float = 1, high: float = 5, step: float = 1.0,
              prior: float = PRIOR, censor: bool = True) -> Calibration:
    """Estimate candidate levels, rater leniencies and dimension difficulties with their uncertainty.

    step is the scale's smallest difference (whole points: 1); the residual variance is never taken below
    step^2 / 12, the variance rounding to it adds. censor=False reads the ends of the scale as ordinary
    ratings (the plain linear model).
    """
    # The matrices are small: a thread pool costs more than it saves on them (three times, on two cores).
    with threadpool_limits(limits=1, user_api="blas"):
        return _calibrate(ratings, low=low, high=high, step=step, prior=prior, censor=censor)


def _calibrate(ratings: Sequence[Rating], *, low: float, high: float, step: float, prior: float, censor: bool
               ) -> Calibration:
    if len(ratings) < 3:
        raise DesignError("At least three ratings are needed to calibrate.")
    c, candidates = _codes([r.candidate for r in ratings])
    j, raters = _codes([r.rater for r in ratings])
    d, dimensions = _codes([r.dimension for r in ratings])
    if len(raters) < 2:
        raise DesignError("Only one rater: leniency cannot be told apart from level. Ratings from at least two raters are needed.")
    y = np.asarray([r.score for r in ratings], dtype=float)
    n_c, n_r, n_d = len(candidates), len(raters), len(dimensions)
    dimension_groups = connected_groups(c, d, n_c, n_d)[0].max()
    m = mixed_model.design(y, d, j, c, (n_d, n_r, n_c), ridge=1e-6 if dimension_groups > 1 else 0.0)
    if m.degrees_of_freedom < 1:
        raise DesignError("Each candidate has only one rating on each dimension's difference, so nothing is left to "
                          "tell an interviewer's leniency from a candidate's level. Have some candidates scored by two "
                          "interviewers, or on more dimensions.")
    floor = step**2 / 12
    group_c, group_r = connected_groups(c, j, n_c, n_r)
    rated = m
    fitted = _fit_variances(m, floor, prior)
    at_ends = bool(censor and np.ptp(y) > 0 and (np.isclose(y, low) | np.isclose(y, high)).any())
    found = _censored(m, fitted, low, high, step, floor, prior) if at_ends else None
    censored = found is not None
    if censored:
        m, fitted = found
    mode = mixed_model.solve(m, np.exp(fitted.log_gamma))
    var_e = mixed_model.residual_variance(m, mode.ssr, floor)
    score_c, _ = mixed_model.candidate_scores(m, mode, group_r - 1, group_c - 1)
    score_r, _ = mixed_model.leniencies(m, mode, group_r - 1)
    means = mixed_model.dimension_means(m, mode)
    grand = float(means.mean())

    # Uncertainty: prediction error at each variance setting, plus how the estimates move between settings.
    cov = _spread(m, fitted, floor, prior)
    k = len(cov)
    root = np.linalg.cholesky(cov + np.eye(k) * 1e-12) * np.sqrt(k)
    pev_c, pev_r, points_c, points_r = [], [], [], []
    for sign in (1, -1):
        for i in range(k):
            shifted = fitted.log_gamma.copy()
            shifted[fitted.active] = np.clip(shifted[fitted.active] + sign * root[:, i], *LOG_BOUNDS)
            s = mixed_model.solve(m, np.exp(shifted))
            s2 = mixed_model.residual_variance(m, s.ssr, floor)
            scores, error = mixed_model.candidate_scores(m, s, group_r - 1, group_c - 1)
            points_c.append(scores)
            pev_c.append(s2 * error)
            lenient, error = mixed_model.leniencies(m, s, group_r - 1)
            points_r.append(lenient)
            pev_r.append(s2 * error)
    se_c = np.sqrt(np.mean(pev_c, axis=0) + np.var(points_c, axis=0))
    se_r = np.sqrt(np.mean(pev_r, axis=0) + np.var(points_r, axis=0))

    variances = {name: float(np.exp(g) * var_e) if on else 0.0
                 for name, g, on in zip(mixed_model.COMPONENTS, fitted.log_gamma, fitted.active, strict=True)}
    variances["residual"] = var_e
    # The candidates' real spread, as FACETS reads it: the scores' variance less their error variance, the
    # error counted as candidates are compared (what every score's error shares drops out of a comparison).
    shared = var_e * mixed_model.shared_error(m, mode, group_r - 1, group_c - 1) / n_c**2
    error_compared = max(float(np.mean(se_c**2)) - shared, 0.0)
    spread_c = float(np.var(score_c, ddof=1)) if n_c > 1 else 0.0
    variances["candidate"] = max(spread_c - error_compared, 0.0)
    diagnostics = diagnose(rated, mode, variances, (candidates, raters, dimensions), low=low, high=high, step=step)
    diagnostics.facets = {"candidates": facet(spread_c, error_compared, n_c),
                          "raters": facet(variances["rater"], float(np.mean(se_r**2)), n_r)}
    counts_c = np.bincount(c, minlength=n_c)
    raw = np.bincount(c, weights=y, minlength=n_c) / counts_c
    raters_per = np.bincount(m.pair_candidate, minlength=n_c)
    ratings_r = np.bincount(j, minlength=n_r)

    candidate_rows = [
        CandidateEstimate(
            candidate=candidates[i], score=float(score_c[i]), low=float(score_c[i] - Z_80 * se_c[i]),
            high=float(score_c[i] + Z_80 * se_c[i]), se=float(se_c[i]), raw_mean=float(raw[i]),
            ratings=int(counts_c[i]), raters=int(raters_per[i]), group=int(group_c[i]),
            fair_average=float(diagnostics.fair_average[i]), infit=diagnostics.candidate_infit[i],
            outfit=diagnostics.candidate_outfit[i], flags=diagnostics.candidate_flags[i],
        )
        for i in range(n_c)
    ]
    rater_rows = [
        RaterEstimate(rater=raters[k], leniency=float(score_r[k]), low=float(score_r[k] - Z_80 * se_r[k]),
                      high=float(score_r[k] + Z_80 * se_r[k]), se=float(se_r[k]), ratings=int(ratings_r[k]),
                      group=int(group_r[k]), infit=diagnostics.rater_infit[k], outfit=diagnostics.rater_outfit[k],
                      flags=diagnostics.rater_flags[k])
        for k in range(n_r)
    ]
    dimension_rows = [
        DimensionEstimate(dimension=dimensions[k], difficulty=float(grand - means[k]), mean=float(means[k]))
        for k in range(n_d)
    ]
    notices = design_notices(raters_per, y, group_r, raters, low=low, high=high)
    if dimension_groups > 1:
        notices.append(Notice("dimensions_apart", (
            f"The candidates fall into {dimension_groups} sets scored on different dimensions (say, different "
            "exercises so far), with no candidate scored on both: those dimensions are taken as equally hard, "
            "which the ratings cannot check. The order across the sets firms up once some candidates have both.")))
    if at_ends and not censored:
        notices.append(ends_as_ratings(low, high))
    notices += fit_notices(fitted.converged, fitted.iterations, fitted.penalty_only)
    if np.ptp(y) > 0:
        notices += reliability_notices(diagnostics.facets["candidates"].reliability, n_c)
    return Calibration(
        candidates=sorted(candidate_rows, key=lambda e: (e.group, -e.score, e.candidate)),
        raters=sorted(rater_rows, key=lambda e: e.rater),
        dimensions=dimension_rows,
        variances=variances,
        iterations=fitted.iterations,
        converged=fitted.converged,
        warnings=notices,
        diagnostics=diagnostics,
        groups=int(group_c.max()) if n_c else 1,
        censored=censored,
        prior=prior,
    )
