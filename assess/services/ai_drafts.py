"""AI drafts of a scorecard: asked for by an interviewer, made in the background, never deciding."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..ai.evidence import normalise, occurs_in
from ..ai.injection import detect
from ..ai.prompt import PROMPT_VERSION, build_prompt
from ..ai.provider import ProviderError, complete
from ..ai.schema import DraftAnswer
from ..config import Config
from ..content import ContentLibrary
from ..errors import Conflict
from ..models import AiDraft, AiDraftStatus, Assignment, ScorecardStatus, User
from . import audit
from .content import exercise_of, scorecard_of
from .scoring import scorecard_content, snapshot

log = logging.getLogger(__name__)

MAX_RATE_LIMIT_WAIT = 30.0  # seconds we wait in the worker when the provider asks us to
_JSON_OBJECT = re.compile(r"\{[\s\S]*\}")


def availability(config: Config, assignment: Assignment, library: ContentLibrary, session: Session) -> str | None:
    """Why a draft cannot be asked for now, in words for the interviewer; None when it can."""
    opening = assignment.attempt.candidate.opening
    if not config.ai_configured:
        return ("The AI aid is not set up on this server. An administrator can turn it on by setting "
                "OPENAI_API_KEY (and OPENAI_BASE_URL for another provider) and ASSESS_AI_MODEL.")
    if not opening.ai_enabled:
        return "The AI aid is off for this opening. The hiring manager can turn it on in the opening's settings."
    if assignment.attempt.submission is None:
        return "There is no written submission to draft from: live stages are scored from your own notes."
    scorecard = assignment.scorecard
    if scorecard is not None and scorecard.status is ScorecardStatus.SUBMITTED:
        return "Your scorecard is submitted."
    if opening.ai_draft_timing == "after_rating":
        content = scorecard_content(library, session, assignment)
        rated = {r.dimension_key for r in scorecard.ratings if r.score is not None} if scorecard else set()
        if not set(content.dimension_keys) <= rated:
            return ("Rate every dimension and save your draft first: the AI draft opens once your own "
                    "ratings are saved, so it cannot steer them.")
    return None


def latest(session: Session, assignment: Assignment) -> AiDraft | None:
    """The interviewer's most recent draft request for this assignment (never another's)."""
    if assignment.scorecard is None:
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
    enqueue: Callable[[int], Any],
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
    draft = AiDraft(scorecard=scorecard, requested_at=now, prompt_version=PROMPT_VERSION, model=config.ai_model or "")
    session.add(draft)
    session.flush()
    audit.record(session, "ai_draft.requested", actor=actor, subject_type="scorecard", subject_id=scorecard.id,
                 draft_id=draft.id, model=config.ai_model)
    session.commit()
    try:
        enqueue(draft.id)
    except Exception as error:  # the queue itself is down: say so, keep everything else working
        log.exception("could not queue AI draft %s", draft.id)
        _fail(session, draft, "The task queue is not available, so the draft could not start. Try again later.", now)
        raise Conflict("The task queue is not available right now; scoring works as usual without the draft.") from error
    return draft


def _fail(session: Session, draft: AiDraft, message: str, now: datetime) -> None:
    draft.status = AiDraftStatus.FAILED
    draft.error = message
    draft.finished_at = now
    session.commit()


def _parse(content: str, dimensions: tuple[str, ...]) -> DraftAnswer:
    match = _JSON_OBJECT.search(content)
    if match is None:
        raise ValueError("the reply held no JSON object")
    try:
        answer = DraftAnswer.model_validate_json(match.group())
    except ValidationError as error:
        raise ValueError(f"the JSON did not match the schema: {error.errors()[0]['loc']} {error.errors()[0]['msg']}") from error
    missing = [d for d in dimensions if d not in {x.dimension for x in answer.dimensions}]
    if missing:
        raise ValueError(f"dimensions missing from the reply: {', '.join(missing)}")
    return answer


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
    now: Callable[[], datetime],
    sleep: Callable[[float], None] = time.sleep,
) -> AiDraft | None:
    """Make one queued draft: ask the model, retry once on a malformed answer, check every quote."""
    draft = session.get(AiDraft, draft_id)
    if draft is None or draft.status not in (AiDraftStatus.QUEUED, AiDraftStatus.RUNNING):
        return draft
    draft.status = AiDraftStatus.RUNNING
    session.commit()
    attempt = draft.scorecard.assignment.attempt
    exercise = exercise_of(attempt.exercise_version)
    scorecard = scorecard_of(draft.scorecard.scorecard_version)
    answers = attempt.submission.answers if attempt.submission else {}
    source = "\n\n".join(answers.values())
    findings = detect(source)
    prompt = build_prompt(scorecard, exercise, answers)
    messages = list(prompt.messages)
    tokens_in = tokens_out = latency = 0
    waited = malformed = False
    while True:
        try:
            reply = complete(config, messages)
        except ProviderError as error:
            if error.kind == "rate_limited" and not waited and (error.retry_after or 0) <= MAX_RATE_LIMIT_WAIT:
                waited = True
                sleep(error.retry_after or 1.0)
                continue
            _fail(session, draft, error.message, now())
            return draft
        tokens_in += reply.input_tokens or 0
        tokens_out += reply.output_tokens or 0
        latency += reply.latency_ms
        draft.model = reply.model
        try:
            answer = _parse(reply.content, scorecard.dimension_keys)
        except ValueError as problem:
            if malformed:
                draft.input_tokens, draft.output_tokens, draft.latency_ms = tokens_in, tokens_out, latency
                _fail(session, draft, f"The AI's answer could not be read, even after asking again ({problem}).", now())
                return draft
            malformed = True
            messages += [
                {"role": "assistant", "content": reply.content[:4000]},
                {"role": "user", "content": f"Your reply could not be used: {problem}. "
                                            "Reply again with only the JSON object in the required shape."},
            ]
            continue
        break
    result = checked_result(answer, scorecard.dimension_keys, source)
    result["detector"] = [{"label": f.label, "excerpt": f.excerpt} for f in findings]
    draft.result = result
    draft.injection_suspected = answer.instructions_detected or bool(findings)
    draft.input_tokens, draft.output_tokens, draft.latency_ms = tokens_in, tokens_out, latency
    draft.status = AiDraftStatus.DONE
    draft.finished_at = now()
    session.commit()
    return draft


def as_json(draft: AiDraft | None) -> dict[str, Any]:
    """What the scorecard page polls for."""
    if draft is None:
        return {"status": "none"}
    return {
        "status": draft.status.value,
        "id": draft.id,
        "error": draft.error,
        "result": draft.result if draft.status is AiDraftStatus.DONE else None,
        "injection_suspected": draft.injection_suspected,
        "model": draft.model,
        "prompt_version": draft.prompt_version,
    }

