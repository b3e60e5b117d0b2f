"""A candidate's work on an exercise: start, autosave, submit, and the deadline sweep."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..config import Config
from ..content import ContentLibrary
from ..content.schema import DataVariant, Exercise, ExerciseKind
from ..domain.autosave import SaveVerdict, StoredDraft, judge_save
from ..domain.timing import GRACE, Deadline, deadline_for
from ..errors import Conflict, InputError, NotFound
from ..models import (
    Attempt,
    Candidate,
    ContentKind,
    Draft,
    Submission,
    SubmittedBy,
)
from . import audit, mail, webhooks
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


@dataclass(frozen=True)
class SaveResult:
    verdict: SaveVerdict
    revision: int
    saved_at: datetime | None


def answers_digest(answers: dict[str, str]) -> str:
    """A short fingerprint of exactly what was submitted, shown on the receipt."""
    canonical = json.dumps(answers, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def attempt_deadline(attempt: Attempt) -> Deadline:
    assert attempt.started_at is not None
    return deadline_for(attempt.started_at, attempt.time_limit_minutes)


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
    """Start the clock on an exercise; starting again returns the same attempt."""
    step = find_step(library, candidate, key, now)
    if step.attempt is not None and step.attempt.started_at is not None:
        return step.attempt
    if step.state is StepState.CLOSED:
        raise Conflict(
            "The time to start this exercise has ended. If you need more time, "
            f"contact {candidate.opening.hiring_manager.email}."
        )
    versioned = library.exercise(key)
    version, _ = ensure_version(session, ContentKind.EXERCISE, key, versioned)  # type: ignore[arg-type]
    variant = variant_for(versioned.content, candidate)
    deadline = deadline_for(now, step.time_limit_minutes)
    attempt = Attempt(
        candidate=candidate,
        exercise_key=key,
        exercise_version=version,
        data_variant=variant.key if variant else None,
        time_limit_minutes=step.time_limit_minutes,
        started_at=now,
        deadline_at=deadline.shown_at,
    )
    session.add(attempt)
    session.flush()
    audit.record(
        session, "attempt.started", actor=None, actor_kind="candidate",
        subject_type="attempt", subject_id=attempt.id, exercise=key,
    )
    session.commit()
    return attempt


def check_answers(exercise: Exercise, answers: dict[str, str]) -> dict[str, str]:
    """Keep the answers to the exercise's sections, refusing any over its length limit."""
    clean: dict[str, str] = {}
    for section in exercise.sections:
        text = answers.get(section.key, "")
        if not isinstance(text, str):
            raise InputError(f"The answer to {section.title!r} must be text.")
        text = text.replace("\r\n", "\n")
        if len(text) > section.max_chars:
            raise InputError(
                f"{section.title} is {len(text):,} characters long; the limit is "
                f"{section.max_chars:,}. Shorten it and it will be saved; your text is still on the page."
            )
        clean[section.key] = text
    return clean


def exercise_for(attempt: Attempt) -> Exercise:
    """The version of the exercise this attempt was started on."""
    return exercise_of(attempt.exercise_version)


def save(
    session: Session,
    attempt: Attempt,
    answers: dict[str, str],
    *,
    client_id: str,
    seq: int,
    base_revision: int,
    now: datetime,
) -> SaveResult:
    """Autosave the answers unless a newer save, another tab or the deadline says otherwise."""
    clean = check_answers(exercise_for(attempt), answers)
    draft = attempt.draft
    stored = StoredDraft(draft.revision, draft.client_id, draft.seq) if draft else None
    is_open = attempt.submission is None and attempt_deadline(attempt).is_open(now)
    verdict = judge_save(stored, client_id=client_id, seq=seq, base_revision=base_revision, is_open=is_open)
    if verdict is not SaveVerdict.ACCEPTED:
        return SaveResult(verdict, draft.revision if draft else 0, draft.saved_at if draft else None)
    if draft is None:
        draft = Draft(attempt=attempt, revision=0)
        session.add(draft)
    draft.answers = clean
    draft.revision += 1
    draft.seq = seq
    draft.client_id = client_id
    draft.saved_at = now
    session.commit()
    return SaveResult(verdict, draft.revision, draft.saved_at)


