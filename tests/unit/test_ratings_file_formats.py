"""The ratings file reads the app's own exports as downloaded, and odd but valid CSV, back to the ratings given."""

from __future__ import annotations

import re

import pytest

from assess.domain.calibration import Rating
from assess.domain.ratings_file import RatingsFileError, read_ratings
from assess.domain.spreadsheet import _FORMULA_STARTS, to_csv
from assess.services.exports import RATINGS_HEADER, SCORECARDS_HEADER

PLAIN = "candidate,rater,dimension,score\n"


def refused(text: str, message: str, **scale: int) -> None:
    with pytest.raises(RatingsFileError, match=f"^{re.escape(message)}$"):
        read_ratings(text, **scale)


def scorecard_row(candidate: str, exercise: str, interviewer: str, dimension: str, score: int | None,
                  evidence: str = "Fine.") -> list[object]:
    return [candidate, exercise, interviewer, dimension, score, evidence, "yes", "2025-03-01T10:00:00+00:00"]


def test_the_scorecards_export_is_read_with_interviewers_as_raters_and_dimensions_within_exercises() -> None:
    text = to_csv(SCORECARDS_HEADER, [
        scorecard_row("Sam", "a-mini-prd", "Tom", "communication", 2),
        scorecard_row("Sam", "c-roleplay", "Tom", "communication", 4),  # the same key in another exercise
        scorecard_row("Sam", "a-mini-prd", "Priya", "communication", 3),
    ])
    assert read_ratings(text) == [
        Rating("Sam", "Tom", "a-mini-prd:communication", 2.0),
        Rating("Sam", "Tom", "c-roleplay:communication", 4.0),
        Rating("Sam", "Priya", "a-mini-prd:communication", 3.0),
    ]


def test_the_ratings_export_is_read() -> None:
    text = to_csv(RATINGS_HEADER, [["c1", "r7", "a-mini-prd", "communication", 5, "2025-03-01T10:00:00+00:00"],
                                   ["c1", "r8", "a-mini-prd", "communication", 1, ""]])
    assert read_ratings(text) == [Rating("c1", "r7", "a-mini-prd:communication", 5.0),
                                  Rating("c1", "r8", "a-mini-prd:communication", 1.0)]


def test_a_rater_column_is_preferred_to_an_interviewer_column() -> None:
    text = "candidate,interviewer,rater,dimension,score\na,Ann Long,ann,x,3\nb,Bob Long,bob,x,4\n"
    assert [r.rater for r in read_ratings(text)] == ["ann", "bob"]


def test_an_empty_score_is_an_unscored_dimension_in_the_exports_and_an_error_in_the_plain_format() -> None:
    text = to_csv(SCORECARDS_HEADER, [
        scorecard_row("Sam", "a", "Tom", "x", 2),
        scorecard_row("Sam", "a", "Tom", "y", None, evidence=""),
        scorecard_row("Sam", "a", "Priya", "x", 3),
    ])
    assert [r.dimension for r in read_ratings(text)] == ["a:x", "a:x"]
    assert len(read_ratings("candidate,rater,exercise,dimension,score\na,ann,e,x,\na,ann,e,y,3\nb,bob,e,x,2\n")) == 2
    assert len(read_ratings("candidate,rater,dimension,score,evidence\na,ann,x,,none\na,ann,y,3,\nb,bob,x,2,\n")) == 2
    refused(PLAIN + "a,ann,x,3\na,bob,x,\n", "Line 3: score is empty.")
    refused("candidate,rater,exercise,dimension,score\na,ann,,x,3\nb,bob,e,x,2\n", "Line 2: exercise is empty.")


def test_byte_order_mark_crlf_and_blank_lines_as_a_spreadsheet_saves_them() -> None:
    text = "\ufeffcandidate,interviewer,exercise,dimension,score,evidence\r\n\r\n" \
           "a,ann,e,x,3,ok\r\n,,,,,\r\n\r\nb,bob,e,x,4,\"fine\"\r\n\r\n"
    assert read_ratings(text) == [Rating("a", "ann", "e:x", 3.0), Rating("b", "bob", "e:x", 4.0)]


