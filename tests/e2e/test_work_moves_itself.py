"""Work moves by itself, seen in Chromium: a candidate hands in an exercise, and without anyone pressing a button
the work has its interviewers, each of them has an email from a real mail server on loopback, and the work is in
their queue."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from assess import db
from assess.models import Candidate
from assess.services import demo
from tests.support.mail import Inbox, text_of

pytestmark = pytest.mark.e2e


@pytest.fixture
def mailing(live_app: Flask, smtp: tuple[Inbox, int]) -> Iterator[Inbox]:
    """The served app sending mail through a real SMTP server on loopback for the length of the test."""
    inbox, port = smtp
    before = live_app.config["ASSESS"]
    live_app.config["ASSESS"] = before.with_overrides({"smtp_host": "127.0.0.1", "smtp_port": port,
                                                       "smtp_starttls": False})
    yield inbox
    live_app.config["ASSESS"] = before


def test_handed_in_work_is_assigned_and_its_interviewers_emailed_without_anyone_pressing_a_button(
    page: Page, invitation_link: str, live_app: Flask, server_url: str, staff_page: Callable[[str], Page],
    mailing: Inbox,
) -> None:
    page.goto(invitation_link)
    page.locator("li.step", has_text="Mini-PRD and user stories").get_by_role("button", name="Start").click()
    page.locator("#answer_problem_statement").fill("Trial admins at small companies stall at the card feed step.")
    expect(page.locator("#save-state")).to_contain_text("Saved", timeout=15000)
    page.get_by_role("button", name="Submit…").click()
    page.locator("#submit-dialog").get_by_role("button", name="Yes, submit").click()
    expect(page.get_by_role("heading", name="We have your answer")).to_be_visible()
    with live_app.app_context():
        code = db.session().scalars(select(Candidate.pseudonym).order_by(Candidate.id.desc())).first()

    told = [m for m in mailing.messages if m["Subject"].startswith("New scoring work")]
    assert len(told) == 2, [m["Subject"] for m in mailing.messages]
    for message in told:
        body = text_of(message)
        assert f"Candidate {code}" in body and "Dana" not in body
    reader = next(s for s in demo.DEMO_STAFF if s.email == told[0]["To"])

    manager = staff_page("hiring@example.com")
    manager.goto(f"{server_url}/hiring/openings/{demo.DEMO_OPENING_SLUG}/scoring?view=all")
    row = manager.locator("li.work-row", has_text=f"Candidate {code}")
    expect(row).to_contain_text("0 of 2 scorecards in")
    expect(row.locator("ul.progress li", has_text=reader.name)).to_contain_text("not started")
    expect(manager.get_by_text("Handed-in work is given its interviewers as it arrives")).to_be_visible()

    interviewer = staff_page(reader.email)
    link = re.search(r"(/review/assignments/\d+)", text_of(told[0]))
    assert link
    interviewer.goto(server_url + link.group(1))
    expect(interviewer.get_by_text(f"Candidate {code}").first).to_be_visible()
