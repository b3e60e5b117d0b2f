"""Small domain rules pinned on their boundaries: assignment, autosave copies, deadlines, recipients, text, links."""

from __future__ import annotations

import hashlib
import string
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assess.domain.assignment import WorkItem, plan_assignments
from assess.domain.autosave import copy_is_newer
from assess.domain.links import hash_token, new_token
from assess.domain.recipients import BadLine, Recipient, parse_recipients
from assess.domain.spreadsheet import to_csv
from assess.domain.text import (
    first_control,
    tidy_line,
    SINGLE_LINE_PATTERN,
    _escaped,
    _joins_letters,
    describe,
    first_hidden,
    hidden_character_problem,
    is_hidden,
)
from assess.domain.timing import Deadline, deadline_for

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


# -- assignment ------------------------------------------------------------------


def test_interviewers_already_on_a_candidate_count_as_having_seen_their_work() -> None:
    items = [WorkItem(1, candidate_id=7, assigned=frozenset({1})), WorkItem(2, candidate_id=7)]
    assert plan_assignments(items, interviewers=[1, 2], per_item=1).pairs == [(2, 2)]


def test_each_assignment_adds_one_to_the_interviewers_load() -> None:
    items = [WorkItem(i, candidate_id=i) for i in (1, 2, 3)]
    plan = plan_assignments(items, interviewers=[1, 2], per_item=1, load={2: 1})
    assert plan.pairs == [(1, 1), (2, 1), (3, 2)]
    assert plan.short == []


def test_each_assignment_adds_one_to_what_the_interviewer_has_seen_of_the_candidate() -> None:
    items = [WorkItem(i, candidate_id=5) for i in (1, 2, 3, 4)]
    plan = plan_assignments(items, interviewers=[1, 2], per_item=1, load={2: 10})
    assert plan.pairs == [(1, 1), (2, 2), (3, 1), (4, 2)]


def test_an_item_short_of_interviewers_is_reported_once_with_what_could_be_given() -> None:
    plan = plan_assignments([WorkItem(1, 1), WorkItem(2, 2, frozenset({3}))], interviewers=[3], per_item=2)
    assert plan.pairs == [(1, 3)]
    assert plan.short == [1, 2]


# -- autosave copies ---------------------------------------------------------------


def test_a_kept_copy_is_replaced_by_the_same_or_a_later_save_of_its_tab() -> None:
    assert copy_is_newer(None, 1) is True
    assert copy_is_newer(3, 4) is True
    assert copy_is_newer(3, 3) is True
    assert copy_is_newer(3, 2) is False


# -- deadlines ----------------------------------------------------------------------


def test_a_limit_of_one_minute_and_no_extension_are_allowed_and_nothing_less() -> None:
    assert deadline_for(START, 1) == Deadline(START + timedelta(minutes=1))
    assert deadline_for(START, 1, 0) == Deadline(START + timedelta(minutes=1))
    with pytest.raises(ValueError, match="^a time limit must be positive$"):
        deadline_for(START, 0)
    with pytest.raises(ValueError, match="^an extension cannot be negative$"):
        deadline_for(START, 30, -1)


def test_an_extension_must_be_at_least_a_minute() -> None:
    deadline = deadline_for(START, 30)
    assert deadline.extended(1) == Deadline(START + timedelta(minutes=31))
    for minutes in (0, -5):
        with pytest.raises(ValueError, match="^an extension must be positive$"):
            deadline.extended(minutes)


# -- recipients ---------------------------------------------------------------------


def test_each_shape_of_line_gives_the_name_and_address() -> None:
    text = '\n'.join([
        '"Ada Lovelace" <ada@example.org>',
        "Grace Hopper; grace@example.org",
        "alan@example.org\tAlan Turing",
        '  "edsger@example.org" ,  Edsger  Dijkstra ',
        "",
        "Two <a@example.org> <b@example.org>",
        "no address here",
        "x@example.org, y@example.org",
        "<>",
        "Line\u2028Sep <lsep@example.org>",  # a line separator inside a line is not a line break
    ])
    recipients, bad = parse_recipients(text)
    assert recipients == [
        Recipient(1, "Ada Lovelace", "ada@example.org"),
        Recipient(2, "Grace Hopper", "grace@example.org"),
        Recipient(3, "Alan Turing", "alan@example.org"),
        Recipient(4, "Edsger Dijkstra", "edsger@example.org"),
        Recipient(10, "Line\u2028Sep", "lsep@example.org"),
    ]
    assert bad == [
        BadLine(6, "Two <a@example.org> <b@example.org>", "expected one email address on this line"),  # not one
        BadLine(7, "no address here", "expected one email address on this line"),
        BadLine(8, "x@example.org, y@example.org", "expected one email address on this line"),
        BadLine(9, "<>", "expected one email address on this line"),
    ]


# -- text -----------------------------------------------------------------------------


