"""An interviewer uses the AI draft in Chromium, against a scripted OpenAI-compatible server."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from assess import db
from assess.models import AiDraft, AiDraftStatus, Assignment, User
from tests.support.factories import Factory
from tests.support.openai_server import ScriptedOpenAI

pytestmark = pytest.mark.e2e

D = "d-writing-sample"
NAMES = {"communication": "Communication", "execution_reliability": "Execution & reliability",
         "customer_empathy": "Customer empathy"}


@pytest.fixture
def ai_server(live_app: Flask) -> Iterator[ScriptedOpenAI]:
    server = ScriptedOpenAI().start()
    before = live_app.config["ASSESS"]
    live_app.config["ASSESS"] = before.with_overrides(
        {"ai_api_key": "e2e-key", "ai_base_url": server.base_url, "ai_model": "scripted-model", "ai_timeout": 2.0})
    yield server
    live_app.config["ASSESS"] = before
    server.stop()


def assigned_to_lena(live_app: Flask) -> tuple[int, str]:
    """A writing sample handed in to an opening with the AI aid on, assigned to Lena; returns (id, quote)."""
    with live_app.app_context():
        session = db.session()
        make = Factory(session, live_app)
        manager = session.scalars(select(User).where(User.email == "hiring@example.com")).one()
        opening = make.opening(manager, title=f"APM AI {uuid.uuid4().hex[:6]}", exercises=[(D, 20)], ai_enabled=True)
        answers = make.benchmark_answers(D, "meets")
        attempt = make.submission(opening, D, answers=answers, name="Avery Hidden",
                                  email=f"avery.{uuid.uuid4().hex[:6]}@example.net")
        lena = session.scalars(select(User).where(User.email == "lena@example.com")).one()
        made = make.assignment(attempt, lena, manager)
        quote = answers["release_notes"].split("\n")[0].strip()[:60]
        return made.id, quote


def run_queued(live_app: Flask) -> None:
    queue = live_app.extensions["assess.tasks"].huey
    with live_app.app_context():
        queue.execute(queue.dequeue())


def dimension(page: Page, key: str) -> object:
    return page.locator("fieldset.dimension", has=page.locator("legend", has_text=NAMES[key]))


def test_rate_then_open_the_draft_accept_two_edit_one_and_submit(
    server_url: str, live_app: Flask, ai_server: ScriptedOpenAI, staff_page: Callable[[str], Page]
) -> None:
    assignment_id, quote = assigned_to_lena(live_app)
    ai_server.reply({"dimensions": {
        "communication": {"score": 4, "evidence": [quote], "rationale": "Clear notes."},
        "execution_reliability": {"score": 2, "evidence": [quote], "rationale": "Misses the EU lag."},
        "customer_empathy": {"score": 4, "evidence": ["words the candidate never wrote at all"],
                             "rationale": "Considers admins."},
    }, "strengths": ["Plain language"], "gaps": ["Rollout risks"], "feedback": "Good start.",
        "instructions_detected": False})
    page = staff_page("lena@example.com")
    page.goto(f"{server_url}/review/assignments/{assignment_id}")
    expect(page.get_by_text("Rate every dimension and save your draft first")).to_be_visible()
    for key in NAMES:
        dimension(page, key).locator("input[type=radio][value='3']").check()  # type: ignore[attr-defined]
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("button", name="Ask for an AI draft").click()
    expect(page.get_by_text("Drafting…")).to_be_visible()
    run_queued(live_app)
    panel = page.locator("#ai-draft")
    expect(panel).to_contain_text("suggestion only", timeout=10000)
    expect(panel).to_contain_text("unsupported: no quote found in the submission")
    expect(dimension(page, "communication").locator("input[value='3']")).to_be_checked()  # type: ignore[attr-defined]
    panel.get_by_role("button", name="Use 4").first.click()
    panel.get_by_role("button", name="Use 2").click()
    expect(dimension(page, "communication").locator("input[value='4']")).to_be_checked()  # type: ignore[attr-defined]
    expect(dimension(page, "execution_reliability").locator("input[value='2']")).to_be_checked()  # type: ignore[attr-defined]
    dimension(page, "customer_empathy").locator("input[type=radio][value='5']").check()  # type: ignore[attr-defined]
    dimension(page, "customer_empathy").locator("textarea").fill("Anticipates what approvers will ask.")  # type: ignore[attr-defined]
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Submit scorecard").click()
    expect(page.get_by_text("Scorecard submitted.")).to_be_visible()

    with live_app.app_context():
        session = db.session()
        stored = session.get(Assignment, assignment_id).scorecard
        before = {k: v["score"] for k, v in stored.ratings_before_ai["ratings"].items()}
        drafted = session.scalars(select(AiDraft).where(AiDraft.scorecard_id == stored.id)).one()
        final = {r.dimension_key: r.score for r in stored.ratings}
    assert before == {"communication": 3, "execution_reliability": 3, "customer_empathy": 3}
    assert {k: v["score"] for k, v in drafted.result["dimensions"].items()} == {
        "communication": 4, "execution_reliability": 2, "customer_empathy": 4}
    assert final == {"communication": 4, "execution_reliability": 2, "customer_empathy": 5}
    sent = json.dumps(ai_server.requests[0]["body"])
    assert "Avery" not in sent and "avery." not in sent
    assert ai_server.requests[0]["body"]["response_format"]["type"] == "json_schema"


def test_with_the_ai_server_down_the_page_says_so_and_scoring_still_works(
    server_url: str, live_app: Flask, ai_server: ScriptedOpenAI, staff_page: Callable[[str], Page]
) -> None:
    assignment_id, _ = assigned_to_lena(live_app)
    ai_server.stop()
    page = staff_page("lena@example.com")
    page.goto(f"{server_url}/review/assignments/{assignment_id}")
    for key in NAMES:
        dimension(page, key).locator("input[type=radio][value='3']").check()  # type: ignore[attr-defined]
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("button", name="Ask for an AI draft").click()
    expect(page.get_by_text("Drafting…")).to_be_visible()
    run_queued(live_app)
    expect(page.locator("#ai-draft")).to_contain_text("Could not reach the AI provider", timeout=10000)
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Submit scorecard").click()
    expect(page.get_by_text("Scorecard submitted.")).to_be_visible()
    with live_app.app_context():
        drafts = db.session().scalars(select(AiDraft).order_by(AiDraft.id.desc())).first()
    assert drafts is not None and drafts.status is AiDraftStatus.FAILED


def test_asking_for_a_draft_keeps_unsaved_notes_on_the_page(
    server_url: str, live_app: Flask, ai_server: ScriptedOpenAI, staff_page: Callable[[str], Page]
) -> None:
    assignment_id, _ = assigned_to_lena(live_app)
    page = staff_page("lena@example.com")
    page.goto(f"{server_url}/review/assignments/{assignment_id}")
    for key in NAMES:
        dimension(page, key).locator("input[type=radio][value='3']").check()  # type: ignore[attr-defined]
    page.get_by_role("button", name="Save draft").click()
    page.get_by_label("Summary").fill("Notes typed but not yet saved.")
    page.get_by_role("button", name="Ask for an AI draft").click()
    expect(page.get_by_text("Drafting…")).to_be_visible()
    expect(page.get_by_label("Summary")).to_have_value("Notes typed but not yet saved.")
    run_queued(live_app)
    expect(page.locator("#ai-draft")).to_contain_text("could not be made", timeout=10000)
    expect(page.get_by_label("Summary")).to_have_value("Notes typed but not yet saved.")
