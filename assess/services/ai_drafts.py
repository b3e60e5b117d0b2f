"""AI drafts of a scorecard: asked for by an interviewer, made in the background, never deciding."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..ai.evidence import normalise, occurs_in
from ..ai.injection import detect
from ..ai.drafting import draft
from ..ai.masking import Person, mask
from ..ai.provider import provider_label
from ..ai.prompt import PROMPT_VERSION
from ..ai.schema import DraftAnswer
from ..config import Config
from ..content import ContentLibrary
from ..errors import Conflict
from ..models import AiDraft, AiDraftStatus, AiDraftTiming, Assignment, Candidate, Opening, ScorecardStatus, ScoringState, User
from . import ai_aid, ai_providers, audit, effects, snapshots
from .content import exercise_of, scorecard_of
from .scorecards import scorecard_content, snapshot

log = logging.getLogger(__name__)


NOT_FOR_THIS_OPENING = ai_aid.NOT_FOR_THIS_OPENING
NOT_FOR_THIS_CANDIDATE = ai_aid.NOT_FOR_THIS_CANDIDATE


def on_for(config: Config, session: Session, opening: Opening, *, fresh: bool = False) -> bool:
    """Whether the aid works for this opening: set up, switched on, and on for the opening."""
    if fresh:
        session.refresh(opening, ["ai_enabled"])
    return config.ai_configured and ai_aid.is_on(session, fresh=fresh) and opening.ai_enabled


def offered(config: Config, session: Session, candidate: Candidate, *, fresh: bool = False) -> bool:
    """Whether drafts may be made for this candidate at all: on for their opening, and not declined.

    fresh reads all three again from the database, for a decision taken after a long wait."""
    if fresh:
        session.refresh(candidate, ["ai_opted_out_at"])
    return on_for(config, session, candidate.opening, fresh=fresh) and candidate.ai_opted_out_at is None


def availability(config: Config, assignment: Assignment, library: ContentLibrary, session: Session) -> str | None:
    """Why a draft cannot be asked for now, in words for the interviewer; None when it can.

    How the aid is set up or switched on is a matter for admins, on their page; an interviewer
    reads only that it is not available."""
    candidate = assignment.attempt.candidate
    opening = candidate.opening
    if not on_for(config, session, opening):
        return NOT_FOR_THIS_OPENING
    if candidate.ai_opted_out_at is not None:
        return NOT_FOR_THIS_CANDIDATE
    if opening.scoring_state is not ScoringState.OPEN:
        return "Scoring for this opening is closed, so scorecards can no longer change."
    if assignment.attempt.submission is None:
        return "There is no written submission to draft from: live stages are scored from your own notes."
    scorecard = assignment.scorecard
    if scorecard is not None and scorecard.status is ScorecardStatus.SUBMITTED:
        return "Your scorecard is submitted."
    if opening.ai_draft_timing == AiDraftTiming.AFTER_RATING:
        content = scorecard_content(library, session, assignment)
        rated = {r.dimension_key for r in scorecard.ratings if r.score is not None} if scorecard else set()
        if not set(content.dimension_keys) <= rated:
            return ("Rate every dimension and save your draft first: the AI draft opens once your own "
                    "ratings are saved, so it cannot steer them.")
    return None


def latest(session: Session, assignment: Assignment) -> AiDraft | None:
    """The interviewer's most recent draft request for this assignment (never another's).

    None once the candidate has asked that no AI reads their work: a draft made before is not shown."""
    if assignment.scorecard is None or assignment.attempt.candidate.ai_opted_out_at is not None:
        return None
    return session.scalars(
        select(AiDraft).where(AiDraft.scorecard_id == assignment.scorecard.id).order_by(AiDraft.id.desc()).limit(1)
    ).first()


def request(
    session: Session,
    config: Config,
    library: ContentLibrary,
    assignment: Assignment,
    *,
    actor: User,
    now: datetime,
) -> AiDraft:
    """Queue a draft; the interviewer's ratings as they stand are kept for measuring the AI's influence."""
    reason = availability(config, assignment, library, session)
    if reason is not None:
        raise Conflict(reason)
    scorecard = assignment.scorecard
    if scorecard is None:
        raise Conflict("Save your scorecard once before asking for a draft.")
    running = latest(session, assignment)
    if running is not None and running.status in (AiDraftStatus.QUEUED, AiDraftStatus.RUNNING):
        return running
    if scorecard.ratings_before_ai is None:
        scorecard.ratings_before_ai = snapshot(scorecard)
    row = AiDraft(scorecard=scorecard, requested_at=now, prompt_version=PROMPT_VERSION, model=config.ai_model or "")
    session.add(row)
    session.flush()
    audit.record(session, "ai_draft.requested", now=now, actor=actor, subject_type="scorecard",
                 subject_id=scorecard.id, draft_id=row.id, model=config.ai_model)
    effects.later(session, effects.Effect.AI_DRAFT, row)
    if effects.commit(session):  # the queue itself is down: say so, keep everything else working
        _fail(session, row, "The task queue is not available, so the draft could not start. Try again later.", now)
        raise Conflict("The task queue is not available right now; scoring works as usual without the draft.")
    return row


STALLED_MESSAGE = ("The drafting job stopped before it finished, probably because a worker restarted. "
                   "Ask for the draft again.")


def stalled_after(config: Config) -> timedelta:
    """A draft still queued or running this long after it was asked for will not finish on its own."""
    return timedelta(seconds=config.ai_timeout * 3 + 120)


def recover_stalled(session: Session, config: Config, now: datetime) -> int:
    """Report as failed every draft whose job died with its worker, so none stays 'running' for ever."""
    cutoff = now - stalled_after(config)
    stalled = session.scalars(select(AiDraft).where(
        AiDraft.status.in_([AiDraftStatus.QUEUED, AiDraftStatus.RUNNING]), AiDraft.requested_at < cutoff)).all()
    for row in stalled:
        log.warning("AI draft %s stalled; reporting it failed", row.id)
        _fail(session, row, STALLED_MESSAGE, now)
    return len(stalled)


def _fail(session: Session, row: AiDraft, message: str, now: datetime) -> None:
    row.status = AiDraftStatus.FAILED
    row.error = message
    row.finished_at = now
    session.commit()


def checked_result(answer: DraftAnswer, dimensions: tuple[str, ...], source: str) -> dict[str, Any]:
    """The draft as stored: quotes that are not in the submission dropped, scores without any marked unsupported."""
    normalised = normalise(source)
    by_key = {d.dimension: d for d in answer.dimensions}
    result_dimensions = {}
    for key in dimensions:
        item = by_key[key]
        kept = [q for q in item.evidence if occurs_in(q, normalised)]
        result_dimensions[key] = {
            "score": item.score,
            "evidence": kept,
            "dropped": len(item.evidence) - len(kept),
            "supported": bool(kept),
            "rationale": item.rationale,
        }
    return {
        "dimensions": result_dimensions,
        "strengths": answer.strengths,
        "gaps": answer.gaps,
        "feedback": answer.feedback,
        "instructions_detected": answer.instructions_detected,
    }


def run(
    session: Session,
    config: Config,
    draft_id: int,
    *,
    now: datetime,
    sleep: Callable[[float], None] = time.sleep,
) -> AiDraft | None:
    """Make one queued draft and store it with its checked quotes, or store why it failed.

    now is when the job started; the draft is finished when the model's answer came. Whatever goes
    wrong, the draft ends failed with a reason, never left running."""
    row = session.get(AiDraft, draft_id)
    if row is None or row.status not in (AiDraftStatus.QUEUED, AiDraftStatus.RUNNING):
        return row
    candidate = row.scorecard.assignment.attempt.candidate
    if not offered(config, session, candidate, fresh=True):
        _fail(session, row, _not_made(candidate), now)
        return row
    row.status = AiDraftStatus.RUNNING
    session.commit()
    try:
        return _make(session, config, row, now=now, sleep=sleep)
    except Exception:
        log.exception("AI draft %s failed unexpectedly", draft_id)
        session.rollback()
        if row.status in (AiDraftStatus.QUEUED, AiDraftStatus.RUNNING):  # not when it was stopped meanwhile
            _fail(session, row, UNEXPECTED, now)
        return row


UNEXPECTED = "Something went wrong while the draft was made, so there is no draft. Ask for it again."


def _not_made(candidate: Candidate) -> str:
    why = NOT_FOR_THIS_CANDIDATE if candidate.ai_opted_out_at is not None else NOT_FOR_THIS_OPENING
    return f"{why} The draft was not made."


def _make(
    session: Session, config: Config, row: AiDraft, *, now: datetime, sleep: Callable[[float], None],
) -> AiDraft:
    attempt = row.scorecard.assignment.attempt
    candidate = attempt.candidate
    scorecard = scorecard_of(row.scorecard.scorecard_version)
    answers = attempt.submission.answers if attempt.submission else {}
    person = Person(name=candidate.name, email=candidate.email)
    exercise = exercise_of(attempt.exercise_version)
    mode = ai_providers.mode_for(session, provider_label(config), config.ai_model or "")
    # No transaction stays open while the model works: on SQLite an open read would go on seeing the
    # draft as it was, and miss a switch turned off in the meantime.
    session.commit()
    outcome = draft(config, scorecard, exercise, answers, mode=mode, person=person, sleep=sleep)
    if outcome.fallback is not None:
        ai_providers.note_refusal(session, outcome.provider, config.ai_model or "", outcome.fallback, now=now)
    answered = now + timedelta(milliseconds=outcome.latency_ms)
    # The model may take a minute: the aid may have been switched off, for everyone or the opening,
    # or the candidate may have declined, while it worked. What it wrote is then not kept.
    session.refresh(row, with_for_update=True)
    if row.status is not AiDraftStatus.RUNNING:
        session.commit()
        return row  # stopped while the model worked, by a switch or the candidate's choice: it stays stopped
    if not offered(config, session, candidate, fresh=True):
        _fail(session, row, _not_made(candidate), answered)
        return row
    row.model, row.provider, row.output_mode = outcome.model, outcome.provider, outcome.mode
    row.input_digest = outcome.input_digest
    row.input_tokens, row.output_tokens, row.latency_ms = outcome.input_tokens, outcome.output_tokens, outcome.latency_ms
    if outcome.answer is None:
        _fail(session, row, outcome.error or "The AI gave no answer.", answered)
        return row
    source = "\n\n".join(answers.values())
    findings = detect(source)
    # Quotes are checked against the text the model was shown, in which the name is masked.
    result = checked_result(outcome.answer, scorecard.dimension_keys, mask(source, person))
    result["detector"] = [{"label": f.label, "excerpt": f.excerpt} for f in findings]
    row.result = result
    row.injection_suspected = outcome.answer.instructions_detected or bool(findings)
    row.status = AiDraftStatus.DONE
    row.finished_at = answered
    snapshots.ratings_changed(session, candidate.opening_id, answered)
    session.commit()
    return row
