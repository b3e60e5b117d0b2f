"""Saving a candidate's answers and handing them in: autosave, submit, and the deadline sweep."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..config import Config
from ..content.schema import Exercise
from ..domain.autosave import (
    SaveRequest,
    SaveVerdict,
    StoredDraft,
    answer_length,
    copy_is_newer,
    judge_save,
    replaces_other_work,
)
from ..domain.timing import shown_before_closing
from ..errors import InputError
from ..models import Attempt, Candidate, CopyReason, Draft, DraftCopy, Submission, SubmittedBy
from . import assigning, audit, mail, pipeline, webhooks
from .attempts import attempt_deadline, exercise_for, is_open, lock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SaveResult:
    verdict: SaveVerdict
    revision: int
    saved_at: datetime | None

    @property
    def stored(self) -> bool:
        """True when the server now holds exactly this save as the draft."""
        return self.verdict in (SaveVerdict.ACCEPTED, SaveVerdict.DUPLICATE)


def answers_digest(answers: dict[str, str]) -> str:
    """A short fingerprint of exactly what was submitted, shown on the receipt."""
    canonical = json.dumps(answers, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_answers(exercise: Exercise, answers: dict[str, str]) -> dict[str, str]:
    """Keep the answers to the exercise's sections, refusing any over its length limit."""
    clean: dict[str, str] = {}
    for section in exercise.sections:
        text = answers.get(section.key, "")
        if not isinstance(text, str):
            raise InputError(f"The answer to {section.title!r} must be text.")
        # PostgreSQL cannot store NUL, and no keyboard types one.
        text = text.replace("\r\n", "\n").replace("\x00", "")
        if answer_length(text) > section.max_chars:
            raise InputError(
                f"{section.title} is {answer_length(text):,} characters long; the limit is "
                f"{section.max_chars:,}. Shorten it and it will be saved; your text is still on the page."
            )
        clean[section.key] = text
    return clean


def save(
    session: Session,
    attempt: Attempt,
    answers: dict[str, str],
    *,
    client_id: str,
    seq: int | None,
    base_revision: int,
    now: datetime,
    take_over: bool = False,
    keep_as_copy: bool = False,
) -> SaveResult:
    """Autosave the answers; text that cannot become the draft is kept as a copy, never dropped.

    A seq of None (a form posted without JavaScript) means the tab's next number, read
    under the lock. Sections left out of a save keep their saved text.
    """
    lock(session, attempt)
    result = _save_locked(session, attempt, answers, client_id=client_id, seq=seq, base_revision=base_revision,
                          now=now, take_over=take_over, keep_as_copy=keep_as_copy)
    session.commit()
    return result


def _save_locked(
    session: Session, attempt: Attempt, answers: dict[str, str], *, client_id: str, seq: int | None,
    base_revision: int, now: datetime, take_over: bool = False, keep_as_copy: bool = False,
) -> SaveResult:
    draft = attempt.draft
    clean = check_answers(exercise_for(attempt), (dict(draft.answers) if draft else {}) | answers)
    if seq is None:
        seq = (draft.seq if draft and draft.client_id == client_id else 0) + 1
    request = SaveRequest(client_id=client_id, seq=seq, base_revision=base_revision, take_over=take_over)
    stored = StoredDraft(draft.revision, draft.client_id, draft.seq) if draft else None
    verdict = judge_save(stored, request, is_open=is_open(attempt, now))
    if verdict is SaveVerdict.DUPLICATE and draft is not None and clean != draft.answers:
        # The same number with other text is no repeat: it is kept, and the tab is told to choose.
        verdict = SaveVerdict.OTHER_TAB
    if keep_as_copy and verdict is not SaveVerdict.CLOSED:
        verdict = SaveVerdict.KEPT
    if verdict in (SaveVerdict.OTHER_TAB, SaveVerdict.KEPT):
        _keep_copy(session, attempt, client_id, seq, CopyReason.UNSAVED, clean, now)
    if verdict is not SaveVerdict.ACCEPTED:
        return SaveResult(verdict, draft.revision if draft else 0, draft.saved_at if draft else None)
    if draft is None:
        draft = Draft(attempt=attempt, revision=0)
        session.add(draft)
    elif replaces_other_work(stored, request) and draft.client_id is not None:
        _keep_copy(session, attempt, draft.client_id, draft.seq, CopyReason.REPLACED, dict(draft.answers), draft.saved_at)
    draft.answers = clean
    draft.revision += 1
    draft.seq = seq
    draft.client_id = client_id
    draft.saved_at = now
    return SaveResult(verdict, draft.revision, draft.saved_at)


def _keep_copy(
    session: Session, attempt: Attempt, client_id: str, seq: int, reason: CopyReason,
    answers: dict[str, str], when: datetime,
) -> None:
    kept = next((c for c in attempt.copies if c.client_id == client_id), None)
    if kept is None:
        attempt.copies.append(DraftCopy(client_id=client_id, seq=seq, reason=reason, answers=answers, saved_at=when))
    elif copy_is_newer(kept.seq, seq) or reason is CopyReason.REPLACED:
        kept.seq, kept.reason, kept.answers, kept.saved_at = seq, reason, answers, when


