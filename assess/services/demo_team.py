"""The demo's teams: a recruiter on the Growth opening who follows candidates without seeing their work or
scores, a hiring manager co-owning the Payments opening, and a colleague invited by the admin who has not
chosen a password yet, so the staff page shows an invitation waiting."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..config import Config
from ..models import Opening, OpeningMember, Role, User
from . import opening_team, staff

# (opening slug, member's email)
TEAMS = (("apm-growth", "rosa@example.com"), ("apm-payments", "daniel@example.com"))
INVITED = ("sofia@example.com", "Sofia Marin", Role.INTERVIEWER)


def seed_teams(session: Session, config: Config, now: datetime) -> None:
    """Put the demo's recruiter and co-owner on their openings and invite one colleague, where not done yet."""
    for slug, email in TEAMS:
        opening = session.scalars(select(Opening).where(Opening.slug == slug)).one()
        person = session.scalars(select(User).where(User.email == email)).one()
        if session.get(OpeningMember, (opening.id, person.id)) is None:
            opening_team.add(session, config, opening, person.id, actor=opening.hiring_manager,
                             now=now - timedelta(days=10))
    admin = session.scalars(select(User).where(User.role == Role.ADMIN).order_by(User.id)).first()
    email, name, role = INVITED
    if admin is not None and session.scalar(select(User.id).where(User.email == email)) is None:
        staff.invite(session, config, email=email, name=name, role=role, actor=admin, now=now - timedelta(hours=5))
