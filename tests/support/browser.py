"""What a person does in Chromium that several browser tests need: signing in through the form."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from assess.services import demo


def sign_in(page: Page, server_url: str, email: str, password: str = demo.DEMO_PASSWORD) -> None:
    """Open the site signed out, get the sign-in form, and sign in as email."""
    page.goto(server_url + "/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
