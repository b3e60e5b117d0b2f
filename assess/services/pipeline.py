"""The pipeline: each candidate's stage kept on their row, the counts and funnel read from it, how long scoring
takes, and each interviewer's open and overdue work."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, literal, select, update
from sqlalchemy.orm import Session

from ..domain.pipeline import Stage, Step, Turnaround, funnel, turnaround
from ..models import (
    Assignment,
    Attempt,
    Candidate,
    Decision,
    Invitation,
    Opening,
    Outcome,
    Scorecard,
    ScorecardStatus,
    Submission,
    User,
)
from .row_locks import hold_rows


def _progress() -> Any:
    """How far along the way a candidate's work is, as SQL on their row: the one definition the stored progress
    and stage are kept by (the domain's progress_of and stage_of say the same in Python)."""
    mine = Attempt.candidate_id == Candidate.id
    handed_in_this = exists().where(Submission.attempt_id == Attempt.id)
    # Correlated to the candidate's row by hand: it sits inside an EXISTS, past automatic correlation's reach.
    needed = (select(Opening.interviewers_per_submission).where(Opening.id == Candidate.opening_id)
              .correlate_except(Opening).scalar_subquery())
    handed_in = exists().where(mine, handed_in_this)
    under_way = exists().where(mine, Attempt.started_at.is_not(None), ~handed_in_this)
    unscored = exists().where(mine, Attempt.started_at.is_(None) | handed_in_this,
                              (Attempt.assigned_count < needed) | (Attempt.unfinished_count > 0))
    return case(
        (and_(handed_in, ~under_way, ~unscored), literal(Stage.SCORED.value)),
        (handed_in, literal(Stage.SUBMITTED.value)),
        (exists().where(mine, Attempt.started_at.is_not(None)), literal(Stage.STARTED.value)),
        (exists().where(Invitation.candidate_id == Candidate.id, Invitation.first_used_at.is_not(None)),
         literal(Stage.OPENED.value)),
        else_=literal(Stage.INVITED.value),
    )


def restage(session: Session, candidates: Iterable[int] | Any | None) -> None:
    """Bring the stored stage of these candidates up to date (candidates: ids, a SELECT of ids, or None for
    everyone); part of the caller's transaction, called wherever a fact the stage is read from changes."""
    if isinstance(candidates, (set, list, tuple, frozenset)) and not candidates:
        return
    session.flush()
    if candidates is not None:
        hold_rows(session, Candidate, candidates)
    progress = _progress()
    decided = exists().where(Decision.candidate_id == Candidate.id)
    which = update(Candidate).values(progress=progress,
                                     stage=case((decided, literal(Stage.DECIDED.value)), else_=progress))
    if candidates is not None:
        which = which.where(Candidate.id.in_(candidates))
    session.execute(which, execution_options={"synchronize_session": False})
    for row in list(session.identity_map.values()):
        if isinstance(row, Candidate):
            session.expire(row, ["stage", "progress"])


def of_attempts(attempt_ids: Iterable[int]) -> Any:
    """The candidates whose attempts these are, as a SELECT for restage."""
    return select(Attempt.candidate_id).where(Attempt.id.in_(set(attempt_ids)))


def of_opening(opening_id: int) -> Any:
    return select(Candidate.id).where(Candidate.opening_id == opening_id)


# -- reading the pipeline -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """An opening's candidates by stage, and by how far along their work is (decided ones included)."""

    stages: dict[Stage, int]
    progress: dict[Stage, int]
    decided_without_work: int  # decided on, having handed nothing in

    @property
    def funnel(self) -> list[Step]:
        return funnel(self.progress)


def counts(session: Session, opening_ids: Iterable[int]) -> dict[int, Counts]:
    """Each opening's counts, from the stage and progress kept on its candidates' rows (one grouped read)."""
    ids = set(opening_ids)
    found: dict[int, tuple[dict[Stage, int], dict[Stage, int], list[int]]] = {i: ({}, {}, [0]) for i in ids}
    if ids:
        rows = session.execute(select(Candidate.opening_id, Candidate.stage, Candidate.progress, func.count())
                               .where(Candidate.opening_id.in_(ids))
                               .group_by(Candidate.opening_id, Candidate.stage, Candidate.progress))
        for opening_id, stage, progress, n in rows:
            stages, along, without = found[opening_id]
            stages[stage] = stages.get(stage, 0) + n
            along[progress] = along.get(progress, 0) + n
            if stage is Stage.DECIDED and progress in (Stage.INVITED, Stage.OPENED, Stage.STARTED):
                without[0] += n
    return {i: Counts(stages, along, without[0]) for i, (stages, along, without) in found.items()}


def across(each: Iterable[Counts]) -> list[Step]:
    """One funnel for several openings together."""
    total: dict[Stage, int] = {}
    for found in each:
        for stage, n in found.progress.items():
            total[stage] = total.get(stage, 0) + n
    return funnel(total)


def outcomes(session: Session, opening: Opening) -> dict[Outcome, int]:
    """How many of the opening's candidates stand at each decision."""
    latest = (select(func.max(Decision.id)).join(Candidate, Decision.candidate_id == Candidate.id)
              .where(Candidate.opening_id == opening.id).group_by(Decision.candidate_id))
    return {outcome: n for outcome, n in session.execute(
        select(Decision.outcome, func.count(Decision.id)).where(Decision.id.in_(latest)).group_by(Decision.outcome))}


@dataclass(frozen=True)
class Scoring:
    """How long handed-in work waits for its scorecards in an opening."""

    scored: Turnaround  # from hand-in to the last first-submitted scorecard, over work fully scored
    waiting: int  # handed-in work still short of interviewers or scorecards
    oldest_wait: timedelta | None  # how long the longest-waiting of it has waited


def scoring(session: Session, opening: Opening, now: datetime) -> Scoring:
    """Time from hand-in to the last scorecard for the opening's fully scored work, and what still waits."""
    in_opening = Candidate.opening_id == opening.id
    done = (Attempt.assigned_count >= opening.interviewers_per_submission) & (Attempt.unfinished_count == 0)
    last = func.max(func.coalesce(Scorecard.first_submitted_at, Scorecard.submitted_at))
    scored = session.execute(
        select(Submission.submitted_at, last)
        .select_from(Submission).join(Attempt, Submission.attempt_id == Attempt.id)
        .join(Candidate, Attempt.candidate_id == Candidate.id)
        .join(Assignment, Assignment.attempt_id == Attempt.id)
        .join(Scorecard, Scorecard.assignment_id == Assignment.id)
        .where(in_opening, done).group_by(Submission.id, Submission.submitted_at))
    waits = [max(timedelta(0), finished - handed) for handed, finished in scored if finished is not None]
    waiting, oldest = session.execute(
        select(func.count(Submission.id), func.min(Submission.submitted_at))
        .select_from(Submission).join(Attempt, Submission.attempt_id == Attempt.id)
        .join(Candidate, Attempt.candidate_id == Candidate.id).where(in_opening, ~done)).one()
    return Scoring(turnaround(waits), waiting or 0, now - oldest if oldest is not None else None)


@dataclass(frozen=True)
class Load:
    """One interviewer's work in one or more openings."""

    interviewer: User
    open: int  # assigned and not yet submitted
    overdue: int  # of them, past their due date
    submitted: int
    oldest_due: datetime | None  # the earliest due date among the open ones


def workload(session: Session, opening_ids: Iterable[int], now: datetime) -> list[Load]:
    """Every interviewer with work in these openings, most overdue first, then most open."""
    ids = set(opening_ids)
    if not ids:
        return []
    submitted = Scorecard.status == ScorecardStatus.SUBMITTED
    is_open = Scorecard.id.is_(None) | ~submitted
    rows = session.execute(
        select(Assignment.interviewer_id,
               func.count(Assignment.id).filter(is_open),
               func.count(Assignment.id).filter(is_open, Assignment.due_at < now),
               func.count(Assignment.id).filter(submitted),
               func.min(Assignment.due_at).filter(is_open))
        .join(Attempt, Assignment.attempt_id == Attempt.id).join(Candidate, Attempt.candidate_id == Candidate.id)
        .outerjoin(Scorecard, Scorecard.assignment_id == Assignment.id)
        .where(Candidate.opening_id.in_(ids)).group_by(Assignment.interviewer_id)).all()
    people = {u.id: u for u in session.scalars(select(User).where(User.id.in_({r[0] for r in rows})))}
    loads = [Load(people[i], open_, overdue, done, oldest) for i, open_, overdue, done, oldest in rows]
    return sorted(loads, key=lambda load: (-load.overdue, -load.open, load.interviewer.name.casefold()))
