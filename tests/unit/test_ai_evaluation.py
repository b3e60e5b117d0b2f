"""The benchmark report's statistics: worked by hand, checked against statsmodels, and held to their properties."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.inter_rater import cohens_kappa

from assess.ai.evaluation import RESAMPLES, Run, figures
from assess.config import Config
from assess.domain.agreement import (
    adjacent_agreement,
    clustered_kappa_interval,
    confusion_table,
    exact_agreement,
    mean_difference,
    quadratic_weighted_kappa,
)
from assess.services.ai_reports import SETUP_VARIABLES

scores = st.integers(1, 5)
pairs = st.tuples(scores, scores)
PROPERTY = settings(max_examples=200, deadline=None, derandomize=True, database=None)


def _statsmodels_kappa(first: list[int], second: list[int]) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(cohens_kappa(confusion_table(first, second), wt="quadratic").kappa)


# -- worked by hand ------------------------------------------------------------------------------


def test_kappa_of_a_small_table_worked_by_hand() -> None:
    # Pairs (1,1), (2,2), (3,2): the one disagreement weighs 1. Expected counts are the margins' products
    # over 3; their weighted sum is 2/3 + 1/3 + 4/3 + 2/3 = 3. Kappa = 1 - 1/3.
    assert quadratic_weighted_kappa([1, 2, 3], [1, 2, 2]) == pytest.approx(2 / 3)


def test_agreement_shares_and_mean_difference_worked_by_hand() -> None:
    reference, model = [1, 2, 3, 4], [1, 3, 5, 4]
    assert exact_agreement(reference, model) == 0.5
    assert adjacent_agreement(reference, model) == 0.75
    assert mean_difference(reference, model) == 0.75  # the model above the reference: (0 + 1 + 2 + 0) / 4
    assert mean_difference(model, reference) == -0.75


def test_the_interval_of_two_opposite_answers_spans_from_full_disagreement_to_full_agreement() -> None:
    # Resampling two answers gives AA (kappa 1) a quarter of the time, BB (kappa -1) a quarter, AB half:
    # the 5th and 95th percentiles are -1 and 1.
    agree, oppose = [(1, 1), (5, 5)], [(1, 5), (5, 1)]
    interval = clustered_kappa_interval([agree, oppose], seed=3)
    assert interval is not None
    assert (interval.low, interval.high) == (pytest.approx(-1.0), pytest.approx(1.0))
    assert (interval.level, interval.resamples, interval.used) == (0.9, 2000, 2000)


def test_resampling_whole_answers_widens_the_interval_when_an_answers_ratings_move_together() -> None:
    answers = [[(r, m)] * 3 for r, m in [(1, 1), (2, 3), (3, 3), (4, 2), (5, 5), (2, 2), (3, 4), (4, 4)]]
    by_answer = clustered_kappa_interval(answers, seed=1)
    by_rating = clustered_kappa_interval([[p] for answer in answers for p in answer], seed=1)
    assert by_answer is not None and by_rating is not None
    assert by_answer.high - by_answer.low > 1.3 * (by_rating.high - by_rating.low)


def test_the_interval_is_reproducible_and_depends_on_its_seed() -> None:
    answers = [[(1, 2), (3, 3)], [(2, 2)], [(4, 5), (5, 5)], [(3, 1)], [(2, 3), (4, 4)]]
    first = clustered_kappa_interval(answers, seed=15)
    assert first == clustered_kappa_interval(answers, seed=15)
    assert first != clustered_kappa_interval(answers, seed=16)


# -- edges -------------------------------------------------------------------------------------------


def test_all_ratings_equal_leave_kappa_and_its_interval_undefined() -> None:
    assert quadratic_weighted_kappa([3, 3, 3], [3, 3, 3]) is None
    assert clustered_kappa_interval([[(3, 3)], [(3, 3)]]) is None
    assert exact_agreement([3, 3], [3, 3]) == adjacent_agreement([3, 3], [3, 3]) == 1.0


def test_one_answer_gives_no_interval_and_no_pairs_give_no_figure() -> None:
    assert clustered_kappa_interval([[(1, 1), (2, 3), (5, 4)]]) is None
    assert clustered_kappa_interval([]) is None
    assert exact_agreement([], []) is None and adjacent_agreement([], []) is None
    assert mean_difference([], []) is None and quadratic_weighted_kappa([], []) is None
    with pytest.raises(ValueError, match="same items"):
        exact_agreement([1], [])


def test_a_resample_without_a_kappa_is_left_out_and_counted() -> None:
    # Drawing the first answer twice leaves every score 3: a quarter of the resamples have no kappa.
    interval = clustered_kappa_interval([[(3, 3)], [(1, 2), (4, 5)]], seed=2)
    assert interval is not None
    assert 1300 < interval.used < 1700


# -- properties ----------------------------------------------------------------------------------


@PROPERTY
@given(st.lists(pairs, min_size=2, max_size=30))
def test_kappa_matches_statsmodels_wherever_it_is_defined(drawn: list[tuple[int, int]]) -> None:
    first, second = [a for a, _ in drawn], [b for _, b in drawn]
    kappa = quadratic_weighted_kappa(first, second)
    if len(set(first) | set(second)) == 1:
        assert kappa is None
    else:
        assert kappa == pytest.approx(_statsmodels_kappa(first, second), abs=1e-12)
        assert -1 - 1e-12 <= kappa <= 1 + 1e-12


@PROPERTY
@given(st.lists(scores, min_size=1, max_size=30))
def test_kappa_of_identical_lists_is_one_unless_every_score_is_the_same(ratings: list[int]) -> None:
    kappa = quadratic_weighted_kappa(ratings, ratings)
    if len(ratings) >= 2 and len(set(ratings)) > 1:
        assert kappa == pytest.approx(1.0)
    else:
        assert kappa is None


@PROPERTY
@given(st.lists(pairs, min_size=1, max_size=30))
def test_exact_agreement_never_exceeds_agreement_within_one_point(drawn: list[tuple[int, int]]) -> None:
    first, second = [a for a, _ in drawn], [b for _, b in drawn]
    exact, adjacent = exact_agreement(first, second), adjacent_agreement(first, second)
    assert exact is not None and adjacent is not None
    assert 0 <= exact <= adjacent <= 1


@PROPERTY
@given(st.lists(st.lists(pairs, min_size=1, max_size=4), min_size=2, max_size=10), st.integers(0, 2**16))
def test_the_interval_contains_the_point_estimate(clusters: list[list[tuple[int, int]]], seed: int) -> None:
    flat = [p for c in clusters for p in c]
    kappa = quadratic_weighted_kappa([a for a, _ in flat], [b for _, b in flat])
    interval = clustered_kappa_interval(clusters, resamples=400, seed=seed)
    if kappa is None:
        return
    assert interval is not None and 0 < interval.used <= 400
    assert interval.low - 1e-9 <= kappa <= interval.high + 1e-9


# -- the report --------------------------------------------------------------------------------------


def _run(benchmark: str, reference: dict[str, int], predicted: dict[str, int], *, injected: bool = False,
         flagged: bool = False, error: str | None = None) -> Run:
    return Run("x", benchmark, "weak" if benchmark == "weak" else "meets", injected, reference,
               {} if error else predicted, flagged, error)


def test_the_report_gives_each_figure_per_dimension_and_overall_and_the_inflation() -> None:
    runs = [
        _run("weak", {"a": 1, "b": 2}, {"a": 2, "b": 2}),
        _run("weak", {"a": 1, "b": 2}, {"a": 5, "b": 4}, injected=True, flagged=True),
        _run("meets", {"a": 3, "b": 3}, {"a": 3, "b": 4}),
        _run("strong", {"a": 5, "b": 4}, {"a": 5, "b": 4}),
        _run("borderline", {"a": 2, "b": 3}, {}, error="The AI provider answered with an error (HTTP 500)."),
    ]
    report = figures(runs)
    assert (report["drafts"], report["failures"]) == (5, 1)
    assert report["failed"] == [{"answer": "x/borderline", "error": "The AI provider answered with an error (HTTP 500)."}]
    overall = report["overall"]
    assert (overall["answers"], overall["ratings"]) == (3, 6)
    assert overall["exact"] == pytest.approx(4 / 6) and overall["adjacent"] == 1.0
    assert overall["mean_difference"] == pytest.approx(2 / 6)
    assert overall["kappa"] == pytest.approx(_statsmodels_kappa([1, 2, 3, 3, 5, 4], [2, 2, 3, 4, 5, 4]))
    assert overall["interval"][0] <= overall["kappa"] <= overall["interval"][1]
    a = report["dimensions"]["a"]
    assert (a["answers"], a["exact"], a["mean_difference"]) == (3, pytest.approx(2 / 3), pytest.approx(1 / 3))
    assert a["kappa"] == pytest.approx(_statsmodels_kappa([1, 3, 5], [2, 3, 5]))
    injection = report["injection"]
    # Against the model's own clean draft of the weak answer: a 2 -> 5 (+3), b 2 -> 4 (+2).
    assert injection == {"injected": 1, "flagged": 1, "compared": 1, "inflation": 2.5,
                         "by_dimension": {"a": 3.0, "b": 2.0}, "missing": {}}
    assert report["bootstrap"] == {"resamples": RESAMPLES, "level": 0.9, "seed": 15, "resampled": "benchmark answers"}
    json.dumps(report, allow_nan=False)


def test_a_figure_that_cannot_be_computed_is_null_with_its_reason_and_the_json_stays_valid() -> None:
    runs = [_run("meets", {"a": 3}, {"a": 3}), _run("strong", {"a": 3}, {"a": 3}),
            _run("weak", {"a": 3}, {}, error="timeout"), _run("weak", {"a": 3}, {}, injected=True, error="timeout")]
    report = figures(runs)
    assert report["overall"]["kappa"] is None and report["overall"]["interval"] is None
    assert "every score" in report["overall"]["missing"]["kappa"]
    assert report["overall"]["exact"] == 1.0
    assert report["injection"]["inflation"] is None and "was drafted" in report["injection"]["missing"]["inflation"]
    text = json.dumps(report, allow_nan=False)
    assert "NaN" not in text and "Infinity" not in text


def test_a_dimension_no_draft_reached_says_so() -> None:
    report = figures([_run("meets", {"a": 3}, {}, error="timeout")])
    assert report["dimensions"]["a"]["kappa"] is None
    assert report["dimensions"]["a"]["missing"]["exact"] == "no benchmark answer on this dimension was drafted"
    assert report["overall"]["answers"] == 0


def test_the_setup_an_admin_reads_is_what_the_configuration_reads() -> None:
    base = Config.from_env({})
    examples = {"OPENAI_API_KEY": "k", "ASSESS_AI_MODEL": "m", "OPENAI_BASE_URL": "http://127.0.0.1:1/v1",
                "ASSESS_AI_TIMEOUT": "5"}
    assert [name for name, _, _ in SETUP_VARIABLES] == list(examples)
    for name, value in examples.items():
        assert Config.from_env({name: value}) != base, f"{name} is not read by the configuration"
    assert Config.from_env({"OPENAI_API_KEY": "k", "ASSESS_AI_MODEL": "m"}).ai_configured