def submit(
    session: Session,
    config: Config,
    attempt: Attempt,
    *,
    now: datetime,
    answers: dict[str, str] | None = None,
    by: SubmittedBy = SubmittedBy.CANDIDATE,
) -> Submission:
    """Hand in the attempt once; a repeated or simultaneous submit returns the first submission.

    Answers sent with the submit must first be accepted as a save (see save);
    after the deadline, the last saved draft is what counts.
    """
    lock(session, attempt)
    submission = _hand_in_locked(session, config, attempt, now=now, answers=answers, by=by)
    session.commit()
    return submission


def _hand_in_locked(
    session: Session, config: Config, attempt: Attempt, *, now: datetime,
    answers: dict[str, str] | None, by: SubmittedBy,
) -> Submission:
    if attempt.submission is not None:
        return attempt.submission
    exercise = exercise_for(attempt)
    open_now = attempt_deadline(attempt).is_open(now)
    if answers is not None and open_now:
        final = check_answers(exercise, answers)
    else:
        final = check_answers(exercise, attempt.draft.answers if attempt.draft else {})
    if by is SubmittedBy.CANDIDATE and not open_now:
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
    assigning.on_hand_in(session, attempt, now=now)
    pipeline.restage(session, [candidate.id])
    audit.record(
        session, "submission.received", now=now, actor=None,
        actor_kind="candidate" if by is SubmittedBy.CANDIDATE else "system",
        subject_type="attempt", subject_id=attempt.id, digest=submission.digest, by=by.value,
    )
    mail.queue(
        session, _receipt(exercise, candidate, submission), now=now,
        opening_id=candidate.opening_id, candidate_id=candidate.id,
    )
    webhooks.emit(session, "submission.received", {
        "opening": candidate.opening.slug, "candidate_id": candidate.id, "candidate_code": candidate.pseudonym,
        "exercise": attempt.exercise_key, "submitted_by": by.value, "submitted_at": now.isoformat(),
    }, now)
    return submission


def save_and_submit(
    session: Session, config: Config, attempt: Attempt, answers: dict[str, str], *,
    client_id: str, seq: int | None, base_revision: int, now: datetime,
) -> SaveResult | Submission:
    """Submit the page's text if it may become the draft; otherwise say why, keeping it as a copy.

    The save and the hand-in happen under one lock, so no autosave lands between them.
    After the deadline the page's text no longer counts and the last saved draft is
    handed in, as the sweep would.
    """
    lock(session, attempt)
    if attempt.submission is not None:
        return attempt.submission
    result = _save_locked(session, attempt, answers, client_id=client_id, seq=seq, base_revision=base_revision,
                          now=now)
    if result.verdict is SaveVerdict.OTHER_TAB:
        session.commit()
        return result
    submission = _hand_in_locked(session, config, attempt, now=now, answers=None, by=SubmittedBy.CANDIDATE)
    session.commit()
    return submission


def finalize_if_due(session: Session, config: Config, attempt: Attempt, *, now: datetime) -> bool:
    """Submit the last saved text of an attempt whose time is over; True if it did."""

    def due() -> bool:  # an erased candidate's exercise is never handed in: nothing of theirs is left to hand in
        return (attempt.submission is None and attempt.started_at is not None and not is_open(attempt, now)
                and attempt.candidate.erased_at is None)

    # Most requests find the attempt open; only those that may act take the lock and look again.
    if not due():
        return False
    lock(session, attempt)
    if not due():
        return False
    submit(session, config, attempt, now=now, by=SubmittedBy.DEADLINE)
    return True


def sweep(session: Session, config: Config, *, now: datetime) -> int:
    """Submit, as they stand, all attempts whose deadline and grace have passed."""
    due = session.scalars(
        select(Attempt)
        .outerjoin(Submission)
        .join(Candidate, Attempt.candidate_id == Candidate.id)
        .where(
            Submission.id.is_(None),
            Candidate.erased_at.is_(None),
            Attempt.started_at.is_not(None),
            Attempt.deadline_at <= shown_before_closing(now),
        )
        .options(selectinload(Attempt.draft), selectinload(Attempt.exercise_version))
    ).all()
    submitted = 0
    for attempt in due:
        # submit takes the row lock and reads again: an extension or a hand-in may have come first.
        if finalize_if_due(session, config, attempt, now=now):
            submitted += 1
    log.info("deadline sweep submitted %d attempt(s)", submitted)
    return submitted


def _receipt(exercise: Exercise, candidate: Candidate, submission: Submission) -> mail.Message:
    how = (
        "You submitted it yourself."
        if submission.submitted_by is SubmittedBy.CANDIDATE
        else "The time limit ended, so your last saved text was submitted for you."
    )
    counts = []
    for section in exercise.sections:
        words = len(submission.answers.get(section.key, "").split())
        counts.append(f"  - {section.title}: {words} word{'' if words == 1 else 's'}")
    body = "\n".join(
        [
            f"Hello {candidate.name},",
            "",
            f"We have received your answer to \"{exercise.title}\" for {candidate.opening.title} at "
            f"{submission.submitted_at:%d %B %Y, %H:%M} UTC. {how}",
            "",
            *counts,
            "",
            f"Receipt code: {submission.digest[:16]}. This code is a fingerprint of exactly what was received; "
            "keep it if you wish.",
            "",
            "Thank you for your time.",
        ]
    )
    return mail.Message(to=candidate.email, subject=f"Received: {exercise.title} ({candidate.opening.title})",
                        body=body, sender=mail.from_opening(candidate.opening))
