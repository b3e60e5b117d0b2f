"""Shared fixtures: a database built by the migrations, an app per test, a client, a clock, factories.

Every database test runs twice: on SQLite, and on PostgreSQL when
ASSESS_TEST_DATABASE_URL names one (CI sets it). Each test runs inside a
transaction that is rolled back, so tests never see each other's rows.

The fixtures are the ones of Flask's own testing guide (``app``, ``client``,
``runner``) plus ``make`` (tests/support/factories.py), ``auth``, ``browser_for``,
``clock`` and ``publish``. Test
modules take these fixtures and import helpers from tests/support only, never
from one another.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from assess import create_app, migrate
from assess.config import Config
from assess.content import ContentLibrary
from assess.db import Database, get_database, make_engine
from assess.models import Attempt, Opening, Role, User
from assess.services import demo, users
from tests.support.ai import with_ai
from tests.support.app import POSTGRES_ENV, FrozenClock, make_config
from tests.support.content import edited_library
from tests.support.openai_server import ScriptedOpenAI
from tests.support.factories import Factory
from tests.support.mail import Inbox, free_port
from tests.support.web import Auth, sign_in_session


# -- CI: a skipped test is a failure there --------------------------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("ASSESS_FAIL_ON_SKIP") and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped, which CI does not allow: {reason}"


# -- databases -----------------------------------------------------------------


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database URL with the schema migrated to head, on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    else:
        url = os.environ.get(POSTGRES_ENV, "")
        if not url:
            pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1/test)")
        _reset_postgres(url)
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Any]:
    """A connection inside an outer transaction that the test rolls back."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def own_schema_url() -> Iterator[str]:
    """A freshly migrated schema of its own in the PostgreSQL test database, dropped afterwards.

    The rolled-back fixtures share one connection, so they cannot show a race; tests of races
    commit for real, from several connections, here.
    """
    url = os.environ.get(POSTGRES_ENV, "")
    if not url:
        pytest.skip(f"the race tests need PostgreSQL ({POSTGRES_ENV}); SQLite has no concurrent writers")
    schema = f"race_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    own = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    try:
        migrate.upgrade(own)
        yield own
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def committed_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database of the test's own where every commit is real, so two requests can race."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("own_schema_url"))
    url = f"sqlite:///{tmp_path / 'committed.sqlite3'}"
    migrate.upgrade(url)
    return url


@pytest.fixture
def savepoint(connection: Any) -> Callable[[], Any]:
    """Begin a nested transaction on the test's connection, for a step that is rolled back on its own."""
    def begin() -> Any:
        return connection.begin_nested()

    return begin


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Config:
    return make_config(tmp_path, database_url=database_url)


@pytest.fixture
def app(config: Config, engine: Engine, connection: Any) -> Flask:
    return create_app(config, database=Database(engine, bind=connection))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser for the app; each request gets its own contexts (and so its own ``g``), as in production."""
    return app.test_client()


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    """A session on the test's transaction, for arranging and checking rows."""
    with get_database(app).new_session() as session:
        yield session


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


# -- time --------------------------------------------------------------------------


@pytest.fixture
def clock(app: Flask) -> FrozenClock:
    frozen = FrozenClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    app.extensions["assess.clock"] = frozen
    return frozen


# -- content -------------------------------------------------------------------------


@pytest.fixture
def publish(app: Flask, tmp_path: Path) -> Callable[[str, str, str], ContentLibrary]:
    """Serve a new version of the content: publish(path, old, new) edits one file of a copy and loads it.

    The app serves the edited library from then on, as after a deploy of the change; what was
    stored before keeps the version it was made against.
    """
    def edit(path: str, old: str, new: str) -> ContentLibrary:
        library = edited_library(tmp_path / f"content-{len(list(tmp_path.glob('content-*')))}", path, old, new)
        app.extensions["assess.content"] = library
        return library

    return edit


# -- factories -------------------------------------------------------------------

_real_hash = users.generate_password_hash
_hashes: dict[str, str] = {}


def _hash_once(password: str, *args: Any, **kwargs: Any) -> str:
    """scrypt is slow on purpose; tests create many accounts with the same password, so hash it once."""
    if password not in _hashes:
        _hashes[password] = _real_hash(password, *args, **kwargs)
    return _hashes[password]


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "generate_password_hash", _hash_once)


@pytest.fixture
def make(db_session: Session, app: Flask) -> Factory:
    return Factory(db_session, app)


# -- people and their work -------------------------------------------------------------


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


@pytest.fixture
def browser_for(app: Flask) -> Callable[[User], FlaskClient]:
    """browser_for(user): a browser of its own, signed in as user, for tests where several people act."""
    def signed_in(user: User) -> FlaskClient:
        browser = app.test_client()
        sign_in_session(browser, user)
        return browser

    return signed_in


@pytest.fixture
def seeded(app: Flask, db_session: Session, clock: FrozenClock) -> Opening:
    """The demo (its staff, candidates and scorecards) seeded at the test's time; returns its opening."""
    with app.app_context():
        demo.seed_demo(db_session, app.extensions["assess.content"], app.config["ASSESS"], clock.now)
    return db_session.scalars(select(Opening).where(Opening.slug == demo.DEMO_OPENING_SLUG)).one()


@pytest.fixture
def team(make: Factory) -> dict[str, User]:
    """A hiring manager and three interviewers, known by first name."""
    return {
        "manager": make.user(Role.HIRING_MANAGER, name="Hana Manager"),
        "priya": make.user(Role.INTERVIEWER, name="Priya Interviewer"),
        "tom": make.user(Role.INTERVIEWER, name="Tom Interviewer"),
        "lena": make.user(Role.INTERVIEWER, name="Lena Interviewer"),
    }


@pytest.fixture
def work(make: Factory, team: dict[str, User], clock: FrozenClock) -> Attempt:
    """Quinn's mini-PRD, handed in with the "meets" benchmark answer, in an opening Hana runs."""
    opening = make.opening(team["manager"], title="APM scoring")
    return make.submission(opening, "a-mini-prd", "meets", name="Quinn Secretname", email="quinn.secret@example.net")


# -- mail --------------------------------------------------------------------------------


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on loopback: its inbox and port."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def mailing(app: Flask, smtp: tuple[Inbox, int]) -> Inbox:
    """The app sending through the loopback SMTP server, with links to http://assess.test; its inbox."""
    inbox, port = smtp
    app.config["ASSESS"] = app.config["ASSESS"].with_overrides(
        {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False, "base_url": "http://assess.test"})
    return inbox


@pytest.fixture
def server() -> Iterator[ScriptedOpenAI]:
    """A model on loopback speaking the chat-completions protocol, replaying what a test scripts."""
    fake = ScriptedOpenAI().start()
    yield fake
    fake.stop()


@pytest.fixture
def ai_app(app: Flask, server: ScriptedOpenAI) -> Flask:
    """The app with its AI aid set up to talk to the loopback model."""
    return with_ai(app, server)
