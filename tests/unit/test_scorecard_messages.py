"""What an interviewer is told before a scorecard can be submitted, and the debrief and calibration rules."""

from __future__ import annotations

import pytest

from assess.config import PROJECT_ROOT
from assess.content import load_library
from assess.domain.scoring import (
    DEBRIEF_GAP,
    Disagreement,
    Problem,
    RatingInput,
    ScorecardInput,
    disagreements,
    passes_calibration,
    problems_before_submitting,
)

SCORECARD = load_library(PROJECT_ROOT).scorecard("a-mini-prd").content  # scale 1-5


def given(recommendation: str | None = "yes", **changes: RatingInput | None) -> ScorecardInput:
    ratings = {key: RatingInput(3) for key in SCORECARD.dimension_keys} | changes
    return ScorecardInput({k: v for k, v in ratings.items() if v is not None}, recommendation)


def test_each_problem_says_what_to_do() -> None:
    problems = problems_before_submitting(SCORECARD, given(
        None,
        problem_framing=None,
        communication=RatingInput(None),
        requirements_quality=RatingInput(6, "", ("crisp_summary", "testable_criteria", "made_up")),
        customer_empathy=RatingInput(1, " \n "),
        analytics_measurement=RatingInput(0, "Because."),
    ))
    assert problems == [
        Problem("problem_framing", "Rate Problem framing from 1 to 5."),
        Problem("requirements_quality", "Requirements quality: 6 is not on the 1-5 scale."),
        Problem("requirements_quality", "Requirements quality: unknown signals crisp_summary, made_up."),
        Problem("analytics_measurement", "Analytics & measurement: 0 is not on the 1-5 scale."),
        Problem("communication", "Rate Communication from 1 to 5."),
        Problem("customer_empathy",
                "Customer empathy: a rating of 1 needs an evidence note saying what in the work shows it."),
        Problem("recommendation", "Choose an overall recommendation."),
    ]


@pytest.mark.parametrize("score", [2, 4])
def test_scores_inside_the_ends_need_no_evidence(score: int) -> None:
    assert problems_before_submitting(SCORECARD, given(communication=RatingInput(score, ""))) == []


def test_every_recommendation_of_the_scorecard_is_accepted_and_nothing_else() -> None:
    for recommendation in ("strong_no", "no", "yes", "strong_yes"):
        assert problems_before_submitting(SCORECARD, given(recommendation)) == []
    assert problems_before_submitting(SCORECARD, given("maybe")) == [
        Problem("recommendation", "Choose an overall recommendation.")
    ]


def test_a_disagreement_is_two_points_or_more_widest_first_with_the_raters_at_either_end() -> None:
    assert DEBRIEF_GAP == 2
    found = disagreements({
        "ann": {"framing": 1, "clarity": 3, "depth": 2, "tone": 4},
        "bob": {"framing": 5, "clarity": 5, "depth": 3, "tone": None},
        "cy": {"framing": 3, "clarity": 1, "depth": 3},
        "dee": {"framing": 5, "tone": 1},
    })
    assert found == [
        Disagreement("clarity", 1, 5, ("bob", "cy")),
        Disagreement("framing", 1, 5, ("ann", "bob", "dee")),
        Disagreement("tone", 1, 4, ("ann", "dee")),
    ]
    assert [d.gap for d in found] == [4, 4, 3]
    assert disagreements({"ann": {"depth": 2}, "bob": {"depth": 3}}) == []
    assert disagreements({"ann": {"depth": 2}, "bob": {"depth": 3}}, gap=1) == [Disagreement("depth", 2, 3, ("ann", "bob"))]
    assert disagreements({"ann": {"depth": 2}, "bob": {"depth": 4}}, gap=3) == []


def test_passing_calibration_needs_more_than_half_the_dimensions_within_tolerance() -> None:
    reference = {"a": 3, "b": 3, "c": 3, "d": 3}
    assert passes_calibration({"a": 4, "b": 2, "c": 3, "d": 1}, reference) is True  # 3 of 4 within one
    assert passes_calibration({"a": 4, "b": 2, "c": 5, "d": 1}, reference) is False  # 2 of 4 is not more than half
    assert passes_calibration({"a": 3, "b": 3, "c": 5}, reference) is False  # a missing score is not close
    assert passes_calibration({"a": 5, "b": 5, "c": 3, "d": 3}, reference, tolerance=2) is True
    assert passes_calibration({"a": 5, "b": 5, "c": 5, "d": 3}, reference, tolerance=1) is False
    assert passes_calibration({"a": 3, "b": 3, "c": 1}, {"a": 3, "b": 3, "c": 3}) is True
    assert passes_calibration({"a": 3}, {"a": 3}) is True
    assert passes_calibration({}, {}) is False


def test_a_dimension_only_one_rater_scored_does_not_hide_the_others() -> None:
    assert disagreements({"ann": {"solo": 1, "depth": 1}, "bob": {"depth": 5}}) == [
        Disagreement("depth", 1, 5, ("ann", "bob"))
    ]
