"""Faults the product survives: Redis down, the LLM endpoint down, a worker killed mid-draft.

(PostgreSQL restarted during a burst of autosaves is in test_database_restart.py.)
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from assess import create_app, migrate
from assess.config import PROJECT_ROOT
from assess.db import Database, get_database
from assess.models import AiDraft, AiDraftStatus, Role
from assess.services import ai_drafts, answering, attempts
from tests.support.ai import ANSWERS
from tests.support.app import FrozenClock, make_config
from tests.support.factories import A, Factory
from tests.support.openai_server import ScriptedOpenAI
from tests.support.web import Auth, csrf_token, sign_in_session

NOBODY_LISTENS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down_app(tmp_path: Path, database_url: str, engine: Engine, connection: Any) -> Flask:
    """The app configured for Redis (queue and rate limits) with no Redis answering."""
    config = make_config(tmp_path, database_url=database_url, redis_url=NOBODY_LISTENS,
                         ai_api_key="k", ai_model="m", ai_base_url="http://127.0.0.1:1/v1")
    return create_app(config, database=Database(engine, bind=connection))


def test_with_redis_down_pages_work_and_a_draft_says_the_queue_is_unavailable(
    redis_down_app: Flask, db_session: Session
) -> None:
    make = Factory(db_session, redis_down_app)
    manager, interviewer = make.user(Role.HIRING_MANAGER), make.user(Role.INTERVIEWER)
    opening = make.opening(manager, ai_enabled=True)
    attempt = make.submission(opening)
    made = make.assignment(attempt, interviewer, manager, now=make.now())
    make.scorecard(made, 3, submit=False, evidence="noted", actor=interviewer)

    browser = redis_down_app.test_client()
    signed_in = Auth(browser).login(interviewer.email)  # a rate-limited route, with its counters unreachable
    assert signed_in.status_code == 302
    page = f"/review/assignments/{made.id}"
    assert browser.get(page).status_code == 200
    asked = browser.post(f"{page}/ai-draft", data={"csrf_token": csrf_token(browser, page)},
                         headers={"X-Fragment": "1"})
    assert asked.status_code == 200
    assert "task queue is not available" in asked.get_data(as_text=True)
    draft = db_session.scalars(select(AiDraft)).one()
    assert draft.status is AiDraftStatus.FAILED  # reported, never left queued
    health = browser.get("/healthz").get_json()
    assert (health["database"], health["queue"]) == ("ok", "unavailable")
    assert browser.get("/review/").status_code == 200


def test_with_the_llm_endpoint_down_the_interviewer_still_scores(
    app: Flask, make: Factory, db_session: Session, client: FlaskClient, clock: FrozenClock
) -> None:
    app.config["ASSESS"] = app.config["ASSESS"].with_overrides(
        {"ai_api_key": "k", "ai_model": "m", "ai_base_url": "http://127.0.0.1:1/v1", "ai_timeout": 1.0})
    manager, interviewer = make.user(Role.HIRING_MANAGER), make.user(Role.INTERVIEWER)
    opening = make.opening(manager, ai_enabled=True)
    made = make.assignment(make.submission(opening), interviewer, manager, now=clock.now)
    make.scorecard(made, 3, submit=False, evidence="noted", actor=interviewer)
    draft = ai_drafts.request(db_session, app.config["ASSESS"], make.library, made, actor=interviewer,
                              now=clock.now)
    ai_drafts.run(db_session, app.config["ASSESS"], draft.id, now=clock.now, sleep=lambda _: None)
    assert draft.status is AiDraftStatus.FAILED and draft.error
    sign_in_session(client, interviewer)
    page = f"/review/assignments/{made.id}"
    assert "could not" in client.get(page).get_data(as_text=True).lower()
    data = {"csrf_token": csrf_token(client, page), "summary": "Solid.", "recommendation": "yes", "submit": "y"}
    for rating in made.scorecard.ratings:
        data |= {f"score_{rating.dimension_key}": "3", f"evidence_{rating.dimension_key}": "Cites the numbers."}
    assert client.post(page, data=data).status_code == 302
    db_session.expire_all()
    assert made.scorecard.submitted_at is not None


def test_stalled_drafts_are_reported_failed_after_a_while_and_fresh_ones_left_alone(
    app: Flask, make: Factory, db_session: Session, clock: FrozenClock
) -> None:
    config = app.config["ASSESS"].with_overrides({"ai_api_key": "k", "ai_model": "m", "ai_timeout": 10.0})
    manager, interviewer = make.user(Role.HIRING_MANAGER), make.user(Role.INTERVIEWER)
    opening = make.opening(manager, ai_enabled=True)
    scorecards = []
    for _ in range(2):
        made = make.assignment(make.submission(opening), interviewer, manager, now=clock.now)
        make.scorecard(made, 3, submit=False, evidence="noted", actor=interviewer)
        scorecards.append(made.scorecard)
    old = AiDraft(scorecard=scorecards[0], status=AiDraftStatus.RUNNING, requested_at=clock.now)
    db_session.add(old)
    clock.advance(minutes=2)
    fresh = AiDraft(scorecard=scorecards[1], status=AiDraftStatus.QUEUED, requested_at=clock.now)
    db_session.add(fresh)
    db_session.commit()
    assert ai_drafts.recover_stalled(db_session, config, clock.now) == 0
    clock.advance(seconds=91)  # 3 x 10 s + 120 s after the old one was asked for
    assert ai_drafts.recover_stalled(db_session, config, clock.now) == 1
    assert (old.status, old.error) == (AiDraftStatus.FAILED, ai_drafts.STALLED_MESSAGE)
    assert fresh.status is AiDraftStatus.QUEUED
    assert app.extensions["assess.tasks"].recover_stalled_drafts.task_class().validate_datetime(clock.now)


# -- a real worker, killed while the model is still thinking ---------------------------------


@pytest.fixture
def stalling_model() -> Iterator[ScriptedOpenAI]:
    server = ScriptedOpenAI().start()
    server.stall(30)
    yield server
    server.stop()


def test_a_worker_killed_mid_draft_leaves_the_draft_reported_failed_never_running(
    tmp_path: Path, stalling_model: ScriptedOpenAI
) -> None:
    url = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    migrate.upgrade(url)
    settings = {"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": stalling_model.base_url, "ASSESS_AI_MODEL": "m",
                "ASSESS_AI_TIMEOUT": "60", "ASSESS_DATABASE_URL": url, "ASSESS_INSTANCE_DIR": str(tmp_path / "instance"),
                "ASSESS_CONTENT_DIR": str(PROJECT_ROOT), "ASSESS_ENV": "development"}
    config = make_config(tmp_path, database_url=url, ai_api_key="k", ai_base_url=stalling_model.base_url,
                         ai_model="m", ai_timeout=60.0, env="development")
    app = create_app(config)
    with app.app_context():
        session = get_database(app).new_session()
        make = Factory(session, app)
        manager, interviewer = make.user(Role.HIRING_MANAGER), make.user(Role.INTERVIEWER)
        opening = make.opening(manager, ai_enabled=True)
        attempt = attempts.start(session, make.library, make.invite(opening).candidate, A, now=make.now())
        answering.submit(session, config, attempt, answers=ANSWERS, now=make.now())
        made = make.assignment(attempt, interviewer, manager)
        make.scorecard(made, 3, submit=False, evidence="noted", actor=interviewer)
        draft = ai_drafts.request(session, config, make.library, made, actor=interviewer, now=make.now())
        worker = subprocess.Popen(
            [str(Path(sys.executable).with_name("huey_consumer")), "worker.huey", "--workers", "1"], cwd=PROJECT_ROOT,
            env=os.environ | settings, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            deadline = time.monotonic() + 30
            while not stalling_model.requests and time.monotonic() < deadline:
                time.sleep(0.1)
            assert stalling_model.requests, "the worker never called the model"
            session.expire_all()
            assert session.get(AiDraft, draft.id).status is AiDraftStatus.RUNNING
        finally:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        session.expire_all()
        assert session.get(AiDraft, draft.id).status is AiDraftStatus.RUNNING  # the job died with its worker
        later = make.now() + ai_drafts.stalled_after(config) + timedelta(seconds=1)
        assert ai_drafts.recover_stalled(session, config, later) == 1
        stored = session.get(AiDraft, draft.id)
        assert (stored.status, stored.error) == (AiDraftStatus.FAILED, ai_drafts.STALLED_MESSAGE)
        session.close()


def test_a_database_error_is_logged_in_the_databases_own_words(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    missing = tmp_path / "no-such-folder" / "assess.sqlite3"
    app = create_app(make_config(tmp_path, database_url=f"sqlite:///{missing}"))
    client = app.test_client()
    with client.session_transaction() as values:
        values["candidate_invitation"] = 1
    with caplog.at_level(logging.WARNING, logger="assess.web.errors"):
        response = client.get("/c/")
    assert response.status_code == 503
    assert "database unavailable: OperationalError: unable to open database file" in caplog.text
