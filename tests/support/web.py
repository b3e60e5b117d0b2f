"""What a browser does against the test client: CSRF tokens, signing in, a candidate's and an interviewer's forms."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask.testing import FlaskClient

from assess.db import get_database
from assess.models import Assignment, User
from assess.services import users
from assess.web.access import fresh_session, stamp_staff_session

from .factories import A, A_DIMENSIONS, EVIDENCE, TEST_PASSWORD

_CSRF = re.compile(r'name="csrf[_-]token"[^>]*(?:value|content)="([^"]+)"')


def csrf_token(client: FlaskClient, url: str) -> str:
    """The CSRF token of the form on the page at url."""
    page = client.get(url, follow_redirects=True).get_data(as_text=True)
    match = _CSRF.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


# -- staff -----------------------------------------------------------------------------------


class Auth:
    """Signs a client in and out through the sign-in form, as a person would."""

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
    now = client.application.extensions["assess.clock"]()
    if isinstance(user, str):
        session_id = user
    else:
        with get_database(client.application).new_session() as session:
            session_id = users.start_session(session, session.get(User, user.id), now=now, lifetime=timedelta(hours=12))
    with client.session_transaction() as values:
        fresh_session(values)
        stamp_staff_session(values, session_id, now)


# -- the candidate -----------------------------------------------------------------------------


def path_of(link: str) -> str:
    return urlsplit(link).path


def open_link(client: FlaskClient, link: str) -> Any:
    """Follow an invitation link, which trades it for a candidate session."""
    return client.get(path_of(link))


def start(client: FlaskClient, key: str = A) -> Any:
    return client.post(f"/c/exercises/{key}/start", data={"csrf_token": csrf_token(client, "/c/")})


def autosave(client: FlaskClient, key: str = A, **body: Any) -> Any:
    token = csrf_token(client, f"/c/exercises/{key}")
    payload = {"client_id": "tab-aaaaaaaa", "seq": 1, "base_revision": 0, "answers": {}} | body
    return client.post(f"/c/exercises/{key}/autosave", json=payload, headers={"X-CSRFToken": token})


def page_fields(client: FlaskClient, key: str = A) -> dict[str, str]:
    """The hidden fields of the work page as a browser would send them back."""
    page = client.get(f"/c/exercises/{key}").get_data(as_text=True)
    found = dict(re.findall(r'name="(client_id|base_revision)"[^>]*value="([^"]*)"', page))
    return {"csrf_token": csrf_token(client, f"/c/exercises/{key}"), "base_revision": "0", "client_id": "form-tab-1"} | found


def submit_form(client: FlaskClient, key: str = A, confirm: bool = True, **answers: str) -> Any:
    """Post the work page's form, as loaded just now, with these answers."""
    data = page_fields(client, key)
    data |= {f"answer_{k}": v for k, v in answers.items()}
    data |= {"confirm": "y"} if confirm else {"submit": "Submit…"}
    return client.post(f"/c/exercises/{key}", data=data)


# -- the interviewer ---------------------------------------------------------------------------

def form_data(client: FlaskClient, url: str, scores: dict[str, int | None], submit: bool = True,
              evidence: str = "Points at the funnel numbers.", recommendation: str | None = "yes") -> dict[str, Any]:
    """The scorecard form at url filled in with scores, saving or submitting it."""
    data: dict[str, Any] = {"csrf_token": csrf_token(client, url), "summary": "A summary."}
    for key, score in scores.items():
        if score is not None:
            data[f"score_{key}"] = str(score)
        data[f"evidence_{key}"] = evidence
    if recommendation:
        data["recommendation"] = recommendation
    data["submit" if submit else "save"] = "y"
    return data


def score(client: FlaskClient, assignment: Assignment, value: int, submit: bool = True, **kw: Any) -> Any:
    """Rate every dimension of exercise A at value through the scorecard form."""
    url = f"/review/assignments/{assignment.id}"
    return client.post(url, data=form_data(client, url, dict.fromkeys(A_DIMENSIONS, value), submit, **kw))


def post_scores(client: FlaskClient, assignment: Assignment, value: int, submit: bool = True) -> Any:
    """The same form, with the evidence note the service-made scorecards carry."""
    return score(client, assignment, value, submit, evidence=EVIDENCE)


def ask_to_reopen(client: FlaskClient, assignment: Assignment, reason: str = "I misread the tracking plan.") -> Any:
    url = f"/review/assignments/{assignment.id}"
    return client.post(f"{url}/reopen", data={"csrf_token": csrf_token(client, url), "reason": reason})


def confirm(client: FlaskClient, url: str, **extra: str) -> Any:
    """Confirm the action whose question page is at url."""
    return client.post(url, data={"csrf_token": csrf_token(client, url), "confirm": "yes"} | extra)
