"""Shared fixtures: a database built by the migrations, an app per test, sign-in helpers.

Every database test runs twice: on SQLite, and on PostgreSQL when
ASSESS_TEST_DATABASE_URL names one (CI sets it). Each test runs inside a
transaction that is rolled back, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from assess import create_app, migrate
from assess.config import PROJECT_ROOT, Config
from assess.db import Database, make_engine
from assess.models import Opening, Role, User
from assess.services import users

TEST_PASSWORD = "correct horse battery"
POSTGRES_ENV = "ASSESS_TEST_DATABASE_URL"


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


def make_config(tmp_path: Path, **overrides: Any) -> Config:
    settings: dict[str, Any] = {
        "env": "test",
        "secret_key": "test-secret-key-that-is-long-enough-0123456789",
        "instance_dir": tmp_path / "instance",
        "content_dir": PROJECT_ROOT,
    }
    return Config(**(settings | overrides))


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Config:
    return make_config(tmp_path, database_url=database_url)


@pytest.fixture
def app(config: Config, engine: Engine, connection: Any) -> Flask:
    return create_app(config, database=Database(engine, bind=connection))


@pytest.fixture
def _push_request_context() -> None:
    """Replace pytest-flask's request context around each test.

    With one pushed for the whole test, every test-client request would share
    its ``g`` (and so its database session and signed-in user), which no real
    request does; each request here gets its own, as in production.
    """


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser for the app. Unlike pytest-flask's, it keeps no request context open between
    requests, so several clients in one test never share a signed-in user through ``g``."""
    return app.test_client()


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    """A session on the test's transaction, for arranging and checking rows."""
    from assess.db import get_database

    with get_database(app).new_session() as session:
        yield session


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


# -- time --------------------------------------------------------------------------


class FrozenClock:
    """The app's clock, standing still until a test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(app: Flask) -> FrozenClock:
    frozen = FrozenClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    app.extensions["assess.clock"] = frozen
    return frozen


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


class Factory:
    """Makes rows with sensible defaults; pass keyword arguments to override them."""

    def __init__(self, session: Session, app: Flask) -> None:
        self.session = session
        self.app = app
        self.count = 0

    @property
    def library(self) -> Any:
        return self.app.extensions["assess.content"]

    def now(self) -> datetime:
        return self.app.extensions["assess.clock"]()  # type: ignore[no-any-return]

    def invite(self, opening: Opening, **kwargs: Any) -> Any:
        """Invite a new candidate to the opening; returns the Invited result with its link."""
        from assess.services import invitations

        self.count += 1
        values = {"name": f"Candidate Person {self.count}", "email": f"person{self.count}@example.net"} | kwargs
        return invitations.invite(
            self.session, self.app.config["ASSESS"], self.library, opening, actor=None, now=self.now(), **values
        )

    def submission(self, opening: Opening, key: str = "a-mini-prd", benchmark: str = "meets", **invite: Any) -> Any:
        """A new candidate's attempt at key, handed in with a benchmark answer; returns the attempt."""
        from assess.services import answering, attempts

        candidate = self.invite(opening, **invite).candidate
        answers = dict(self.library.benchmarks[key][benchmark].content.answers) if key in self.library.benchmarks else {}
        attempt = attempts.start(self.session, self.library, candidate, key, now=self.now())
        answering.submit(self.session, self.app.config["ASSESS"], attempt, answers=answers, now=self.now())
        return attempt

    def opening(self, manager: User | None = None, **kwargs: Any) -> Opening:
        from assess.services import openings

        self.count += 1
        defaults = {"title": f"APM opening {self.count}", "exercises": openings.default_exercises(self.library)}
        return openings.create_opening(
            self.session, self.library, openings.OpeningSettings(**(defaults | kwargs)),
            hiring_manager=manager or self.user(Role.HIRING_MANAGER), now=self.now(),
        )

    def user(self, role: Role = Role.INTERVIEWER, **kwargs: Any) -> User:
        self.count += 1
        values: dict[str, Any] = {
            "email": f"{role.value}{self.count}@example.org",
            "name": f"{role.label} {self.count}",
            "password": TEST_PASSWORD,
        } | kwargs
        return users.create_user(self.session, role=role, now=self.now(), **values)


@pytest.fixture
def make(db_session: Session, app: Flask) -> Factory:
    return Factory(db_session, app)


# -- signing in --------------------------------------------------------------------

_CSRF = re.compile(r'name="csrf[_-]token"[^>]*(?:value|content)="([^"]+)"')


def csrf_token(client: FlaskClient, url: str) -> str:
    """The CSRF token of the form on the page at url."""
    page = client.get(url, follow_redirects=True).get_data(as_text=True)
    match = _CSRF.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


class Auth:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, email: str, password: str = TEST_PASSWORD, **kwargs: Any) -> Any:
        token = csrf_token(self.client, "/auth/login")
        return self.client.post(
            "/auth/login",
            data={"email": email, "password": password, "csrf_token": token},
            **kwargs,
        )

    def logout(self) -> Any:
        token = csrf_token(self.client, "/")
        return self.client.post("/auth/logout", data={"csrf_token": token})


def sign_in_session(client: FlaskClient, user: User | str) -> None:
    """Give client a signed-in staff session for user (or a cookie's session id) without the sign-in form."""
    from datetime import timedelta

    from assess.db import get_database
    from assess.web.access import fresh_session, stamp_staff_session

    now = client.application.extensions["assess.clock"]()
    if isinstance(user, str):
        session_id = user
    else:
        with get_database(client.application).new_session() as session:
            session_id = users.start_session(session, session.get(User, user.id), now=now, lifetime=timedelta(hours=12))
    with client.session_transaction() as values:
        fresh_session(values)
        stamp_staff_session(values, session_id, now)


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)
