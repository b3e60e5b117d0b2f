"""What an interviewer has been asked to score."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import Assignment, Attempt, User


def queue_for(session: Session, interviewer: User) -> list[Assignment]:
    """The interviewer's assignments, soonest due first."""
    query = (
        select(Assignment)
        .where(Assignment.interviewer_id == interviewer.id)
        .options(
            selectinload(Assignment.scorecard),
            selectinload(Assignment.attempt).selectinload(Attempt.candidate),
        )
        .order_by(Assignment.due_at.is_(None), Assignment.due_at, Assignment.id)
    )
    return list(session.scalars(query))
