"""Automatic reminders, by each opening's cadence: candidates before their link expires, interviewers while a
scorecard is overdue. The worker runs `send_due` every few minutes; each reminder sent is kept
(`reminders_sent`), so however often it runs, or on however many workers, none goes twice."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ..config import Config
from ..content import ContentLibrary
from ..content.schema import ExerciseKind
from ..domain.pipeline import Stage
from ..domain.reminders import expiry_reminder_wanted, expiry_step, overdue_reminder_wanted, overdue_step
from ..models import (
    Assignment,
    Attempt,
    Candidate,
    Invitation,
    Opening,
    ReminderKind,
    ReminderSent,
    ScoringState,
    Submission,
    User,
)
from . import audit, mail, work_mail

STILL_WORKING = tuple(stage for stage in Stage if stage is not Stage.DECIDED)


def _sent(session: Session, kind: ReminderKind, ids: list[int]) -> dict[int, list[int]]:
    steps: dict[int, list[int]] = defaultdict(list)
    if ids:
        for subject, step in session.execute(select(ReminderSent.subject_id, ReminderSent.step)
                                             .where(ReminderSent.kind == kind, ReminderSent.subject_id.in_(ids))):
            steps[subject].append(step)
    return steps


def _claim(session: Session, kind: ReminderKind, subject_id: int, step: int, now: datetime) -> bool:
    """Record this reminder as sent; False when another worker recorded it first."""
    try:
        with session.begin_nested():
            session.add(ReminderSent(kind=kind, subject_id=subject_id, step=step, sent_at=now))
    except IntegrityError:
        return False
    return True


def expiry_message(invitation: Invitation, handed_in: int, now: datetime) -> mail.Message:
    """The reminder that a candidate's link expires soon, with how much of the work is in."""
    candidate = invitation.candidate
    opening = candidate.opening
    left = invitation.expires_at - now
    hours = int(left.total_seconds() // 3600)
    soon = f"in {hours} hours" if hours < 48 else f"in {left.days} days"
    progress = ("You have not handed in any exercise yet." if handed_in == 0 else
                f"You have handed in {handed_in} exercise{'s' if handed_in > 1 else ''} so far.")
    body = "\n".join([
        f"Hello {candidate.name},",
        "",
        f"Your link for the {opening.title} assessment expires {soon}, on "
        f"{invitation.expires_at:%A %d %B, %H:%M} UTC. {progress}",
        "",
        f"Use the link in the email \"Your assessment for {opening.title}\" sent on {invitation.created_at:%d %B}. "
        "Each exercise's clock starts only when you press its Start button, so begin one only when you have its "
        "full time.",
        "",
        f"If you cannot find the link, or need more time, write to {mail.contact(opening)}.",
        "",
        mail.signature(opening),
    ])
    return mail.Message(candidate.email, f"Reminder: your {opening.title} assessment link expires {soon}", body,
                        sender=mail.from_opening(opening))


def _take_homes(library: ContentLibrary, opening: Opening) -> set[str]:
    return {step.exercise_key for step in opening.exercises if step.exercise_key in library.exercises
            and library.exercise(step.exercise_key).content.kind is not ExerciseKind.LIVE}


def remind_candidates(session: Session, library: ContentLibrary, now: datetime) -> int:
    """Remind every candidate with an exercise still to hand in whose link expires within one of the opening's
    reminder days, while the opening's scoring is open."""
    live = session.scalars(
        select(Invitation).join(Candidate).join(Opening)
        .where(Invitation.revoked_at.is_(None), Invitation.expires_at > now, Candidate.erased_at.is_(None),
               Candidate.stage.in_(STILL_WORKING), Opening.expiry_reminder_days.is_not(None),
               Opening.scoring_state == ScoringState.OPEN)
        .options(selectinload(Invitation.candidate).selectinload(Candidate.opening))
        .order_by(Invitation.id)
    ).all()
    sent_steps = _sent(session, ReminderKind.CANDIDATE_EXPIRY, [i.id for i in live])
    sent = 0
    for invitation in live:
        step = expiry_step(invitation.created_at, invitation.expires_at, now,
                           invitation.candidate.opening.expiry_reminder_days or [])
        if step is None or not expiry_reminder_wanted(step, sent_steps[invitation.id]):
            continue
        candidate = invitation.candidate
        handed_in = set(session.scalars(select(Attempt.exercise_key).join(Submission)
                                        .where(Attempt.candidate_id == candidate.id)))
        if _take_homes(library, candidate.opening) <= handed_in:
            continue
        if not _claim(session, ReminderKind.CANDIDATE_EXPIRY, invitation.id, step, now):
            continue
        mail.queue(session, expiry_message(invitation, len(handed_in), now), now=now, opening_id=candidate.opening_id,
                   candidate_id=candidate.id)
        audit.record(session, "candidate.reminded", actor=None, actor_kind="system", subject_type="candidate",
                     subject_id=candidate.id, now=now, days_before_expiry=step)
        sent += 1
    session.commit()
    return sent


def remind_interviewers(session: Session, config: Config, now: datetime) -> int:
    """Remind each interviewer, in one email per opening, of their scorecards due a reminder by its cadence."""
    overdue = work_mail.open_assignments(session, Assignment.due_at < now, Opening.overdue_reminder_days > 0)
    sent_steps = _sent(session, ReminderKind.OVERDUE_SCORECARD, [a.id for a in overdue])
    due: dict[tuple[User, int], list[Assignment]] = defaultdict(list)
    for assignment in overdue:
        every = assignment.attempt.candidate.opening.overdue_reminder_days
        step = overdue_step(assignment.due_at, now, every)  # type: ignore[arg-type]
        if step is None or not overdue_reminder_wanted(step, sent_steps[assignment.id], assignment.reminded_at,
                                                       now, every):
            continue
        if assignment.interviewer.active and _claim(session, ReminderKind.OVERDUE_SCORECARD, assignment.id,
                                                    step, now):
            assignment.reminded_at = now
            due[(assignment.interviewer, assignment.attempt.candidate.opening_id)].append(assignment)
    for (interviewer, opening_id), theirs in due.items():
        mail.queue(session, work_mail.reminder(config, interviewer, theirs, now), now=now, opening_id=opening_id)
        audit.record(session, "assignment.reminded", actor=None, actor_kind="system", subject_type="user",
                     subject_id=interviewer.id, now=now, assignments=[a.id for a in theirs])
    session.commit()
    return len(due)


def send_due(session: Session, library: ContentLibrary, config: Config, now: datetime) -> int:
    """Every reminder due now, candidates' and interviewers'; returns how many emails were written."""
    return remind_candidates(session, library, now) + remind_interviewers(session, config, now)

