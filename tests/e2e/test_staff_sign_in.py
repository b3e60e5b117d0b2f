"""A member of staff signs in and out in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import sign_in

pytestmark = pytest.mark.e2e


def test_a_hiring_manager_signs_in_sees_the_demo_opening_and_signs_out(
    page: Page, server_url: str
) -> None:
    sign_in(page, server_url, "hiring@example.com")
    expect(page.get_by_role("heading", name="Openings", exact=True)).to_be_visible()
    expect(page.get_by_text("APM, Growth")).to_be_visible()
    expect(page.get_by_text("Welcome, Maya Okafor.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.goto(server_url + "/hiring/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_wrong_password_is_explained_and_the_email_is_kept(page: Page, server_url: str) -> None:
    sign_in(page, server_url, "priya@example.com", "not the password")
    expect(page.get_by_text("do not match an active account")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value("priya@example.com")


def test_an_interviewer_cannot_open_the_admin_page(page: Page, server_url: str) -> None:
    sign_in(page, server_url, "tom@example.com")
    expect(page.get_by_role("heading", name="My queue")).to_be_visible()
    response = page.goto(server_url + "/admin/")
    assert response is not None and response.status == 403
    expect(page.get_by_text("does not have access")).to_be_visible()
