"""What there is to score: the opening's work list and its views, the interviewer's queue, live-stage slots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import case, exists, func, select, true, update
from sqlalchemy.orm import Session, joinedload, selectinload, subqueryload

from ..content import ContentLibrary
from ..content.schema import Exercise, ExerciseKind
from ..domain.paging import Page, clamped, offset_of
from ..domain.scoring import DEBRIEF_GAP, Disagreement, disagreements
from ..errors import Conflict
from ..models import (
    Assignment,
    Attempt,
    Candidate,
    ContentKind,
    ContentVersion,
    Opening,
    Rating,
    Scorecard,
    ScorecardStatus,
    ScoringState,
    Submission,
    User,
)
from . import audit, pipeline
from .row_locks import hold_rows
from .content import ensure_version, exercise_of


def is_submitted(assignment: Assignment) -> bool:
    """Whether the assignment's scorecard is in."""
    return assignment.scorecard is not None and assignment.scorecard.status is ScorecardStatus.SUBMITTED


def nothing_left_to_score(attempt: Attempt) -> None:
    """An erased candidate's work is emptied, so nobody is asked to score it and no scorecard on it changes."""
    erased = attempt.candidate.erased_at
    if erased is not None:
        raise Conflict(f"This candidate's data was erased on {erased:%d %B %Y}, answers included, so there is "
                       "nothing left to score.")


def is_overdue(assignment: Assignment, now: datetime) -> bool:
    return assignment.due_at is not None and assignment.due_at < now and not is_submitted(assignment)


@dataclass(frozen=True)
class WorkRow:
    """One thing to score in an opening, with who is on it and where they disagree."""

    attempt: Attempt
    exercise: Exercise
    assignments: list[Assignment]
    disagreements: list[Disagreement]

    @property
    def submitted_count(self) -> int:
        return sum(1 for a in self.assignments if is_submitted(a))


def _live_keys(library: ContentLibrary, opening: Opening) -> list[str]:
    return [step.exercise_key for step in opening.exercises
            if step.exercise_key in library.exercises
            and library.exercise(step.exercise_key).content.kind is ExerciseKind.LIVE]


def _lacking_slot(opening: Opening, key: str) -> tuple[Any, ...]:
    """Who in the opening handed in work and has no slot yet for live stage key: one definition for the list
    and for its count."""
    handed_in = exists().where(Attempt.candidate_id == Candidate.id, Submission.attempt_id == Attempt.id)
    has_slot = exists().where(Attempt.candidate_id == Candidate.id, Attempt.exercise_key == key)
    return (Candidate.opening_id == opening.id, Candidate.erased_at.is_(None), handed_in, ~has_slot)


def missing_live_stages(session: Session, library: ContentLibrary, opening: Opening) -> list[tuple[Candidate, str]]:
    """(candidate, live stage) for every candidate who handed in work and has no slot for a live stage yet."""
    if opening.scoring_state is not ScoringState.OPEN:
        return []
    return [(candidate, key) for key in _live_keys(library, opening)
            for candidate in session.scalars(select(Candidate).where(*_lacking_slot(opening, key))
                                             .order_by(Candidate.id))]


def count_missing_live_stages(session: Session, library: ContentLibrary, opening: Opening) -> int:
    """How many live-stage slots missing_live_stages would give, counted in the database (a count for a button)."""
    if opening.scoring_state is not ScoringState.OPEN:
        return 0
    return sum(session.scalar(select(func.count(Candidate.id)).where(*_lacking_slot(opening, key))) or 0
               for key in _live_keys(library, opening))


def add_live_stages(session: Session, library: ContentLibrary, opening: Opening) -> bool:
    """Give every candidate who handed in work a slot for each live stage of the opening, while scoring is open.

    Part of the caller's transaction (nothing is committed here); says whether any slot was added.
    """
    missing = missing_live_stages(session, library, opening)
    for candidate, key in missing:
        version, _ = ensure_version(session, ContentKind.EXERCISE, key, library.exercise(key))  # type: ignore[arg-type]
        session.add(Attempt(candidate=candidate, exercise_key=key, exercise_version=version))
    if missing:
        pipeline.restage(session, {candidate.id for candidate, _ in missing})
    return bool(missing)


def ensure_live_stages(session: Session, library: ContentLibrary, opening: Opening) -> int:
    """Add the opening's missing live-stage slots and commit them; returns how many were added."""
    added = len(missing_live_stages(session, library, opening))
    if add_live_stages(session, library, opening):
        session.commit()
    return added


