"""People and roles, seen in Chromium: an admin invites a recruiter on the Staff page, the recruiter chooses a
password from the kept welcome link and signs in, the hiring manager puts them on the opening's team, and the
recruiter follows a candidate on a phone without seeing their work until the hiring manager allows it."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from assess import db
from assess.models import Candidate, Opening, Submission, Attempt
from assess.services import demo
from tests.support.browser import sign_in

pytestmark = pytest.mark.e2e

PASSWORD = "a recruiter's own password"
PHONE = {"width": 390, "height": 844}


def test_an_invited_recruiter_follows_candidates_and_sees_their_work_only_once_allowed(
    browser: Browser, server_url: str, staff_page: Callable[[str], Page], live_app: object,
) -> None:
    email = f"rui.{uuid.uuid4().hex[:8]}@example.org"
    admin = staff_page("admin@example.com")
    admin.goto(f"{server_url}/admin/staff")
    admin.get_by_label("Name", exact=True).fill("Rui Recruiter")
    admin.get_by_label("Work email").fill(email)
    admin.get_by_label("Role", exact=True).select_option("recruiter")
    admin.get_by_role("button", name="Send invitation").click()
    expect(admin.locator(".flash-success")).to_contain_text("kept in the outbox")
    card = admin.locator("li.staff-row", has_text=email)
    expect(card).to_contain_text("invited")
    link = urlsplit(card.locator("code.token").inner_text().strip()).path
    manager = staff_page("hiring@example.com")
    people = f"{server_url}/hiring/openings/{demo.DEMO_OPENING_SLUG}/people"

    phone = browser.new_context(viewport=PHONE)
    try:
        recruiter = phone.new_page()
        recruiter.goto(server_url + link)
        recruiter.get_by_label("New password").fill(PASSWORD)
        recruiter.get_by_label("The same password again").fill(PASSWORD)
        recruiter.get_by_role("button", name="Set my password").click()
        sign_in(recruiter, server_url, email, PASSWORD)
        expect(recruiter.get_by_role("heading", name="Openings", exact=True)).to_be_visible()
        expect(recruiter.get_by_text("You are not on an opening's team yet")).to_be_visible()

        manager.goto(people)
        manager.locator("select[name=user_id]").select_option(label=f"Rui Recruiter (recruiter, {email})")
        manager.get_by_role("button", name="Add to the team").click()
        expect(manager.locator(".flash-success")).to_contain_text("Added to the team")

        with live_app.app_context():  # type: ignore[attr-defined]
            session = db.session()
            opening = session.scalars(select(Opening).where(Opening.slug == demo.DEMO_OPENING_SLUG)).one()
            person, answer = session.execute(
                select(Candidate, Submission.answers).join(Attempt, Attempt.candidate_id == Candidate.id)
                .join(Submission, Submission.attempt_id == Attempt.id)
                .where(Candidate.opening_id == opening.id, Attempt.exercise_key == "a-mini-prd")
                .order_by(Candidate.id)).first()
        plain = (re.search(r"[A-Za-z][a-z ]{30,}", text) for text in answer.values())
        words = next(found.group(0)[:30] for found in plain if found)  # words Markdown leaves as they are
        recruiter.goto(f"{server_url}/hiring/")
        recruiter.get_by_role("link", name=demo.DEMO_OPENING_TITLE).first.click()
        expect(recruiter.get_by_role("button", name="Send invitation", exact=True)).to_be_visible()
        expect(recruiter.get_by_role("link", name="Settings")).to_have_count(0)
        recruiter.goto(f"{server_url}/hiring/openings/{demo.DEMO_OPENING_SLUG}/candidates/{person.id}")
        expect(recruiter.get_by_role("heading", level=1)).to_contain_text(person.name)
        expect(recruiter.get_by_text("The work and its scorecards are for the hiring managers").first).to_be_visible()
        assert words not in recruiter.content()
        assert "Calibrated score" not in recruiter.content()
        width = recruiter.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px phone"

        manager.get_by_label("Recruiters on this opening may read candidates' work, scorecards and results").check()
        manager.get_by_role("button", name="Save").click()
        expect(manager.locator(".flash-success")).to_contain_text("now see candidates' work")
        recruiter.reload()
        expect(recruiter.get_by_text("Calibrated score")).to_be_visible()
        assert words in recruiter.content()
    finally:
        phone.close()
        manager.goto(people)
        manager.get_by_label("Recruiters on this opening may read candidates' work, scorecards and results").uncheck()
        manager.get_by_role("button", name="Save").click()
