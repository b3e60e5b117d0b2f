"""Scoring: assign interviewers, fill and submit scorecards blind and independently, reopen."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload, subqueryload

from ..config import Config
from ..content import ContentLibrary
from ..content.schema import Exercise, ExerciseKind, Scorecard as ScorecardContent
from ..domain.assignment import WorkItem, plan_assignments
from ..domain.scoring import (
    DEBRIEF_GAP,
    Disagreement,
    Problem,
    RatingInput,
    ScorecardInput,
    disagreements,
    problems_before_submitting,
)
from ..errors import Conflict, InputError, NotFound
from ..models import (
    Assignment,
    Attempt,
    AuditEvent,
    Candidate,
    ContentKind,
    Opening,
    Rating,
    RevisionRequest,
    RevisionStatus,
    Role,
    Scorecard,
    ScorecardStatus,
    ScoringState,
    Submission,
    User,
)
from . import audit, mail, webhooks
from .openings import require_scoring_open
from .content import ensure_version, exercise_of, scorecard_of

DEFAULT_DUE = timedelta(days=3)


@dataclass(frozen=True)
class WorkRow:
    """One thing to score in an opening, with who is on it and where they disagree."""

    attempt: Attempt
    exercise: Exercise
    assignments: list[Assignment]
    disagreements: list[Disagreement]

    @property
    def submitted_count(self) -> int:
        return sum(1 for a in self.assignments if _is_submitted(a))


@dataclass(frozen=True)
class Peer:
    interviewer: User
    scorecard: Scorecard


def _is_submitted(assignment: Assignment) -> bool:
    return assignment.scorecard is not None and assignment.scorecard.status is ScorecardStatus.SUBMITTED


def is_overdue(assignment: Assignment, now: datetime) -> bool:
    return assignment.due_at is not None and assignment.due_at < now and not _is_submitted(assignment)


# -- what there is to score ----------------------------------------------------------------


def ensure_live_stages(session: Session, library: ContentLibrary, opening: Opening) -> None:
    """Give every candidate who handed in work a slot for each live stage of the opening, while scoring is open."""
    if opening.scoring_state is not ScoringState.OPEN:
        return
    live = [
        step for step in opening.exercises
        if step.exercise_key in library.exercises
        and library.exercise(step.exercise_key).content.kind is ExerciseKind.LIVE
    ]
    if not live:
        return
    candidates = session.scalars(
        select(Candidate)
        .where(Candidate.opening_id == opening.id, Candidate.erased_at.is_(None))
        .join(Attempt).join(Submission).distinct()
        .options(selectinload(Candidate.attempts))
    ).all()
    added = False
    for candidate in candidates:
        have = {a.exercise_key for a in candidate.attempts}
        for step in live:
            if step.exercise_key in have:
                continue
            version, _ = ensure_version(
                session, ContentKind.EXERCISE, step.exercise_key, library.exercise(step.exercise_key)  # type: ignore[arg-type]
            )
            session.add(Attempt(candidate=candidate, exercise_key=step.exercise_key, exercise_version=version))
            added = True
    if added:
        session.commit()


def _work(opening: Opening) -> Any:
    """Attempts there is something to score for: submissions, and live stages (never started online)."""
    return (select(Attempt.id).join(Candidate).outerjoin(Submission)
            .where(Candidate.opening_id == opening.id)
            .where((Submission.id.is_not(None)) | (Attempt.started_at.is_(None))))


def _rows(session: Session, ids: Any) -> list[WorkRow]:
    attempts = session.scalars(
        select(Attempt).join(Candidate)
        .where(Attempt.id.in_(ids))
        # Collections load by subquery, one query each however many rows (selectin loads 500 at a time);
        # single rows are joined in, except the few large content versions.
        .options(
            joinedload(Attempt.candidate),
            selectinload(Attempt.exercise_version),
            subqueryload(Attempt.assignments).joinedload(Assignment.interviewer),
            subqueryload(Attempt.assignments).joinedload(Assignment.scorecard).subqueryload(Scorecard.ratings),
        )
        .order_by(Candidate.pseudonym, Attempt.exercise_key)
        .execution_options(populate_existing=True)
    ).unique().all()
    return [WorkRow(
        attempt=attempt,
        exercise=exercise_of(attempt.exercise_version),
        assignments=sorted(attempt.assignments, key=lambda a: a.id),
        disagreements=disagreements(_submitted_scores(attempt.assignments)),
    ) for attempt in attempts]


def work_rows(session: Session, opening: Opening) -> list[WorkRow]:
    """Every submission and live stage of the opening, with assignments and disagreements."""
    return _rows(session, _work(opening).scalar_subquery())


WORK_VIEWS = {
    "attention": "Needs attention",
    "disagreements": "Disagreements",
    "all": "All",
}


@dataclass(frozen=True)
class WorkPage:
    rows: list[WorkRow]
    view: str
    page: int
    per_page: int
    counts: dict[str, int]  # view -> how many items it holds

    @property
    def pages(self) -> int:
        return max(1, -(-self.counts[self.view] // self.per_page))


def _views(opening: Opening) -> tuple[Any, dict[str, Any]]:
    """The opening's work joined to per-item counts, and each view as a condition on that join.

    Counts are aggregated once per page view and joined, so the database never re-runs a subquery per row.
    """
    in_opening = (select(Attempt.id).join(Candidate).where(Candidate.opening_id == opening.id)).scalar_subquery()
    load = (
        select(Assignment.attempt_id.label("attempt_id"), func.count(Assignment.id).label("assigned"),
               func.count(Assignment.id).filter(
                   (Scorecard.id.is_(None)) | (Scorecard.status != ScorecardStatus.SUBMITTED)).label("unfinished"))
        .outerjoin(Scorecard).where(Assignment.attempt_id.in_(in_opening)).group_by(Assignment.attempt_id)
    ).subquery()
    apart = (
        select(Assignment.attempt_id.label("attempt_id")).join(Scorecard).join(Rating)
        .where(Assignment.attempt_id.in_(in_opening), Scorecard.status == ScorecardStatus.SUBMITTED,
               Rating.score.is_not(None))
        .group_by(Assignment.attempt_id, Rating.dimension_key)
        .having(func.max(Rating.score) - func.min(Rating.score) >= DEBRIEF_GAP)
    ).subquery()
    disagreeing = select(apart.c.attempt_id).distinct().subquery()
    work = (_work(opening).outerjoin(load, load.c.attempt_id == Attempt.id)
            .outerjoin(disagreeing, disagreeing.c.attempt_id == Attempt.id))
    flagged = disagreeing.c.attempt_id.is_not(None)
    return work, {
        "attention": (func.coalesce(load.c.assigned, 0) < opening.interviewers_per_submission)
        | (func.coalesce(load.c.unfinished, 0) > 0) | flagged,
        "disagreements": flagged,
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
    pages = max(1, -(-counts[view] // per_page))
    page = min(max(1, page), pages)
    ids = (work.where(filters[view]).order_by(Candidate.pseudonym, Attempt.exercise_key)
           .limit(per_page).offset((page - 1) * per_page))
    chosen = list(session.scalars(ids))
    return WorkPage(_rows(session, chosen) if chosen else [], view, page, per_page, counts)


def _submitted_scores(assignments: list[Assignment]) -> dict[str, dict[str, int | None]]:
    return {
        a.interviewer.name: {r.dimension_key: r.score for r in a.scorecard.ratings}
        for a in assignments if a.scorecard is not None and _is_submitted(a)
    }


def calibrated(session: Session, opening: Opening, interviewer_id: int) -> bool:
    """Whether the interviewer may score this opening's candidates, as far as calibration goes."""
    if not opening.calibration_required:
        return True
    from .calibration_sessions import has_passed

    return has_passed(session, opening, interviewer_id)