def _work(opening: Opening) -> Any:
    """Attempts there is something to score for: submissions, and live stages (never started online)."""
    return (select(Attempt.id).join(Candidate).outerjoin(Submission)
            .where(Candidate.opening_id == opening.id)
            .where((Submission.id.is_not(None)) | (Attempt.started_at.is_(None))))


def submitted_scores(session: Session, attempt_ids: list[int]) -> dict[int, dict[str, dict[str, int | None]]]:
    """Each attempt's submitted scores, by interviewer id (two interviewers may share a name), read as plain
    rows: the work list compares them and changes none, so no rating need become an object."""
    found: dict[int, dict[str, dict[str, int | None]]] = {}
    rows = session.execute(
        select(Assignment.attempt_id, Assignment.interviewer_id, Rating.dimension_key, Rating.score)
        .join(Scorecard, Scorecard.assignment_id == Assignment.id).join(Rating, Rating.scorecard_id == Scorecard.id)
        .where(Assignment.attempt_id.in_(attempt_ids), Scorecard.status == ScorecardStatus.SUBMITTED))
    for attempt_id, interviewer_id, dimension, score in rows:
        found.setdefault(attempt_id, {}).setdefault(str(interviewer_id), {})[dimension] = score
    return found


def rows_of(session: Session, ids: Any) -> list[WorkRow]:
    attempts = session.scalars(
        select(Attempt).join(Candidate)
        .where(Attempt.id.in_(ids))
        # Collections load by subquery, one query each however many rows (selectin loads 500 at a time);
        # single rows are joined in, except the few large content versions, whose text is read only by a
        # process that has not parsed that version yet.
        .options(
            joinedload(Attempt.candidate),
            selectinload(Attempt.exercise_version).defer(ContentVersion.body),
            subqueryload(Attempt.assignments).joinedload(Assignment.interviewer),
            subqueryload(Attempt.assignments).joinedload(Assignment.scorecard),
        )
        .order_by(Candidate.pseudonym, Attempt.exercise_key)
        .execution_options(populate_existing=True)
    ).unique().all()
    scores = submitted_scores(session, [attempt.id for attempt in attempts]) if attempts else {}
    return [WorkRow(
        attempt=attempt,
        exercise=exercise_of(attempt.exercise_version),
        assignments=sorted(attempt.assignments, key=lambda a: a.id),
        disagreements=disagreements(scores.get(attempt.id, {})),
    ) for attempt in attempts]


def work_rows(session: Session, opening: Opening) -> list[WorkRow]:
    """Every submission and live stage of the opening, with assignments and disagreements."""
    return rows_of(session, _work(opening).scalar_subquery())


def candidate_work_rows(session: Session, candidate_id: int) -> list[WorkRow]:
    """The candidate's handed-in work and live stages, with assignments and disagreements."""
    work = (select(Attempt.id).outerjoin(Submission).where(Attempt.candidate_id == candidate_id)
            .where((Submission.id.is_not(None)) | (Attempt.started_at.is_(None))))
    return rows_of(session, work.scalar_subquery())


WORK_VIEWS = {
    "attention": "Needs attention",
    "disagreements": "Disagreements",
    "all": "All",
}


@dataclass(frozen=True)
class WorkPage:
    """One page of one view of the work list, with how many items every view holds."""

    shown: Page[WorkRow]
    view: str
    counts: dict[str, int]  # view -> how many items it holds

    @property
    def rows(self) -> Sequence[WorkRow]:
        return self.shown.items

    @property
    def page(self) -> int:
        return self.shown.page

    @property
    def pages(self) -> int:
        return self.shown.pages

    @property
    def per_page(self) -> int:
        return self.shown.per_page


STANDING = ("assigned_count", "unfinished_count", "disagreement")


def standing_columns() -> list[Any]:
    """The standing worked out afresh, as columns to select beside an attempt (for checking what is stored)."""
    return [value.label(name) for name, value in _standing().items()]


