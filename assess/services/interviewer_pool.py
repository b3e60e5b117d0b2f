"""The interviewers who can be given work: assignments and calibration sessions draw on the same pool."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Role, User


def active_interviewers(session: Session) -> list[User]:
    """Every active interviewer, by name."""
    return list(session.scalars(
        select(User).where(User.role == Role.INTERVIEWER, User.active.is_(True)).order_by(User.name)
    ))
