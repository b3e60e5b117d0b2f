"""Two requests at once on PostgreSQL, each with its own connection and committing for real.

The rolled-back fixture shares one connection, so it cannot show a race; these tests migrate a
schema of their own in the test database, drop it afterwards, and run requests in two threads that
start together. A mail server that takes its time keeps the first request's transaction open while
the second arrives, which is when races happen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import func, select

from assess import create_app
from assess.db import get_database
from assess.models import Candidate, Invitation, Opening, OutboundEmail, Role
from assess.services import api_tokens, links
from tests.support.app import make_config
from tests.support.concurrency import at_once
from tests.support.factories import Factory
from tests.support.mail import Inbox, free_port
from tests.support.web import csrf_token, sign_in_session


class SlowInbox(Inbox):
    """A mail server that takes half a second to accept each message."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        await asyncio.sleep(0.5)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def inbox() -> Iterator[tuple[SlowInbox, int]]:
    received, port = SlowInbox(), free_port()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    yield received, port
    controller.stop()


@pytest.fixture
def racing_app(own_schema_url: str, inbox: tuple[SlowInbox, int], tmp_path: Path) -> Iterator[Flask]:
    config = make_config(tmp_path, database_url=own_schema_url, smtp_host="127.0.0.1", smtp_port=inbox[1],
                         smtp_starttls=False)
    app = create_app(config)
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    get_database(app).engine.dispose()


def arranged(app: Flask) -> tuple[Any, str]:
    with get_database(app).new_session() as session:
        make = Factory(session, app)
        manager = make.user(Role.HIRING_MANAGER)
        opening = make.opening(manager)
        _, token = api_tokens.create(session, name="ATS", scopes=["invitations:write"],
                                     actor=make.user(Role.ADMIN), now=make.now())
        return opening, token


def counts(app: Flask, email: str) -> tuple[int, int, int]:
    """(candidates, live links, emails) for the address."""
    with get_database(app).new_session() as session:
        people = session.scalar(select(func.count(Candidate.id)).where(Candidate.email == email))
        live = session.scalar(select(func.count(Invitation.id)).join(Candidate)
                              .where(Candidate.email == email, Invitation.revoked_at.is_(None)))
        sent = session.scalar(select(func.count(OutboundEmail.id)).where(OutboundEmail.to_address == email))
        return people or 0, live or 0, sent or 0


def test_the_same_address_invited_twice_at_once_gets_one_invitation_one_email_and_a_409(
    racing_app: Flask, inbox: tuple[SlowInbox, int]
) -> None:
    opening, token = arranged(racing_app)
    url = f"/api/v1/openings/{opening.slug}/invitations"

    def invite() -> Any:
        return racing_app.test_client().post(url, headers={"Authorization": f"Bearer {token}"},
                                             json={"name": "Noor Haddad", "email": "noor@example.org"})

    answers = at_once(invite, invite)
    assert sorted(answer.status_code for answer in answers) == [201, 409]
    loser = next(answer for answer in answers if answer.status_code == 409)
    assert "already invited" in loser.get_json()["message"]
    assert counts(racing_app, "noor@example.org") == (1, 1, 1)
    assert len(inbox[0].messages) == 1


def test_two_resends_from_the_same_page_at_once_send_one_new_link(
    racing_app: Flask, inbox: tuple[SlowInbox, int]
) -> None:
    opening, _ = arranged(racing_app)
    with get_database(racing_app).new_session() as session:
        invited = Factory(session, racing_app).invite(opening, email="sam@example.org")
        manager = session.get(Opening, opening.id).hiring_manager
    page = f"/hiring/openings/{opening.slug}"
    clients = []
    for _ in range(2):
        client = racing_app.test_client()
        sign_in_session(client, manager)
        clients.append((client, csrf_token(client, page)))

    def resend(client: Any, token: str) -> Any:
        return lambda: client.post(f"{page}/candidates/{invited.candidate.id}/resend",
                                   data={"csrf_token": token, "replaces": str(invited.invitation.id)})

    answers = at_once(*(resend(client, token) for client, token in clients))
    assert [answer.status_code for answer in answers] == [302, 302]
    assert counts(racing_app, "sam@example.org") == (1, 1, 2)  # the invitation and one new link
    assert len(inbox[0].messages) == 2


def test_two_re_invitations_at_once_after_the_link_expired_leave_one_live_link(
    racing_app: Flask, inbox: tuple[SlowInbox, int]
) -> None:
    opening, token = arranged(racing_app)
    with get_database(racing_app).new_session() as session:
        invited = Factory(session, racing_app).invite(opening, name="Ola", email="ola@example.org")
        link = session.get(Invitation, invited.invitation.id)
        link.expires_at = link.created_at
        session.commit()
    url = f"/api/v1/openings/{opening.slug}/invitations"

    def invite() -> Any:
        return racing_app.test_client().post(url, headers={"Authorization": f"Bearer {token}"},
                                             json={"name": "Ola", "email": "ola@example.org"})

    answers = at_once(invite, invite)
    assert sorted(answer.status_code for answer in answers) == [201, 409]
    assert counts(racing_app, "ola@example.org") == (1, 1, 2)


def test_time_added_twice_at_once_adds_up(racing_app: Flask) -> None:
    opening, _ = arranged(racing_app)
    with get_database(racing_app).new_session() as session:
        candidate_id = Factory(session, racing_app).invite(opening).candidate.id

    def add(minutes: int) -> Callable[[], int]:
        def call() -> int:
            with get_database(racing_app).new_session() as session:
                candidate = session.get(Candidate, candidate_id)
                return links.extend_time(session, candidate, minutes, actor=None,
                                         now=racing_app.extensions["assess.clock"]()).extra_minutes
        return call

    totals = at_once(add(10), add(15))
    assert sorted(totals) in ([10, 25], [15, 25])
    with get_database(racing_app).new_session() as session:
        assert session.get(Candidate, candidate_id).extra_minutes == 25
