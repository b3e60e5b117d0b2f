"""Openings: the roles being hired for and the exercises their candidates do."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, or_, select, true
from sqlalchemy.orm import Session, selectinload

from ..content import ContentLibrary
from ..domain import pipeline as pipeline_rules
from ..domain.paging import Page, clamped, offset_of
from ..domain.pipeline import Stage
from ..errors import Conflict, InputError, NotFound
from ..models import Attempt, Candidate, Decision, Opening, OpeningExercise, OpeningMember, Outcome, Role, User
from . import audit
from .matching import contains, search_words


@dataclass(frozen=True)
class OpeningSummary:
    opening: Opening
    candidates: int


@dataclass(frozen=True)
class OpeningSettings:
    """What a hiring manager chooses for an opening."""

    title: str
    exercises: list[tuple[str, int]]  # (exercise key, time limit in minutes), in order
    slug: str = ""
    invitation_valid_days: int = 14
    ai_enabled: bool = False
    ai_notice: str = ""
    auto_assign: bool = True


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]


def create_opening(
    session: Session,
    library: ContentLibrary,
    settings: OpeningSettings,
    *,
    hiring_manager: User,
    actor: User | None = None,
    now: datetime,
) -> Opening:
    """Create an opening with the exercises and time limits the hiring manager chose."""
    if hiring_manager.role is not Role.HIRING_MANAGER:
        raise InputError(f"{hiring_manager.email} is not a hiring manager.")
    title = " ".join(settings.title.split())
    if not title:
        raise InputError("Give the opening a title, for example \"APM, Growth\".")
    slug = slugify(settings.slug or title)
    if not slug:
        raise InputError("The address name needs at least one letter or digit.")
    if not settings.exercises:
        raise InputError("Choose at least one exercise.")
    unknown = [key for key, _ in settings.exercises if key not in library.exercises]
    if unknown:
        known = ", ".join(sorted(library.exercises))
        raise InputError(f"Unknown exercises: {', '.join(unknown)}. Choose from: {known}.")
    for key, minutes in settings.exercises:
        if not 5 <= minutes <= 480:
            name = library.exercise(key).content.title
            raise InputError(f"The time limit for {name} must be between 5 and 480 minutes.")
    if not 1 <= settings.invitation_valid_days <= 90:
        raise InputError("Invitations can be valid for 1 to 90 days.")
    if session.scalar(select(Opening.id).where(Opening.slug == slug)) is not None:
        raise Conflict(f"An opening with the address name {slug!r} exists already; choose another.")
    opening = Opening(
        slug=slug,
        title=title,
        hiring_manager=hiring_manager,
        invitation_valid_days=settings.invitation_valid_days,
        ai_enabled=settings.ai_enabled,
        ai_notice=settings.ai_notice.strip(),
        auto_assign=settings.auto_assign,
    )
    for position, (key, minutes) in enumerate(settings.exercises):
        opening.exercises.append(
            OpeningExercise(exercise_key=key, position=position, time_limit_minutes=minutes)
        )
    session.add(opening)
    session.flush()
    audit.record(
        session, "opening.created", now=now, actor=actor, actor_kind=None if actor else "system",
        subject_type="opening", subject_id=opening.id, exercises=[k for k, _ in settings.exercises],
    )
    session.commit()
    return opening


def default_exercises(library: ContentLibrary) -> list[tuple[str, int]]:
    """Every exercise in code order, at its own time limit."""
    ordered = sorted(library.exercises.values(), key=lambda e: e.content.code)
    return [(e.content.key, e.content.time_limit_minutes) for e in ordered]


def works_on(user: User) -> Any:
    """A condition on Opening: the person is its hiring manager or on its team (an admin works on all)."""
    if user.role is Role.ADMIN:
        return true()
    return or_(Opening.hiring_manager_id == user.id,
               Opening.id.in_(select(OpeningMember.opening_id).where(OpeningMember.user_id == user.id)))


def opening_for(session: Session, user: User, slug: str) -> Opening:
    """The opening at slug, if this person works on it."""
    opening = session.scalar(select(Opening).where(Opening.slug == slug, works_on(user)))
    if opening is None:
        raise NotFound("There is no opening here that you work on.")
    return opening


def candidates_of(session: Session, opening: Opening, *, limit: int | None = None, offset: int = 0) -> list[Candidate]:
    """The opening's candidates with their invitations and attempts, newest first (one page of them with limit)."""
    query = (
        select(Candidate)
        .where(Candidate.opening_id == opening.id)
        .options(
            selectinload(Candidate.invitations),
            selectinload(Candidate.attempts).selectinload(Attempt.submission),
        )
        .order_by(Candidate.created_at.desc(), Candidate.id.desc())
        .limit(limit).offset(offset)
    )
    return list(session.scalars(query))


