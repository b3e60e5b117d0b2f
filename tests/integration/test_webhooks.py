"""Signed webhooks: a real HTTP server on loopback receives them, checks the signature, and fails on cue."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from assess.errors import InputError
from assess.models import Role, User, WebhookDelivery, WebhookEndpoint
from assess.services import webhooks
from tests.support.app import FrozenClock
from tests.support.factories import Factory
from tests.support.web import csrf_token, sign_in_session


class Receiver:
    """Collects what it is sent; answers with the next status in `answers` (200 once they run out)."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.answers.pop(0) if receiver.answers else 200)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.server.shutdown()
    running.server.server_close()


@pytest.fixture
def admin(make: Factory) -> User:
    return make.user(Role.ADMIN)


def signed_correctly(secret: str, request: dict[str, Any]) -> bool:
    headers = request["headers"]
    expected = hmac.new(secret.encode(), headers["X-Assess-Timestamp"].encode() + b"." + request["body"],
                        hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["X-Assess-Signature"], f"sha256={expected}")


def test_an_admin_adds_a_webhook_and_it_receives_signed_events_without_names(
    admin: User, client: FlaskClient, make: Factory, db_session: Session, clock: FrozenClock, receiver: Receiver,
) -> None:
    sign_in_session(client, admin)
    page = client.post("/admin/webhooks", data={"csrf_token": csrf_token(client, "/admin/webhooks"),
                                                "url": receiver.url,
                                                "events": ["submission.received", "scorecard.submitted"]})
    assert page.status_code == 201
    secret = page.get_data(as_text=True).split('<code class="token">')[1].split("<")[0]
    assert secret.startswith("whsec_") and secret not in client.get("/admin/webhooks").get_data(as_text=True)

    manager, interviewer = make.user(Role.HIRING_MANAGER), make.user(Role.INTERVIEWER)
    opening = make.opening(manager)
    attempt = make.submission(opening, name="Wren Hollis", email="wren.hollis@example.net")
    made = make.assignment(attempt, interviewer, manager, now=clock.now)
    make.scorecard(made, 4, evidence="noted", actor=interviewer)
    assert webhooks.deliver_due(db_session, clock.now) == 2

    assert [r["headers"]["X-Assess-Event"] for r in receiver.received] == ["submission.received",
                                                                          "scorecard.submitted"]
    assert all(signed_correctly(secret, r) for r in receiver.received)
    assert not signed_correctly("whsec_someone-else", receiver.received[0])
    first = json.loads(receiver.received[0]["body"])
    assert first["data"] | {"submitted_at": None} == {
        "opening": opening.slug, "candidate_id": attempt.candidate_id, "candidate_code": attempt.candidate.pseudonym,
        "exercise": "a-mini-prd", "submitted_by": "candidate", "submitted_at": None}
    assert b"Wren" not in b"".join(r["body"] for r in receiver.received)
    assert b"wren.hollis" not in b"".join(r["body"] for r in receiver.received)
    listing = client.get("/admin/webhooks").get_data(as_text=True)
    assert listing.count("badge-success") == 2


def test_failed_deliveries_are_retried_with_growing_pauses_then_given_up(
    admin: User, make: Factory, db_session: Session, clock: FrozenClock, receiver: Receiver,
) -> None:
    webhooks.create_endpoint(db_session, url=receiver.url, events=["submission.received"], actor=admin,
                             now=clock.now)
    make.submission(make.opening())
    receiver.answers = [500, 503]
    assert webhooks.deliver_due(db_session, clock.now) == 0
    delivery = db_session.scalars(select(WebhookDelivery)).one()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "answered 500")
    assert webhooks.deliver_due(db_session, clock.now) == 0  # not due again yet
    clock.advance(minutes=1)
    assert webhooks.deliver_due(db_session, clock.now) == 0 and delivery.attempts == 2
    clock.advance(minutes=2)
    assert webhooks.deliver_due(db_session, clock.now) == 1
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 3, None)


