"""The JSON API: scoped, hashed, revocable tokens; every operation as its OpenAPI document says."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from assess.cli import api_token_cli
from assess.models import ApiToken, AuditEvent, Candidate, OutboundEmail, Opening, Role, User
from assess.services import api_tokens, demo, results, scores
from assess.web.api.openapi import document
from tests.support.app import FrozenClock
from tests.support.factories import Factory
from tests.support.mail import Inbox, free_port
from tests.support.web import csrf_token, sign_in_session

ALL_SCOPES = list(api_tokens.SCOPES)


@pytest.fixture
def admin(make: Factory) -> User:
    return make.user(Role.ADMIN)


@pytest.fixture
def token_for(db_session: Session, admin: User, clock: FrozenClock) -> Any:
    def make_token(*scopes: str) -> str:
        _, plain = api_tokens.create(db_session, name="ATS", scopes=list(scopes), actor=admin, now=clock.now)
        return plain

    return make_token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def api_operations(app: Flask) -> set[tuple[str, str]]:
    """(OpenAPI path, method) for every API route in the url_map, the document itself aside."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi":
            path = rule.rule.replace("<int:", "<").replace("<", "{").replace(">", "}")
            found |= {(path, m.lower()) for m in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    return found


# -- the document ---------------------------------------------------------------------------------


def test_the_document_describes_exactly_the_api_routes(app: Flask, client: FlaskClient) -> None:
    served = client.get("/api/v1/openapi.json").get_json()
    described = {(path, method) for path, item in served["paths"].items() for method in item}
    assert described == api_operations(app)
    assert served["servers"] == [{"url": app.config["ASSESS"].base_url.rstrip("/")}]


def test_every_operation_refuses_requests_without_a_valid_token(
    app: Flask, client: FlaskClient, seeded: Opening, token_for: Any, db_session: Session, clock: FrozenClock,
) -> None:
    revoked = token_for(*ALL_SCOPES)
    api_tokens.revoke(db_session, db_session.scalars(select(ApiToken.id).where(
        ApiToken.token_hash == api_tokens.hash_token(revoked))).one(), actor=seeded.hiring_manager, now=clock.now)
    for path, method in api_operations(app):
        url = path.replace("{slug}", seeded.slug).replace("{candidate_id}", "1")
        for headers in ({}, bearer("ast_not-a-real-token"), bearer(revoked), {"Authorization": "Basic YTpi"}):
            response = client.open(url, method=method, headers=headers, json={"name": "X", "email": "x@example.org"})
            assert response.status_code == 401, (method, url, headers)
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
            assert "token" in response.get_json()["message"]
    assert db_session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == "x@example.org")).all() == []


# -- tokens -------------------------------------------------------------------------------------------


def test_tokens_are_stored_only_as_a_hash(token_for: Any, db_session: Session) -> None:
    plain = token_for("openings:read")
    stored = db_session.scalars(select(ApiToken)).one()
    assert plain.startswith("ast_") and len(plain) > 40
    assert plain not in (stored.token_hash, stored.prefix) and stored.token_hash == api_tokens.hash_token(plain)


def test_a_token_can_only_do_what_its_scopes_allow(client: FlaskClient, seeded: Opening, token_for: Any) -> None:
    reader = token_for("openings:read")
    assert client.get("/api/v1/openings", headers=bearer(reader)).status_code == 200
    refused = client.get(f"/api/v1/openings/{seeded.slug}/results", headers=bearer(reader))
    assert refused.status_code == 403 and "results:read" in refused.get_json()["message"]
    assert client.post(f"/api/v1/openings/{seeded.slug}/invitations", headers=bearer(reader),
                       json={"name": "A", "email": "a@example.org"}).status_code == 403


