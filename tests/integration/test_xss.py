"""No candidate or AI text becomes live HTML anywhere it is shown."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from assess.markdown import render
from assess.models import AiDraft, AiDraftStatus, Role
from assess.services import answering, attempts, scorecards
from tests.support.app import FrozenClock
from tests.support.factories import Factory, TEST_PASSWORD
from tests.support.web import Auth, csrf_token
from tests.support.xss import PAYLOADS, executable_content

A = "a-mini-prd"


def test_there_are_over_a_hundred_payloads() -> None:
    assert len(PAYLOADS) >= 100


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_rendering_never_makes_a_payload_executable(payload: str) -> None:
    assert executable_content(str(render(payload))) == []


def test_payloads_stay_inert_on_the_receipt_the_scoring_page_the_ai_panel_and_the_preview(
    app: Flask, make: Factory, db_session: Session, client: FlaskClient, clock: FrozenClock
) -> None:
    opening = make.opening(ai_enabled=True)
    invited = make.invite(opening)
    sections = make.library.exercise(A).content.sections
    chunks = [PAYLOADS[i::len(sections)] for i in range(len(sections))]
    answers = {section.key: "\n\n".join(chunk) for section, chunk in zip(sections, chunks, strict=True)}
    attempt = attempts.start(db_session, make.library, invited.candidate, A, now=clock.now)
    answering.submit(db_session, app.config["ASSESS"], attempt, answers=answers, now=clock.now)
    interviewer = make.user(Role.INTERVIEWER)
    assignment = make.assignment(attempt, interviewer, now=clock.now)
    content = make.library.scorecard(A).content
    from assess.domain.scoring import RatingInput, ScorecardInput

    scorecards.save(db_session, make.library, assignment,
                 ScorecardInput({k: RatingInput(3, PAYLOADS[0]) for k in content.dimension_keys}, "yes",
                                summary=PAYLOADS[1]), submit=False, actor=interviewer, now=clock.now)
    evil = {k: {"score": 3, "evidence": [PAYLOADS[2], PAYLOADS[5]], "dropped": 0, "supported": True,
                "rationale": PAYLOADS[3]} for k in content.dimension_keys}
    db_session.add(AiDraft(scorecard=assignment.scorecard, status=AiDraftStatus.DONE, model="m", prompt_version="p",
                           result={"dimensions": evil, "strengths": [PAYLOADS[6]], "gaps": [PAYLOADS[7]],
                                   "feedback": PAYLOADS[8], "detector": [{"label": "x", "excerpt": PAYLOADS[9]}]},
                           injection_suspected=True))
    db_session.commit()

    candidate = app.test_client()
    candidate.get(urlsplit(invited.link).path)
    pages: dict[str, Any] = {"receipt": candidate.get(f"/c/exercises/{A}/receipt")}
    token = csrf_token(candidate, "/c/")
    for index, payload in enumerate(PAYLOADS[:40]):
        preview = candidate.post("/c/preview", json={"text": payload}, headers={"X-CSRFToken": token})
        assert executable_content(preview.get_json()["html"]) == [], (index, payload)
    Auth(client).login(interviewer.email, TEST_PASSWORD)
    pages["scoring"] = client.get(f"/review/assignments/{assignment.id}")
    pages["ai panel"] = client.get(f"/review/assignments/{assignment.id}/ai-draft")
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert executable_content(response.get_data(as_text=True)) == [], name


def test_every_page_carries_the_security_headers(client: FlaskClient) -> None:
    # A form, a page that is not there, a JSON answer, a refused candidate page, a refused API call.
    for path in ("/auth/login", "/no-such-page", "/healthz", "/c/", "/api/v1/openings"):
        response = client.get(path)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "same-origin", path
        assert response.headers["Cache-Control"] == "no-store", path


def test_an_oversized_request_gets_a_clear_413(client: FlaskClient) -> None:
    response = client.post("/auth/login", data={"email": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
