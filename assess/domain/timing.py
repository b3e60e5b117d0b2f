"""When an attempt must end: the server's clock decides, never the browser's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# Time for the last autosave to arrive after the countdown reaches zero.
GRACE = timedelta(seconds=60)


@dataclass(frozen=True)
class Deadline:
    """The countdown a candidate sees, and the later moment saves stop being accepted."""

    started_at: datetime
    limit: timedelta

    @property
    def shown_at(self) -> datetime:
        """When the countdown shown to the candidate reaches zero."""
        return self.started_at + self.limit

    @property
    def closes_at(self) -> datetime:
        """When the server stops accepting work: the shown deadline plus a short grace."""
        return self.shown_at + GRACE

    def is_open(self, now: datetime) -> bool:
        return now < self.closes_at

    def seconds_left(self, now: datetime) -> int:
        """Whole seconds until the shown deadline, never negative."""
        return max(0, int((self.shown_at - now).total_seconds()))


def deadline_for(started_at: datetime, limit_minutes: int, extra_minutes: int = 0) -> Deadline:
    """The deadline of an attempt started at started_at with its limit and any extension."""
    if limit_minutes <= 0:
        raise ValueError("a time limit must be positive")
    if extra_minutes < 0:
        raise ValueError("an extension cannot be negative")
    return Deadline(started_at=started_at, limit=timedelta(minutes=limit_minutes + extra_minutes))