def test_an_admin_creates_a_token_sees_it_once_and_revokes_it(
    admin: User, client: FlaskClient, db_session: Session, seeded: Opening
) -> None:
    sign_in_session(client, admin)
    page = client.post("/admin/api-tokens", data={"csrf_token": csrf_token(client, "/admin/api-tokens"),
                                                  "name": "Greenhouse sync", "scopes": ["openings:read"]})
    assert page.status_code == 201
    text = page.get_data(as_text=True)
    plain = text.split('<code class="token">')[1].split("<")[0]
    assert client.get("/api/v1/openings", headers=bearer(plain)).status_code == 200
    assert plain not in client.get("/admin/api-tokens").get_data(as_text=True)  # shown once only
    token = db_session.scalars(select(ApiToken).where(ApiToken.name == "Greenhouse sync")).one()
    unconfirmed = client.post(f"/admin/api-tokens/{token.id}/revoke",
                              data={"csrf_token": csrf_token(client, "/admin/api-tokens")}, follow_redirects=True)
    assert "Tick the box beside the button to confirm" in unconfirmed.get_data(as_text=True)
    assert client.get("/api/v1/openings", headers=bearer(plain)).status_code == 200
    client.post(f"/admin/api-tokens/{token.id}/revoke",
                data={"csrf_token": csrf_token(client, "/admin/api-tokens"), "confirm": "y"})
    assert client.get("/api/v1/openings", headers=bearer(plain)).status_code == 401
    actions = db_session.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "api_token",
                                                                 AuditEvent.subject_id == token.id)
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["api_token.created", "api_token.revoked"]


def test_a_token_needs_a_name_and_a_scope(admin: User, client: FlaskClient) -> None:
    sign_in_session(client, admin)
    page = client.post("/admin/api-tokens", data={"csrf_token": csrf_token(client, "/admin/api-tokens"), "name": ""})
    assert page.status_code == 400
    assert "Name the token" in page.get_data(as_text=True) and "Choose at least one scope" in page.get_data(as_text=True)


def test_the_cli_creates_a_token_for_an_admin(runner: Any, admin: User, make: Factory, client: FlaskClient) -> None:
    result = runner.invoke(api_token_cli, ["create", "--name", "ATS", "--scope", "openings:read", "--admin",
                                           admin.email])
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/openings", headers=bearer(result.output.strip())).status_code == 200
    manager = make.user(Role.HIRING_MANAGER)
    refused = runner.invoke(api_token_cli, ["create", "--name", "ATS", "--scope", "openings:read", "--admin",
                                            manager.email])
    assert refused.exit_code == 1 and "not an active admin" in refused.output
    unknown = runner.invoke(api_token_cli, ["create", "--name", "ATS", "--scope", "everything", "--admin", admin.email])
    assert unknown.exit_code == 1 and "Unknown scopes: everything" in unknown.output


# -- operations -------------------------------------------------------------------------------------


def test_the_demo_comes_with_a_token_to_try_the_api(client: FlaskClient, seeded: Opening) -> None:
    answer = client.get(f"/api/v1/openings/{seeded.slug}/results", headers=bearer(demo.DEMO_API_TOKEN))
    assert answer.status_code == 200 and answer.get_json()["ranking"]


def test_openings_list_the_exercises(client: FlaskClient, seeded: Opening, token_for: Any) -> None:
    body = client.get("/api/v1/openings", headers=bearer(token_for("openings:read"))).get_json()
    listed = {item["slug"]: item for item in body["items"]}
    assert body["total"] == len(listed) == 2, "the demo's two openings"
    assert [e["key"] for e in listed[seeded.slug]["exercises"]] == [e.exercise_key for e in seeded.exercises]