CANDIDATES_PER_PAGE = 50

# How a candidate list may be ordered, in the words of its menu.
ORDERS = {"newest": "Newest first", "oldest": "Oldest first", "name": "Name, A to Z", "stage": "Furthest on first"}
# A decision to filter on: an outcome, or none yet.
UNDECIDED = "none"


@dataclass(frozen=True)
class Listing:
    """Which of an opening's candidates a list shows, and in what order."""

    search: str = ""
    stage: str = ""  # a Stage's value, or "" for every stage
    decision: str = ""  # an Outcome's value, UNDECIDED, or "" for any
    order: str = "newest"

    def checked(self) -> Listing:
        """The listing with its search tidied, or InputError naming a choice that does not exist."""
        if self.stage and self.stage not in tuple(Stage):
            raise InputError(f"There is no stage {self.stage!r}; choose one of: {', '.join(Stage)}.")
        if self.decision and self.decision not in (*Outcome, UNDECIDED):
            raise InputError(f"There is no decision {self.decision!r}; choose one of: "
                             f"{', '.join((*Outcome, UNDECIDED))}.")
        if self.order not in ORDERS:
            raise InputError(f"The list cannot be ordered by {self.order!r}; choose one of: {', '.join(ORDERS)}.")
        return dataclasses.replace(self, search=search_words(self.search, "a name or an email address"))


def _matching(opening: Opening, listing: Listing) -> list[Any]:
    where = [Candidate.opening_id == opening.id]
    if listing.search:
        where.append(or_(contains(Candidate.name, listing.search), contains(Candidate.email, listing.search)))
    if listing.stage:
        where.append(Candidate.stage == listing.stage)
    if listing.decision == UNDECIDED:
        where.append(Candidate.stage != Stage.DECIDED)
    elif listing.decision:
        latest = (select(func.max(Decision.id)).join(Candidate, Decision.candidate_id == Candidate.id)
                  .where(Candidate.opening_id == opening.id).group_by(Decision.candidate_id))
        where.append(Candidate.id.in_(select(Decision.candidate_id).where(Decision.id.in_(latest),
                                                                           Decision.outcome == listing.decision)))
    return where


def _ordered(order: str) -> list[Any]:
    rank = case({stage.value: i for i, stage in enumerate(pipeline_rules.ORDER)}, value=Candidate.stage)
    return {
        "newest": [Candidate.created_at.desc(), Candidate.id.desc()],
        "oldest": [Candidate.created_at, Candidate.id],
        "name": [func.lower(Candidate.name), Candidate.id],
        "stage": [rank.desc(), Candidate.created_at.desc(), Candidate.id.desc()],
    }[order]


def candidates_for(session: Session, opening: Opening, *, viewer: User, now: datetime, page: int = 1,
                   listing: Listing = Listing(), per_page: int = CANDIDATES_PER_PAGE) -> Page[Candidate]:
    """One page of the opening's candidates as the listing asks (by default everyone, newest first), as listed
    to a person, the view of their identities recorded."""
    where = _matching(opening, listing.checked())
    total = session.scalar(select(func.count(Candidate.id)).where(*where)) or 0
    page = clamped(page, total, per_page)
    listed = list(session.scalars(
        select(Candidate).where(*where)
        .options(selectinload(Candidate.invitations), selectinload(Candidate.attempts).selectinload(Attempt.submission))
        .order_by(*_ordered(listing.order))
        .limit(per_page).offset(offset_of(page, per_page))))
    audit.record(session, "candidates.listed", actor=viewer, subject_type="opening", subject_id=opening.id,
                 now=now, page="opening", shown=len(listed))
    session.commit()
    return Page(listed, total, page, per_page)


def count_candidates(session: Session, opening: Opening) -> int:
    return session.scalar(select(func.count(Candidate.id)).where(Candidate.opening_id == opening.id)) or 0


def candidate_of(session: Session, opening: Opening, candidate_id: int) -> Candidate:
    candidate = session.get(Candidate, candidate_id)
    if candidate is None or candidate.opening_id != opening.id:
        raise NotFound("There is no such candidate in this opening.")
    return candidate


def opening_at(session: Session, slug: str) -> Opening:
    """The opening at slug, whoever manages it (for callers already authorised for every opening)."""
    opening = session.scalar(select(Opening).where(Opening.slug == slug))
    if opening is None:
        raise NotFound(f"There is no opening {slug!r}.")
    return opening


def openings_for(session: Session, user: User | None) -> list[OpeningSummary]:
    """The openings a person works on (all of them for an admin, or for None), newest first."""
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
    if user is not None:
        query = query.where(works_on(user))
    return [OpeningSummary(opening, count) for opening, count in session.execute(query)]
