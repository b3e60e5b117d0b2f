"""Openings: the roles being hired for and the exercises their candidates do."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..content import ContentLibrary
from ..errors import Conflict, InputError
from ..models import Candidate, Opening, OpeningExercise, Role, User
from . import audit


@dataclass(frozen=True)
class OpeningSummary:
    opening: Opening
    candidates: int


def create_opening(
    session: Session,
    library: ContentLibrary,
    *,
    slug: str,
    title: str,
    hiring_manager: User,
    exercise_keys: list[str],
    actor: User | None = None,
) -> Opening:
    """Create an opening with the given exercises at their default time limits."""
    if hiring_manager.role is not Role.HIRING_MANAGER:
        raise InputError(f"{hiring_manager.email} is not a hiring manager.")
    unknown = [key for key in exercise_keys if key not in library.exercises]
    if unknown:
        known = ", ".join(sorted(library.exercises))
        raise InputError(f"Unknown exercises: {', '.join(unknown)}. Choose from: {known}.")
    if session.scalar(select(Opening.id).where(Opening.slug == slug)) is not None:
        raise Conflict(f"An opening with the address name {slug!r} exists already.")
    opening = Opening(slug=slug, title=title, hiring_manager=hiring_manager)
    for position, key in enumerate(exercise_keys):
        opening.exercises.append(
            OpeningExercise(
                exercise_key=key,
                position=position,
                time_limit_minutes=library.exercise(key).content.time_limit_minutes,
            )
        )
    session.add(opening)
    session.flush()
    audit.record(
        session, "opening.created", actor=actor, actor_kind=None if actor else "system",
        subject_type="opening", subject_id=opening.id, exercises=exercise_keys,
    )
    session.commit()
    return opening


def openings_for(session: Session, user: User) -> list[OpeningSummary]:
    """The openings a person manages (all of them for an admin), newest first."""
    counts = (
        select(Candidate.opening_id, func.count(Candidate.id).label("n"))
        .group_by(Candidate.opening_id)
        .subquery()
    )
    query = (
        select(Opening, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.opening_id == Opening.id)
        .options(selectinload(Opening.exercises))
        .order_by(Opening.created_at.desc(), Opening.id.desc())
    )
    if user.role is not Role.ADMIN:
        query = query.where(Opening.hiring_manager_id == user.id)
    return [OpeningSummary(opening, count) for opening, count in session.execute(query)]
