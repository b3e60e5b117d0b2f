"""What the AI tests hand in and what the scripted model answers: a submission to draft for, and a good draft of it."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from assess.models import AiDraft, Assignment, Role, User
from assess.services import ai_drafts, answering, attempts, effects

from .factories import A, A_DIMENSIONS, Factory
from .openai_server import ScriptedOpenAI

DIMENSIONS = A_DIMENSIONS
QUOTE = "Trial admins at small firms stall at the card feed"
ANSWERS = {
    "problem_statement": f"{QUOTE} step, and 53% never connect a feed.",
    "assumptions": "Invites land in junk. Reach me at quinn.private@example.net or +44 20 7946 0958.",
    "segments": "Small firms; mid-size firms.",
    "success_metrics": "Activation from 12% to 15% in a quarter; guardrail: support tickets per trial.",
    "user_stories": "As a trial admin, I want honest feed status, so that I know when data arrives.",
    "tracking_plan": "feed_connected, invite_sent",
}


def good_draft(quote: str = QUOTE, score: int = 4, **extra: Any) -> dict[str, Any]:
    """A draft in the scorecard's schema: every dimension, each with a quote taken from ANSWERS."""
    return {
        "dimensions": {
            key: {"score": score, "evidence": [quote], "rationale": f"Because of {key}."} for key in DIMENSIONS
        },
        "strengths": ["Grounded in the funnel."],
        "gaps": ["Few edge cases."],
        "feedback": "Clear focus; add acceptance criteria.",
        "instructions_detected": False,
    } | extra


def with_ai(app: Flask, server: ScriptedOpenAI, timeout: float = 2.0) -> Flask:
    """The app with its AI aid set up to talk to the loopback model."""
    app.config["ASSESS"] = app.config["ASSESS"].with_overrides(
        {"ai_api_key": "test-key", "ai_base_url": server.base_url, "ai_model": "test-model", "ai_timeout": timeout})
    return app


def rated_assignment(make: Factory, session: Session, config: Any, interviewer: User | None = None, *,
                     answers: dict[str, str] | None = None, candidate: dict[str, str] | None = None,
                     **opening: Any) -> Assignment:
    """An interviewer has rated every dimension 2 (saved, not submitted) on a candidate's handed-in mini-PRD,
    in an opening with the AI aid on."""
    manager = make.user(Role.HIRING_MANAGER)
    interviewer = interviewer or make.user(Role.INTERVIEWER)
    who = candidate or {"name": "Quinn Secretname", "email": "quinn.secret@example.net"}
    invited = make.invite(make.opening(manager, ai_enabled=True, **opening), **who).candidate
    attempt = attempts.start(session, make.library, invited, A, now=make.now())
    answering.submit(session, config, attempt, answers=answers or ANSWERS, now=make.now())
    made = make.assignment(attempt, interviewer, manager)
    make.scorecard(made, 2, submit=False, evidence="noted", actor=interviewer)
    return made


def run_draft(session: Session, app: Flask, assignment: Assignment) -> AiDraft:
    """Ask for a draft as the interviewer does and run the job as the worker would, with no queue to hand it to."""
    effects.connect(session.info, lambda effect, ids: False)
    config = app.config["ASSESS"]
    asked = ai_drafts.request(session, config, app.extensions["assess.content"], assignment,
                              actor=assignment.interviewer, now=app.extensions["assess.clock"]())
    done = ai_drafts.run(session, config, asked.id, now=app.extensions["assess.clock"](), sleep=lambda _: None)
    assert done is not None
    return done
