"""Properties of the calibration on any ratings a file may hold: strict JSON out, intervals that never claim
more precision than whole-point ratings allow, and results that do not depend on names or row order."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assess.domain.calibration import DesignError, Rating, calibrate
from assess.domain.calibration_output import agreement_fields, calibration_fields

cells = st.tuples(st.integers(0, 5), st.integers(0, 3), st.integers(0, 2))
panels = st.dictionaries(cells, st.integers(1, 5), min_size=3, max_size=60).map(
    lambda found: [Rating(f"c{c}", f"r{r}", f"d{d}", float(score)) for (c, r, d), score in found.items()])


def strict(data: object) -> str:
    return json.dumps(data, allow_nan=False)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(panels)
def test_any_panel_gives_strict_json_or_a_reason(ratings: list[Rating]) -> None:
    try:
        fit = calibrate(ratings)
    except DesignError as error:
        assert str(error).endswith(".")
        return
    strict(calibration_fields(fit))
    rows = agreement_fields(ratings)["dimensions"]
    strict(rows)
    for row in rows:
        assert all(row["reasons"].get(key) for key, value in row.items() if value is None)
    for e in fit.candidates:
        assert e.low <= e.score <= e.high
        # a candidate's ratings are whole points: the interval is never narrower than rounding alone allows
        assert e.se >= np.sqrt(1 / 12 / e.ratings) * 0.99
    assert fit.variances["residual"] >= 1 / 12
    # No fit runs away: a handful of extreme ratings can place a score a few points past the scale (a 1 from an
    # interviewer whose other rating reads as very lenient), never three scale widths past it.
    assert all(-11 < e.score < 17 for e in fit.candidates), [(e.candidate, e.score) for e in fit.candidates]
    # Ratings at an end are read as censored, or a warning says why not (every rating the same is a tie anyway).
    codes = {w.code for w in fit.warnings}
    assert fit.censored or not any(r.score in (1, 5) for r in ratings) or codes & {"ends_as_ratings", "constant_ratings"}


@settings(max_examples=25, deadline=None)
@given(panels, st.randoms(use_true_random=False))
def test_names_and_row_order_change_nothing(ratings: list[Rating], rng) -> None:  # type: ignore[no-untyped-def]
    try:
        fit = calibrate(ratings)
    except DesignError:
        return
    shuffled = list(ratings)
    rng.shuffle(shuffled)
    renamed = [Rating("x" + r.candidate[::-1], "y" + r.rater, "z" + r.dimension, r.score) for r in shuffled]
    other = calibrate(renamed)
    mine = {e.candidate: e for e in fit.candidates}
    for e in other.candidates:
        original = mine[e.candidate[1:][::-1]]
        assert e.score == pytest.approx(original.score, abs=1e-5)
        assert e.se == pytest.approx(original.se, abs=1e-4)
        assert e.group == original.group or fit.groups > 1
