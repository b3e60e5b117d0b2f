"""Reading a CSV of ratings: what is accepted, and the exact line and fix each refusal names."""

from __future__ import annotations

import re

import pytest

from assess.domain.calibration import Rating
from assess.domain.ratings_file import RatingsFileError, parse_scale, read_ratings

HEADER = "candidate,rater,dimension,score\n"


def refused(text: str, message: str, **scale: int) -> None:
    with pytest.raises(RatingsFileError, match=f"^{re.escape(message)}$"):
        read_ratings(text, **scale)


def test_a_scale_is_low_dash_high_with_low_below_high() -> None:
    assert parse_scale("1-5") == (1, 5)
    assert parse_scale(" -2 - 2 ") == (-2, 2)
    assert parse_scale("0-10") == (0, 10)
    for text in ("5-5", "5-1", "1-", "one-five", "1-5x"):
        with pytest.raises(RatingsFileError, match=re.escape(
            f"--scale must look like 1-5 (low-high, low below high), not {text!r}."
        )):
            parse_scale(text)


def test_a_file_is_read_with_any_header_case_a_byte_order_mark_and_blank_lines() -> None:
    text = "\ufeff Candidate , RATER,Dimension,score\n a ,ann,x,1\n,,,\n\nb,bob, x ,5\n"
    assert read_ratings(text) == [Rating("a", "ann", "x", 1.0), Rating("b", "bob", "x", 5.0)]
    assert read_ratings(HEADER + "a,ann,x,-2\nb,bob,x,2\n", low=-2, high=2) == [
        Rating("a", "ann", "x", -2.0), Rating("b", "bob", "x", 2.0)
    ]


ACCEPTED = ("The header must have the columns candidate, rater (or interviewer), dimension and score, and "
            "optionally exercise, as in the app's scorecards and ratings exports; missing: ")


def test_missing_columns_are_named_with_the_accepted_headers() -> None:
    refused("candidate,dimension\na,x\n", ACCEPTED + "rater, score.")
    refused("", ACCEPTED + "candidate, rater, dimension, score.")
    refused("\n\n", ACCEPTED + "candidate, rater, dimension, score.")
    refused("candidate,exercise,evidence,dimension\na,e,ok,x\n", ACCEPTED + "rater, score.")


def test_a_column_named_twice_is_refused() -> None:
    refused("candidate,rater,dimension,score,Rater\na,ann,x,3,bob\n",
            "The header names rater more than once; keep one of each.")


def test_each_refused_line_is_named_with_what_to_fix() -> None:
    refused(HEADER + "a,ann,x,3\n\nb,,x,\n", "Line 4: rater, score is empty.")
    refused(HEADER + "a,ann,x,3.5\n", "Line 2: score '3.5' is not a whole number.")
    refused(HEADER + "a,ann,x,4\nb,ann,x,6\n",
            "Line 3: score 6 is off the 1-5 scale; use --scale LOW-HIGH if the data uses another.")
    refused(HEADER + "a,ann,x,0\n",
            "Line 2: score 0 is off the 1-5 scale; use --scale LOW-HIGH if the data uses another.")
    refused(HEADER + "a,ann,x,3\nb,bob,x,2\na,ann,x,4\n",
            "Line 4: ann rated a on x twice (first on line 2); keep one of the two.")


def test_a_file_needs_ratings_from_two_raters() -> None:
    refused(HEADER + "\n,,,\n", "The file has a header but no ratings.")
    refused(HEADER + "a,ann,x,3\nb,ann,x,4\n",
            "Every rating comes from one rater; calibration and agreement need at least two.")


def test_the_same_rater_may_rate_a_candidate_on_other_dimensions() -> None:
    ratings = read_ratings(HEADER + "a,ann,x,3\na,ann,y,3\na,bob,x,4\n")
    assert [(r.rater, r.dimension) for r in ratings] == [("ann", "x"), ("ann", "y"), ("bob", "x")]
