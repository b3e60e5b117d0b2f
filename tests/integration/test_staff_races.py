"""Staff and teams changed by two people at the same instant, on PostgreSQL: the rules hold whoever commits first.

Each test commits for real in a schema of its own; a third connection holds the rows both calls need until both
are seen waiting, then lets go, so they really meet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from assess import create_app
from assess.db import get_database
from assess.errors import Conflict
from assess.models import OpeningMember, Opening, Role, User
from assess.services import opening_team, staff
from tests.support.app import make_config
from tests.support.concurrency import read, together
from tests.support.factories import Factory


@pytest.fixture
def race_app(own_schema_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(make_config(tmp_path, database_url=own_schema_url))
    yield app
    get_database(app).engine.dispose()


def arrange(app: Flask, build: Callable[[Factory], Any]) -> Any:
    with app.app_context():
        session = get_database(app).new_session()
        try:
            return build(Factory(session, app))
        finally:
            session.close()


def test_two_admins_demoting_each_other_at_once_leave_one_admin(race_app: Flask) -> None:
    first, second = arrange(race_app, lambda make: [make.user(Role.ADMIN).id, make.user(Role.ADMIN).id])

    def demote(who: int, by: int) -> Callable[[Any], Any]:
        def call(session: Any) -> Any:
            return staff.set_role(session, session.get(User, who), Role.INTERVIEWER, actor=session.get(User, by),
                                  now=race_app.extensions["assess.clock"]())
        return call

    results = together(race_app, "SELECT id FROM users WHERE role = 'admin' FOR UPDATE",
                       [demote(first, second), demote(second, first)])
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "bool"], results
    assert any(isinstance(r, Conflict) and "only active admin" in r.message for r in results)
    [(admins,)] = read(race_app, select(func.count()).where(User.role == Role.ADMIN, User.active.is_(True)))
    assert admins == 1


def test_two_managers_adding_the_same_recruiter_at_once_add_them_once(race_app: Flask) -> None:
    def build(make: Factory) -> tuple[int, int, int]:
        manager, partner, recruiter = (make.user(Role.HIRING_MANAGER), make.user(Role.HIRING_MANAGER),
                                       make.user(Role.RECRUITER))
        opening = make.opening(manager)
        make.on_team(opening, partner)
        return opening.id, recruiter.id, partner.id

    opening_id, recruiter_id, partner_id = arrange(race_app, build)
    config = race_app.config["ASSESS"]

    def add(by: int) -> Callable[[Any], Any]:
        def call(session: Any) -> Any:
            return opening_team.add(session, config, session.get(Opening, opening_id), recruiter_id,
                                    actor=session.get(User, by), now=race_app.extensions["assess.clock"]())
        return call

    manager_id = arrange(race_app, lambda make: make.session.get(Opening, opening_id).hiring_manager_id)
    results = together(race_app, f"SELECT id FROM openings WHERE id = {opening_id} FOR UPDATE",
                       [add(manager_id), add(partner_id)])
    assert sorted(results) == [False, True], results
    rows = read(race_app, select(OpeningMember.user_id).where(OpeningMember.opening_id == opening_id))
    assert sorted(r for (r,) in rows) == sorted([partner_id, recruiter_id])