def test_evidence_with_commas_quotes_and_line_breaks_is_one_field_and_later_lines_are_counted_right() -> None:
    evidence = 'Says "ship it", then:\r\n- checks the funnel,\nand the cohort.\n\nDone, = fine'
    text = to_csv(SCORECARDS_HEADER, [scorecard_row("a", "e", "ann", "x", 3, evidence),
                                      scorecard_row("b", "e", "bob", "x", 4, evidence),
                                      scorecard_row("c", "e", "bob", "x", 9)])
    assert text.count("\n") > 8
    lines = re.split(r"\r\n|\r|\n", text)  # as an editor numbers them
    bad = next(number for number, line in enumerate(lines, start=1) if line.startswith("c,"))
    assert bad == 12
    refused(text, f"Line {bad}: score 9 is off the 1-5 scale; use --scale LOW-HIGH if the data uses another.")
    assert read_ratings(text.rsplit("c,e,", 1)[0]) == [Rating("a", "ann", "e:x", 3.0), Rating("b", "bob", "e:x", 4.0)]


def test_a_duplicate_names_the_line_it_starts_on_and_the_first_one() -> None:
    text = to_csv(SCORECARDS_HEADER, [scorecard_row("a", "e", "ann", "x", 3, "two\nlines"),
                                      scorecard_row("a", "e", "bob", "x", 3, "three\nshort\nlines"),
                                      scorecard_row("a", "e", "ann", "x", 4)])
    refused(text, "Line 7: ann rated a on e:x twice (first on line 2); keep one of the two.")


@pytest.mark.parametrize("start", _FORMULA_STARTS, ids=repr)
def test_what_the_spreadsheet_guard_prefixes_is_read_back_as_it_was(start: str) -> None:
    candidate, rater, dimension = f"{start}Bob".strip(), f"{start}ann".strip(), f"{start}x".strip()
    text = to_csv(["candidate", "rater", "dimension", "score"],
                  [[f"{start}Bob", f"{start}ann", f"{start}x", 3], ["+44 Al", "@bo", "x", 4]])
    assert text.splitlines()[1].startswith(("'", '"\''))
    assert read_ratings(text) == [Rating(candidate, rater, dimension, 3.0), Rating("+44 Al", "@bo", "x", 4.0)]


def test_the_prefix_is_removed_only_before_formula_like_text_and_from_scores_too() -> None:
    text = PLAIN + "'O'Brien,ann,x,'-1\n'-Bo,bob,x,2\n"
    assert read_ratings(text, low=-2, high=2) == [Rating("'O'Brien", "ann", "x", -1.0), Rating("-Bo", "bob", "x", 2.0)]


def test_broken_quoting_names_the_line_and_the_fix_instead_of_swallowing_the_rest_of_the_file() -> None:
    fix = "A field that starts with a double quote must end with one, and a double quote inside it is written twice."
    refused(PLAIN + 'a,ann,x,3\nb,bob,"x,4\nc,cy,x,2\n', f"Line 3: unexpected end of data. {fix}")
    refused(PLAIN + 'a,ann,x,3\nb,bob,"x"y,4\n', f"Line 3: ',' expected after '\"'. {fix}")


def test_a_short_row_is_refused_counting_its_fields() -> None:
    refused(PLAIN + "a,ann,x,3\nb,bob\n", "Line 3 has 2 fields where the header has 4; give every row a value (or an empty field) for each column.")


def test_a_file_separated_by_semicolons_is_told_to_use_commas() -> None:
    refused("candidate;rater;dimension;score\na;ann;x;3\n",
            "The header must have the columns candidate, rater (or interviewer), dimension and score, and optionally "
            "exercise, as in the app's scorecards and ratings exports; missing: candidate, rater, dimension, score. "
            "The header looks separated by semicolons; save the file with commas between the columns.")
