"""The results page in a real browser: the export menu behaves as menus do."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def test_the_export_menu_opens_and_closes_on_escape_and_on_a_click_outside(
    staff_page: Callable[[str], Page], server_url: str
) -> None:
    page = staff_page("hiring@example.com")
    page.goto(server_url + "/hiring/openings/apm-growth/results")
    menu = page.locator("details.menu")
    results_csv = page.get_by_role("link", name="Results the calibrated ranking")
    expect(results_csv).to_be_hidden()
    page.get_by_text("Export CSV").click()
    expect(results_csv).to_be_visible()
    page.keyboard.press("Escape")
    expect(results_csv).to_be_hidden()
    expect(page.locator("details.menu > summary")).to_be_focused()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    page.get_by_role("heading", name="Calibrated results").click()
    expect(results_csv).to_be_hidden()
