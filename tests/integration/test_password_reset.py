"""A forgotten password, reset by an emailed link that works once and for an hour, through a real mail server."""

from __future__ import annotations

import re
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from assess.models import OutboundEmail, PasswordLink, Role, User
from tests.support.app import FrozenClock
from tests.support.factories import TEST_PASSWORD, Factory
from tests.support.mail import Inbox, text_of
from tests.support.web import Auth, csrf_token, sign_in_session

NEW_PASSWORD = "a new password for a new day"


@pytest.fixture
def person(make: Factory) -> User:
    return make.user(Role.INTERVIEWER, email=f"reset.{uuid.uuid4().hex[:8]}@example.org", name="Rui Reset")


def ask(client: FlaskClient, email: str) -> object:
    page = "/auth/password/forgot"
    return client.post(page, data={"csrf_token": csrf_token(client, page), "email": email})


def link_in(inbox: Inbox) -> str:
    body = text_of(inbox.messages[-1])
    found = re.search(r"http://assess\.test(/auth/password/\S+)", body)
    assert found, body
    return found.group(1)


def choose(client: FlaskClient, path: str, password: str, again: str | None = None) -> object:
    return client.post(path, data={"csrf_token": csrf_token(client, path), "password": password,
                                   "again": password if again is None else again})


def test_a_forgotten_password_is_reset_by_the_emailed_link_once(
    client: FlaskClient, person: User, mailing: Inbox, db_session: Session, app: Flask,
) -> None:
    elsewhere = app.test_client()
    sign_in_session(elsewhere, person)
    assert elsewhere.get("/review/").status_code == 200
    answer = ask(client, person.email)
    assert answer.status_code == 302
    assert "a link to choose a new password is on its way" in client.get("/auth/login").get_data(as_text=True)
    [message] = mailing.messages
    assert message["To"] == person.email and message["Subject"] == "Reset your password"
    path = link_in(mailing)
    stored = db_session.scalars(select(OutboundEmail.body_text)).one()
    assert path not in stored, "the outbox keeps no working link once the mail server has it"

    assert "Choose a password" in client.get(path).get_data(as_text=True)
    assert "not the same" in choose(client, path, NEW_PASSWORD, "something else entirely").get_data(as_text=True)
    assert "too short" in choose(client, path, "short").get_data(as_text=True)
    assert choose(client, path, NEW_PASSWORD).status_code == 302
    auth = Auth(app.test_client())
    assert auth.login(person.email, password=TEST_PASSWORD).status_code == 200  # the old one no longer works
    assert auth.login(person.email, password=NEW_PASSWORD).status_code == 302
    assert elsewhere.get("/review/").status_code == 302, "every earlier sign-in ended"
    again = client.get(path)
    assert again.status_code == 410 and "does not work any more" in again.get_data(as_text=True)
    assert choose(client, path, "yet another long password").status_code == 410


def test_an_unknown_or_disabled_address_gets_the_same_answer_and_no_email(
    client: FlaskClient, make: Factory, mailing: Inbox, db_session: Session,
) -> None:
    gone = make.user(Role.INTERVIEWER, email=f"gone.{uuid.uuid4().hex[:8]}@example.org")
    gone.active = False
    db_session.commit()
    nobody = ask(client, f"nobody.{uuid.uuid4().hex[:8]}@example.org")
    disabled = ask(client, gone.email)
    assert nobody.status_code == disabled.status_code == 302
    assert mailing.messages == []
    bad = ask(client, "not an address")
    assert bad.status_code == 200 and "not a valid email address" in bad.get_data(as_text=True)


def test_a_link_expires_after_an_hour_and_a_newer_link_ends_the_older(
    client: FlaskClient, person: User, mailing: Inbox, clock: FrozenClock, db_session: Session,
) -> None:
    ask(client, person.email)
    first = link_in(mailing)
    ask(client, person.email)
    second = link_in(mailing)
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200
    clock.advance(minutes=61)
    assert client.get(second).status_code == 410
    assert db_session.scalar(select(PasswordLink.id).where(PasswordLink.used_at.is_(None),
                                                          PasswordLink.expires_at > clock.now)) is None


def test_asking_again_and_again_for_one_account_is_stopped_with_a_429(
    client: FlaskClient, person: User, mailing: Inbox,
) -> None:
    answers = [ask(client, person.email).status_code for _ in range(4)]  # type: ignore[attr-defined]
    assert answers == [302, 302, 302, 429]
    assert len(mailing.messages) == 3


def test_a_made_up_link_is_refused_and_the_sign_in_page_offers_a_reset(client: FlaskClient) -> None:
    assert client.get("/auth/password/made-up-token").status_code == 410
    assert "/auth/password/forgot" in client.get("/auth/login").get_data(as_text=True)


def test_with_no_mail_server_the_page_says_no_email_can_come_and_whom_to_ask(
    client: FlaskClient, person: User,
) -> None:
    """Without a mail server the link would only be kept in the outbox, which nobody signed out can read."""
    assert ask(client, person.email).status_code == 302
    page = client.get("/auth/login").get_data(as_text=True)
    assert "No mail server is configured here" in page and "on its way" not in page
