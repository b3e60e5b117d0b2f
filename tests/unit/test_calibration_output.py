"""The JSON a calibration and an agreement table become: every figure where the README says, and the named
notices' wording at their thresholds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from assess.domain.calibration import Rating, calibrate
from assess.domain.calibration_output import agreement_fields, calibration_fields, finite
from assess.domain.fit_statistics import READINGS
from assess.domain.model_notices import reliability_notices
from assess.domain.ranking import chance_ahead
from assess.domain.simulation import simulate
from tests.unit.test_ranking import estimate


def test_finite_rounds_every_float_and_makes_nan_and_infinity_null_at_any_depth() -> None:
    assert finite({"a": [1.234567, float("nan")], "b": (np.float64(math.inf), np.int64(3)), "c": "x", "d": None}) == {
        "a": [1.2346, None], "b": [None, 3], "c": "x", "d": None}
    assert isinstance(finite(np.int64(3)), int) and finite(-0.00001) == -0.0


def test_every_candidate_and_rater_figure_is_the_estimates_own_and_ranks_count_within_each_group() -> None:
    left = simulate(1, candidates=12, raters=3, halo=0.3).ratings
    right = [Rating("s" + r.candidate, "t" + r.rater, r.dimension, r.score)
             for r in simulate(2, candidates=8, raters=3).ratings]
    fit = calibrate(left + right)
    out = calibration_fields(fit)
    for e, row in zip(fit.candidates, out["candidates"], strict=True):
        assert row["candidate"] == e.candidate and row["group"] == e.group
        for key in ("score", "low", "high", "se", "fair_average", "raw_mean"):
            assert row[key] == pytest.approx(getattr(e, key), abs=1e-4)
        assert (row["ratings"], row["raters"]) == (e.ratings, e.raters)
        assert row["flags"] == [{"code": code, "reading": READINGS[code]} for code in e.flags]
    for group in (1, 2):
        assert [c["rank_in_group"] for c in out["candidates"] if c["group"] == group] == list(
            range(1, sum(e.group == group for e in fit.candidates) + 1))
    for e, row in zip(fit.raters, out["raters"], strict=True):
        assert (row["rater"], row["group"], row["ratings"]) == (e.rater, e.group, e.ratings)
        assert row["leniency"] == pytest.approx(e.leniency, abs=1e-4) and row["se"] == pytest.approx(e.se, abs=1e-4)
    assert [b["flagged"] for b in out["bias"]] == [abs(b.t) >= 2 for b in fit.diagnostics.bias]  # type: ignore[union-attr]
    facets = fit.diagnostics.facets  # type: ignore[union-attr]
    assert out["reliability"]["candidates"]["reliability"] == pytest.approx(facets["candidates"].reliability, abs=1e-4)
    assert out["reliability"]["raters"]["separation"] == pytest.approx(facets["raters"].separation, abs=1e-4)
    assert out["warnings"] == [{"code": w.code, "message": w.message} for w in fit.warnings]
    assert (out["groups"], out["iterations"], out["converged"]) == (2, fit.iterations, fit.converged)
    assert out["variances"] == {k: pytest.approx(v, abs=1e-4) for k, v in fit.variances.items()}


def test_model_based_agreement_is_read_from_the_variance_components_of_each_dimension() -> None:
    ratings = simulate(5, candidates=40, raters=6, per_candidate=3, dimensions=2).ratings
    ratings = [r for r in ratings if not (r.candidate in ("c0", "c1") and r.rater == min(
        x.rater for x in ratings if x.candidate == r.candidate))]  # two candidates with two interviewers, not three
    rows = {row["dimension"]: row for row in agreement_fields(ratings)["dimensions"]}
    for dimension, row in rows.items():
        v = calibrate([r for r in ratings if r.dimension == dimension]).variances
        c, r, e = v["candidate"], v["rater"], v["residual"] + v["pair"]
        raters = 40 / (38 / 3 + 2 / 2)
        assert row["raters_per_candidate"] == pytest.approx(raters, abs=1e-4)
        assert row["icc_agreement"] == pytest.approx(c / (c + r + e), abs=1e-4)
        assert row["icc_consistency"] == pytest.approx(c / (c + e), abs=1e-4)
        assert row["g_coefficient"] == pytest.approx(c / (c + (r + e) / raters), abs=1e-4)
        assert row["icc1_1"] is None and "complete table" in row["reasons"]["icc1_1"]


def test_the_indistinct_candidates_notice_reads_by_how_much_and_stops_at_half() -> None:
    assert reliability_notices(0.5, 10) == [] and reliability_notices(None, 1) == []
    [none] = reliability_notices(None, 10)
    assert none.code == "candidates_indistinct" and none.message.startswith(
        "The ratings do not tell the candidates apart: their scores differ no more than noise and leniency would "
        "make them. Read the ranking as a tie. More interviewers")
    [zero] = reliability_notices(0.0, 3)
    assert zero.message == none.message
    [rough] = reliability_notices(0.46, 10)
    assert rough.message.startswith("The ratings tell the candidates apart only roughly: 46% of the spread")
    assert rough.message.endswith("would sharpen it.")


def test_the_chance_ahead_of_two_exact_estimates_is_certain_either_way_or_a_coin_toss() -> None:
    def exact(score: float):  # type: ignore[no-untyped-def]
        return estimate("x", score, score, score)

    assert chance_ahead(exact(3.0), exact(2.0)) == 1.0
    assert chance_ahead(exact(2.0), exact(3.0)) == 0.0
    assert chance_ahead(exact(2.0), exact(2.0)) == 0.5
