from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assess.domain.autosave import SaveRequest, SaveVerdict, StoredDraft, answer_length, judge_save, replaces_other_work
from assess.domain.timing import GRACE, closed_by_bound, deadline_for

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_the_deadline_is_start_plus_limit_and_extension_with_a_grace() -> None:
    deadline = deadline_for(START, 45, extra_minutes=15)
    assert deadline.shown_at == START + timedelta(minutes=60)
    assert deadline.closes_at == deadline.shown_at + GRACE


def test_work_is_accepted_until_the_grace_ends_and_not_a_moment_after() -> None:
    deadline = deadline_for(START, 20)
    assert deadline.is_open(deadline.shown_at)
    assert deadline.is_open(deadline.closes_at - timedelta(microseconds=1))
    assert not deadline.is_open(deadline.closes_at)


def test_seconds_left_counts_down_to_the_shown_deadline_and_stops_at_zero() -> None:
    deadline = deadline_for(START, 20)
    assert deadline.seconds_left(START) == 20 * 60
    assert deadline.seconds_left(START + timedelta(minutes=19, seconds=30)) == 30
    assert deadline.seconds_left(deadline.closes_at) == 0


@pytest.mark.parametrize(("limit", "extra"), [(0, 0), (-5, 0), (10, -1)])
def test_nonsense_limits_are_refused(limit: int, extra: int) -> None:
    with pytest.raises(ValueError):
        deadline_for(START, limit, extra)


def judge(
    stored: StoredDraft | None, client: str, seq: int, base: int, is_open: bool = True, take_over: bool = False
) -> SaveVerdict:
    return judge_save(stored, SaveRequest(client, seq, base, take_over), is_open=is_open)


def test_the_first_save_is_accepted() -> None:
    assert judge(None, "tab-a", 1, 0) is SaveVerdict.ACCEPTED


def test_the_same_tab_keeps_saving_with_rising_numbers() -> None:
    stored = StoredDraft(revision=3, client_id="tab-a", seq=3)
    assert judge(stored, "tab-a", 4, 3) is SaveVerdict.ACCEPTED


def test_an_older_save_arriving_late_never_overwrites_a_newer_one() -> None:
    stored = StoredDraft(revision=5, client_id="tab-a", seq=5)
    assert judge(stored, "tab-a", 4, 3) is SaveVerdict.STALE


def test_a_second_tab_that_has_not_seen_the_latest_revision_is_told_so() -> None:
    stored = StoredDraft(revision=7, client_id="tab-a", seq=7)
    assert judge(stored, "tab-b", 1, 5) is SaveVerdict.OTHER_TAB
    assert judge(stored, "tab-b", 99, 6) is SaveVerdict.OTHER_TAB


def test_a_tab_that_loaded_the_latest_revision_may_take_over() -> None:
    stored = StoredDraft(revision=7, client_id="tab-a", seq=7)
    assert judge(stored, "tab-b", 1, 7) is SaveVerdict.ACCEPTED


def test_nothing_is_accepted_once_closed() -> None:
    assert judge(None, "tab-a", 1, 0, is_open=False) is SaveVerdict.CLOSED
    stored = StoredDraft(revision=1, client_id="tab-a", seq=1)
    assert judge(stored, "tab-a", 2, 1, is_open=False) is SaveVerdict.CLOSED


def test_the_same_save_arriving_twice_is_a_duplicate_not_a_conflict() -> None:
    stored = StoredDraft(revision=5, client_id="tab-a", seq=5)
    assert judge(stored, "tab-a", 5, 4) is SaveVerdict.DUPLICATE


def test_a_reloaded_tab_continues_its_line_whatever_revision_it_loaded() -> None:
    # The unloading page's last save landed after the new page was drawn at revision 4.
    stored = StoredDraft(revision=5, client_id="tab-a", seq=9)
    assert judge(stored, "tab-a", 10, 4) is SaveVerdict.ACCEPTED


def test_taking_over_replaces_the_other_tabs_text_which_must_then_be_kept() -> None:
    stored = StoredDraft(revision=7, client_id="tab-a", seq=7)
    assert judge(stored, "tab-b", 3, 5, take_over=True) is SaveVerdict.ACCEPTED
    assert replaces_other_work(stored, SaveRequest("tab-b", 3, 5, True))
    assert not replaces_other_work(stored, SaveRequest("tab-b", 3, 7))
    assert not replaces_other_work(stored, SaveRequest("tab-a", 8, 2))


def test_an_extension_moves_the_shown_deadline_and_its_grace() -> None:
    deadline = deadline_for(START, 30).extended(15)
    assert deadline.shown_at == START + timedelta(minutes=45)
    with pytest.raises(ValueError):
        deadline.extended(0)


def test_characters_are_counted_as_code_points_with_one_per_line_break() -> None:
    assert answer_length("a\r\nb") == 3
    assert answer_length("\U0001F600") == 1


@given(offset=st.integers(min_value=-200_000_000, max_value=200_000_000))
def test_the_sweeps_bound_and_the_deadline_agree_to_the_microsecond(offset: int) -> None:
    deadline = deadline_for(START, 45)
    now = deadline.closes_at + timedelta(microseconds=offset)
    assert closed_by_bound(deadline.shown_at, now) is (not deadline.is_open(now))
