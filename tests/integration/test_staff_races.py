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
from assess.errors import Conflict, InputError
from assess.models import Assignment, Opening, OpeningMember, Role, User
from assess.services import assigning, opening_team, staff
from tests.support.app import make_config
from tests.support.concurrency import read, together
from tests.support.factories import A, Factory


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


def _two_at_once(race_app: Flask, hold: str, first: Callable[[Any], Any], second: Callable[[Any], Any]) -> list[Any]:
    results = together(race_app, hold, [first, second])
    assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, (Conflict, InputError))], results
    return results


def test_work_given_to_an_interviewer_as_an_admin_makes_them_a_recruiter_leaves_one_of_the_two(
    race_app: Flask,
) -> None:
    def build(make: Factory) -> tuple[int, int, int, int]:
        admin, interviewer = make.user(Role.ADMIN), make.user(Role.INTERVIEWER)
        attempt = make.submission(make.opening(), A)
        return admin.id, interviewer.id, attempt.id, attempt.candidate.opening_id

    admin_id, interviewer_id, attempt_id, opening_id = arrange(race_app, build)
    now = race_app.extensions["assess.clock"]

    def give(session: Any) -> Any:
        opening = session.get(Opening, opening_id)
        return assigning.assign(session, opening, attempt_id, interviewer_id, due_at=None,
                                actor=opening.hiring_manager, now=now())

    def make_recruiter(session: Any) -> Any:
        return staff.set_role(session, session.get(User, interviewer_id), Role.RECRUITER,
                              actor=session.get(User, admin_id), now=now())

    _two_at_once(race_app, f"SELECT id FROM users WHERE id = {interviewer_id} FOR UPDATE", give, make_recruiter)
    [(role,)] = read(race_app, select(User.role).where(User.id == interviewer_id))
    [(given,)] = read(race_app, select(func.count()).where(Assignment.interviewer_id == interviewer_id))
    assert (role, given) in ((Role.INTERVIEWER, 1), (Role.RECRUITER, 0)), (role, given)


def test_an_opening_handed_to_someone_an_admin_makes_a_recruiter_leaves_it_with_a_hiring_manager(
    race_app: Flask,
) -> None:
    def build(make: Factory) -> tuple[int, int, int]:
        admin, partner = make.user(Role.ADMIN), make.user(Role.HIRING_MANAGER)
        opening = make.opening()
        make.on_team(opening, partner)
        return admin.id, partner.id, opening.id

    admin_id, partner_id, opening_id = arrange(race_app, build)
    now, config = race_app.extensions["assess.clock"], race_app.config["ASSESS"]

    def hand(session: Any) -> Any:
        opening = session.get(Opening, opening_id)
        return opening_team.hand_over(session, config, opening, partner_id, actor=opening.hiring_manager, now=now())

    def demote(session: Any) -> Any:
        return staff.set_role(session, session.get(User, partner_id), Role.RECRUITER,
                              actor=session.get(User, admin_id), now=now())

    _two_at_once(race_app, f"SELECT id FROM users WHERE id = {partner_id} FOR UPDATE", hand, demote)
    [(role,)] = read(race_app, select(User.role).join(Opening, Opening.hiring_manager_id == User.id)
                     .where(Opening.id == opening_id))
    assert role is Role.HIRING_MANAGER


def test_someone_added_to_a_team_as_an_admin_makes_them_an_interviewer_is_on_no_team_as_an_interviewer(
    race_app: Flask,
) -> None:
    def build(make: Factory) -> tuple[int, int, int]:
        admin, recruiter = make.user(Role.ADMIN), make.user(Role.RECRUITER)
        return admin.id, recruiter.id, make.opening().id

    admin_id, recruiter_id, opening_id = arrange(race_app, build)
    now, config = race_app.extensions["assess.clock"], race_app.config["ASSESS"]

    def add(session: Any) -> Any:
        opening = session.get(Opening, opening_id)
        return opening_team.add(session, config, opening, recruiter_id, actor=opening.hiring_manager, now=now())

    def demote(session: Any) -> Any:
        return staff.set_role(session, session.get(User, recruiter_id), Role.INTERVIEWER,
                              actor=session.get(User, admin_id), now=now())

    _two_at_once(race_app, f"SELECT id FROM users WHERE id = {recruiter_id} FOR UPDATE", add, demote)
    [(role,)] = read(race_app, select(User.role).where(User.id == recruiter_id))
    teams = read(race_app, select(OpeningMember.opening_id).where(OpeningMember.user_id == recruiter_id))
    assert role is Role.RECRUITER or not teams, (role, teams)
