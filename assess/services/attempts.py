"""A candidate's exercises: where each stands, starting one, its deadline and the lock every change takes."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..content import ContentLibrary
from ..content.schema import DataVariant, Exercise, ExerciseKind
from ..domain.timing import Deadline
from ..errors import Conflict, NotFound
from ..models import Attempt, Candidate, ContentKind, ContentVersion
from . import audit, deadlines, mail, pipeline
from .content import ensure_version, exercise_of
from .invitations import active_invitation

log = logging.getLogger(__name__)


class StepState(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    CLOSED = "closed"  # never started, and the invitation window has ended


@dataclass(frozen=True)
class Step:
    """One take-home exercise of an opening, as a candidate meets it."""

    exercise: Exercise
    time_limit_minutes: int
    attempt: Attempt | None
    state: StepState


def attempt_deadline(attempt: Attempt) -> Deadline:
    """The attempt's deadline, read from the one value stored for it."""
    return deadlines.deadline_of(attempt)


def lock(session: Session, attempt: Attempt) -> Attempt:
    """Lock the attempt's row and read it, its draft and its submission afresh.

    Every change to an attempt (a save, the submit, the sweep, an extension)
    takes this lock first, so two requests on several web processes never
    both decide on what they read before the other wrote.
    """
    session.execute(select(Attempt.id).where(Attempt.id == attempt.id).with_for_update())
    # Read in a statement of its own once the lock is held: a statement sees what was committed before it
    # began, so this is the draft the last holder of the lock left. (Rows joined into the locking statement
    # itself would be read as they stood before it waited, and a save would build on a draft since replaced.)
    # The exercise's text is read only when this process has not parsed that version before.
    locked = session.scalars(
        select(Attempt)
        .where(Attempt.id == attempt.id)
        .options(joinedload(Attempt.draft), joinedload(Attempt.submission),
                 joinedload(Attempt.exercise_version).defer(ContentVersion.body))
        .execution_options(populate_existing=True)
    ).one()
    # The copies are read, under the lock, only by a save that keeps one.
    session.expire(locked, ["copies"])
    return locked


def started_attempt(session: Session, candidate: Candidate, key: str) -> Attempt | None:
    """The candidate's started attempt at exercise key, with its submission, and nothing else of theirs: what
    a background save needs before it takes the lock."""
    return session.scalars(
        select(Attempt).where(Attempt.candidate_id == candidate.id, Attempt.exercise_key == key,
                              Attempt.started_at.is_not(None))
        .options(joinedload(Attempt.submission))
    ).first()


def variant_for(exercise: Exercise, candidate: Candidate) -> DataVariant | None:
    if not exercise.variants:
        return None
    return exercise.variants[candidate.data_variant_seed % len(exercise.variants)]


def steps(library: ContentLibrary, candidate: Candidate, now: datetime) -> list[Step]:
    """The candidate's take-home exercises in order, with where each one stands."""
    attempts = {a.exercise_key: a for a in candidate.attempts}
    window_open = active_invitation(candidate, now) is not None
    result = []
    for item in candidate.opening.exercises:
        exercise = library.exercises.get(item.exercise_key)
        if exercise is None or exercise.content.kind is not ExerciseKind.TAKE_HOME:
            continue
        attempt = attempts.get(item.exercise_key)
        if attempt is not None and attempt.submission is not None:
            state = StepState.SUBMITTED
        elif attempt is not None and attempt.started_at is not None:
            state = StepState.IN_PROGRESS
        else:
            state = StepState.NOT_STARTED if window_open else StepState.CLOSED
        result.append(
            Step(
                exercise=exercise.content,
                time_limit_minutes=item.time_limit_minutes + candidate.extra_minutes,
                attempt=attempt,
                state=state,
            )
        )
    return result


def find_step(library: ContentLibrary, candidate: Candidate, key: str, now: datetime) -> Step:
    for step in steps(library, candidate, now):
        if step.exercise.key == key:
            return step
    raise NotFound("This exercise is not part of your assessment.")


def start(
    session: Session, library: ContentLibrary, candidate: Candidate, key: str, *, now: datetime
) -> Attempt:
    """Start the clock on an exercise; starting again, or twice at once, returns the same attempt."""
    session.execute(select(Candidate.id).where(Candidate.id == candidate.id).with_for_update())
    session.expire(candidate, ["attempts"])
    step = find_step(library, candidate, key, now)
    if step.attempt is not None and step.attempt.started_at is not None:
        return step.attempt
    if step.state is StepState.CLOSED:
        raise Conflict(
            "The time to start this exercise has ended. If you need more time, "
            f"contact {mail.contact(candidate.opening)}."
        )
    versioned = library.exercise(key)
    version, _ = ensure_version(session, ContentKind.EXERCISE, key, versioned)  # type: ignore[arg-type]
    variant = variant_for(versioned.content, candidate)
    attempt = Attempt(
        candidate=candidate,
        exercise_key=key,
        exercise_version=version,
        data_variant=variant.key if variant else None,
        started_at=now,
        deadline_at=deadlines.first_deadline(now, step.time_limit_minutes),
    )
    session.add(attempt)
    session.flush()
    audit.record(
        session, "attempt.started", now=now, actor=None, actor_kind="candidate",
        subject_type="attempt", subject_id=attempt.id, exercise=key,
    )
    pipeline.restage(session, [candidate.id])
    session.commit()
    return attempt


def exercise_for(attempt: Attempt) -> Exercise:
    """The version of the exercise this attempt was started on."""
    return exercise_of(attempt.exercise_version)


def is_open(attempt: Attempt, now: datetime) -> bool:
    """True while the attempt still takes work: not handed in, and its grace not over."""
    return attempt.submission is None and attempt_deadline(attempt).is_open(now)