def test_an_unreachable_address_is_given_up_after_the_last_try(
    admin: User, make: Factory, db_session: Session, clock: FrozenClock,
) -> None:
    webhooks.create_endpoint(db_session, url="http://127.0.0.1:1/hooks", events=["submission.received"],
                             actor=admin, now=clock.now)
    make.submission(make.opening())
    for _ in range(webhooks.MAX_ATTEMPTS):
        webhooks.deliver_due(db_session, clock.now)
        clock.advance(hours=2)
    delivery = db_session.scalars(select(WebhookDelivery)).one()
    assert delivery.status == "failed" and delivery.attempts == webhooks.MAX_ATTEMPTS
    assert "Connection refused" in (delivery.last_error or "")


def test_a_switched_off_webhook_and_unchosen_events_get_nothing(
    admin: User, make: Factory, db_session: Session, clock: FrozenClock, client: FlaskClient,
) -> None:
    scorecards_only, _ = webhooks.create_endpoint(db_session, url="https://a.example.com/h",
                                                  events=["scorecard.submitted"], actor=admin, now=clock.now)
    switched_off, _ = webhooks.create_endpoint(db_session, url="https://b.example.com/h",
                                               events=["submission.received"], actor=admin, now=clock.now)
    sign_in_session(client, admin)
    client.post(f"/admin/webhooks/{switched_off.id}/disable",
                data={"csrf_token": csrf_token(client, "/admin/webhooks"), "confirm": "y"})
    make.submission(make.opening())
    assert db_session.scalars(select(WebhookDelivery)).all() == []
    # The same hand-in does reach a webhook that is on and chose the event, so the silence above is the rule's.
    listening, _ = webhooks.create_endpoint(db_session, url="https://c.example.com/h",
                                            events=["submission.received"], actor=admin, now=clock.now)
    make.submission(make.opening())
    assert [d.endpoint_id for d in db_session.scalars(select(WebhookDelivery))] == [listening.id]


@pytest.mark.parametrize(("url", "events", "words"), [
    ("ats.example.com/hook", ["scorecard.submitted"], "Give the full address"),
    ("https://ats.example.com/hook", ["everything"], "Choose at least one event"),
])
def test_a_webhook_needs_a_full_address_and_known_events(
    url: str, events: list[str], words: str, admin: User, db_session: Session, clock: FrozenClock
) -> None:
    with pytest.raises(InputError, match=words):
        webhooks.create_endpoint(db_session, url=url, events=events, actor=admin, now=clock.now)


def test_the_worker_delivers_every_minute(app: Flask) -> None:
    from datetime import datetime

    assert app.extensions["assess.tasks"].deliver_webhooks.task_class().validate_datetime(datetime(2026, 1, 1, 3, 7))


def test_switching_off_twice_says_so_and_an_unknown_webhook_is_a_404(
    admin: User, db_session: Session, clock: FrozenClock, client: FlaskClient
) -> None:
    endpoint, _ = webhooks.create_endpoint(db_session, url="https://a.example.com/h", events=["scorecard.submitted"],
                                           actor=admin, now=clock.now)
    sign_in_session(client, admin)
    url = f"/admin/webhooks/{endpoint.id}/disable"
    client.post(url, data={"csrf_token": csrf_token(client, "/admin/webhooks"), "confirm": "y"})
    again = client.post(url, data={"csrf_token": csrf_token(client, "/admin/webhooks"), "confirm": "y"},
                        follow_redirects=True)
    assert "already switched off" in again.get_data(as_text=True)
    assert client.post("/admin/webhooks/99999/disable",
                       data={"csrf_token": csrf_token(client, "/admin/webhooks"), "confirm": "y"}).status_code == 404


def test_a_webhook_is_switched_off_only_once_its_box_is_ticked(
    admin: User, db_session: Session, clock: FrozenClock, client: FlaskClient
) -> None:
    endpoint, _ = webhooks.create_endpoint(db_session, url="https://a.example.com/h", events=["scorecard.submitted"],
                                           actor=admin, now=clock.now)
    sign_in_session(client, admin)
    page = client.get("/admin/webhooks").get_data(as_text=True)
    assert f'id="confirm-webhook-{endpoint.id}"' in page
    refused = client.post(f"/admin/webhooks/{endpoint.id}/disable",
                          data={"csrf_token": csrf_token(client, "/admin/webhooks")}, follow_redirects=True)
    assert "Tick the box beside the button to confirm" in refused.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(WebhookEndpoint, endpoint.id).disabled_at is None