def interviewers(session: Session) -> list[User]:
    return list(session.scalars(
        select(User).where(User.role == Role.INTERVIEWER, User.active.is_(True)).order_by(User.name)
    ))


def _load(session: Session) -> dict[int, int]:
    """Open assignments per interviewer: the ones without a submitted scorecard."""
    rows = session.execute(
        select(Assignment.interviewer_id, func.count(Assignment.id))
        .outerjoin(Scorecard)
        .where((Scorecard.id.is_(None)) | (Scorecard.status != ScorecardStatus.SUBMITTED))
        .group_by(Assignment.interviewer_id)
    ).all()
    return {interviewer: count for interviewer, count in rows}


# -- assigning ----------------------------------------------------------------------------


def assign(
    session: Session, opening: Opening, attempt_id: int, interviewer_id: int, *,
    due_at: datetime | None, actor: User, now: datetime,
) -> Assignment:
    """Ask one interviewer to score one submission or live stage."""
    require_scoring_open(session, opening, "nobody can be assigned any more")
    attempt = session.get(Attempt, attempt_id)
    if attempt is None or attempt.candidate.opening_id != opening.id:
        raise NotFound("There is no such submission in this opening.")
    if attempt.started_at is not None and attempt.submission is None:
        raise Conflict("This exercise has not been submitted yet; assign it once it is in.")
    interviewer = session.get(User, interviewer_id)
    if interviewer is None or interviewer.role is not Role.INTERVIEWER or not interviewer.active:
        raise InputError("Choose an active interviewer.")
    if any(a.interviewer_id == interviewer_id for a in attempt.assignments):
        raise Conflict(f"{interviewer.name} is already scoring this.")
    if not calibrated(session, opening, interviewer.id):
        raise Conflict(f"{interviewer.name} has not passed a calibration session for this opening yet, "
                       "which the opening requires before scoring candidates.")
    if due_at is not None and due_at <= now:
        raise InputError("Choose a due date in the future.")
    assignment = Assignment(
        attempt=attempt, interviewer=interviewer, assigned_by_id=actor.id,
        due_at=due_at or now + DEFAULT_DUE, created_at=now,
    )
    session.add(assignment)
    session.flush()
    audit.record(session, "assignment.created", now=now, actor=actor, subject_type="assignment",
                 subject_id=assignment.id, attempt_id=attempt.id, interviewer_id=interviewer.id)
    session.commit()
    return assignment


