"""Staff sign-in: hashed passwords, CSRF, fresh sessions, roles on every page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from assess import create_app
from assess.models import AuditEvent, Role, StaffSession, User
from assess.services import staff, users
from tests.support.app import FrozenClock, make_config
from tests.support.factories import Factory, TEST_PASSWORD
from tests.support.web import Auth, csrf_token

HOME_BY_ROLE = {
    Role.ADMIN: "/admin/",
    Role.HIRING_MANAGER: "/hiring/",
    Role.INTERVIEWER: "/review/",
    Role.RECRUITER: "/hiring/",
}


def test_the_sign_in_page_has_a_form_with_a_csrf_token(client: FlaskClient) -> None:
    page = client.get("/auth/login")
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient) -> None:
    assert client.get("/").headers["Location"] == "/auth/login"
    response = client.get("/hiring/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_own_home_page(
    role: Role, make: Factory, auth: Auth, client: FlaskClient
) -> None:
    user = make.user(role)
    response = auth.login(user.email)
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).headers["Location"] == HOME_BY_ROLE[role]
    page = client.get(HOME_BY_ROLE[role])
    assert page.status_code == 200
    assert user.name in page.get_data(as_text=True)


def test_passwords_are_stored_hashed(make: Factory) -> None:
    user = make.user()
    assert TEST_PASSWORD not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))


@pytest.mark.parametrize(
    ("email", "password"),
    [("interviewer1@example.org", "wrong password!"), ("nobody@example.org", TEST_PASSWORD)],
    ids=["wrong password", "unknown email"],
)
def test_bad_credentials_get_one_clear_message(
    email: str, password: str, make: Factory, auth: Auth, client: FlaskClient
) -> None:
    make.user(Role.INTERVIEWER, email="interviewer1@example.org")
    response = auth.login(email, password)
    assert response.status_code == 200
    assert "do not match an active account" in response.get_data(as_text=True)
    assert client.get("/review/").status_code == 302


def test_a_disabled_account_cannot_sign_in(make: Factory, db_session: Session, auth: Auth, client: FlaskClient) -> None:
    user = make.user()
    staff.set_active(db_session, user, active=False, now=make.now())
    response = auth.login(user.email)
    assert "do not match an active account" in response.get_data(as_text=True)
    assert client.get("/review/").status_code == 302  # sent to sign in: no session was started


def test_disabling_an_account_ends_its_sessions(
    make: Factory, db_session: Session, auth: Auth, client: FlaskClient
) -> None:
    user = make.user()
    auth.login(user.email)
    assert client.get("/review/").status_code == 200
    staff.set_active(db_session, user, active=False, now=make.now())
    assert client.get("/review/").status_code == 302


def test_sign_in_without_a_csrf_token_is_refused(make: Factory, client: FlaskClient) -> None:
    user = make.user()
    response = client.post("/auth/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "Reload the page" in response.get_data(as_text=True)
    assert client.get("/review/").status_code == 302


def test_the_session_starts_afresh_on_sign_in(make: Factory, auth: Auth, client: FlaskClient) -> None:
    user = make.user()
    client.get("/auth/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    auth.login(user.email)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith(f"{user.id}:")


def test_the_session_identity_rotates_on_sign_in_and_sign_out(make: Factory, auth: Auth, client: FlaskClient) -> None:
    user = make.user()
    client.get("/auth/login")
    with client.session_transaction() as session:
        session["sid"] = "chosen-by-an-attacker"
    auth.login(user.email)
    with client.session_transaction() as session:
        signed_in = session["sid"]
    assert signed_in != "chosen-by-an-attacker"
    auth.logout()
    with client.session_transaction() as session:
        assert session["sid"] != signed_in and "_user_id" not in session


def test_a_candidate_link_starts_a_new_session(make: Factory, client: FlaskClient) -> None:
    link = make.invite(make.opening()).link
    with client.session_transaction() as session:
        session["sid"] = "chosen-by-an-attacker"
        session["_user_id"] = "planted"
    assert client.get(urlsplit(link).path).status_code == 302
    with client.session_transaction() as session:
        assert session["sid"] != "chosen-by-an-attacker" and "_user_id" not in session


def test_staff_are_signed_out_after_an_idle_hour(
    make: Factory, auth: Auth, client: FlaskClient, clock: FrozenClock
) -> None:
    auth.login(make.user().email)
    for _ in range(3):  # each request keeps the session alive
        clock.advance(minutes=50)
        assert client.get("/review/").status_code == 200
    clock.advance(minutes=61)
    response = client.get("/review/", follow_redirects=True)
    assert "/auth/login" in response.request.path
    assert "after 60 minutes without activity" in response.get_data(as_text=True)


def test_staff_sessions_end_after_twelve_hours_however_busy(
    make: Factory, auth: Auth, client: FlaskClient, clock: FrozenClock
) -> None:
    auth.login(make.user().email)
    for _ in range(12):  # 11 h 48 min of steady work
        clock.advance(minutes=59)
        assert client.get("/review/").status_code == 200
    clock.advance(minutes=59)
    response = client.get("/review/", follow_redirects=True)
    assert "sessions last at most 12 hours" in response.get_data(as_text=True)
    assert client.get("/review/").status_code == 302


def test_a_session_without_its_timestamps_is_not_trusted(make: Factory, client: FlaskClient, auth: Auth) -> None:
    auth.login(make.user().email)
    with client.session_transaction() as session:
        del session["staff_since"]
    assert client.get("/review/").status_code == 302


@pytest.mark.parametrize(("settings", "secure"), [
    ({"env": "development"}, False),
    ({"env": "production"}, True),
    ({"env": "test", "base_url": "https://assess.example.org"}, True),
])
def test_cookies_are_http_only_same_site_and_secure_outside_development(
    settings: dict[str, str], secure: bool, tmp_path: Path, database_url: str,
) -> None:
    config = make_config(tmp_path, database_url=database_url, **settings)
    app = create_app(config)
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_SECURE"] is secure
    response = app.test_client().get("/auth/login", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ("Secure" in cookie) is secure


def test_sign_in_is_recorded_in_the_audit_log(make: Factory, auth: Auth, db_session: Session) -> None:
    user = make.user()
    auth.login(user.email)
    actions = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.actor_user_id == user.id)
    ).all()
    assert "user.signed_in" in actions


def test_sign_out_needs_a_post_with_csrf_and_ends_the_session(
    make: Factory, auth: Auth, client: FlaskClient
) -> None:
    user = make.user()
    auth.login(user.email)
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/review/").status_code == 200
    auth.logout()
    assert client.get("/review/").status_code == 302


@pytest.mark.parametrize(
    ("role", "forbidden"),
    [
        (Role.INTERVIEWER, ["/hiring/", "/admin/"]),
        (Role.HIRING_MANAGER, ["/review/", "/admin/"]),
        (Role.ADMIN, ["/review/"]),
    ],
)
def test_roles_are_enforced_on_every_page(
    role: Role, forbidden: list[str], make: Factory, auth: Auth, client: FlaskClient, app: Flask
) -> None:
    auth.login(make.user(role).email)
    # Every page of those areas that needs no object's id (the authorisation matrix takes the rest).
    pages = sorted({rule.rule for rule in app.url_map.iter_rules()
                    if "GET" in (rule.methods or ()) and not rule.arguments and rule.rule.startswith(tuple(forbidden))})
    assert set(forbidden) <= set(pages)
    for path in pages:
        response = client.get(path)
        assert response.status_code == 403, path
        assert "does not have access" in response.get_data(as_text=True)


def test_next_only_leads_to_this_site(make: Factory, auth: Auth, client: FlaskClient) -> None:
    user = make.user(Role.HIRING_MANAGER)
    token_page = client.get("/auth/login?next=//evil.example/")
    assert token_page.status_code == 200
    from tests.support.web import csrf_token

    response = client.post(
        "/auth/login?next=//evil.example/",
        data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": csrf_token(client, "/auth/login")},
    )
    assert response.headers["Location"] == "/"


def test_next_returns_to_the_page_that_asked_for_sign_in(make: Factory, client: FlaskClient) -> None:
    from tests.support.web import csrf_token

    user = make.user(Role.ADMIN)
    response = client.post(
        "/auth/login?next=/admin/",
        data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": csrf_token(client, "/auth/login")},
    )
    assert response.headers["Location"] == "/admin/"


def test_unknown_pages_get_a_friendly_404_in_html_and_json(client: FlaskClient) -> None:
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert "nothing at this address" in page.get_data(as_text=True)
    answer = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert answer.status_code == 404
    assert answer.get_json()["error"] == "Not Found"


def test_the_user_table_holds_no_plain_password(make: Factory, db_session: Session) -> None:
    make.user()
    hashes = db_session.scalars(select(User.password_hash)).all()
    assert all(TEST_PASSWORD not in h for h in hashes)


def _cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _browser_with(app: Flask, cookie: str) -> FlaskClient:
    browser = app.test_client()
    browser.set_cookie("session", cookie)
    return browser


def test_a_cookie_copied_before_sign_out_no_longer_works_after_it(
    make: Factory, auth: Auth, client: FlaskClient, app: Flask
) -> None:
    auth.login(make.user().email)
    copied = _cookie(client)
    assert _browser_with(app, copied).get("/review/").status_code == 200
    auth.logout()
    assert _browser_with(app, copied).get("/review/").status_code == 302


def test_signing_out_ends_only_that_session(make: Factory, app: Flask) -> None:
    user = make.user()
    laptop, phone = app.test_client(), app.test_client()
    Auth(laptop).login(user.email)
    Auth(phone).login(user.email)
    Auth(laptop).logout()
    assert laptop.get("/review/").status_code == 302
    assert phone.get("/review/").status_code == 200


def test_signing_out_everywhere_ends_every_session_of_the_user_and_no_one_elses(
    make: Factory, app: Flask, db_session: Session
) -> None:
    user, colleague = make.user(), make.user()
    laptop, phone, other = app.test_client(), app.test_client(), app.test_client()
    for browser, person in ((laptop, user), (phone, user), (other, colleague)):
        Auth(browser).login(person.email)
    copied = _cookie(phone)
    account = laptop.get("/auth/account").get_data(as_text=True)
    assert "also signed in 1 other time" in account
    response = laptop.post("/auth/logout-everywhere", data={"csrf_token": csrf_token(laptop, "/auth/account")})
    assert response.headers["Location"] == "/auth/login"
    for browser in (laptop, phone, _browser_with(app, copied)):
        assert browser.get("/review/").status_code == 302
    assert other.get("/review/").status_code == 200
    assert "user.signed_out_everywhere" in db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.actor_user_id == user.id)).all()
    Auth(phone).login(user.email)
    assert phone.get("/review/").status_code == 200


def test_signing_out_everywhere_needs_a_csrf_token(make: Factory, auth: Auth, client: FlaskClient) -> None:
    auth.login(make.user().email)
    client.post("/auth/logout-everywhere", data={})
    assert client.get("/review/").status_code == 200


def test_the_session_table_holds_no_working_cookie_key(
    make: Factory, auth: Auth, client: FlaskClient, db_session: Session
) -> None:
    auth.login(make.user().email)
    with client.session_transaction() as session:
        key = session["_user_id"].rsplit(":", 1)[1]
    stored = db_session.scalars(select(StaffSession.key_hash)).all()
    assert stored and all(key not in value for value in stored)
