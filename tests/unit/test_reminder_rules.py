"""When reminders and digests are due: the rules on times, with the edges where a reminder starts and stops."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assess.domain.assignment import another_wanted
from assess.domain.reminders import (
    digest_due, expiry_days_read, expiry_reminder_wanted, expiry_step, overdue_reminder_wanted, overdue_step,
)

SENT = datetime(2026, 11, 1, 9, tzinfo=UTC)
EXPIRES = SENT + timedelta(days=14)


@pytest.mark.parametrize(("before", "step"), [
    (timedelta(days=4), None), (timedelta(days=3), 3), (timedelta(days=2), 3), (timedelta(days=1), 1),
    (timedelta(hours=1), 1), (timedelta(0), None), (-timedelta(hours=1), None),
])
def test_the_closest_reminder_whose_day_has_come_is_due_until_the_link_expires(before: timedelta,
                                                                                 step: int | None) -> None:
    assert expiry_step(SENT, EXPIRES, EXPIRES - before, [3, 1]) == step


def test_no_reminder_for_a_window_the_link_was_sent_in() -> None:
    late = EXPIRES - timedelta(days=2)
    assert expiry_step(late, EXPIRES, EXPIRES - timedelta(days=1, hours=12), [3, 1]) is None
    assert expiry_step(late, EXPIRES, EXPIRES - timedelta(hours=12), [3, 1]) == 1
    assert expiry_step(EXPIRES - timedelta(days=3), EXPIRES, EXPIRES - timedelta(days=3), [3]) is None


def test_a_reminder_goes_only_if_neither_it_nor_one_closer_to_expiry_went() -> None:
    assert expiry_reminder_wanted(3, [])
    assert not expiry_reminder_wanted(3, [3])
    assert not expiry_reminder_wanted(3, [1])
    assert expiry_reminder_wanted(1, [3])


DUE = datetime(2026, 11, 5, 17, tzinfo=UTC)


@pytest.mark.parametrize(("after", "every", "step"), [
    (timedelta(hours=-1), 2, None), (timedelta(0), 2, None), (timedelta(seconds=1), 2, 1),
    (timedelta(days=2) - timedelta(seconds=1), 2, 1), (timedelta(days=2), 2, 2), (timedelta(days=5), 2, 3),
    (timedelta(days=5), 0, None),
])
def test_overdue_reminders_count_up_every_so_many_days(after: timedelta, every: int, step: int | None) -> None:
    assert overdue_step(DUE, DUE + after, every) == step


def test_an_overdue_reminder_waits_for_the_cadence_after_any_reminder() -> None:
    now = DUE + timedelta(days=3)
    assert overdue_reminder_wanted(2, [1], None, now, 2)
    assert not overdue_reminder_wanted(2, [2], None, now, 2)
    assert not overdue_reminder_wanted(1, [2], None, now, 2)
    assert not overdue_reminder_wanted(2, [1], now - timedelta(days=1), now, 2)
    assert overdue_reminder_wanted(2, [1], now - timedelta(days=2), now, 2)


def test_the_digest_is_due_once_a_day_from_its_hour() -> None:
    day = datetime(2026, 11, 3, tzinfo=UTC)
    assert not digest_due(None, day + timedelta(hours=6, minutes=59))
    assert digest_due(None, day + timedelta(hours=7))
    assert not digest_due(day + timedelta(hours=7), day + timedelta(hours=23))
    assert digest_due(day + timedelta(hours=6), day + timedelta(hours=8))
    assert digest_due(day - timedelta(hours=1), day + timedelta(hours=7, minutes=1))


@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC)),
       st.lists(st.integers(1, 30), max_size=3), st.integers(1, 600))
def test_a_due_expiry_reminder_is_one_of_the_days_and_inside_its_window(now: datetime, days: list[int],
                                                                       hours: int) -> None:
    expires = now + timedelta(hours=hours) - timedelta(minutes=1)
    step = expiry_step(SENT, expires, now, days)
    if step is not None:
        assert step in days and expires - timedelta(days=step) <= now < expires
        assert all(not (expires - timedelta(days=d) <= now) for d in days if d < step)


@pytest.mark.parametrize(("typed", "read"), [("3, 1", [3, 1]), ("1;3", [3, 1]), ("", []), (" 2 ,2, ", [2])])
def test_days_are_read_as_typed(typed: str, read: list[int]) -> None:
    assert expiry_days_read(typed) == read


@pytest.mark.parametrize(("typed", "says"), [("3, x", "whole numbers"), ("0", "1 to 30"), ("31", "1 to 30"),
                                             ("1,2,3,4", "at most 3")])
def test_days_that_cannot_be_read_say_why(typed: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        expiry_days_read(typed)


@pytest.mark.parametrize(("gap", "per", "assigned", "unfinished", "scores", "wanted"), [
    (2, 2, 2, 0, {"a": {"x": 1}, "b": {"x": 3}}, True),
    (2, 2, 2, 0, {"a": {"x": 2}, "b": {"x": 3}}, False),
    (None, 2, 2, 0, {"a": {"x": 1}, "b": {"x": 4}}, False),
    (2, 2, 2, 1, {"a": {"x": 1}, "b": {"x": 4}}, False),
    (2, 2, 3, 0, {"a": {"x": 1}, "b": {"x": 4}, "c": {"x": 2}}, False),
    (2, 3, 2, 0, {"a": {"x": 1}, "b": {"x": 4}}, False),
    (3, 2, 2, 0, {"a": {"x": 1, "y": 2}, "b": {"x": 3, "y": None}}, False),
])
def test_another_interviewer_only_when_every_scorecard_asked_for_is_in_and_two_are_far_apart(
    gap: int | None, per: int, assigned: int, unfinished: int, scores: dict[str, dict[str, int | None]],
    wanted: bool,
) -> None:
    assert another_wanted(gap, per, assigned, unfinished, scores) is wanted