def test_an_invitation_is_created_and_emailed_and_audited_as_the_api(
    client: FlaskClient, seeded: Opening, token_for: Any, db_session: Session
) -> None:
    token = token_for("invitations:write")
    url = f"/api/v1/openings/{seeded.slug}/invitations"
    made = client.post(url, headers=bearer(token), json={"name": "Noor Haddad", "email": "Noor@Example.org"})
    assert made.status_code == 201
    body = made.get_json()
    # No mail server here: the email waits in the outbox, and the answer says it was not sent.
    assert (body["name"], body["email"], body["email_sent"]) == ("Noor Haddad", "noor@example.org", False)
    assert "/c/start/" in body["link"]
    assert db_session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == "noor@example.org")).one()
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "invitation.created",
                                                        AuditEvent.subject_id == body["id"])).one()
    assert event.actor_kind == "api"
    again = client.post(url, headers=bearer(token), json={"name": "Noor Haddad", "email": "noor@example.org"})
    assert again.status_code == 409 and "already invited" in again.get_json()["message"]


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"name": "Noor"}, 422, "email: Field required"),
    ({"name": "", "email": "n@example.org"}, 422, "name: String should have at least 1 character"),
    ({"name": "Noor", "email": "n@example.org", "role": "admin"}, 422, "role: Extra inputs are not permitted"),
    ({"name": "Noor", "email": "not-an-address"}, 422, "email: Value error, 'not-an-address' is not a valid email"),
    ({"name": "   ", "email": "n@example.org"}, 422, "name: String should have at least 1 character"),
    ({"name": "Noor", "email": "n" * 250 + "@example.org"}, 422, "email: String should have at most 254"),
    (["Noor"], 400, "Send a JSON object"),
])
def test_bad_invitations_say_what_to_fix(
    body: Any, status: int, words: str, client: FlaskClient, seeded: Opening, token_for: Any
) -> None:
    response = client.post(f"/api/v1/openings/{seeded.slug}/invitations", headers=bearer(token_for(*ALL_SCOPES)),
                           json=body)
    assert response.status_code == status and words in response.get_json()["message"]


def test_candidates_show_their_progress_and_pages(
    client: FlaskClient, seeded: Opening, token_for: Any, db_session: Session
) -> None:
    token = token_for("submissions:read")
    first = client.get(f"/api/v1/openings/{seeded.slug}/candidates?per_page=3", headers=bearer(token)).get_json()
    assert (first["total"], len(first["items"]), first["page"]) == (len(demo.DEMO_CANDIDATES), 3, 1)
    one = first["items"][0]
    single = client.get(f"/api/v1/openings/{seeded.slug}/candidates/{one['id']}", headers=bearer(token)).get_json()
    assert single == one
    assert {e["state"] for item in first["items"] for e in item["exercises"]} <= {
        "not_started", "in_progress", "submitted", "closed"}
    pages = [client.get(f"/api/v1/openings/{seeded.slug}/candidates?per_page=3&page={n}",
                        headers=bearer(token)).get_json()["items"] for n in (1, 2, 3, 4)]
    ids = [item["id"] for items in pages for item in items]
    # Each candidate's stage as the list shows it; a decided one keeps how far along their work is.
    stages = {item["name"]: (item["stage"], item["progress"]) for items in pages for item in items}
    assert {n: db_session.get(Candidate, i).stage.value for n, i in
            ((item["name"], item["id"]) for items in pages for item in items)} == {n: s for n, (s, _) in stages.items()}
    assert stages["Sam Okoye"] == ("decided", "scored") and stages["Leo Brandt"] == ("invited", "invited")
    assert [len(items) for items in pages] == [3, 3, 1, 0] and len(set(ids)) == len(demo.DEMO_CANDIDATES)
    bad = client.get(f"/api/v1/openings/{seeded.slug}/candidates?per_page=0", headers=bearer(token))
    assert bad.status_code == 422 and "per_page" in bad.get_json()["message"]
    for query in ("page=0", "page=two", "per_page=501", f"page={2**63}", f"page={2**31}"):
        wrong = client.get(f"/api/v1/openings/{seeded.slug}/candidates?{query}", headers=bearer(token))
        assert wrong.status_code == 422 and "page" in wrong.get_json()["message"], query
    assert db_session.scalars(select(AuditEvent).where(AuditEvent.action == "candidate.viewed",
                                                       AuditEvent.actor_kind == "api")).one()


def test_scorecards_and_results_match_the_results_page(
    client: FlaskClient, seeded: Opening, token_for: Any, db_session: Session, make: Factory
) -> None:
    token = token_for("scorecards:read", "results:read")
    cards = client.get(f"/api/v1/openings/{seeded.slug}/scorecards?per_page=500", headers=bearer(token)).get_json()
    assert cards["total"] == len(scores.submitted_scorecards(db_session, seeded))
    ranking = client.get(f"/api/v1/openings/{seeded.slug}/results", headers=bearer(token)).get_json()["ranking"]
    expected = results.comparison(db_session, make.library, seeded)
    assert [r["candidate_id"] for r in ranking] == [row.candidate.id for row in expected.rows]
    assert all(r["interval_80"][0] <= r["calibrated_score"] <= r["interval_80"][1] for r in ranking)


