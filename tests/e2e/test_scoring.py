"""Two interviewers score the same submission in Chromium, blind and independently."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from assess import db
from assess.models import Opening, User
from assess.services import demo
from tests.support.factories import Factory

pytestmark = pytest.mark.e2e

DIMENSIONS = ("Problem framing", "Requirements quality", "Analytics & measurement", "Communication",
              "Customer empathy")


@pytest.fixture
def benchmark_submission(live_app: Flask) -> tuple[int, int, str]:
    """A fresh candidate hands in the 'meets' benchmark for A; Priya and Tom are assigned to it."""
    with live_app.app_context():
        session = db.session()
        make = Factory(session, live_app)
        opening = session.scalars(select(Opening).where(Opening.slug == demo.DEMO_OPENING_SLUG)).one()
        opening.auto_assign = False  # this test chooses who scores; the opening assigns by itself again after
        session.commit()
        attempt = make.submission(opening, "a-mini-prd", "meets", name="Casey Hidden",
                                  email=f"casey.{uuid.uuid4().hex[:6]}@example.net")
        opening.auto_assign = True
        session.commit()
        staff = {u.email: u for u in session.scalars(select(User))}
        made = [make.assignment(attempt, staff[email]) for email in ("priya@example.com", "tom@example.com")]
        return made[0].id, made[1].id, attempt.candidate.pseudonym


def rate(page: Page, value: int, evidence: str) -> None:
    for name in DIMENSIONS:
        group = page.locator("fieldset.dimension", has=page.locator("legend", has_text=name))
        group.locator(f"input[type=radio][value='{value}']").check()
        group.locator("textarea").fill(evidence)
    page.get_by_label("Yes", exact=True).check()


def test_two_interviewers_score_blind_then_see_the_disagreement_and_a_reopen_is_kept(
    server_url: str, benchmark_submission: tuple[int, int, str], staff_page: Callable[[str], Page]
) -> None:
    priya_id, tom_id, pseudonym = benchmark_submission
    tom = staff_page("tom@example.com")
    tom.goto(f"{server_url}/review/assignments/{tom_id}")
    expect(tom.get_by_role("heading", name=f"Candidate {pseudonym}")).to_be_visible()
    expect(tom.get_by_text("Casey Hidden")).to_have_count(0)
    expect(tom.get_by_text("User stories written")).to_be_visible()
    rate(tom, 2, "Stories lack edge cases; TOM-ONLY-NOTE.")
    tom.get_by_role("button", name="Submit scorecard").click()
    expect(tom.get_by_text("Scorecard submitted.")).to_be_visible()

    priya = staff_page("priya@example.com")
    priya.goto(f"{server_url}/review/assignments/{priya_id}")
    expect(priya.get_by_role("heading", name="Everyone's ratings")).to_have_count(0)
    expect(priya.get_by_text("TOM-ONLY-NOTE")).to_have_count(0)
    rate(priya, 5, "Cites ticket numbers and the funnel; PRIYA-ONLY-NOTE.")
    priya.get_by_role("button", name="Submit scorecard").click()
    expect(priya.get_by_role("heading", name="Everyone's ratings")).to_be_visible()
    expect(priya.locator("tr.debrief")).to_have_count(len(DIMENSIONS))

    # Priya has seen Tom's ratings, so changing hers is a request the hiring manager decides.
    priya.get_by_text("Ask the hiring manager to reopen it").click()
    priya.get_by_label("Why reopen it?").fill("I rated before reading the tracking plan.")
    priya.get_by_role("button", name="Ask to reopen").click()
    expect(priya.get_by_text("The hiring manager has not decided yet.")).to_be_visible()

    manager = staff_page("hiring@example.com")
    manager.goto(f"{server_url}/hiring/openings/{demo.DEMO_OPENING_SLUG}/scoring")
    requests = manager.locator("#reopen-requests li.request", has_text="I rated before reading the tracking plan.")
    expect(requests).to_contain_text("Priya Raman")
    requests.get_by_label("Note to the interviewer (optional)").fill("Go ahead.")
    requests.get_by_role("button", name="Approve").click()
    expect(manager.get_by_text("may now change the scorecard")).to_be_visible()

    priya.reload()
    expect(priya.get_by_text("Reopened with approval")).to_be_visible()
    group = priya.locator("fieldset.dimension", has=priya.locator("legend", has_text="Communication"))
    group.locator("input[type=radio][value='4']").check()
    priya.get_by_role("button", name="Submit scorecard").click()
    history = priya.locator(".history")
    expect(history).to_contain_text("Reopened")
    expect(history).to_contain_text("I rated before reading the tracking plan.")
    expect(history.locator("li")).to_have_count(4)
    expect(priya.locator("th", has_text="(you)")).to_contain_text("revised")

    manager.goto(f"{server_url}/hiring/openings/{demo.DEMO_OPENING_SLUG}/scoring")
    flagged = manager.locator(".attention", has_text="Disagreements to look at")
    expect(flagged).to_contain_text("Casey Hidden · A")
    expect(flagged).to_contain_text("Problem framing 2 vs 5")
