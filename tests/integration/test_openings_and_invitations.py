"""The hiring manager's side: openings, invitations, accommodations, the outbox, the CLI."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assess.cli import invite_command, sweep_command
from assess.models import Candidate, Invitation, Opening, OutboundEmail, Role
from tests.conftest import Auth, Factory, FrozenClock, csrf_token

LINK = re.compile(r"http\S+/c/start/(\S+)")


def manager_of(make: Factory, auth: Auth) -> Any:
    manager = make.user(Role.HIRING_MANAGER)
    auth.login(manager.email)
    return manager


def post(client: FlaskClient, url: str, page: str, **data: Any) -> Any:
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


def test_a_hiring_manager_creates_an_opening_with_chosen_exercises_and_limits(
    make: Factory, auth: Auth, client: FlaskClient, db_session: Session
) -> None:
    manager_of(make, auth)
    response = post(
        client, "/hiring/openings/new", "/hiring/openings/new",
        title="APM, Payments", invitation_valid_days="10",
        include_a_mini_prd="y", minutes_a_mini_prd="75",
        include_d_writing_sample="y", minutes_d_writing_sample="25",
        ai_notice="",
    )
    assert response.headers["Location"] == "/hiring/openings/apm-payments"
    opening = db_session.scalars(select(Opening).where(Opening.slug == "apm-payments")).one()
    assert [(e.exercise_key, e.time_limit_minutes) for e in opening.exercises] == [
        ("a-mini-prd", 75), ("d-writing-sample", 25),
    ]
    assert opening.invitation_valid_days == 10


def test_a_new_opening_without_exercises_or_with_a_taken_name_is_explained(
    make: Factory, auth: Auth, client: FlaskClient
) -> None:
    manager = manager_of(make, auth)
    none = post(client, "/hiring/openings/new", "/hiring/openings/new", title="Empty", invitation_valid_days="5")
    assert "Choose at least one exercise." in none.get_data(as_text=True)
    make.opening(manager, title="Taken", slug="taken")
    taken = post(client, "/hiring/openings/new", "/hiring/openings/new", title="Taken",
                 invitation_valid_days="5", include_a_mini_prd="y", minutes_a_mini_prd="60")
    assert "exists already" in taken.get_data(as_text=True)
    assert 'value="Taken"' in taken.get_data(as_text=True)


def test_inviting_one_candidate_keeps_the_email_in_the_outbox_with_a_working_link(
    make: Factory, auth: Auth, client: FlaskClient, db_session: Session, app: Flask
) -> None:
    manager = manager_of(make, auth)
    opening = make.opening(manager)
    page = f"/hiring/openings/{opening.slug}"
    response = post(client, f"{page}/invite", page, name="Noor Khan", email="Noor@Example.net")
    assert response.status_code == 302
    flashed = client.get(page).get_data(as_text=True)
    assert "Invited Noor Khan" in flashed and "kept in the outbox" in flashed
    mail = db_session.scalars(select(OutboundEmail)).one()
    assert mail.to_address == "noor@example.net"
    assert mail.transport == "outbox"
    outbox = client.get(f"{page}/outbox").get_data(as_text=True)
    assert "Your assessment for" in outbox
    token = LINK.search(mail.body_text).group(1)  # type: ignore[union-attr]
    candidate = app.test_client()
    assert candidate.get(f"/c/start/{token}").status_code == 302
    assert "Noor Khan" in candidate.get("/c/").get_data(as_text=True)


def test_inviting_someone_already_invited_says_to_resend(
    make: Factory, auth: Auth, client: FlaskClient, db_session: Session
) -> None:
    opening = make.opening(manager_of(make, auth))
    page = f"/hiring/openings/{opening.slug}"
    post(client, f"{page}/invite", page, name="Noor Khan", email="noor@example.net")
    post(client, f"{page}/invite", page, name="Noor Khan", email="noor@example.net")
    assert "Use Resend" in client.get(page).get_data(as_text=True)
    assert db_session.scalar(select(func.count(Invitation.id))) == 1


def test_a_pasted_list_invites_the_good_lines_and_names_the_bad_ones(
    make: Factory, auth: Auth, client: FlaskClient, db_session: Session
) -> None:
    opening = make.opening(manager_of(make, auth))
    page = f"/hiring/openings/{opening.slug}"
    people = "Ada Lovelace <ada@example.org>\nGrace Hopper, grace@example.org\njust a name\nnoname@example.org\n"
    post(client, f"{page}/invite-many", page, people=people)
    text = client.get(page).get_data(as_text=True)
    assert "Invited Ada Lovelace, Grace Hopper" in text
    assert "Line 3 (just a name)" in text
    assert "Line 4 (noname@example.org): Give the name" in text
    assert db_session.scalar(select(func.count(Candidate.id))) == 2


def test_resend_withdraw_and_accommodations_from_the_opening_page(
    make: Factory, auth: Auth, client: FlaskClient, db_session: Session, clock: FrozenClock
) -> None:
    opening = make.opening(manager_of(make, auth))
    invited = make.invite(opening)
    page = f"/hiring/openings/{opening.slug}"
    base = f"{page}/candidates/{invited.candidate.id}"
    post(client, f"{base}/extend-time", page, minutes="25")
    post(client, f"{base}/extend-window", page, days="5")
    post(client, f"{base}/resend", page)
    text = client.get(page).get_data(as_text=True)
    assert "25 extra minutes" in text or "+25 min" in text
    db_session.expire_all()
    candidate = db_session.get(Candidate, invited.candidate.id)
    assert candidate is not None and candidate.extra_minutes == 25
    assert sorted(i.revoked_at is None for i in candidate.invitations) == [False, True]
    unconfirmed = post(client, f"{base}/revoke", page)
    assert unconfirmed.status_code == 302
    assert "Tick the box beside the button to confirm" in client.get(page).get_data(as_text=True)
    db_session.expire_all()
    assert any(i.revoked_at is None for i in db_session.get(Candidate, invited.candidate.id).invitations)
    post(client, f"{base}/revoke", page, confirm="y")
    db_session.expire_all()
    assert all(i.revoked_at is not None for i in db_session.get(Candidate, invited.candidate.id).invitations)
    bad = post(client, f"{base}/extend-time", page, minutes="999")
    assert bad.status_code == 302
    assert "Choose 1 to 240 minutes." in client.get(page).get_data(as_text=True)


def test_another_hiring_manager_cannot_see_or_change_the_opening(
    make: Factory, auth: Auth, client: FlaskClient
) -> None:
    opening = make.opening()
    invited = make.invite(opening)
    manager_of(make, auth)
    page = f"/hiring/openings/{opening.slug}"
    assert client.get(page).status_code == 404
    assert client.get(f"{page}/outbox").status_code == 404
    token = csrf_token(client, "/hiring/")
    for action in ("resend", "revoke"):
        assert client.post(f"{page}/candidates/{invited.candidate.id}/{action}",
                           data={"csrf_token": token}).status_code == 404
    assert client.post(f"{page}/invite", data={"csrf_token": token, "name": "X", "email": "x@example.org"}
                       ).status_code == 404


def test_a_candidate_id_from_another_opening_is_not_found(
    make: Factory, auth: Auth, client: FlaskClient
) -> None:
    manager = manager_of(make, auth)
    mine, theirs = make.opening(manager), make.opening()
    stranger = make.invite(theirs)
    page = f"/hiring/openings/{mine.slug}"
    response = post(client, f"{page}/candidates/{stranger.candidate.id}/revoke", page)
    assert response.status_code == 404


def test_interviewers_cannot_reach_hiring_pages(make: Factory, auth: Auth, client: FlaskClient) -> None:
    opening = make.opening()
    auth.login(make.user(Role.INTERVIEWER).email)
    assert client.get(f"/hiring/openings/{opening.slug}").status_code == 403
    assert client.get("/hiring/openings/new").status_code == 403


def test_the_cli_invites_prints_the_link_and_resends_on_a_second_run(
    runner: Any, make: Factory, db_session: Session
) -> None:
    opening = make.opening()
    first = runner.invoke(invite_command, ["sky@example.org", "--opening", opening.slug, "--name", "Sky Lee"])
    assert first.exit_code == 0, first.output
    assert "Invited Sky Lee <sky@example.org>" in first.output
    assert LINK.search(first.output)
    again = runner.invoke(invite_command, ["sky@example.org", "--opening", opening.slug])
    assert "sent a new link" in again.output
    assert db_session.scalar(select(func.count(Invitation.id))) == 2
    missing = runner.invoke(invite_command, ["x@example.org", "--opening", "nope", "--name", "X"])
    assert missing.exit_code == 1
    assert "There is no opening 'nope'" in missing.output
    nameless = runner.invoke(invite_command, ["new@example.org", "--opening", opening.slug])
    assert nameless.exit_code == 1
    assert "Give the name" in nameless.output


def test_the_cli_sweep_reports_what_it_submitted(runner: Any) -> None:
    result = runner.invoke(sweep_command, [])
    assert result.exit_code == 0
    assert "Submitted 0 attempt(s)" in result.output


def test_the_hiring_manager_changes_settings_and_the_change_is_audited(
    make: Factory, auth: Auth, client: FlaskClient, db_session: Session
) -> None:
    from assess.models import AuditEvent

    opening = make.opening(manager_of(make, auth))
    page = f"/hiring/openings/{opening.slug}/settings"
    response = post(client, page, page, invitation_valid_days="21", interviewers_per_submission="3",
                    ai_enabled="y", ai_draft_timing="any_time", ai_notice="An AI may draft a reading.")
    assert response.headers["Location"] == f"/hiring/openings/{opening.slug}"
    db_session.expire_all()
    changed = db_session.get(Opening, opening.id)
    assert (changed.ai_enabled, changed.ai_draft_timing, changed.interviewers_per_submission) == (True, "any_time", 3)
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "opening.settings_changed")).one()
    assert event.details["changes"]["interviewers_per_submission"] == {"old": 2, "new": 3}
    bad = post(client, page, page, invitation_valid_days="21", interviewers_per_submission="9",
               ai_draft_timing="whenever")
    assert "Choose 1 to 6." in bad.get_data(as_text=True)