def test_a_joiner_joins_only_two_letters_or_marks() -> None:
    assert _joins_letters("a\u200cb", 1) is True
    assert _joins_letters("\u0915\u094d\u200d\u0937", 2) is True  # after a combining mark
    assert _joins_letters("\u200cb", 0) is False
    assert _joins_letters("a\u200c", 1) is False
    assert _joins_letters("a\u200c1", 1) is False
    assert _joins_letters("1\u200cb", 1) is False
    assert _joins_letters("a\u200bb", 1) is False  # a zero-width space is never spelling
    assert _joins_letters("\U0001f469\u200d\U0001f4bb", 1) is True  # one emoji: a woman technologist
    assert _joins_letters("\u2764\ufe0f\u200d\U0001f525", 2) is True  # after a variation selector
    assert _joins_letters(" \u200d\U0001f525", 1) is False


def test_line_separators_are_hidden_in_a_single_line_only_and_line_breaks_in_multiline_are_not() -> None:
    for char in ("\u2028", "\u2029"):
        assert is_hidden(char) is True
        assert is_hidden(char, multiline=True) is False
    for char in "\n\r\t":
        assert is_hidden(char) is True
        assert is_hidden(char, multiline=True) is False
    assert is_hidden("\x1b", multiline=True) is True
    assert is_hidden("a") is False
    assert first_hidden("ok\u200ca") is None
    assert first_hidden("a\u200c", multiline=True) == "\u200c"


def test_a_character_is_described_by_its_code_point_and_name_or_alias() -> None:
    assert describe("\u202e") == "U+202E RIGHT-TO-LEFT OVERRIDE"
    assert describe("\x00") == "U+0000 NULL"
    assert describe("\x1b") == "U+001B ESCAPE"
    assert describe("\x7f") == "U+007F DELETE"
    assert describe("\x01") == "U+0001 CONTROL CHARACTER"
    assert describe("\U000e0001") == "U+E0001 LANGUAGE TAG"


def test_the_problem_names_the_field_and_the_character() -> None:
    assert hidden_character_problem("Ada\u200b", "The name") == (
        "The name contains an invisible character (U+200B ZERO WIDTH SPACE); remove it and try again."
    )
    assert hidden_character_problem("line\nbreak", "The text", multiline=True) is None
    assert hidden_character_problem("Ada", "The name") is None


def test_the_single_line_pattern_escapes_each_character_as_four_hex_digits() -> None:
    assert _escaped("\u200b\x0a") == "\\u200b\\u000a"
    assert SINGLE_LINE_PATTERN.startswith("^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u200b")
    assert SINGLE_LINE_PATTERN.endswith("\\u2069\\ufeff]*$")


# -- links and spreadsheets -------------------------------------------------------------


def test_a_token_is_43_url_safe_characters_and_its_hash_is_sha256_hex() -> None:
    token = new_token()
    assert len(token) == 43 and set(token) <= set(string.ascii_letters + string.digits + "-_")
    assert hash_token("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert hash_token("é") == hashlib.sha256(b"\xc3\xa9").hexdigest()


def test_a_csv_starts_with_a_byte_order_mark_and_has_crlf_lines_and_safe_cells() -> None:
    assert to_csv(["name", "=x"], [["a,b", 1], [None, "-2"]]) == '\ufeffname,\'=x\r\n"a,b",1\r\n,\'-2\r\n'
    assert to_csv(["h"], []) == "\ufeffh\r\n"


def test_only_quotes_and_spaces_are_trimmed_from_names() -> None:
    recipients, bad = parse_recipients('"Xavier X" <xavier@example.org>\n"Xena X", xena@example.org\n')
    assert recipients == [Recipient(1, "Xavier X", "xavier@example.org"), Recipient(2, "Xena X", "xena@example.org")]
    assert bad == []


def test_assignments_made_here_count_as_much_as_those_already_there() -> None:
    items = [WorkItem(1, 5, frozenset({2})), WorkItem(2, 5, frozenset({2})), WorkItem(3, 5), WorkItem(4, 5)]
    assert plan_assignments(items, interviewers=[1, 2], per_item=1, load={1: 10}).pairs == [(3, 1), (4, 1)]


@given(st.text())
def test_a_tidied_line_is_composed_single_spaced_and_tidying_it_again_changes_nothing(text: str) -> None:
    tidy = tidy_line(text)
    assert tidy == tidy_line(tidy) and unicodedata.is_normalized("NFC", tidy)
    assert "  " not in tidy and tidy == tidy.strip()


def test_a_control_character_is_found_and_joiners_marks_and_emoji_are_not() -> None:
    assert first_control("Ana\nLi") == "\n" and first_control("a\x00") == "\x00"
    assert first_control("\u0645\u06cc\u200c\u0634 \U0001f469\u200d\U0001f4bb \u200f") is None