@dataclass(frozen=True)
class AutoResult:
    added: int
    short: int


def auto_assign(
    session: Session, library: ContentLibrary, opening: Opening, *, actor: User, now: datetime
) -> AutoResult:
    """Give every submission and live stage its interviewers, balancing everyone's load."""
    require_scoring_open(session, opening, "nobody can be assigned any more")
    ensure_live_stages(session, library, opening)
    rows = work_rows(session, opening)
    pool = interviewers(session)
    if opening.calibration_required:
        from .calibration_sessions import passed_interviewers

        allowed = passed_interviewers(session, opening)
        pool = [u for u in pool if u.id in allowed]
    if not pool:
        raise Conflict("There are no active interviewers to assign (who have passed calibration, "
                       "where the opening requires it).")
    items = [
        WorkItem(item_id=row.attempt.id, candidate_id=row.attempt.candidate_id,
                 assigned=frozenset(a.interviewer_id for a in row.assignments))
        for row in rows
    ]
    plan = plan_assignments(items, [u.id for u in pool], opening.interviewers_per_submission, _load(session))
    attempts = {row.attempt.id: row.attempt for row in rows}
    for attempt_id, interviewer_id in plan.pairs:
        session.add(Assignment(attempt=attempts[attempt_id], interviewer_id=interviewer_id,
                               assigned_by_id=actor.id, due_at=now + DEFAULT_DUE, created_at=now))
    audit.record(session, "assignment.auto", now=now, actor=actor, subject_type="opening", subject_id=opening.id,
                 added=len(plan.pairs), short=len(plan.short))
    session.commit()
    return AutoResult(added=len(plan.pairs), short=len(plan.short))


def assignment_in(session: Session, opening: Opening, assignment_id: int) -> Assignment:
    """The assignment with this id, if it belongs to the opening."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or assignment.attempt.candidate.opening_id != opening.id:
        raise NotFound("There is no such assignment in this opening.")
    return assignment


def remind(
    session: Session, config: Config, opening: Opening, assignment: Assignment, *, actor: User, now: datetime,
) -> Assignment:
    """Email an interviewer about a scorecard they have not submitted."""
    require_scoring_open(session, opening, "reminders are no longer sent")
    if _is_submitted(assignment):
        raise Conflict("That scorecard is already submitted.")
    exercise = exercise_of(assignment.attempt.exercise_version)
    due = f"was due {assignment.due_at:%d %B}" if assignment.due_at and assignment.due_at < now else (
        f"is due {assignment.due_at:%d %B}" if assignment.due_at else "is waiting")
    body = (
        f"Hello {assignment.interviewer.name},\n\nYour scorecard for {exercise.title} by Candidate "
        f"{assignment.attempt.candidate.pseudonym} ({opening.title}) {due}.\n"
        f"It is in your queue: {config.base_url.rstrip('/')}/review/assignments/{assignment.id}\n\n"
        f"Thank you,\n{actor.name}"
    )
    mail.queue(session, mail.Message(assignment.interviewer.email,
               f"Reminder: scorecard for {exercise.title}", body), now=now, opening_id=opening.id)
    assignment.reminded_at = now
    audit.record(session, "assignment.reminded", now=now, actor=actor, subject_type="assignment", subject_id=assignment.id)
    session.commit()
    return assignment


# -- the interviewer's side ---------------------------------------------------------------


def queue(session: Session, interviewer: User) -> list[Assignment]:
    """The interviewer's assignments, open ones first, soonest due first."""
    found = session.scalars(
        select(Assignment)
        .where(Assignment.interviewer_id == interviewer.id)
        .options(
            selectinload(Assignment.scorecard),
            selectinload(Assignment.attempt).selectinload(Attempt.candidate).selectinload(Candidate.opening),
            selectinload(Assignment.attempt).selectinload(Attempt.exercise_version),
        )
    ).all()
    return sorted(found, key=lambda a: (_is_submitted(a), a.due_at is None, a.due_at or a.created_at, a.id))


