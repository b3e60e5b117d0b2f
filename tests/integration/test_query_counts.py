"""The pages a hiring manager opens most run the same number of SQL queries for 2 candidates or 8."""

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


@pytest.mark.parametrize("page", ["", "/scoring", "/results", "/interviewers"])
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
