"""Schemathesis fuzzes every API operation from the OpenAPI document: no input may cause a server
error or an answer that breaks the document, and nothing answers without a valid token."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest
import schemathesis
from schemathesis import checks
from flask import Flask
from hypothesis import HealthCheck, settings
from werkzeug.exceptions import HTTPException
from sqlalchemy.orm import Session

from assess.models import Opening, Role
from assess.services import api_tokens
from assess.web.api.openapi import document
from tests.support.app import FrozenClock
from tests.support.factories import Factory


@pytest.fixture
def seeded_app(app: Flask, db_session: Session, clock: FrozenClock, make: Factory, seeded: Opening) -> Flask:
    _, plain = api_tokens.create(db_session, name="fuzz", scopes=list(api_tokens.SCOPES),
                                 actor=make.user(Role.ADMIN), now=clock.now)
    app.config["FUZZ_TOKEN"] = plain
    app.config["FUZZ_SLUG"] = seeded.slug
    return app


def to_app(case: Any, app: Flask) -> None:
    """Send this case, and any follow-up request a check makes, to this test's app in-process."""
    case.operation.schema.app = app
    case.operation.app = app


# The document as the app serves it (a test checks the served one is this one).
BASE = "http://localhost"
schema = schemathesis.openapi.from_dict(document(BASE))
# Unknown query parameters are ignored rather than refused, as most APIs do; and the token we add
# to every request would count as "accepting" a case generated without one. Invalid bodies and
# parameters are still sent, and must still get neither a server error nor an undocumented answer.
LENIENT = [checks.negative_data_rejection]
FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.filter_too_much])


@schema.parametrize()
@FUZZ
def test_no_input_breaks_the_api_or_its_document(case: Any, seeded_app: Flask) -> None:
    if "slug" in (case.path_parameters or {}) and case.path_parameters["slug"].endswith("0"):
        case.path_parameters["slug"] = seeded_app.config["FUZZ_SLUG"]  # a share of cases reach real data
    to_app(case, seeded_app)
    case.call_and_validate(base_url=BASE, headers={"Authorization": f"Bearer {seeded_app.config['FUZZ_TOKEN']}"},
                           excluded_checks=LENIENT)


def routed(app: Flask, path: str, method: str) -> bool:
    """Whether the path names a route of this method (werkzeug reports a path it would refuse for its ids as
    "not allowed" to another method, so the route's own method is asked)."""
    try:
        app.url_map.bind("localhost").match(unquote(path), method=method)  # routes match the decoded path
    except HTTPException as error:
        return error.code == 405
    return True


@schema.parametrize()
@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_nothing_answers_without_a_token(case: Any, seeded_app: Flask) -> None:
    to_app(case, seeded_app)
    response = case.call(base_url=BASE)
    # Probes with other methods may be refused as not allowed, and an address that matches no route
    # (an id beyond the schema's maximum) as not found, before the token is looked at.
    allowed = {401} if case.method.upper() == case.operation.method.upper() else {401, 405}
    if not routed(seeded_app, case.formatted_path, case.operation.method.upper()):
        allowed.add(404)
    assert response.status_code in allowed, f"{case.method} {case.formatted_path} answered {response.status_code}"
