"""When an attempt must end: the server's clock decides, never the browser's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# Time for the last autosave to arrive after the countdown reaches zero.
GRACE = timedelta(seconds=60)


@dataclass(frozen=True)
class Deadline:
    """The countdown a candidate sees, and the later moment saves stop being accepted.

    An attempt stores only the moment its countdown reaches zero; everything
    else about its deadline is derived here.
    """

    shown_at: datetime

    @property
    def closes_at(self) -> datetime:
        """When the server stops accepting work: the shown deadline plus a short grace."""
        return self.shown_at + GRACE

    def is_open(self, now: datetime) -> bool:
        return now < self.closes_at

    def seconds_left(self, now: datetime) -> int:
        """Whole seconds until the shown deadline, never negative."""
        return max(0, int((self.shown_at - now).total_seconds()))

    def extended(self, minutes: int) -> Deadline:
        """The same deadline with minutes more."""
        if minutes <= 0:
            raise ValueError("an extension must be positive")
        return Deadline(self.shown_at + timedelta(minutes=minutes))


def deadline_for(started_at: datetime, limit_minutes: int, extra_minutes: int = 0) -> Deadline:
    """The deadline of an attempt started at started_at with its limit and any extension."""
    if limit_minutes <= 0:
        raise ValueError("a time limit must be positive")
    if extra_minutes < 0:
        raise ValueError("an extension cannot be negative")
    return Deadline(started_at + timedelta(minutes=limit_minutes + extra_minutes))


def shown_before_closing(now: datetime) -> datetime:
    """Attempts whose countdown reached zero at or before this moment no longer accept work.

    The same rule as Deadline.is_open, put as a bound a query can use.
    """
    return now - GRACE


def closed_by_bound(shown_at: datetime, now: datetime) -> bool:
    """The sweep's reading of the bound; it must agree with Deadline.is_open (a test holds them equal)."""
    return shown_at <= shown_before_closing(now)