def assignment_for(session: Session, interviewer: User, assignment_id: int) -> Assignment:
    """One of the interviewer's own assignments; anyone else's does not exist for them."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or assignment.interviewer_id != interviewer.id:
        raise NotFound("There is no scorecard of yours at this address.")
    return assignment


def scorecard_content(library: ContentLibrary, session: Session, assignment: Assignment) -> ScorecardContent:
    """The scorecard version this assignment is scored against (fixed when first saved)."""
    if assignment.scorecard is not None:
        return scorecard_of(assignment.scorecard.scorecard_version)
    return library.scorecard(assignment.attempt.exercise_key).content


def snapshot(scorecard: Scorecard) -> dict[str, Any]:
    """A scorecard's values, as the audit log records them."""
    return {
        "ratings": {
            r.dimension_key: {"score": r.score, "evidence": r.evidence, "signals": list(r.signals)}
            for r in sorted(scorecard.ratings, key=lambda r: r.dimension_key)
        },
        "recommendation": scorecard.recommendation,
        "summary": scorecard.summary,
    }


def audited_values(scorecard: Scorecard) -> dict[str, Any]:
    """What the audit log keeps of a scorecard: scores, signals and recommendation, and a digest of each
    note instead of its text, since notes may quote the candidate and the log outlives an erasure."""
    full = snapshot(scorecard)
    for rating in full["ratings"].values():
        rating["evidence"] = text_digest(rating["evidence"])
    full["summary"] = text_digest(full["summary"])
    return full


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16] if text else ""


def _scorecard_version(session: Session, library: ContentLibrary, key: str) -> Any:
    """The stored row of the exercise's current scorecard version, even when another request stores it first."""
    versioned = library.scorecard(key)
    try:
        with session.begin_nested():
            return ensure_version(session, ContentKind.SCORECARD, key, versioned)[0]  # type: ignore[arg-type]
    except IntegrityError:
        return ensure_version(session, ContentKind.SCORECARD, key, versioned)[0]  # type: ignore[arg-type]


def save(
    session: Session,
    library: ContentLibrary,
    assignment: Assignment,
    given: ScorecardInput,
    *,
    submit: bool,
    actor: User,
    now: datetime,
) -> list[Problem]:
    """Save the scorecard as a draft, or submit it when nothing is missing; returns what is."""
    scorecard = _locked_scorecard(session, assignment)
    require_scoring_open(session, assignment.attempt.candidate.opening,
                         "scorecards can no longer be started, saved or submitted")
    if scorecard is None:
        version = _scorecard_version(session, library, assignment.attempt.exercise_key)
        scorecard = Scorecard(assignment=assignment, scorecard_version=version, created_at=now)
        session.add(scorecard)
        try:
            session.flush()
        except IntegrityError as error:
            session.rollback()
            raise Conflict("This scorecard was started in another tab or window at the same moment, so these "
                           "changes were not saved. Reload the page to see it.") from error
    if scorecard.status is ScorecardStatus.SUBMITTED:
        raise Conflict("This scorecard is submitted and locked, so these changes were not saved (it may have been "
                       "submitted from another tab or window). Reopen it, with a reason, to change it.")
    content = scorecard_of(scorecard.scorecard_version)
    existing = {r.dimension_key: r for r in scorecard.ratings}
    for key in content.dimension_keys:
        value = given.ratings.get(key, RatingInput(None))
        rating = existing.get(key) or Rating(dimension_key=key)
        rating.score, rating.evidence, rating.signals = value.score, value.evidence.strip(), list(value.signals)
        if key not in existing:
            scorecard.ratings.append(rating)
    scorecard.recommendation = given.recommendation
    scorecard.summary = given.summary.strip()
    scorecard.updated_at = now
    problems = problems_before_submitting(content, given) if submit else []
    if submit and not problems:
        first = scorecard.first_submitted_at is None
        scorecard.status = ScorecardStatus.SUBMITTED
        scorecard.submitted_at = now
        if first:
            scorecard.first_submitted_at = now
            for rating in scorecard.ratings:
                rating.first_score = rating.score
        session.flush()
        audit.record(session, "scorecard.submitted", now=now, actor=actor, subject_type="scorecard",
                     subject_id=scorecard.id, values=audited_values(scorecard), first=first)
        candidate = assignment.attempt.candidate
        webhooks.emit(session, "scorecard.submitted", {
            "opening": candidate.opening.slug, "candidate_id": candidate.id, "candidate_code": candidate.pseudonym,
            "exercise": assignment.attempt.exercise_key, "scorecard_id": scorecard.id,
            "recommendation": scorecard.recommendation, "submitted_at": now.isoformat(),
        }, now)
    session.commit()
    return problems


