from datetime import UTC, datetime, timedelta, timezone

import pytest

from assess.web.dates import when

MOMENT = datetime(2026, 3, 9, 17, 5, 30, tzinfo=UTC)


def test_a_moment_is_a_time_element_with_its_instant_and_a_utc_text() -> None:
    assert when(MOMENT) == '<time datetime="2026-03-09T17:05:30Z" data-style="datetime">09 Mar 2026 17:05 UTC</time>'
    assert when(MOMENT, "seconds") == '<time datetime="2026-03-09T17:05:30Z" data-style="seconds">17:05:30 UTC</time>'


def test_a_date_says_no_zone_and_another_zone_is_shown_in_utc() -> None:
    assert when(MOMENT, "day").endswith(">09 Mar</time>")
    assert 'datetime="2026-03-09T17:05:30Z"' in when(MOMENT.astimezone(timezone(timedelta(hours=9))), "date")


def test_nothing_is_shown_for_no_moment_and_an_unknown_style_is_an_error() -> None:
    assert when(None) == ""
    with pytest.raises(ValueError, match="unknown date style"):
        when(MOMENT, "fortnight")
