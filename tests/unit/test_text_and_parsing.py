"""The rules for names and titles, and the depth count that guards the JSON parser."""

from __future__ import annotations

import re

import pytest

from assess.domain.text import (
    SINGLE_LINE_PATTERN, describe, first_hidden, hidden_character_problem, one_line, without_hidden, without_nul,
)
from assess.web.parsing import MAX_JSON_DEPTH, nesting_depth


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\x85", "\u200b", "\u2060", "\ufeff",
                                  "\u202a", "\u202e", "\u2066", "\u2069", "\u2028", "\n", "\t"])
def test_a_name_with_a_hidden_character_is_refused_naming_the_character(char: str) -> None:
    problem = hidden_character_problem(f"Ann{char}e", "The name")
    assert problem is not None
    assert problem.startswith("The name contains an invisible character (U+")
    assert f"U+{ord(char):04X}" in problem


def test_the_message_gives_the_unicode_name() -> None:
    assert hidden_character_problem("x\u202ey", "The title") == (
        "The title contains an invisible character (U+202E RIGHT-TO-LEFT OVERRIDE); remove it and try again.")
    assert describe("\x00") == "U+0000 NULL"


@pytest.mark.parametrize("name", ["Zoë Ångström", "李小龍", "محمد", "O'Brien-Smith", "Renée\u0301"])
def test_names_in_any_script_are_accepted(name: str) -> None:
    assert hidden_character_problem(name, "The name") is None


def test_a_joiner_between_two_letters_is_spelling_but_anywhere_else_it_is_refused() -> None:
    assert hidden_character_problem("\u0645\u06cc\u200c\u0634\u0648\u062f", "The name") is None
    assert hidden_character_problem("\u0915\u094d\u200d\u0937", "The name") is None
    for placed in ("\u200cAnne", "Anne\u200d", "Ann \u200c e", "1\u200c2"):
        assert hidden_character_problem(placed, "The name") is not None, placed


def test_multiline_text_keeps_line_breaks_and_tabs_but_not_overrides() -> None:
    assert first_hidden("line one\r\n\tline two", multiline=True) is None
    assert first_hidden("line\u202e two", multiline=True) == "\u202e"


def test_nul_is_removed_and_nothing_else() -> None:
    assert without_nul("a\x00b\n\tc\u202e") == "ab\n\tc\u202e"


@pytest.mark.parametrize("document,depth", [
    ("1", 0), ("[]", 1), ('{"a": [1, {"b": []}]}', 4), ('["[[[[", "\\"[["]', 1), (b"[[1]]", 2),
])
def test_nesting_depth_counts_brackets_outside_strings(document: str | bytes, depth: int) -> None:
    assert nesting_depth(document) == depth


def test_nesting_depth_stops_counting_past_the_limit() -> None:
    assert nesting_depth("[" * 100_000 + "]" * 100_000) == MAX_JSON_DEPTH + 1


def test_the_schema_pattern_and_the_rule_agree_on_every_character_of_the_first_plane() -> None:
    pattern = re.compile(SINGLE_LINE_PATTERN)
    disagree = [hex(code) for code in range(0x10000) if 0xD800 > code or code > 0xDFFF
                if (pattern.fullmatch(chr(code)) is None) != (first_hidden(chr(code)) is not None)]
    assert not disagree


def test_text_we_did_not_type_loses_its_hidden_characters_but_keeps_lines_and_spelling() -> None:
    persian = "\u0645\u06cc\u200c\u0634\u0648\u062f"
    assert without_hidden(f"a\u202eb\u200bc\u2066d\u2069\ufeff\x07\nnext\tline {persian}") == f"abcd\nnext\tline {persian}"
    assert without_hidden("one\ntwo", multiline=False) == "onetwo"
    tags_and_marks = "\U000e0041\U000e0042\ue000\u2062\u2064\ufff9\u00ad\u200e\u061c\u180e\u3164\u115f\u034f\u17b4"
    assert without_hidden(f"a{tags_and_marks}b\u2028c\u2029d") == "ab\nc\nd"
    assert without_hidden("café ✔\ufe0f 日本 🇮🇪") == "café ✔\ufe0f 日本 🇮🇪"
    assert first_hidden(without_hidden("x\u202e\u200d\u200cy \u200d")) is None


def test_someone_elses_words_become_one_short_line_of_ours() -> None:
    assert one_line("  Bad\u202e request:\n\n  try   again ", 40) == "Bad request: try again"
    assert one_line("word " * 20, 12) == "word word wo…"
