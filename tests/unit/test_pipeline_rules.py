"""The pipeline's rules: which stage the facts show, the funnel the stages make, and how waits are summed up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assess.domain.people_file import PeopleFileError, decoded, read_people
from assess.domain.pipeline import PATH, Facts, Stage, duration_words, funnel, progress_of, stage_of, turnaround


def test_the_furthest_stage_the_facts_show_wins() -> None:
    assert stage_of(Facts()) is Stage.INVITED
    assert stage_of(Facts(opened=True)) is Stage.OPENED
    assert stage_of(Facts(opened=True, started=True, under_way=True)) is Stage.STARTED
    assert stage_of(Facts(started=True, handed_in=True, unscored=True)) is Stage.SUBMITTED
    assert stage_of(Facts(started=True, handed_in=True, under_way=True)) is Stage.SUBMITTED, "work still under way"
    assert stage_of(Facts(started=True, handed_in=True)) is Stage.SCORED
    assert stage_of(Facts(decided=True)) is Stage.DECIDED, "a decision stands whatever else"
    assert progress_of(Facts(decided=True)) is Stage.INVITED, "a decision moves nobody along the way"
    assert progress_of(Facts(started=True, handed_in=True, decided=True)) is Stage.SCORED


COUNTS = st.dictionaries(st.sampled_from(PATH), st.integers(0, 1000))


@given(COUNTS)
def test_a_funnel_only_narrows_and_each_share_is_of_the_stage_before(here: dict[Stage, int]) -> None:
    steps = funnel(here)
    assert [s.stage for s in steps] == PATH and Stage.DECIDED not in PATH
    assert steps[0].reached == sum(here.values())
    for before, after in zip(steps, steps[1:]):
        assert after.reached <= before.reached
        assert before.reached - after.reached == before.here
        if before.reached:
            assert after.of_previous == after.reached / before.reached
        else:
            assert after.of_previous is None
    assert steps[0].of_previous is None
    assert (steps[0].of_invited == 1.0) if steps[0].reached else steps[0].of_invited is None


def test_a_funnel_of_nobody_has_no_shares() -> None:
    assert all(s.reached == 0 and s.of_invited is None and s.of_previous is None for s in funnel({}))


def test_the_median_and_90th_percentile_are_waits_that_happened() -> None:
    hours = [timedelta(hours=h) for h in (5, 1, 3, 2, 4, 10, 6, 7, 8, 9)]
    read = turnaround(hours)
    assert (read.count, read.median, read.p90) == (10, timedelta(hours=5), timedelta(hours=9))
    assert turnaround([timedelta(minutes=3)]).median == timedelta(minutes=3)
    assert turnaround([]).median is None


@pytest.mark.parametrize("wait, words", [
    (None, "none yet"), (timedelta(0), "0 minutes"), (timedelta(minutes=1), "1 minute"),
    (timedelta(minutes=119), "119 minutes"), (timedelta(hours=2), "2 hours"), (timedelta(hours=47), "47 hours"),
    (timedelta(days=2), "2 days"), (timedelta(days=30, hours=13), "31 days"),
])
def test_a_wait_is_said_in_the_unit_a_person_reads_it_in(wait: timedelta | None, words: str) -> None:
    assert duration_words(wait) == words


# -- a spreadsheet of people ---------------------------------------------------------------------------------


def test_a_header_names_the_columns_in_any_order_case_and_separator() -> None:
    for sheet in ("Email,Full Name\nada@example.org,Ada Lovelace\n",
                  "E-mail;NAME\r\nada@example.org;Ada Lovelace\r\n",
                  "last_name\tfirst_name\temail_address\nLovelace\tAda\tada@example.org\n"):
        read = read_people(sheet.encode())
        assert [(r.line, r.name, r.email) for r in read.recipients] == [(2, "Ada Lovelace", "ada@example.org")], sheet
        assert read.lines == {2: "Ada Lovelace <ada@example.org>"}


def test_a_name_with_a_comma_comes_back_to_the_box_quoted_so_it_reads_the_same() -> None:
    read = read_people(b'Name,Email\n"Lovelace, Ada",ada@example.org\n')
    assert read.recipients[0].name == "Lovelace, Ada"
    assert read.lines[2] == '"Lovelace, Ada" <ada@example.org>'


def test_without_a_header_each_row_reads_as_a_pasted_line() -> None:
    read = read_people(b"Ada Lovelace,ada@example.org\n\nalan@example.org,Alan Turing\nnobody here\n")
    assert [(r.line, r.name, r.email) for r in read.recipients] == [
        (1, "Ada Lovelace", "ada@example.org"), (3, "Alan Turing", "alan@example.org")]
    assert [(b.line, b.reason) for b in read.bad] == [(4, "expected one email address in this row")]


def test_excel_text_is_read_whatever_its_encoding() -> None:
    assert decoded("\ufeffName".encode("utf-8")) == "Name"
    assert decoded("Zoë".encode("cp1252")) == "Zoë"
    with pytest.raises(PeopleFileError, match="CSV UTF-8"):
        decoded(b"\x81\x8d\x8f\x90\x9d")
    with pytest.raises(PeopleFileError, match="empty"):
        decoded(b"  \n ")
