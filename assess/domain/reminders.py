"""When an automatic reminder or digest is due: plain rules on times, read by the jobs that send them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta

DIGEST_HOUR_UTC = 7  # the morning digest goes out from this hour on
MOST_EXPIRY_REMINDERS = 3
EXPIRY_REMINDER_DAYS = (1, 30)  # the range a hiring manager may choose from


def expiry_step(sent_at: datetime, expires_at: datetime, now: datetime, days: Iterable[int]) -> int | None:
    """Which reminder before a link expires is due now, as its number of days before expiry, or None.

    The reminder d days before is due from then until the link expires, if the link was sent before then (a
    link sent two days before it expires is not followed by a "three days left" reminder). Where several are
    due, the latest, closest to expiry, is the one that counts."""
    due = [d for d in set(days) if d > 0 and sent_at < expires_at - timedelta(days=d) <= now < expires_at]
    return min(due) if due else None


def expiry_reminder_wanted(step: int, sent_steps: Iterable[int]) -> bool:
    """Whether the reminder step days before expiry still has to go: not when it, or one closer to expiry, went."""
    return all(sent > step for sent in sent_steps)


def overdue_step(due_at: datetime, now: datetime, every_days: int) -> int | None:
    """The number of the overdue reminder due now for work due at due_at (1 once it is overdue, 2 every_days
    later, and so on), or None while it is not overdue or when the opening sends none."""
    if every_days <= 0 or now <= due_at:
        return None
    return (now - due_at) // timedelta(days=every_days) + 1


def overdue_reminder_wanted(step: int, sent_steps: Iterable[int], reminded_at: datetime | None, now: datetime,
                            every_days: int) -> bool:
    """Whether overdue reminder step still has to go: not if it went, nor within every_days of any reminder,
    automatic or sent by hand."""
    if any(sent >= step for sent in sent_steps):
        return False
    return reminded_at is None or now - reminded_at >= timedelta(days=every_days)


def digest_moment(now: datetime) -> datetime:
    """When today's digest is due."""
    return datetime.combine(now.astimezone(UTC).date(), time(DIGEST_HOUR_UTC), tzinfo=UTC)


def digest_due(last_sent: datetime | None, now: datetime) -> bool:
    """Whether someone's digest is due now: once a day, from the digest hour on."""
    moment = digest_moment(now)
    return now >= moment and (last_sent is None or last_sent < moment)


def expiry_days_read(text: str) -> list[int]:
    """The days before expiry a hiring manager typed ("3, 1"), closest last; raises ValueError saying what is
    wrong."""
    parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    if not all(part.isascii() and part.isdigit() for part in parts):
        raise ValueError("Write whole numbers of days separated by commas, such as 3, 1 (or leave it empty for "
                         "no reminders).")
    days = sorted({int(part) for part in parts}, reverse=True)
    low, high = EXPIRY_REMINDER_DAYS
    if any(not low <= day <= high for day in days):
        raise ValueError(f"Each reminder is {low} to {high} days before the link expires.")
    if len(days) > MOST_EXPIRY_REMINDERS:
        raise ValueError(f"Send at most {MOST_EXPIRY_REMINDERS} reminders.")
    return days
