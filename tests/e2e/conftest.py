"""Browser tests: the real app served on loopback, driven in headless Chromium."""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from assess import create_app, db, migrate
from assess.content_registry import library
from assess.db import utcnow
from assess.models import Opening
from assess.services import demo
from tests.support.app import make_config
from tests.support.browser import sign_in
from tests.support.factories import Factory

CHROMIUM = os.environ.get("ASSESS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The app with the demo, on its own SQLite database that tests really commit to."""
    config = make_config(tmp_path_factory.mktemp("e2e"))
    migrate.upgrade(config.database_url)
    app = create_app(config)
    with app.app_context():
        demo.seed_demo(db.session(), library(), config, utcnow())
    return app


@pytest.fixture(scope="session")
def server_url(live_app: Flask) -> Iterator[str]:
    """The app served by a real HTTP server on loopback."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def invitation_link(live_app: Flask, server_url: str) -> str:
    """A fresh candidate invited to the demo opening; the link points at the test server."""
    with live_app.app_context():
        session = db.session()
        opening = session.scalars(select(Opening).where(Opening.slug == demo.DEMO_OPENING_SLUG)).one()
        invited = Factory(session, live_app).invite(opening, name="Dana Reyes",
                                                    email=f"dana.{uuid.uuid4().hex[:8]}@example.net")
    return f"{server_url}/c/start/{invited.link.rsplit('/', 1)[1]}"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium package to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page_without_javascript(browser: object) -> Iterator[object]:
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def staff_page(browser: object, server_url: str) -> Iterator[Callable[[str], object]]:
    """staff_page(email): a page of its own browser context, signed in as that demo account."""
    contexts: list[object] = []

    def signed_in(email: str) -> object:
        context = browser.new_context()  # type: ignore[attr-defined]
        contexts.append(context)
        page = context.new_page()
        sign_in(page, server_url, email)
        return page

    yield signed_in
    for context in contexts:
        context.close()  # type: ignore[attr-defined]

