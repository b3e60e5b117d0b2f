from datetime import UTC, datetime, timedelta

import pytest

from assess.domain.autosave import SaveVerdict, StoredDraft, judge_save
from assess.domain.timing import GRACE, deadline_for

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


def judge(stored: StoredDraft | None, client: str, seq: int, base: int, is_open: bool = True) -> SaveVerdict:
    return judge_save(stored, client_id=client, seq=seq, base_revision=base, is_open=is_open)


def test_the_first_save_is_accepted() -> None:
    assert judge(None, "tab-a", 1, 0) is SaveVerdict.ACCEPTED


def test_the_same_tab_keeps_saving_with_rising_numbers() -> None:
    stored = StoredDraft(revision=3, client_id="tab-a", seq=3)
    assert judge(stored, "tab-a", 4, 3) is SaveVerdict.ACCEPTED


def test_an_older_save_arriving_late_never_overwrites_a_newer_one() -> None:
    stored = StoredDraft(revision=5, client_id="tab-a", seq=5)
    assert judge(stored, "tab-a", 4, 3) is SaveVerdict.STALE
    assert judge(stored, "tab-a", 5, 4) is SaveVerdict.STALE


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