def test_unknown_openings_and_candidates_are_404s(client: FlaskClient, seeded: Opening, token_for: Any) -> None:
    token = token_for(*ALL_SCOPES)
    assert client.get("/api/v1/openings/no-such-opening/results", headers=bearer(token)).status_code == 404
    missing = client.get(f"/api/v1/openings/{seeded.slug}/candidates/999999", headers=bearer(token))
    assert missing.status_code == 404 and missing.get_json()["error"] == "Not found"
    huge = client.get(f"/api/v1/openings/{seeded.slug}/candidates/99999999999", headers=bearer(token))
    assert huge.status_code == 404


def test_the_document_is_served_with_the_server_address(app: Flask, client: FlaskClient) -> None:
    assert client.get("/api/v1/openapi.json").get_json() == document(app.config["ASSESS"].base_url)


def test_email_sent_is_true_only_when_a_mail_server_accepted_the_invitation(
    smtp: tuple[Inbox, int], app: Flask, client: FlaskClient, seeded: Opening, token_for: Any
) -> None:
    inbox, port = smtp
    app.config["ASSESS"] = app.config["ASSESS"].with_overrides(
        {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False})
    url = f"/api/v1/openings/{seeded.slug}/invitations"
    made = client.post(url, headers=bearer(token_for("invitations:write")), json={"name": "Ola", "email": "ola@example.org"})
    assert made.get_json()["email_sent"] is True and len(inbox.messages) == 1
    app.config["ASSESS"] = app.config["ASSESS"].with_overrides({"smtp_port": free_port()})  # nobody listens
    refused = client.post(url, headers=bearer(token_for("invitations:write")), json={"name": "Bo", "email": "bo@example.org"})
    assert refused.status_code == 201 and refused.get_json()["email_sent"] is False


def test_every_json_error_has_one_shape(client: FlaskClient, seeded: Opening, token_for: Any) -> None:
    token = token_for(*ALL_SCOPES)
    refusals = {
        "no token": client.get("/api/v1/openings"),
        "missing scope": client.get(f"/api/v1/openings/{seeded.slug}/results", headers=bearer(token_for("openings:read"))),
        "no such candidate": client.get(f"/api/v1/openings/{seeded.slug}/candidates/999999", headers=bearer(token)),
        "a wrong field": client.post(f"/api/v1/openings/{seeded.slug}/invitations", headers=bearer(token),
                                     json={"name": "Noor"}),
        "no such page": client.get("/nowhere", headers={"Accept": "application/json"}),
        "too large": client.post(f"/api/v1/openings/{seeded.slug}/invitations", data=b"x" * (3 * 1024 * 1024),
                                 headers=bearer(token) | {"Content-Type": "application/json"}),
    }
    for case, response in refusals.items():
        body = response.get_json()
        assert response.status_code >= 400 and body is not None, case
        assert isinstance(body["error"], str) and isinstance(body["code"], str) and body["message"], case
    assert [refusals[c].get_json()["code"] for c in refusals] == [
        "unauthorized", "forbidden", "not_found", "invalid_field", "not_found", "too_large"]
    assert refusals["a wrong field"].get_json()["field"] == "email"
    assert "field" not in refusals["no such candidate"].get_json()


def test_a_token_gets_as_many_requests_a_minute_as_configured_then_429s(
    app: Flask, client: FlaskClient, seeded: Opening, token_for: Any
) -> None:
    app.config["ASSESS"] = replace(app.config["ASSESS"], api_requests_per_minute=3)
    token = token_for("openings:read")
    codes = [client.get("/api/v1/openings", headers=bearer(token)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get("/api/v1/openings", headers=bearer(token_for("openings:read"))).status_code == 200
