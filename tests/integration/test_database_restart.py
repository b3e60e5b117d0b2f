"""PostgreSQL restarted in the middle of a burst of autosaves.

The candidate's tab saves every 50 ms the way attempt.js does: each request numbered, the last
acknowledged revision sent along, and a failed save retried until it is acknowledged. Meanwhile the
database server restarts. Afterwards every acknowledged save is in the database and the text
stored is the last one typed.

Needs ASSESS_TEST_DATABASE_URL and ASSESS_TEST_PG_RESTART, a shell command that restarts the
server (.ci/run sets both); it works on a database of its own, since restarting would break the
rolled-back transaction other tests run in.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from sqlalchemy import select

from assess import create_app, migrate
from assess.db import get_database
from assess.models import Draft, Role
from assess.services import attempts
from tests.support.app import make_config, POSTGRES_ENV
from tests.support.factories import Factory
from tests.support.web import csrf_token

RESTART_ENV = "ASSESS_TEST_PG_RESTART"
DATABASE = "assess_restart_test"


@pytest.fixture
def restart_database() -> Iterator[str]:
    url, restart = os.environ.get(POSTGRES_ENV, ""), os.environ.get(RESTART_ENV, "")
    if not (url and restart):
        pytest.skip(f"the restart test needs {POSTGRES_ENV} and {RESTART_ENV} (a command that restarts "
                    "PostgreSQL, e.g. 'pg_ctlcluster 15 main restart'); .ci/run sets both")
    parts = urlsplit(url.replace("+psycopg", ""))
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
    own = urlsplit(url)._replace(path=f"/{DATABASE}").geturl()
    migrate.upgrade(own)
    yield own
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def restart_postgres() -> None:
    subprocess.run(os.environ[RESTART_ENV], shell=True, check=True, capture_output=True, timeout=60)


def test_every_acknowledged_autosave_survives_a_database_restart(restart_database: str, tmp_path: Path) -> None:
    app = create_app(make_config(tmp_path, database_url=restart_database))
    with app.app_context():
        session = get_database(app).new_session()
        make = Factory(session, app)
        opening = make.opening(make.user(Role.HIRING_MANAGER))
        invited = make.invite(opening)
        attempt = attempts.start(session, make.library, invited.candidate, "a-mini-prd", now=make.now())
        attempt_id = attempt.id
        session.close()

    tab = app.test_client()
    assert tab.get(urlsplit(invited.link).path).status_code == 302
    token = csrf_token(tab, "/c/exercises/a-mini-prd")
    restarted = threading.Event()
    restarter = threading.Thread(target=lambda: (time.sleep(0.5), restart_postgres(), restarted.set()))
    restarter.start()

    acknowledged: list[int] = []
    outage_answers: set[int] = set()
    failures = seq = revision = version = acknowledged_after_restart = 0
    pending: int | None = None  # the version typed but not yet acknowledged
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and acknowledged_after_restart < 10:
        if pending is None:
            version += 1
            pending = version
        seq += 1
        response = tab.post("/c/exercises/a-mini-prd/autosave", headers={"X-CSRFToken": token}, json={
            "client_id": "tab-restart", "seq": seq, "base_revision": revision,
            "answers": {"problem_statement": f"version {pending}"}})
        body = response.get_json(silent=True) or {}
        if response.status_code == 200 and body.get("status") == "accepted":
            acknowledged.append(pending)
            revision, pending = body["revision"], None
            acknowledged_after_restart += restarted.is_set()
        else:
            failures += 1
            outage_answers.add(response.status_code)
            time.sleep(0.2)  # the page backs off, then sends the same text again
        time.sleep(0.05)
    restarter.join(timeout=60)

    assert restarted.is_set(), "PostgreSQL did not restart"
    assert failures > 0, "no save failed, so the restart was not seen by this run"
    assert outage_answers <= {503}, f"while the database was away the app answered {outage_answers}"
    with app.app_context():
        session = get_database(app).new_session()
        draft = session.scalars(select(Draft).where(Draft.attempt_id == attempt_id)).one()
        assert draft.answers["problem_statement"] == f"version {acknowledged[-1]}"
        assert draft.revision >= len(acknowledged)
        session.close()
    get_database(app).engine.dispose()