def _locked_scorecard(session: Session, assignment: Assignment) -> Scorecard | None:
    """The assignment's scorecard as committed now, its row held until commit.

    Two tabs saving, submitting or reopening the same scorecard then take turns: the second sees what
    the first committed (on SQLite, which has no row locks, writers take turns anyway).
    """
    session.execute(select(Assignment.id).where(Assignment.id == assignment.id).with_for_update())
    session.expire(assignment, ["scorecard"])
    scorecard = session.scalars(
        select(Scorecard).where(Scorecard.assignment_id == assignment.id)
        .options(selectinload(Scorecard.ratings), selectinload(Scorecard.revision_requests))
        .execution_options(populate_existing=True)
    ).one_or_none()
    return scorecard


def needs_approval(session: Session, assignment: Assignment) -> bool:
    """Whether reopening needs the hiring manager's approval: another scorecard on the same work has been
    submitted, so once this one was in its author could see those ratings."""
    others = session.scalar(
        select(func.count(Scorecard.id)).join(Assignment)
        .where(Assignment.attempt_id == assignment.attempt_id, Assignment.id != assignment.id,
               Scorecard.first_submitted_at.is_not(None))
    )
    return bool(others)


def pending_request(scorecard: Scorecard | None) -> RevisionRequest | None:
    if scorecard is None:
        return None
    return next((r for r in scorecard.revision_requests if r.status is RevisionStatus.PENDING), None)


def latest_request(scorecard: Scorecard | None) -> RevisionRequest | None:
    """The scorecard's most recent reopen request, whatever became of it."""
    return scorecard.revision_requests[-1] if scorecard is not None and scorecard.revision_requests else None


@dataclass(frozen=True)
class Reopened:
    scorecard: Scorecard
    # Set when the scorecard stays locked until the hiring manager approves this request.
    request: RevisionRequest | None = None


def reopen(session: Session, assignment: Assignment, reason: str, *, actor: User, now: datetime) -> Reopened:
    """Unlock a submitted scorecard, or ask the hiring manager to once its author has seen others' ratings."""
    scorecard = _locked_scorecard(session, assignment)
    require_scoring_open(session, assignment.attempt.candidate.opening, "scorecards can no longer be reopened")
    if scorecard is None or scorecard.status is not ScorecardStatus.SUBMITTED:
        raise Conflict("Only a submitted scorecard can be reopened, and this one is open for changes already.")
    if len(reason.strip()) < 10:
        raise InputError("Say why the scorecard is being reopened (at least a short sentence).")
    if needs_approval(session, assignment):
        if pending_request(scorecard) is not None:
            raise Conflict("You have already asked to reopen this scorecard; the hiring manager has not decided yet.")
        request = RevisionRequest(scorecard=scorecard, requested_by_id=actor.id, reason=reason.strip(),
                                  requested_at=now)
        session.add(request)
        try:
            session.flush()
        except IntegrityError as error:
            session.rollback()
            raise Conflict("You have already asked to reopen this scorecard; the hiring manager has not decided "
                           "yet.") from error
        audit.record(session, "scorecard.revision_requested", now=now, actor=actor, subject_type="scorecard",
                     subject_id=scorecard.id, reason=reason.strip())
        session.commit()
        return Reopened(scorecard, request)
    audit.record(session, "scorecard.reopened", now=now, actor=actor, subject_type="scorecard", subject_id=scorecard.id,
                 reason=reason.strip(), values=audited_values(scorecard))
    scorecard.status = ScorecardStatus.DRAFT
    scorecard.updated_at = now
    session.commit()
    return Reopened(scorecard)


