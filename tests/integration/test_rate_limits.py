"""Sign-in, invitation links and link resends are rate-limited, with a page that says what to do."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from assess import create_app
from assess.db import Database
from assess.models import OutboundEmail, Role, User
from tests.support.app import make_config
from tests.support.factories import Factory
from tests.support.web import Auth, csrf_token, sign_in_session

REDIS_ENV = "ASSESS_TEST_REDIS_URL"


def test_repeated_wrong_passwords_from_one_address_get_a_429_page(make: Factory, client: FlaskClient) -> None:
    auth = Auth(client)
    user = make.user()
    statuses = [auth.login(f"guess{n}@example.org", password="wrong guess").status_code for n in range(10)]
    assert statuses == [200] * 10  # the form again, with its message
    refused = auth.login(user.email)  # even a right password from this address waits now
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "too many attempts in a short time" in page and "Wait a few minutes" in page
    assert int(refused.headers["Retry-After"]) > 0
    assert client.get("/review/").status_code == 302  # not signed in


def test_guesses_at_one_account_from_many_addresses_are_limited(make: Factory, app: Flask) -> None:
    user = make.user()
    statuses = []
    for n in range(6):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"203.0.113.{n + 1}"
        statuses.append(Auth(client).login(user.email, password="not the password").status_code)
    assert statuses == [200] * 5 + [429]


def test_someone_else_can_still_sign_in_from_elsewhere(make: Factory, app: Flask) -> None:
    victim, colleague = make.user(), make.user()
    attacker = app.test_client()
    guesses = [Auth(attacker).login(victim.email, password="not the password").status_code for _ in range(11)]
    assert guesses[-1] == 429  # the attacker is held up, and still
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert Auth(elsewhere).login(colleague.email).status_code == 302


def test_twenty_successful_sign_ins_in_a_row_are_never_refused_and_failures_still_count(
    make: Factory, client: FlaskClient
) -> None:
    auth = Auth(client)
    user = make.user()
    for _ in range(20):
        assert auth.login(user.email).status_code == 302
        auth.logout()
    failures = [auth.login(f"guess{n}@example.org", password="wrong guess").status_code for n in range(11)]
    assert failures == [200] * 10 + [429]


def test_guessing_invitation_links_is_limited(make: Factory, client: FlaskClient) -> None:
    link = urlsplit(make.invite(make.opening()).link).path
    statuses = [client.get(f"/c/start/{secrets.token_urlsafe(32)}").status_code for _ in range(20)]
    assert statuses == [404] * 20
    refused = client.get(link)
    assert refused.status_code == 429
    assert "too many attempts" in refused.get_data(as_text=True)


def test_many_candidates_behind_one_address_open_their_links_without_being_held_up(
    make: Factory, app: Any
) -> None:
    opening = make.opening()
    links = [urlsplit(make.invite(opening).link).path for _ in range(30)]
    assert [app.test_client().get(link).status_code for link in links] == [302] * 30


def test_a_candidates_link_is_resent_at_most_three_times_in_ten_minutes(
    make: Factory, client: FlaskClient, db_session: Session
) -> None:
    opening = make.opening()
    candidate = make.invite(opening).candidate
    sign_in_session(client, opening.hiring_manager)
    page = f"/hiring/openings/{opening.slug}"
    url = f"{page}/candidates/{candidate.id}/resend"
    statuses = [client.post(url, data={"csrf_token": csrf_token(client, page)}).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    sent = db_session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == candidate.email)).all()
    assert len(sent) == 4  # the invitation and three new links
    other = make.invite(opening).candidate  # another candidate is not held up
    assert client.post(f"{page}/candidates/{other.id}/resend",
                       data={"csrf_token": csrf_token(client, page)}).status_code == 302


def test_a_429_answers_json_to_json_clients(make: Factory, client: FlaskClient) -> None:
    for _ in range(20):
        client.get(f"/c/start/{secrets.token_urlsafe(32)}")
    refused = client.get(f"/c/start/{secrets.token_urlsafe(32)}", headers={"Accept": "application/json"})
    assert refused.status_code == 429
    assert refused.get_json()["error"] == "Too Many Requests"


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get(REDIS_ENV, "")
    if not url:
        pytest.skip(f"the shared rate-limit test needs {REDIS_ENV} (e.g. redis://127.0.0.1:6379/15)")
    import redis

    redis.Redis.from_url(url).flushdb()
    return url


def test_with_redis_every_web_process_shares_the_counters(
    redis_url: str, tmp_path: Path, database_url: str, engine: Engine, connection: Any, make: Factory
) -> None:
    """Two app instances stand for two web processes: guesses spread across them still add up."""
    user = make.user(Role.INTERVIEWER)
    config = make_config(tmp_path, database_url=database_url, redis_url=redis_url)
    first, second = (create_app(config, database=Database(engine, bind=connection)) for _ in range(2))
    assert first.config["RATELIMIT_STORAGE_URI"] == redis_url
    statuses = []
    for n in range(11):
        process = first if n % 2 == 0 else second
        statuses.append(Auth(process.test_client()).login(user.email, password=f"guess {n:02d}").status_code)
    assert statuses == [200] * 5 + [429] * 6  # alone, each process would have allowed six


def test_another_openings_manager_cannot_use_up_a_candidates_resends(
    make: Factory, app: Flask, db_session: Session, browser_for: Callable[[User], FlaskClient]
) -> None:
    opening = make.opening()
    candidate = make.invite(opening).candidate
    stranger = browser_for(make.user(Role.HIRING_MANAGER))
    page = "/hiring/"
    for _ in range(4):
        refused = stranger.post(f"/hiring/openings/{opening.slug}/candidates/{candidate.id}/resend",
                                data={"csrf_token": csrf_token(stranger, page)})
        assert refused.status_code == 404
    manager = browser_for(opening.hiring_manager)
    own = f"/hiring/openings/{opening.slug}"
    assert manager.post(f"{own}/candidates/{candidate.id}/resend",
                        data={"csrf_token": csrf_token(manager, own)}).status_code == 302
