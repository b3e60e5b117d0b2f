"""Every route, every method, every kind of visitor: who gets in is decided by one table.

The routes come from ``app.url_map``, so a route added without an entry in
EXPECTED (in tests/support/access.py, beside the visitors and the world they
meet) fails ``test_every_route_has_an_expected_outcome``. Each route is then
called by each visitor, with the ids of objects that belong to the first
opening, its candidate A and its assigned interviewer. Every request runs in a
savepoint that is rolled back afterwards, so each visitor meets the same world.

CSRF protection is off here on purpose: the only thing between a visitor and a
state-changing action must be the authorisation check, not a missing token.
(CSRF has its own test, which also walks the url_map.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.support.access import (
    ANONYMOUS,
    ASSIGNED,
    CANDIDATE_B,
    CSRF_EXEMPT,
    EXPECTED,
    MANAGER_FOREIGN_IDS,
    OK,
    OTHER_MANAGER,
    OTHER_RECRUITER,
    UNASSIGNED,
    VISITORS,
    become,
    build_world,
    classify,
    routes,
    url_for_rule,
    with_dataset_key,
)
from tests.support.factories import Factory

# -- the tests -----------------------------------------------------------------------------


def test_every_route_has_an_expected_outcome(app: Flask) -> None:
    present = set(routes(app))
    missing = sorted(present - set(EXPECTED))
    stale = sorted(set(EXPECTED) - present)
    assert not missing, f"routes with no line in EXPECTED (say who may use them): {missing}"
    assert not stale, f"lines in EXPECTED for routes that no longer exist: {stale}"


@pytest.fixture
def matrix_app(app: Flask) -> Flask:
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.mark.parametrize("endpoint,method", sorted(EXPECTED))
def test_each_visitor_gets_exactly_the_expected_outcome(
    endpoint: str, method: str, matrix_app: Flask, make: Factory, db_session: Session,
    savepoint: Callable[[], Any],
) -> None:
    rule = next(r for r in matrix_app.url_map.iter_rules() if r.endpoint == endpoint and method in (r.methods or ()))
    world = build_world(make, db_session, matrix_app)
    db_session.commit()
    surprises = []
    for visitor in VISITORS:
        ids = world.foreign_ids if visitor == MANAGER_FOREIGN_IDS else world.ids
        url = url_for_rule(rule, with_dataset_key(endpoint, ids))
        nested = savepoint()
        try:
            client = matrix_app.test_client()
            become(client, visitor, world)
            response = client.open(url, method=method, headers={"Accept": "text/html"})
            body = response.get_data(as_text=True)
            response.close()
            got = classify(response.status_code, response.headers.get("Location", ""))
        finally:
            nested.rollback()
        expected = EXPECTED[(endpoint, method)][visitor]
        if got != expected:
            surprises.append(f"{visitor}: {method} {url} expected {expected}, got {got} ({response.status_code})")
        if expected != OK or visitor in (CANDIDATE_B, ASSIGNED, UNASSIGNED, OTHER_MANAGER, OTHER_RECRUITER):
            leaked = [s for s in world.secrets if s in body]
            if leaked:
                surprises.append(f"{visitor}: {method} {url} showed {leaked}")
    assert not surprises, "\n".join(surprises)


@pytest.mark.parametrize("endpoint", sorted(e for e, m in EXPECTED if m == "POST" and e not in CSRF_EXEMPT))
def test_every_state_changing_request_needs_a_csrf_token(
    endpoint: str, app: Flask, make: Factory, db_session: Session
) -> None:
    """Sent by someone allowed to use it, a POST without a token is refused with a page saying what to do."""
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and "POST" in (r.methods or ()))
    world = build_world(make, db_session, app)
    db_session.commit()
    allowed = [v for v, outcome in EXPECTED[(endpoint, "POST")].items() if outcome == OK]
    visitor = allowed[-1] if allowed else ANONYMOUS
    client = app.test_client()
    become(client, visitor, world)
    response = client.post(url_for_rule(rule, with_dataset_key(endpoint, world.ids)), data={"anything": "x"},
                           headers={"Accept": "text/html"})
    assert response.status_code == 400, f"{visitor}: POST {rule.rule} without a CSRF token got {response.status_code}"
    assert "Reload the page and send it again" in response.get_data(as_text=True)
