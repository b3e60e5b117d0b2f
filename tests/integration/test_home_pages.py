"""Each role's home page shows what that role comes to do."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from assess.content_registry import library
from assess.models import Role
from assess.services import demo
from tests.support.factories import Factory
from tests.support.web import Auth


@pytest.mark.usefixtures("seeded")
def test_a_hiring_manager_sees_their_openings_with_exercises(
    app: Flask, db_session: Session, auth: Auth, client: FlaskClient
) -> None:
    auth.login("hiring@example.com", demo.DEMO_PASSWORD)
    page = client.get("/hiring/").get_data(as_text=True)
    assert "APM, Growth" in page
    assert "Mini-PRD and user stories" in page
    assert f'{len(demo.DEMO_CANDIDATES)}</span><span class="stat-label">candidates' in page


@pytest.mark.usefixtures("seeded")
def test_a_hiring_manager_does_not_see_another_managers_openings(
    app: Flask, db_session: Session, make: Factory, auth: Auth, client: FlaskClient
) -> None:
    other = make.user(Role.HIRING_MANAGER)
    auth.login(other.email)
    page = client.get("/hiring/").get_data(as_text=True)
    assert "APM, Growth" not in page
    assert "No openings yet" in page


@pytest.mark.usefixtures("seeded")
def test_an_admin_sees_every_opening(
    app: Flask, db_session: Session, auth: Auth, client: FlaskClient, make: Factory
) -> None:
    make.opening(title="APM, Platform")  # another hiring manager's
    auth.login("admin@example.com", demo.DEMO_PASSWORD)
    page = client.get("/hiring/").get_data(as_text=True)
    assert "APM, Growth" in page
    assert "APM, Platform" in page


def test_an_interviewer_with_nothing_assigned_sees_an_empty_queue(
    make: Factory, auth: Auth, client: FlaskClient
) -> None:
    auth.login(make.user(Role.INTERVIEWER).email)
    page = client.get("/review/").get_data(as_text=True)
    assert "Nothing to score yet" in page


@pytest.mark.usefixtures("seeded")
def test_a_demo_interviewer_has_a_queue_of_coded_candidates(
    app: Flask, db_session: Session, auth: Auth, client: FlaskClient
) -> None:
    auth.login("priya@example.com", demo.DEMO_PASSWORD)
    page = client.get("/review/").get_data(as_text=True)
    assert "Candidate " in page and "Submitted" in page
    assert not any(person.name in page for person in demo.DEMO_CANDIDATES)


@pytest.mark.usefixtures("seeded")
def test_the_admin_page_lists_staff_and_content_versions(
    app: Flask, db_session: Session, auth: Auth, client: FlaskClient
) -> None:
    auth.login("admin@example.com", demo.DEMO_PASSWORD)
    page = client.get("/admin/").get_data(as_text=True)
    assert "/admin/staff" in page
    staff_page = client.get("/admin/staff").get_data(as_text=True)
    for staff in demo.DEMO_STAFF:
        assert staff.email in staff_page
    with app.app_context():
        current = library().exercise("a-mini-prd").content_hash[:12]
        every = {key: library().exercise(key).content_hash[:12] for key in library().exercises}
    assert current in page
    assert "Current" in page
    assert [key for key, version in every.items() if version not in page] == []


@pytest.mark.usefixtures("seeded")
def test_an_admin_previews_an_exercise_with_its_anchors(
    app: Flask, db_session: Session, auth: Auth, client: FlaskClient
) -> None:
    auth.login("admin@example.com", demo.DEMO_PASSWORD)
    page = client.get("/admin/content/a-mini-prd").get_data(as_text=True)
    with app.app_context():
        exercise = library().exercise("a-mini-prd").content
        scorecard = library().scorecard("a-mini-prd").content
    assert exercise.sections[0].title in page
    assert "<table>" in page
    assert scorecard.dimensions[0].anchors.high.split()[0] in page
    assert client.get("/admin/content/no-such-exercise").status_code == 404


def test_the_health_check_reports_the_database_and_the_queue(client: FlaskClient) -> None:
    health = client.get("/healthz").get_json()
    assert (health["database"], health["queue"]) == ("ok", "ok") and isinstance(health["process"], int)
