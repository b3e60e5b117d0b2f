"""The rater-effects model against the same model written out densely, and against statsmodels.

`solve` absorbs the pair and candidate blocks of Henderson's equations; here the equations are written
out in full for small designs and solved directly, so every effect, the log-determinant, the residual
sum and the traces the REML gradient uses can be compared exactly. The REML criterion is checked
against its textbook form -2 l_R = log|V| + log|X'V^-1 X| + y'Py, its gradient against finite
differences, and the unpenalised optimum against statsmodels' MixedLM fitting the same model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from assess.domain import mixed_model
from assess.domain.calibration import Z_80, DesignError, Rating, calibrate
from assess.domain.simulation import simulate
from tests.support.peer_models import mixedlm_fit


@dataclass
class Dense:
    y: np.ndarray
    X: np.ndarray  # every dimension but the first, then every candidate: the fixed effects
    Z: np.ndarray  # raters, then pairs
    sizes: tuple[int, int, int, int]
    m: mixed_model.Design


def dense(ratings: list[Rating]) -> Dense:
    candidates = sorted({r.candidate for r in ratings})
    raters = sorted({r.rater for r in ratings})
    dimensions = sorted({r.dimension for r in ratings})
    pairs = sorted({(r.candidate, r.rater) for r in ratings})

    def indicator(labels: list, values: list) -> np.ndarray:
        matrix = np.zeros((len(values), len(labels)))
        matrix[np.arange(len(values)), [labels.index(v) for v in values]] = 1.0
        return matrix

    y = np.array([r.score for r in ratings])
    c = np.array([candidates.index(r.candidate) for r in ratings])
    j = np.array([raters.index(r.rater) for r in ratings])
    d = np.array([dimensions.index(r.dimension) for r in ratings])
    X = np.hstack([indicator(dimensions, [r.dimension for r in ratings])[:, 1:],
                   indicator(candidates, [r.candidate for r in ratings])])
    Z = np.hstack([indicator(raters, [r.rater for r in ratings]),
                   indicator(pairs, [(r.candidate, r.rater) for r in ratings])])
    m = mixed_model.design(y, d, j, c, (len(dimensions), len(raters), len(candidates)))
    return Dense(y, X, Z, (len(dimensions) - 1, len(raters), len(candidates), len(pairs)), m)


SMALL = simulate(3, candidates=25, raters=5, per_candidate=2, dimensions=3, halo=0.4).ratings
GAMMA = np.array([0.7, 0.3])


def test_the_absorbed_solution_is_the_dense_solution_of_the_mixed_model_equations() -> None:
    D = dense(SMALL)
    n_d, n_r, n_c, n_p = D.sizes
    penalty = np.concatenate([np.zeros(n_d + n_c), np.full(n_r, 1 / GAMMA[0]), np.full(n_p, 1 / GAMMA[1])])
    M = np.hstack([D.X, D.Z])
    C = M.T @ M + np.diag(penalty)
    C_inv = np.linalg.inv(C)
    theta = C_inv @ (M.T @ D.y)
    s = mixed_model.solve(D.m, GAMMA)
    np.testing.assert_allclose(s.beta, theta[:n_d], atol=1e-10)
    np.testing.assert_allclose(s.u_candidate, theta[n_d:n_d + n_c], atol=1e-10)
    np.testing.assert_allclose(s.u_rater, theta[n_d + n_c:n_d + n_c + n_r], atol=1e-10)
    np.testing.assert_allclose(s.u_pair, theta[n_d + n_c + n_r:], atol=1e-10)
    assert s.ssr == pytest.approx(D.y @ D.y - theta @ (M.T @ D.y), rel=1e-10)
    assert s.logdet == pytest.approx(np.linalg.slogdet(C)[1], rel=1e-10)
    np.testing.assert_allclose(s.candidate_diag, np.diag(C_inv)[n_d:n_d + n_c], rtol=1e-9)
    rater_block = slice(n_d + n_c, n_d + n_c + n_r)
    assert s.traces[0] == pytest.approx(np.trace(C_inv[rater_block, rater_block]), rel=1e-9)
    assert s.traces[1] == pytest.approx(np.trace(C_inv[n_d + n_c + n_r:, n_d + n_c + n_r:]), rel=1e-9)


def test_weighted_working_ratings_and_the_anchor_solve_the_weighted_dense_equations() -> None:
    D = dense(SMALL)
    n_d, n_r, n_c, n_p = D.sizes
    rng = np.random.default_rng(4)
    weight, response = rng.uniform(0.05, 1.0, len(D.y)), D.y + rng.normal(0, 0.3, len(D.y))
    centre, held = 3.4, 0.06
    s = mixed_model.solve(mixed_model.reweighted(D.m, weight, response, (centre, held)), GAMMA)
    M = np.hstack([D.X, D.Z])
    anchor = np.zeros(M.shape[1])
    anchor[n_d:n_d + n_c] = held  # a pseudo-rating per candidate that bears on their level alone
    penalty = np.concatenate([np.zeros(n_d + n_c), np.full(n_r, 1 / GAMMA[0]), np.full(n_p, 1 / GAMMA[1])])
    C = M.T @ (weight[:, None] * M) + np.diag(penalty + anchor)
    rhs = M.T @ (weight * response) + anchor * centre
    theta = np.linalg.solve(C, rhs)
    np.testing.assert_allclose(np.concatenate([s.beta, s.u_candidate, s.u_rater, s.u_pair]), theta, atol=1e-10)
    assert s.ssr == pytest.approx(weight @ response**2 + n_c * held * centre**2 - theta @ rhs, rel=1e-10)
    assert s.logdet == pytest.approx(np.linalg.slogdet(C)[1], rel=1e-10)


def test_at_its_variances_the_censored_fit_is_the_mode_of_the_censored_likelihood() -> None:
    """Ratings at 1 or 5 say only that the latent score passed the last cut (4.5 or 1.5). At the variances the
    fit settles on, its levels, leniencies and halo terms maximise the censored normal likelihood with the
    random effects' normal penalty and each candidate's weak anchor, written out here and maximised directly."""
    from scipy.optimize import minimize
    from scipy.stats import norm

    from assess.domain import calibration

    data = simulate(9, candidates=14, raters=4, per_candidate=2, dimensions=3, halo=0.4, centre=4.1)
    D = dense(data.ratings)
    n_d, n_r, n_c, n_p = D.sizes
    assert 0.3 < np.mean(D.y == 5) < 0.6 and (D.y == 1).any()
    start = calibration._fit_variances(D.m, 1 / 12, calibration.PRIOR)
    centre = float(mixed_model.solve(D.m, np.exp(start.log_gamma)).u_candidate.mean())
    m, fitted = calibration._censored(D.m, start, 1, 5, 1, 1 / 12, calibration.PRIOR)
    gamma = np.exp(fitted.log_gamma)
    s = mixed_model.solve(m, gamma)
    s2 = mixed_model.residual_variance(m, s.ssr, 1 / 12)
    sd, tau = np.sqrt(s2), 2.0  # the anchor's prior SD: half the 1-5 scale
    M = np.hstack([D.X, D.Z])
    top, bottom = D.y == 5, D.y == 1
    middle = ~(top | bottom)

    def minus_log_posterior(theta: np.ndarray) -> float:
        mu = M @ theta
        u_c, u_r, u_p = theta[n_d:n_d + n_c], theta[n_d + n_c:n_d + n_c + n_r], theta[n_d + n_c + n_r:]
        value = -(norm.logpdf(D.y[middle], mu[middle], sd).sum() + norm.logsf(4.5, mu[top], sd).sum()
                  + norm.logcdf(1.5, mu[bottom], sd).sum())
        return float(value + (u_r @ u_r / gamma[0] + u_p @ u_p / gamma[1]) / (2 * s2)
                     + ((u_c - centre) ** 2).sum() / (2 * tau**2))

    ours = np.concatenate([s.beta, s.u_candidate, s.u_rater, s.u_pair])
    direct = minimize(minus_log_posterior, ours + 0.3, method="BFGS", options={"gtol": 1e-9})
    np.testing.assert_allclose(ours, direct.x, atol=2e-4)
    assert minus_log_posterior(ours) <= direct.fun + 1e-8
    assert fitted.converged and fitted.iterations > start.iterations


def test_the_criterion_is_minus_twice_the_restricted_likelihood_with_sigma_e_profiled() -> None:
    D = dense(SMALL)
    n = len(D.y)
    p = D.X.shape[1]
    s = mixed_model.solve(D.m, GAMMA)
    s2 = s.ssr / (n - p)
    G = np.diag(np.concatenate([np.full(D.sizes[1], GAMMA[0]), np.full(D.sizes[3], GAMMA[1])])) * s2
    V = D.Z @ G @ D.Z.T + s2 * np.eye(n)
    V_inv = np.linalg.inv(V)
    XtVX = D.X.T @ V_inv @ D.X
    P = V_inv - V_inv @ D.X @ np.linalg.solve(XtVX, D.X.T @ V_inv)
    textbook = np.linalg.slogdet(V)[1] + np.linalg.slogdet(XtVX)[1] + D.y @ P @ D.y
    value, _ = mixed_model.criterion(D.m, np.log(GAMMA), 0.0, 0.0, np.array([True, True]))
    assert value == pytest.approx(textbook, rel=1e-9)


@pytest.mark.parametrize("prior", [0.0, 0.5])
def test_the_gradient_is_the_criterions_slope(prior: float) -> None:
    m = dense(SMALL).m
    active = np.array([True, True])
    x = np.log(GAMMA)
    _, gradient = mixed_model.criterion(m, x, 1 / 12, prior, active)
    h = 1e-5
    slope = [(mixed_model.criterion(m, x + e, 1 / 12, prior, active)[0]
              - mixed_model.criterion(m, x - e, 1 / 12, prior, active)[0]) / (2 * h) for e in np.eye(2) * h]
    np.testing.assert_allclose(gradient, slope, rtol=1e-5)


def test_without_the_prior_the_variances_are_statsmodels_reml_estimates() -> None:
    ratings = simulate(8, candidates=30, raters=6, per_candidate=2, dimensions=3, halo=0.5).ratings
    fit = calibrate(ratings, prior=0.0, censor=False)
    model, peer = mixedlm_fit(ratings)
    theirs = dict(zip(model.exog_vc.names, peer.vcomp, strict=True))
    assert fit.variances["rater"] == pytest.approx(theirs["rater"], rel=2e-3)
    assert fit.variances["pair"] == pytest.approx(theirs["pair"], rel=2e-3)
    assert fit.variances["residual"] == pytest.approx(peer.scale, rel=2e-3)
    assert fit.converged


def criterion_beats_a_grid(ratings: list[Rating], fit) -> None:  # type: ignore[no-untyped-def]
    m = dense(ratings).m
    active = np.array([True, True])
    ratios = np.array([fit.variances["rater"], fit.variances["pair"]]) / fit.variances["residual"]
    found = mixed_model.criterion(m, np.log(np.maximum(ratios, 1e-12)), 1 / 12, 0.0, active)[0]
    grid = np.linspace(-9, 3, 13)
    best = min(mixed_model.criterion(m, np.array([a, b]), 1 / 12, 0.0, active)[0] for a in grid for b in grid)
    assert found <= best + 1e-6


def test_a_panel_whose_criterion_is_flat_from_the_usual_start_still_reaches_the_reml_optimum() -> None:
    """From equal variance ratios the optimiser once slid onto the plateau far below the optimum, where the slope in
    a log ratio vanishes, and stopped there with the halo variance at zero, 39 units of -2 log-likelihood short,
    reporting convergence. An outside panel (120 candidates, 8 interviewers) where that happened; the optimum is
    halo 0.084, interviewers 0.0003, residual 0.462, which a dense REML written apart from the product also finds
    (statsmodels' MixedLM stops 36 units short on it, with an interviewer variance of 3.4)."""
    import csv
    from pathlib import Path

    with (Path(__file__).parent / "data" / "flat_start_panel.csv").open() as handle:
        ratings = [Rating(row["candidate"], row["rater"], row["dimension"], float(row["score"]))
                   for row in csv.DictReader(handle)]
    fit = calibrate(ratings, prior=0.0, censor=False)
    criterion_beats_a_grid(ratings, fit)
    assert fit.variances["pair"] == pytest.approx(0.0836, abs=5e-4)
    assert fit.variances["residual"] == pytest.approx(0.4622, abs=5e-4)
    assert not any(w.code == "boundary_pair" for w in fit.warnings)


@pytest.mark.parametrize("seed", range(6))
def test_the_fitted_variances_beat_every_point_of_a_grid_of_the_criterion(seed: int) -> None:
    ratings = simulate(seed, candidates=60, raters=8, per_candidate=2, halo=0.3, rater_spread=0.3).ratings
    criterion_beats_a_grid(ratings, calibrate(ratings, prior=0.0, censor=False))


def test_intervals_are_the_score_plus_and_minus_z_standard_errors_and_scores_are_not_clipped() -> None:
    ratings = [*SMALL, *[Rating("zz", rater, d, 1.0) for rater in ("r0", "r1") for d in ("d0", "d1", "d2")]]
    fit = calibrate(ratings)
    for e in fit.candidates:
        assert e.low == pytest.approx(e.score - Z_80 * e.se) and e.high == pytest.approx(e.score + Z_80 * e.se)
    for e in fit.raters:
        assert e.low == pytest.approx(e.leniency - Z_80 * e.se)
    assert sum(e.leniency for e in fit.raters) == pytest.approx(0, abs=1e-9)  # against the panel's average
    zz = next(e for e in fit.candidates if e.candidate == "zz")
    assert zz.raw_mean == 1.0 and zz.low < 1.0  # the interval says what the evidence says, past the scale's end


def test_one_rater_and_too_few_ratings_are_refused_saying_why() -> None:
    with pytest.raises(DesignError, match="^Only one rater: leniency cannot be told apart from level"):
        calibrate([Rating("a", "ann", "x", 3), Rating("b", "ann", "x", 4), Rating("c", "ann", "x", 2)])
    with pytest.raises(DesignError, match=r"^At least three ratings are needed to calibrate\.$"):
        calibrate([Rating("a", "ann", "x", 3), Rating("a", "bob", "x", 4)])


def test_score_errors_and_what_they_share_are_the_dense_inverse_read_through_the_scores_weights() -> None:
    D = dense(SMALL)
    n_d, n_r, n_c, n_p = D.sizes
    penalty = np.concatenate([np.zeros(n_d + n_c), np.full(n_r, 1 / GAMMA[0]), np.full(n_p, 1 / GAMMA[1])])
    M = np.hstack([D.X, D.Z])
    C_inv = np.linalg.inv(M.T @ M + np.diag(penalty))
    # score_c = u_c + mean of every dimension effect (the reference's is 0) + mean leniency, one group here
    L = np.zeros((n_c, C_inv.shape[0]))
    L[:, :n_d] = 1 / (n_d + 1)
    L[:, n_d:n_d + n_c] = np.eye(n_c)
    L[:, n_d + n_c:n_d + n_c + n_r] = 1 / n_r
    covariance = L @ C_inv @ L.T
    s = mixed_model.solve(D.m, GAMMA)
    groups = np.zeros(n_r, dtype=int), np.zeros(n_c, dtype=int)
    scores, error = mixed_model.candidate_scores(D.m, s, *groups)
    theta = C_inv @ (M.T @ D.y)
    np.testing.assert_allclose(scores, L @ theta, atol=1e-10)
    np.testing.assert_allclose(error, np.diag(covariance), rtol=1e-9)
    assert mixed_model.shared_error(D.m, s, *groups) == pytest.approx(covariance.sum(), rel=1e-9)
