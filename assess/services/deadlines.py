"""An attempt's deadline: set once at the start, moved only by an extension, read in one place."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.timing import Deadline, deadline_for
from ..models import Attempt, Submission


def deadline_of(attempt: Attempt) -> Deadline:
    """The deadline of a started attempt, from the one value stored for it."""
    if attempt.deadline_at is None:
        raise ValueError(f"attempt {attempt.id} has not been started, so it has no deadline")
    return Deadline(attempt.deadline_at)


def first_deadline(started_at: datetime, limit_minutes: int) -> datetime:
    """What to store as the deadline of an attempt started now with this limit."""
    return deadline_for(started_at, limit_minutes).shown_at


def extend(session: Session, candidate_id: int, minutes: int) -> list[Attempt]:
    """Move the deadline of every attempt of the candidate still under way by minutes.

    The rows are locked first, so an extension and a save, a submit or the
    sweep on the same attempt happen one after the other.
    """
    under_way = session.scalars(
        select(Attempt)
        .outerjoin(Submission)
        .where(Attempt.candidate_id == candidate_id, Attempt.deadline_at.is_not(None), Submission.id.is_(None))
        .with_for_update(of=Attempt)
        .execution_options(populate_existing=True)
    ).all()
    for attempt in under_way:
        attempt.deadline_at = deadline_of(attempt).extended(minutes).shown_at
    return list(under_way)
