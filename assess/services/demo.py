"""A demo data set, so a fresh install shows the product working."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..content import ContentLibrary
from ..models import Opening, Role, User
from . import content, openings, users

DEMO_PASSWORD = "assess-demo-2026"
DEMO_OPENING_SLUG = "apm-growth"
DEMO_OPENING_TITLE = "APM, Growth"
# The exercises an APM opening runs by default, in the order candidates meet them.
DEFAULT_EXERCISES = ("a-mini-prd", "b-analytics", "c-stakeholder-roleplay", "d-writing-sample")


@dataclass(frozen=True)
class DemoStaff:
    email: str
    name: str
    role: Role


DEMO_STAFF = (
    DemoStaff("admin@example.com", "Alex Admin", Role.ADMIN),
    DemoStaff("hiring@example.com", "Maya Okafor", Role.HIRING_MANAGER),
    DemoStaff("priya@example.com", "Priya Raman", Role.INTERVIEWER),
    DemoStaff("tom@example.com", "Tom Becker", Role.INTERVIEWER),
    DemoStaff("lena@example.com", "Lena Kowalski", Role.INTERVIEWER),
)


@dataclass
class DemoResult:
    created_users: list[str] = field(default_factory=list)
    created_opening: bool = False


def seed_demo(session: Session, library: ContentLibrary) -> DemoResult:
    """Add the demo staff and opening where they are missing; safe to run again."""
    result = DemoResult()
    content.sync_library(session, library)
    for staff in DEMO_STAFF:
        if session.scalar(select(User.id).where(User.email == staff.email)) is None:
            users.create_user(
                session, email=staff.email, name=staff.name, role=staff.role, password=DEMO_PASSWORD
            )
            result.created_users.append(staff.email)
    if session.scalar(select(Opening.id).where(Opening.slug == DEMO_OPENING_SLUG)) is None:
        manager = session.scalars(select(User).where(User.email == "hiring@example.com")).one()
        openings.create_opening(
            session,
            library,
            slug=DEMO_OPENING_SLUG,
            title=DEMO_OPENING_TITLE,
            hiring_manager=manager,
            exercise_keys=[key for key in DEFAULT_EXERCISES if key in library.exercises],
        )
        result.created_opening = True
    return result
