"""A hiring manager follows the pipeline in Chromium: filters the list by stage, sends new links to ticked
candidates, invites from a spreadsheet and reads the funnel, under the page's Content-Security-Policy."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from assess import db
from assess.models import Opening
from assess.services import demo, invitations
from tests.support.factories import Factory

pytestmark = pytest.mark.e2e


def _console_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


def test_the_list_filters_by_stage_and_ticked_candidates_get_new_links(
    server_url: str, live_app: Flask, staff_page: Callable[[str], Page]
) -> None:
    name = f"Robin Tick {uuid.uuid4().hex[:4]}"
    with live_app.app_context():
        session = db.session()
        opening = session.scalars(select(Opening).where(Opening.slug == demo.DEMO_OPENING_SLUG)).one()
        make = Factory(session, live_app)
        # Invited an hour ago: a link sent in the last ten minutes is not sent again in a batch.
        invitations.invite(session, make.config, make.library, opening, name=name,
                           email=f"robin.{uuid.uuid4().hex[:8]}@example.net", actor=None,
                           now=make.now() - timedelta(hours=1))
    manager = staff_page("hiring@example.com")
    errors = _console_errors(manager)
    manager.goto(f"{server_url}/hiring/openings/{demo.DEMO_OPENING_SLUG}")
    manager.get_by_role("navigation", name="Candidates by stage").get_by_role("link", name="Handed in").click()
    expect(manager.get_by_role("link", name="Jordan Ellis")).to_be_visible()
    expect(manager.get_by_role("link", name="Leo Brandt")).to_have_count(0)

    manager.get_by_label("Stage", exact=True).select_option("invited")
    manager.get_by_label("Order").select_option("name")
    manager.get_by_role("button", name="Show").click()
    expect(manager.get_by_role("link", name=name)).to_be_visible()
    manager.get_by_label(f"Tick {name}").check()
    manager.get_by_role("button", name="Send new links").click()
    expect(manager.get_by_text(f"Sent new links to {name};")).to_be_visible()
    assert "stage=invited" in manager.url and "sort=name" in manager.url, "back to the same list"
    assert errors == []


def test_a_spreadsheet_invites_its_people_and_the_funnel_is_drawn(
    server_url: str, staff_page: Callable[[str], Page], tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:6]
    sheet = tmp_path / "people.csv"
    sheet.write_bytes(f"\ufeffFirst name;Last name;Email\r\nZoë;Ångström;zoe.{tag}@example.org\r\n"
                      f"Nobody;Here;\r\n".encode())
    manager = staff_page("hiring@example.com")
    errors = _console_errors(manager)
    manager.goto(f"{server_url}/hiring/openings/{demo.DEMO_OPENING_SLUG}")
    manager.get_by_label("Or choose a CSV file").set_input_files(str(sheet))
    manager.get_by_role("button", name="Invite from the file").click()
    expect(manager.get_by_text("Invited Zoë Ångström;")).to_be_visible()
    expect(manager.get_by_text("Row 3 (Nobody Here): no email address in this row.")).to_be_visible()
    expect(manager.get_by_label("Paste a list")).to_have_value("Nobody Here")

    manager.goto(f"{server_url}/hiring/openings/{demo.DEMO_OPENING_SLUG}/pipeline")
    expect(manager.get_by_role("heading", name="Funnel")).to_be_visible()
    drawn = manager.locator("canvas[data-chart-source='funnel-chart']")
    expect(drawn).to_be_visible()
    assert manager.evaluate("() => !!Chart.getChart(document.querySelector('canvas[data-chart-source]'))")
    expect(manager.get_by_role("cell", name="Tom Becker")).to_have_count(0)
    expect(manager.get_by_role("rowheader", name="Tom Becker")).to_be_visible()
    assert errors == []