def submit(
    session: Session,
    config: Config,
    attempt: Attempt,
    *,
    now: datetime,
    answers: dict[str, str] | None = None,
    by: SubmittedBy = SubmittedBy.CANDIDATE,
) -> Submission:
    """Hand in the attempt once; a repeated submit returns the first submission.

    Answers sent with the submit are saved first while the deadline allows;
    after it, the last saved draft is what counts.
    """
    if attempt.submission is not None:
        return attempt.submission
    exercise = exercise_for(attempt)
    is_open = attempt_deadline(attempt).is_open(now)
    if answers is not None and is_open:
        final = check_answers(exercise, answers)
    else:
        final = check_answers(exercise, attempt.draft.answers if attempt.draft else {})
    if by is SubmittedBy.CANDIDATE and not is_open:
        by = SubmittedBy.DEADLINE
    submission = Submission(
        attempt=attempt,
        exercise_version_id=attempt.exercise_version_id,
        answers=final,
        digest=answers_digest(final),
        submitted_by=by,
        submitted_at=now,
    )
    session.add(submission)
    session.flush()
    candidate = attempt.candidate
    audit.record(
        session, "submission.received", actor=None,
        actor_kind="candidate" if by is SubmittedBy.CANDIDATE else "system",
        subject_type="attempt", subject_id=attempt.id, digest=submission.digest, by=by.value,
    )
    mail.deliver(
        session, config, _receipt(exercise, candidate, submission),
        opening_id=candidate.opening_id, candidate_id=candidate.id,
    )
    webhooks.emit(session, "submission.received", {
        "opening": candidate.opening.slug, "candidate_id": candidate.id, "candidate_code": candidate.pseudonym,
        "exercise": attempt.exercise_key, "submitted_by": by.value, "submitted_at": now.isoformat(),
    }, now)
    session.commit()
    return submission


def finalize_if_due(session: Session, config: Config, attempt: Attempt, *, now: datetime) -> bool:
    """Submit the last saved text of an attempt whose time is over; True if it did."""
    if attempt.submission is not None or attempt.started_at is None:
        return False
    if attempt_deadline(attempt).is_open(now):
        return False
    submit(session, config, attempt, now=now, by=SubmittedBy.DEADLINE)
    return True


def sweep(session: Session, config: Config, *, now: datetime) -> int:
    """Submit, as they stand, all attempts whose deadline and grace have passed."""
    due = session.scalars(
        select(Attempt)
        .outerjoin(Submission)
        .where(
            Submission.id.is_(None),
            Attempt.started_at.is_not(None),
            Attempt.deadline_at < now - GRACE,
        )
        .options(selectinload(Attempt.draft), selectinload(Attempt.exercise_version))
    ).all()
    for attempt in due:
        submit(session, config, attempt, now=now, by=SubmittedBy.DEADLINE)
    log.info("deadline sweep submitted %d attempt(s)", len(due))
    return len(due)


def _receipt(exercise: Exercise, candidate: Candidate, submission: Submission) -> mail.Message:
    how = (
        "You submitted it yourself."
        if submission.submitted_by is SubmittedBy.CANDIDATE
        else "The time limit ended, so your last saved text was submitted for you."
    )
    counts = [
        f"  - {section.title}: {len(submission.answers.get(section.key, '').split())} words"
        for section in exercise.sections
    ]
    body = "\n".join(
        [
            f"Hello {candidate.name},",
            "",
            f"We have received your answer to \"{exercise.title}\" for {candidate.opening.title}",
            f"at {submission.submitted_at:%d %B %Y, %H:%M} UTC. {how}",
            "",
            *counts,
            "",
            f"Receipt code: {submission.digest[:16]}",
            "This code is a fingerprint of exactly what was received; keep it if you wish.",
            "",
            "Thank you for your time.",
        ]
    )
    return mail.Message(
        to=candidate.email, subject=f"Received: {exercise.title} ({candidate.opening.title})", body=body
    )