def decide_revision(
    session: Session, opening: Opening, assignment: Assignment, *, approve: bool, note: str, actor: User,
    now: datetime,
) -> RevisionRequest:
    """Approve a reopen request, which unlocks the scorecard, or refuse it; the note goes to the interviewer."""
    scorecard = _locked_scorecard(session, assignment)
    require_scoring_open(session, opening, "reopen requests can no longer be approved")
    request = pending_request(scorecard)
    if scorecard is None or request is None:
        raise Conflict("There is no reopen request waiting for this scorecard; it may have been decided already.")
    if len(note) > 1000:
        raise InputError("Keep the note to 1,000 characters.")
    request.status = RevisionStatus.APPROVED if approve else RevisionStatus.REFUSED
    request.decided_by_id, request.decided_at, request.note = actor.id, now, note.strip()
    if approve:
        audit.record(session, "scorecard.reopened", now=now, actor=actor, subject_type="scorecard", subject_id=scorecard.id,
                     reason=request.reason, approved_for=request.requested_by_id, note=request.note,
                     values=audited_values(scorecard))
        scorecard.status = ScorecardStatus.DRAFT
        scorecard.revision_approved_at = now
        scorecard.updated_at = now
    else:
        audit.record(session, "scorecard.revision_refused", now=now, actor=actor, subject_type="scorecard",
                     subject_id=scorecard.id, reason=request.reason, note=request.note)
    session.commit()
    return request


def pending_requests(session: Session, opening: Opening) -> list[RevisionRequest]:
    """The opening's reopen requests waiting for the hiring manager, oldest first."""
    return list(session.scalars(
        select(RevisionRequest).join(Scorecard).join(Assignment).join(Attempt).join(Candidate)
        .where(Candidate.opening_id == opening.id, RevisionRequest.status == RevisionStatus.PENDING)
        .options(
            joinedload(RevisionRequest.requested_by),
            joinedload(RevisionRequest.scorecard).joinedload(Scorecard.assignment)
            .joinedload(Assignment.attempt).joinedload(Attempt.candidate),
            joinedload(RevisionRequest.scorecard).joinedload(Scorecard.assignment)
            .joinedload(Assignment.attempt).joinedload(Attempt.exercise_version),
        )
        .order_by(RevisionRequest.requested_at, RevisionRequest.id)
    ))


def history(session: Session, scorecard: Scorecard) -> list[AuditEvent]:
    """What happened to a scorecard after it was first submitted, oldest first."""
    return list(session.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_type == "scorecard", AuditEvent.subject_id == scorecard.id)
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    ))


def peers(session: Session, assignment: Assignment) -> list[Peer]:
    """Everyone's submitted scorecards for the same work, but only once this one is submitted."""
    if not _is_submitted(assignment):
        return []
    others = session.scalars(
        select(Assignment)
        .where(Assignment.attempt_id == assignment.attempt_id)
        .options(selectinload(Assignment.scorecard).selectinload(Scorecard.ratings),
                 selectinload(Assignment.interviewer))
        .order_by(Assignment.id)
    ).all()
    return [Peer(a.interviewer, a.scorecard) for a in others if a.scorecard is not None and _is_submitted(a)]


def candidate_scorecards(session: Session, candidate: Candidate) -> list[Assignment]:
    """Every assignment on the candidate's work with its scorecard and AI drafts, by exercise."""
    return list(session.scalars(
        select(Assignment)
        .join(Attempt)
        .where(Attempt.candidate_id == candidate.id)
        .options(
            selectinload(Assignment.interviewer),
            selectinload(Assignment.attempt).selectinload(Attempt.exercise_version),
            selectinload(Assignment.scorecard).selectinload(Scorecard.ratings),
            selectinload(Assignment.scorecard).selectinload(Scorecard.ai_drafts),
            selectinload(Assignment.scorecard).selectinload(Scorecard.scorecard_version),
        )
        .order_by(Attempt.exercise_key, Assignment.id)
    ))


def unfinished_count(session: Session, opening: Opening) -> int:
    """How many of the opening's assignments have no submitted scorecard (what closing would leave unscored)."""
    return session.scalar(
        select(func.count(Assignment.id)).join(Attempt).join(Candidate).outerjoin(Scorecard)
        .where(Candidate.opening_id == opening.id)
        .where((Scorecard.id.is_(None)) | (Scorecard.status != ScorecardStatus.SUBMITTED))
    ) or 0
