"""Everything about one candidate for the hiring manager, on one page: each exercise as they met it (the brief,
their data, their answers, when), every scorecard, the calibrated result and the decisions. Reading it is a view
of their identity, and is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ..content import ContentLibrary
from ..content.schema import DataVariant, Exercise, Scorecard
from ..models import AiDraft, AiDraftStatus, Assignment, Attempt, Candidate, Decision, Opening, User
from . import ai_use, attempts, audit, calibration_reads, decisions, openings, scorecards
from .content import scorecard_of


@dataclass(frozen=True)
class Card:
    """One interviewer's work on one of the candidate's exercises, with the scorecard it was scored against."""

    assignment: Assignment
    content: Scorecard | None
    # The AI draft shown beside the ratings: the latest finished one, none once the candidate declined AI.
    draft: AiDraft | None = None


@dataclass(frozen=True)
class Work:
    """One of the opening's exercises as this candidate met it: the version they were given (the opening's
    current one if they have not started), the data variant, their attempt and the scorecards on it."""

    exercise: Exercise
    limit_minutes: int  # the opening's time limit for it
    attempt: Attempt | None  # None: not started
    variant: DataVariant | None
    cards: list[Card]

    @property
    def extra_minutes(self) -> int:
        """The extra time this exercise had: read from its own deadline once started (time given after it was
        handed in never applied to it), else what the candidate would be given now."""
        attempt = self.attempt
        if attempt is None or attempt.started_at is None or attempt.deadline_at is None:
            return attempt.candidate.extra_minutes if attempt is not None else 0
        allowed = round((attempt.deadline_at - attempt.started_at).total_seconds() / 60)
        return max(0, allowed - self.limit_minutes)

    @property
    def minutes_taken(self) -> int | None:
        """Whole minutes from start to hand-in, if handed in."""
        if self.attempt is None or self.attempt.submission is None or self.attempt.started_at is None:
            return None
        return int((self.attempt.submission.submitted_at - self.attempt.started_at).total_seconds() // 60)


@dataclass(frozen=True)
class CandidateRecord:
    person: Candidate
    works: list[Work]
    standing: calibration_reads.Standing | None
    decisions: list[Decision]
    not_yet: str | None  # why no decision can be recorded yet; None: one can

    @property
    def cards(self) -> list[Card]:
        return [card for work in self.works for card in work.cards]


def record_of(session: Session, library: ContentLibrary, opening: Opening, candidate_id: int, *, viewer: User,
              now: datetime, results: bool = True) -> CandidateRecord:
    """The candidate's record; the look is audited and committed, and each AI draft shown is recorded as seen
    by the viewer. A stale calibrated result is asked for again, as the results page would.

    Without results (a recruiter the opening does not show them to), it has no scorecards and no calibrated
    result: their progress and decisions only."""
    person = openings.candidate_of(session, opening, candidate_id)
    standing = calibration_reads.standing_of(session, opening, person, now) if results else None
    record = CandidateRecord(person=person, works=_works(session, library, opening, person, cards=results),
                             standing=standing,
                             decisions=decisions.history(session, person),
                             not_yet=decisions.may_decide(opening, decisions.readiness(
                                 session, library, opening, [person.id], now)[person.id]))
    audit.record(session, "candidate.viewed", actor=viewer, subject_type="candidate", subject_id=person.id,
                 now=now)
    session.commit()
    for card in record.cards:
        ai_use.record_view(session, card.draft, viewer, now=now)
    return record


def _works(session: Session, library: ContentLibrary, opening: Opening, person: Candidate, *,
           cards: bool) -> list[Work]:
    by_attempt: dict[int, list[Card]] = {}
    for a in scorecards.candidate_scorecards(session, person) if cards else ():
        by_attempt.setdefault(a.attempt_id, []).append(
            Card(a, scorecard_of(a.scorecard.scorecard_version), _shown_draft(person, a))
            if a.scorecard is not None else Card(a, None))
    started = {a.exercise_key: a for a in person.attempts}
    works = []
    for step in sorted(opening.exercises, key=lambda e: e.position):
        attempt = started.get(step.exercise_key)
        if attempt is not None:
            exercise = attempts.exercise_for(attempt)
        elif step.exercise_key in library.exercises:
            exercise = library.exercise(step.exercise_key).content
        else:
            continue  # an exercise no longer in the library, never started: nothing to show
        variant = exercise.variant(attempt.data_variant) if attempt is not None and attempt.data_variant else None
        works.append(Work(exercise, step.time_limit_minutes, attempt, variant,
                          by_attempt.get(attempt.id, []) if attempt is not None else []))
    listed = {step.exercise_key for step in opening.exercises}
    for attempt in sorted(person.attempts, key=lambda a: a.exercise_key):  # a live stage, or a step since removed
        if attempt.exercise_key not in listed:
            exercise = attempts.exercise_for(attempt)
            works.append(Work(exercise, exercise.time_limit_minutes, attempt, None, by_attempt.get(attempt.id, [])))
    return works


def _shown_draft(person: Candidate, assignment: Assignment) -> AiDraft | None:
    if person.ai_opted_out_at is not None or assignment.scorecard is None:
        return None
    done = [d for d in assignment.scorecard.ai_drafts if d.status is AiDraftStatus.DONE]
    return max(done, key=lambda d: d.id) if done else None
