"""The demo's AI drafts: some seen by their interviewers, ratings moved towards a few, and a candidate who declined.

No model is called: the drafts are written as the demo's scorecards are, so the AI-use log and the
influence figures on the Interviewers page have something to show on a fresh install.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..ai.prompt import PROMPT_VERSION
from ..ai.schema import AiOutputMode
from ..models import AiDraft, AiDraftStatus, Candidate, Opening, Scorecard
from . import ai_aid, ai_use, worklist

# No model is called: the demo's drafts and their benchmark figures are made up, under a provider of their own.
DEMO_MODEL = "gpt-4o-mini"
DEMO_PROVIDER = "demo"
# (candidate, exercise, interviewer, how they used the draft)
# "moved": two ratings changed to the draft's score, one kept against it; "kept": every rating kept.
DEMO_DRAFTS = (
    ("riya.patel@example.net", "a-mini-prd", "priya@example.com", "moved"),
    ("jordan.ellis@example.net", "b-analytics", "priya@example.com", "moved"),
    ("sam.okoye@example.net", "a-mini-prd", "lena@example.com", "moved"),
    ("chris.lang@example.net", "a-mini-prd", "tom@example.com", "kept"),
)
DEMO_DECLINED = "leo.brandt@example.net"


def _nearby(score: int) -> int:
    return score + 1 if score < 5 else score - 1


def _story(final: dict[str, int], use: str) -> tuple[dict[str, int], dict[str, int]]:
    """The ratings before the draft and the draft's scores that lead to the final ratings in this way."""
    keys = list(final)
    before, drafted = dict(final), dict(final)
    if use == "moved":
        for key in keys[:2]:
            before[key] = _nearby(final[key])
        drafted[keys[2]] = _nearby(final[keys[2]])
    else:
        for key in keys[:2]:
            drafted[key] = _nearby(final[key])
    return before, drafted


def _quote(answers: dict[str, str]) -> str:
    """A few words of the answer, verbatim, as a draft's evidence must be."""
    text = next((t for t in answers.values() if t.strip()), "")
    return text.strip().split("\n")[0].split(". ")[0][:140]


def _result(drafted: dict[str, int], quote: str) -> dict[str, Any]:
    return {
        "dimensions": {key: {"score": score, "evidence": [quote] if quote else [], "dropped": 0,
                             "supported": bool(quote),
                             "rationale": "The answer's own words support this level of the anchor."}
                       for key, score in drafted.items()},
        "strengths": ["Starts from the evidence it was given."],
        "gaps": ["Some claims are not tied to a number."],
        "feedback": "A clear start; tie each claim to the data it rests on.",
        "instructions_detected": False,
        "detector": [],
    }


def seed_ai_use(session: Session, opening: Opening, now: datetime, *, model: str = DEMO_MODEL) -> int:
    """Write the demo's seen drafts (as made by model) and the candidate who declined; returns how many drafts."""
    opening.ai_enabled = True
    cards = {(row.attempt.candidate.email, row.attempt.exercise_key, a.interviewer.email): (row.attempt, a.scorecard)
             for row in worklist.work_rows(session, opening) for a in row.assignments}
    written = 0
    for email, key, interviewer, use in DEMO_DRAFTS:
        attempt, card = cards.get((email, key, interviewer), (None, None))
        if card is None or card.first_submitted_at is None or attempt.submission is None:
            continue
        written += _seed_draft(session, card, attempt.submission.answers, use, model)
    declined = session.scalars(select(Candidate).where(Candidate.opening_id == opening.id,
                                                       Candidate.email == DEMO_DECLINED)).first()
    if declined is not None:
        ai_aid.opt_out(session, declined, now=now - timedelta(hours=1))
    session.commit()
    return written


def _seed_draft(session: Session, card: Scorecard, answers: dict[str, str], use: str, model: str) -> int:
    final = {r.dimension_key: r.first_score for r in card.ratings if r.first_score is not None}
    if len(final) < 3:
        return 0
    before, drafted = _story(final, use)
    submitted = card.first_submitted_at
    assert submitted is not None
    asked = submitted - timedelta(minutes=25)
    card.ratings_before_ai = {"ratings": {k: {"score": v, "evidence": "", "signals": []} for k, v in before.items()},
                              "recommendation": card.recommendation, "summary": ""}
    draft = AiDraft(scorecard=card, status=AiDraftStatus.DONE, model=model, provider=DEMO_PROVIDER,
                    prompt_version=PROMPT_VERSION, output_mode=AiOutputMode.JSON_SCHEMA,
                    result=_result(drafted, _quote(answers)), requested_at=asked,
                    finished_at=asked + timedelta(seconds=20))
    session.add(draft)
    session.flush()
    ai_use.record_view(session, draft, card.assignment.interviewer, now=asked + timedelta(minutes=1))
    return 1