def _standing() -> dict[str, Any]:
    """Where scoring of an attempt stands, as SQL on the attempt's row: the one definition of the counts and the
    disagreement the scoring page filters on."""
    mine = Assignment.attempt_id == Attempt.id
    unfinished = (Scorecard.id.is_(None)) | (Scorecard.status != ScorecardStatus.SUBMITTED)
    apart = (select(Rating.dimension_key).join(Scorecard, Rating.scorecard_id == Scorecard.id)
             .join(Assignment, Scorecard.assignment_id == Assignment.id)
             .where(mine, Scorecard.status == ScorecardStatus.SUBMITTED, Rating.score.is_not(None))
             .group_by(Rating.dimension_key).having(func.max(Rating.score) - func.min(Rating.score) >= DEBRIEF_GAP))
    return {
        "assigned_count": select(func.count(Assignment.id)).where(mine).scalar_subquery(),
        "unfinished_count": select(func.count(Assignment.id)).outerjoin(Scorecard, Scorecard.assignment_id
                                                                        == Assignment.id)
        .where(mine, unfinished).scalar_subquery(),
        "disagreement": exists(apart),
    }


def recount(session: Session, attempt_ids: Iterable[int] | None) -> None:
    """Bring the stored standing of these attempts (None: every attempt) up to date with their assignments and
    scorecards; part of the caller's transaction, called wherever either changes."""
    ids = None if attempt_ids is None else set(attempt_ids)
    if ids == set():
        return
    session.flush()
    if ids is not None:
        hold_rows(session, Attempt, ids)
    which = update(Attempt).values(**_standing())
    session.execute(which if ids is None else which.where(Attempt.id.in_(ids)),
                    execution_options={"synchronize_session": False})
    for row in list(session.identity_map.values()):
        if isinstance(row, Attempt) and (ids is None or row.id in ids):
            session.expire(row, list(STANDING))
    pipeline.restage(session, None if ids is None else pipeline.of_attempts(ids))


def _views(opening: Opening) -> tuple[Any, dict[str, Any]]:
    """The opening's work, and each view as a condition on the standing stored with each attempt."""
    return _work(opening), {
        "attention": (Attempt.assigned_count < opening.interviewers_per_submission)
        | (Attempt.unfinished_count > 0) | Attempt.disagreement,
        "disagreements": Attempt.disagreement.is_(True),
        "all": true(),
    }


def work_page(session: Session, opening: Opening, *, view: str | None = None, page: int = 1,
              per_page: int = 50) -> WorkPage:
    """One page of one view of the opening's work: by default what needs attention, if anything does."""
    work, filters = _views(opening)
    names = list(filters)
    counted = work.with_only_columns(*(func.count().filter(filters[name]) for name in names))
    counts = dict(zip(names, session.execute(counted).one(), strict=True))
    if view not in filters:
        view = "attention" if counts["attention"] else "all"
    page = clamped(page, counts[view], per_page)
    ids = (work.where(filters[view]).order_by(Candidate.pseudonym, Attempt.exercise_key)
           .limit(per_page).offset(offset_of(page, per_page)))
    chosen = list(session.scalars(ids))
    return WorkPage(Page(rows_of(session, chosen) if chosen else [], counts[view], page, per_page), view, counts)


def work_page_for(session: Session, opening: Opening, *, viewer: User, now: datetime, view: str | None = None,
                  page: int = 1, per_page: int = 50) -> WorkPage:
    """One page of the opening's work as shown to a person, the view of candidates' identities recorded."""
    shown = work_page(session, opening, view=view, page=page, per_page=per_page)
    audit.record(session, "candidates.listed", actor=viewer, subject_type="opening", subject_id=opening.id,
                 now=now, page="scoring", shown=len({row.attempt.candidate_id for row in shown.rows}))
    session.commit()
    return shown


QUEUE_PER_PAGE = 50


def queue(session: Session, interviewer: User, page: int = 1, per_page: int = QUEUE_PER_PAGE) -> Page[Assignment]:
    """One page of the interviewer's assignments, open ones first, soonest due first."""
    mine = Assignment.interviewer_id == interviewer.id
    total = session.scalar(select(func.count(Assignment.id)).where(mine)) or 0
    page = clamped(page, total, per_page)
    submitted = case((Scorecard.status == ScorecardStatus.SUBMITTED, 1), else_=0)
    found = session.scalars(
        select(Assignment).outerjoin(Scorecard, Scorecard.assignment_id == Assignment.id).where(mine)
        .options(
            selectinload(Assignment.scorecard),
            selectinload(Assignment.attempt).selectinload(Attempt.candidate).selectinload(Candidate.opening),
            selectinload(Assignment.attempt).selectinload(Attempt.exercise_version),
        )
        .order_by(submitted, Assignment.due_at.is_(None), func.coalesce(Assignment.due_at, Assignment.created_at),
                  Assignment.id)
        .limit(per_page).offset(offset_of(page, per_page))
    ).all()
    return Page(list(found), total, page, per_page)
