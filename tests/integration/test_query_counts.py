"""The pages a hiring manager or interviewer waits on, and the API's lists, run the same number of SQL queries
for 2 candidates or 8 (`make bench` counts them again at 20 and 5,000)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from assess.db import get_database
from assess.models import Opening, Role, User
from tests.support.app import FrozenClock
from tests.support.factories import Factory
from tests.support.web import sign_in_session


@contextmanager
def counting(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    engine = get_database(app).engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def opening_with(make: Factory, db_session: Session, clock: FrozenClock, manager: User, interviewers: list[User],
                 candidates: int) -> Opening:
    opening = make.opening(manager)
    for _ in range(candidates):
        attempt = make.submission(opening)
        for interviewer in interviewers:
            made = make.assignment(attempt, interviewer, manager, now=clock.now)
            make.scorecard(made, 3, evidence="noted", actor=interviewer)
    return opening


@pytest.mark.parametrize("page", ["", "?q=Candidate", "?page=2", "/scoring", "/results", "/results?ratings=revised",
                                  "/interviewers", "/export/results.csv", "/export/ratings.csv"])
def test_queries_per_page_do_not_grow_with_the_number_of_candidates(
    page: str, app: Flask, make: Factory, db_session: Session, clock: FrozenClock, client: FlaskClient
) -> None:
    manager = make.user(Role.HIRING_MANAGER)
    interviewers = [make.user(Role.INTERVIEWER) for _ in range(2)]
    small = opening_with(make, db_session, clock, manager, interviewers, 2)
    large = opening_with(make, db_session, clock, manager, interviewers, 8)
    sign_in_session(client, manager)
    counts = []
    for opening in (small, large):
        url = f"/hiring/openings/{opening.slug}{page}"
        assert client.get(url).status_code == 200  # the first view may fill caches
        with counting(app) as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{page or 'opening'}: {counts[0]} queries for 2 candidates, {counts[1]} for 8"


def test_the_interviewers_queue_and_the_api_lists_do_not_grow_with_the_number_of_candidates(
    app: Flask, make: Factory, db_session: Session, clock: FrozenClock, client: FlaskClient
) -> None:
    from assess.services import api_tokens

    manager = make.user(Role.HIRING_MANAGER)
    admin = make.user(Role.ADMIN)
    interviewers = [make.user(Role.INTERVIEWER) for _ in range(2)]
    small = opening_with(make, db_session, clock, manager, interviewers, 2)
    large = opening_with(make, db_session, clock, manager, interviewers, 8)
    _, token = api_tokens.create(db_session, name="ATS", scopes=list(api_tokens.SCOPES), actor=admin, now=clock.now)
    bearer = {"Authorization": f"Bearer {token}"}
    for path in ("candidates", "scorecards", "results"):
        counts = []
        for opening in (small, large):
            url = f"/api/v1/openings/{opening.slug}/{path}"
            assert client.get(url, headers=bearer).status_code == 200
            with counting(app) as statements:
                assert client.get(url, headers=bearer).status_code == 200
            counts.append(len(statements))
        assert counts[0] == counts[1], f"API {path}: {counts[0]} queries for 2 candidates, {counts[1]} for 8"
    sign_in_session(client, interviewers[0])
    client.get("/review/")
    with counting(app) as statements:
        assert client.get("/review/").status_code == 200
    queue_of_ten = len(statements)
    for _ in range(5):
        attempt = make.submission(small)
        make.assignment(attempt, interviewers[0], manager, now=clock.now)
    with counting(app) as statements:
        assert client.get("/review/").status_code == 200
    assert len(statements) == queue_of_ten
