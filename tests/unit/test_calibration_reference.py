"""The rater-effects model against a dense solution of the same mixed-model equations.

`calibrate` solves Henderson's equations through a Schur complement and iterates
EM-REML for the variances. Here the equations are written out in full and solved
directly with the variances it returned, so every estimate, standard error and
count can be compared exactly, and the variances are checked to be a fixed point
of the REML updates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pytest

from assess.domain.calibration import Z_80, Calibration, DesignError, Rating, calibrate
from assess.domain.simulation import simulate


@dataclass
class Dense:
    y: np.ndarray
    X: np.ndarray
    Zr: np.ndarray
    Zc: np.ndarray
    candidates: list[str]
    raters: list[str]
    dimensions: list[str]


def design(ratings: list[Rating]) -> Dense:
    candidates = sorted({r.candidate for r in ratings})
    raters = sorted({r.rater for r in ratings})
    dimensions = sorted({r.dimension for r in ratings})

    def indicator(labels: list[str], values: list[str]) -> np.ndarray:
        matrix = np.zeros((len(values), len(labels)))
        matrix[np.arange(len(values)), [labels.index(v) for v in values]] = 1.0
        return matrix

    return Dense(
        y=np.array([r.score for r in ratings], dtype=float),
        X=indicator(dimensions, [r.dimension for r in ratings]),
        Zr=indicator(raters, [r.rater for r in ratings]),
        Zc=indicator(candidates, [r.candidate for r in ratings]),
        candidates=candidates, raters=raters, dimensions=dimensions,
    )


def solve_dense(m: Dense, var_c: float, var_r: float, var_e: float) -> tuple[np.ndarray, ...]:
    M = np.hstack([m.X, m.Zr, m.Zc])
    n_d, n_r, n_c = m.X.shape[1], m.Zr.shape[1], m.Zc.shape[1]
    penalty = np.concatenate([np.zeros(n_d), np.full(n_r, var_e / var_r), np.full(n_c, var_e / var_c)])
    C = M.T @ M + np.diag(penalty)
    C_inv = np.linalg.inv(C)
    solution = C_inv @ (M.T @ m.y)
    return solution[:n_d], solution[n_d:n_d + n_r], solution[n_d + n_r:], C_inv


def check_against_dense(ratings: list[Rating], result: Calibration, *, low: float, high: float) -> None:
    m = design(ratings)
    v = result.variances
    var_c, var_r, var_e = v["candidate"], v["rater"], v["residual"]
    beta, u_r, u_c, C_inv = solve_dense(m, var_c, var_r, var_e)
    n_d, n_r = len(m.dimensions), len(m.raters)
    pev = var_e * np.diag(C_inv)
    se_r, se_c = np.sqrt(pev[n_d:n_d + n_r]), np.sqrt(pev[n_d + n_r:])
    grand = beta.mean()

    def clip(value: float) -> float:
        return min(high, max(low, value))

    by_candidate = {e.candidate: e for e in result.candidates}
    assert sorted(by_candidate) == m.candidates
    for i, name in enumerate(m.candidates):
        e = by_candidate[name]
        mine = m.Zc[:, i] == 1
        assert e.score == pytest.approx(clip(grand + u_c[i]), abs=1e-9)
        assert e.se == pytest.approx(se_c[i], rel=1e-9)
        assert e.low == pytest.approx(clip(grand + u_c[i] - Z_80 * se_c[i]), abs=1e-9)
        assert e.high == pytest.approx(clip(grand + u_c[i] + Z_80 * se_c[i]), abs=1e-9)
        assert e.raw_mean == pytest.approx(m.y[mine].mean(), abs=1e-12)
        assert e.ratings == int(mine.sum())
        assert e.raters == len({r.rater for r in ratings if r.candidate == name})
    assert [e.candidate for e in result.candidates] == [
        e.candidate for e in sorted(result.candidates, key=lambda e: (-e.score, e.candidate))
    ]

    assert [e.rater for e in result.raters] == m.raters
    for k, e in enumerate(result.raters):
        assert e.severity == pytest.approx(u_r[k], abs=1e-9)
        assert e.se == pytest.approx(se_r[k], rel=1e-9)
        assert e.low == pytest.approx(u_r[k] - Z_80 * se_r[k], abs=1e-9)
        assert e.high == pytest.approx(u_r[k] + Z_80 * se_r[k], abs=1e-9)
        assert e.ratings == int(m.Zr[:, k].sum())

    assert [e.dimension for e in result.dimensions] == m.dimensions
    for k, e in enumerate(result.dimensions):
        assert e.mean == pytest.approx(beta[k], abs=1e-9)
        assert e.difficulty == pytest.approx(grand - beta[k], abs=1e-9)


def check_reml_fixed_point(ratings: list[Rating], result: Calibration) -> None:
    m = design(ratings)
    v = result.variances
    var_c, var_r, var_e = v["candidate"], v["rater"], v["residual"]
    beta, u_r, u_c, C_inv = solve_dense(m, var_c, var_r, var_e)
    n, n_d, n_r, n_c = len(m.y), len(m.dimensions), len(m.raters), len(m.candidates)
    fitted = m.X @ beta + m.Zr @ u_r + m.Zc @ u_c
    total = float(np.var(m.y))
    assert m.y @ (m.y - fitted) / (n - n_d) == pytest.approx(var_e, abs=1e-5 * total)
    assert (u_c @ u_c + var_e * np.trace(C_inv[n_d + n_r:, n_d + n_r:])) / n_c == pytest.approx(var_c, abs=1e-5 * total)
    assert (u_r @ u_r + var_e * np.trace(C_inv[n_d:n_d + n_r, n_d:n_d + n_r])) / n_r == pytest.approx(
        var_r, abs=1e-5 * total
    )
    assert 2 <= result.iterations < 500


SMALL = simulate(3, candidates=40, raters=6, per_candidate=2, dimensions=3).ratings


def test_estimates_are_the_dense_solution_of_the_mixed_model_equations() -> None:
    result = calibrate(SMALL)
    check_against_dense(SMALL, result, low=1, high=5)
    check_reml_fixed_point(SMALL, result)
    assert all(value < 1 for value in result.variances.values())  # the floor of 1e-8 is not reached
    assert result.warnings == []


def test_the_variances_converge_on_a_scale_with_large_variance() -> None:
    scaled = [Rating(r.candidate, r.rater, r.dimension, 100 * r.score) for r in SMALL]
    result = calibrate(scaled, low=0, high=1000)
    check_against_dense(scaled, result, low=0, high=1000)
    check_reml_fixed_point(scaled, result)


def test_scores_are_kept_within_the_scale() -> None:
    # a candidate given the lowest score by the most lenient rater is estimated below the scale
    ratings = [*SMALL]
    lenient = max(calibrate(SMALL).raters, key=lambda e: e.severity).rater
    ratings += [Rating("zz-low", lenient, d, 1.0) for d in ("d0", "d1", "d2")]
    ratings += [Rating("zz-low", "r9" if lenient != "r9" else "r8", d, 1.0) for d in ("d0", "d1", "d2")]
    harsh = min(calibrate(SMALL).raters, key=lambda e: e.severity).rater
    ratings += [Rating("zz-top", rater, d, 5.0) for rater in (harsh, lenient) for d in ("d0", "d1", "d2")]
    result = calibrate(ratings)
    check_against_dense(ratings, result, low=1, high=5)
    by_candidate = {e.candidate: e for e in result.candidates}
    assert 1 <= by_candidate["zz-low"].score < 2
    assert by_candidate["zz-low"].low == 1.0
    assert by_candidate["zz-top"].high == 5.0
    narrow = calibrate(ratings, low=2.5, high=3.5)
    assert all(2.5 <= e.low <= e.score <= e.high <= 3.5 for e in narrow.candidates)
    assert any(e.score == 2.5 for e in narrow.candidates) and any(e.score == 3.5 for e in narrow.candidates)


def em_steps(ratings: list[Rating], steps: int) -> tuple[float, float, float]:
    """The EM-REML updates from the starting point of a third of the variance each, written out."""
    m = design(ratings)
    n, n_d, n_r, n_c = len(m.y), len(m.dimensions), len(m.raters), len(m.candidates)
    total = float(np.var(m.y))
    var_c = var_r = var_e = total / 3
    for _ in range(steps):
        beta, u_r, u_c, C_inv = solve_dense(m, var_c, var_r, var_e)
        fitted = m.X @ beta + m.Zr @ u_r + m.Zc @ u_c
        var_c, var_r, var_e = (
            (u_c @ u_c + var_e * np.trace(C_inv[n_d + n_r:, n_d + n_r:])) / n_c,
            (u_r @ u_r + var_e * np.trace(C_inv[n_d:n_d + n_r, n_d:n_d + n_r])) / n_r,
            m.y @ (m.y - fitted) / (n - n_d),
        )
    return var_c, var_r, var_e


@pytest.mark.parametrize("steps", [0, 1, 2])
def test_each_iteration_is_one_em_reml_step_from_a_third_of_the_variance_each(steps: int) -> None:
    result = calibrate(SMALL, max_iterations=steps)
    assert result.iterations == steps
    v = result.variances
    assert (v["candidate"], v["rater"], v["residual"]) == pytest.approx(em_steps(SMALL, steps), rel=1e-9)
    check_against_dense(SMALL, result, low=1, high=5)


def test_a_design_that_does_not_converge_stops_after_500_iterations() -> None:
    ratings = [Rating(c, r, "x", s) for c, r, s in [("a", "ann", 4), ("b", "ann", 2), ("c", "bob", 5), ("d", "bob", 3)]]
    assert calibrate(ratings).iterations == 500


def test_the_variances_converge_on_a_scale_with_small_variance() -> None:
    scaled = [Rating(r.candidate, r.rater, r.dimension, r.score / 100) for r in SMALL]
    result = calibrate(scaled, low=0, high=1)
    check_against_dense(scaled, result, low=0, high=1)
    check_reml_fixed_point(scaled, result)


def test_two_raters_are_enough() -> None:
    ratings = [Rating(c, r, "x", s) for c, r, s in [("a", "ann", 4), ("a", "bob", 3), ("b", "ann", 2), ("b", "bob", 2)]]
    result = calibrate(ratings, max_iterations=20)
    assert [e.rater for e in result.raters] == ["ann", "bob"]
    check_against_dense(ratings, result, low=1, high=5)


def test_one_rater_is_refused_saying_why() -> None:
    with pytest.raises(DesignError, match="^" + re.escape(
        "Only one rater: severity cannot be told apart from level. Ratings from at least two raters are needed."
    ) + "$"):
        calibrate([Rating("a", "ann", "x", 3), Rating("b", "ann", "x", 4), Rating("c", "ann", "x", 2)])


def test_fewer_than_three_ratings_are_refused() -> None:
    with pytest.raises(DesignError, match=r"^At least three ratings are needed to calibrate\.$"):
        calibrate([Rating("a", "ann", "x", 3), Rating("a", "bob", "x", 4)])


def test_raters_who_agree_exactly_are_reported_as_hardly_differing() -> None:
    ratings = [
        Rating(c, r, d, float(s + k))
        for c, s in [("a", 1), ("b", 2), ("c", 3), ("d", 2)]
        for r in ("ann", "bob", "cy")
        for k, d in enumerate(("x", "y"))
    ]
    result = calibrate(ratings)
    assert result.warnings == [
        "The raters hardly differ in severity here, so the calibrated scores are close to the raw means."
    ]
    assert result.variances["rater"] < 1e-6 * float(np.var([r.score for r in ratings]))
    scaled = calibrate([Rating(r.candidate, r.rater, r.dimension, 100 * r.score) for r in ratings], high=1000)
    assert scaled.warnings == result.warnings


def test_many_candidates_take_the_sparse_path_to_the_same_standard_errors() -> None:
    rng = np.random.default_rng(4)
    raters = ["ann", "bob", "cy"]
    ratings = []
    for i in range(4001):
        for r in rng.choice(3, 2, replace=False):
            ratings.append(Rating(f"c{i:04d}", raters[r], "x", float(rng.integers(1, 6))))
    result = calibrate(ratings, max_iterations=1)
    v = result.variances
    var_c, var_r, var_e = v["candidate"], v["rater"], v["residual"]
    names = sorted({r.candidate for r in ratings})
    index = {name: i for i, name in enumerate(names)}
    # the candidate block of the inverse through the small block W = [X Zr], written out densely
    B = np.zeros((4, len(names)))  # W' Zc: column 0 the one dimension, then the raters
    for r in ratings:
        B[0, index[r.candidate]] += 1
        B[1 + raters.index(r.rater), index[r.candidate]] += 1
    A = np.diag(B.sum(axis=1))  # W'W: the dimension and each rater by their counts
    A[0, 1:] = A[1:, 0] = B.sum(axis=1)[1:]
    A[1:, 1:] += np.eye(3) * (var_e / var_r)
    D = B[0] + var_e / var_c
    S_inv = np.linalg.inv(A - (B / D) @ B.T)
    diag_cc = 1 / D + np.einsum("ij,ij->j", S_inv @ (B / D), B / D)
    by_candidate = {e.candidate: e for e in result.candidates}
    se = np.array([by_candidate[name].se for name in names])
    np.testing.assert_allclose(se, np.sqrt(var_e * diag_cc), rtol=1e-9)
    se_r = np.sqrt(var_e * np.diag(S_inv)[1:])
    np.testing.assert_allclose([e.se for e in result.raters], se_r, rtol=1e-9)


def test_unconnected_groups_are_named_with_at_most_four_raters_each() -> None:
    ratings = []
    for g, raters in enumerate([["r1", "r2", "r3", "r4", "r5"], ["s1", "s2", "s3", "s4"]]):
        for i, rater in enumerate(raters):
            for k in range(2):
                ratings.append(Rating(f"g{g}c{i}", rater, "x", float(1 + (i + k) % 5)))
                ratings.append(Rating(f"g{g}c{i}", raters[(i + 1) % len(raters)], "x", float(1 + (i * k) % 5)))
    result = calibrate(ratings, max_iterations=5)
    assert result.warnings[0] == (
        "The design is not connected: 2 groups of candidates and raters share no ratings "
        "(r1 + r2 + r3 + r4 …; s1 + s2 + s3 + s4). Levels can be compared within a group but not across groups, "
        "because a group's harshness cannot be told apart from its candidates' level. "
        "Have one interviewer from each group score some candidates of another."
    )
    assert len(result.warnings) == 1 or "hardly differ" in result.warnings[1]


def test_groups_of_one_rater_each_are_still_named() -> None:
    ratings = [Rating(c, r, "x", s) for c, r, s in [("a", "ann", 4), ("b", "ann", 2), ("c", "bob", 5), ("d", "bob", 3)]]
    result = calibrate(ratings, max_iterations=5)
    assert result.warnings[0].startswith("The design is not connected: 2 groups of candidates and raters share no "
                                         "ratings (ann; bob). Levels")
    assert result.warnings[1] == "4 candidate(s) were scored by only one rater; their intervals are wide."


def test_candidates_with_two_raters_are_not_counted_as_seen_by_one() -> None:
    ratings = [
        Rating(c, r, "x", s)
        for c, r, s in [("a", "ann", 4), ("a", "bob", 3), ("b", "ann", 2), ("b", "bob", 3), ("c", "bob", 5)]
    ]
    result = calibrate(ratings, max_iterations=5)
    assert [w for w in result.warnings if "only one rater" in w] == [
        "1 candidate(s) were scored by only one rater; their intervals are wide."
    ]
