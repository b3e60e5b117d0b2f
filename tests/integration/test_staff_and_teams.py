"""Staff managed from the admin pages, and the people of an opening: co-owners and recruiters, through the pages.

An admin invites a colleague, who gets a link by a real mail server on loopback (or, with no mail server, the
admin sees it in the kept outbox copy), chooses a password and signs in with the role given. Roles and
disabling never strand anything. A recruiter on an opening invites and follows candidates but sees their work,
scorecards and results only once the hiring manager opens them; a co-owner runs the opening like its manager.
"""

from __future__ import annotations

import re
import uuid

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from assess.models import AuditEvent, OpeningMember, OutboundEmail, Role, User
from tests.support.factories import A, EVIDENCE, Factory
from tests.support.mail import Inbox, text_of
from tests.support.web import Auth, csrf_token, sign_in_session

PASSWORD = "a password of my own choosing"


def unique(name: str) -> str:
    return f"{name}.{uuid.uuid4().hex[:8]}@example.org"


def post(client: FlaskClient, url: str, page: str, **data: object) -> object:
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


def flashed(client: FlaskClient, page: str) -> str:
    return client.get(page).get_data(as_text=True)


def welcome_path(text: str) -> str:
    found = re.search(r"https?://[^/\s]+(/auth/password/[A-Za-z0-9_-]+)", text)
    assert found, text
    return found.group(1)


def choose(client: FlaskClient, path: str) -> object:
    return client.post(path, data={"csrf_token": csrf_token(client, path), "password": PASSWORD, "again": PASSWORD})


def test_an_invited_colleague_chooses_their_password_from_the_email_and_signs_in_with_their_role(
    app: Flask, client: FlaskClient, make: Factory, mailing: Inbox, db_session: Session,
) -> None:
    admin = make.user(Role.ADMIN)
    sign_in_session(client, admin)
    email = unique("rosa")
    answer = post(client, "/admin/staff", "/admin/staff", name="Rosa Reyes", email=email, role="recruiter")
    assert answer.status_code == 302
    assert "Rosa Reyes is invited as recruiter" in flashed(client, "/admin/staff")
    [message] = mailing.messages
    assert message["To"] == email and "choose a password" in message["Subject"]
    body = text_of(message)
    assert "Recruiter" in body and admin.name in body
    path = welcome_path(body)
    page = flashed(client, "/admin/staff")
    assert "invited" in page and path not in page, "a link a mail server took is never shown again"

    newcomer = app.test_client()
    assert choose(newcomer, path).status_code == 302
    signed_in = Auth(newcomer).login(email, password=PASSWORD, follow_redirects=True)
    assert signed_in.request.path == "/hiring/", "a recruiter lands on the openings they work on"
    assert newcomer.get("/admin/").status_code == 403 and newcomer.get("/review/").status_code == 403
    assert newcomer.get("/hiring/openings/new").status_code == 403, "recruiters do not set up openings"

    again = post(client, "/admin/staff", "/admin/staff", name="Rosa Again", email=email.upper(), role="admin")
    assert again.status_code == 409 and "already a staff account" in again.get_data(as_text=True)
    for bad, said in ((dict(name="X", email="not an address", role="admin"), "not a valid email address"),
                      (dict(name="", email=unique("x"), role="admin"), "Give the person"),
                      (dict(name="X", email=unique("x"), role="superuser"), "Choose one of the roles")):
        refused = post(client, "/admin/staff", "/admin/staff", **bad)
        assert refused.status_code == 400 and said in refused.get_data(as_text=True), bad
    assert db_session.scalar(select(User).where(User.email == email)).role is Role.RECRUITER


def test_with_no_mail_server_the_admin_sees_the_kept_welcome_link_until_it_is_used(
    app: Flask, client: FlaskClient, make: Factory,
) -> None:
    sign_in_session(client, make.user(Role.ADMIN))
    email = unique("ines")
    post(client, "/admin/staff", "/admin/staff", name="Inês Interviewer", email=email, role="interviewer")
    page = flashed(client, "/admin/staff")
    assert "kept in the outbox" in page
    path = welcome_path(page)
    assert choose(app.test_client(), path).status_code == 302
    assert path not in flashed(client, "/admin/staff"), "a used link is no longer offered"
    assert Auth(app.test_client()).login(email, password=PASSWORD).status_code == 302


def test_there_is_always_an_active_admin_and_nobody_disables_themselves(
    client: FlaskClient, make: Factory, db_session: Session,
) -> None:
    only = make.user(Role.ADMIN)
    for other in db_session.scalars(select(User).where(User.role == Role.ADMIN, User.id != only.id)):
        other.active = False  # earlier tests on this database may have left admins behind
    db_session.commit()
    sign_in_session(client, only)
    post(client, f"/admin/staff/{only.id}/role", "/admin/staff", role="hiring_manager")
    assert "the only active admin" in flashed(client, "/admin/staff")
    post(client, f"/admin/staff/{only.id}/disable", "/admin/staff")
    assert "cannot disable your own account" in flashed(client, "/admin/staff")
    second = make.user(Role.ADMIN)
    post(client, f"/admin/staff/{second.id}/role", "/admin/staff", role="interviewer")
    assert f"{second.name} is now interviewer" in flashed(client, "/admin/staff")
    db_session.refresh(only)
    assert only.role is Role.ADMIN and only.active
    assert client.post("/admin/staff/999999/disable", data={
        "csrf_token": csrf_token(client, "/admin/staff")}).status_code == 404


def test_disabling_ends_sessions_and_links_and_enabling_lets_them_back(
    app: Flask, client: FlaskClient, make: Factory, mailing: Inbox,
) -> None:
    sign_in_session(client, make.user(Role.ADMIN))
    person = make.user(Role.INTERVIEWER)
    theirs = app.test_client()
    sign_in_session(theirs, person)
    assert theirs.get("/review/").status_code == 200
    post(client, f"/admin/staff/{person.id}/password-link", "/admin/staff")
    path = welcome_path(text_of(mailing.messages[-1]))
    post(client, f"/admin/staff/{person.id}/disable", "/admin/staff")
    assert "can no longer sign in" in flashed(client, "/admin/staff")
    assert theirs.get("/review/").status_code == 302, "their session ended"
    assert app.test_client().get(path).status_code == 410, "their password link ended"
    post(client, f"/admin/staff/{person.id}/password-link", "/admin/staff")
    assert "is disabled: enable it first" in flashed(client, "/admin/staff")
    post(client, f"/admin/staff/{person.id}/enable", "/admin/staff")
    assert Auth(app.test_client()).login(person.email).status_code == 302


def test_a_role_change_never_strands_an_opening_or_waiting_scorecards(
    client: FlaskClient, make: Factory, db_session: Session,
) -> None:
    sign_in_session(client, make.user(Role.ADMIN))
    manager, co_owner, interviewer = make.user(Role.HIRING_MANAGER), make.user(Role.HIRING_MANAGER), make.user()
    opening = make.opening(manager)
    make.on_team(opening, co_owner)
    make.assignment(make.submission(opening, A), interviewer)
    post(client, f"/admin/staff/{manager.id}/role", "/admin/staff", role="interviewer")
    assert f"is the hiring manager of {opening.title}" in flashed(client, "/admin/staff")
    post(client, f"/admin/staff/{interviewer.id}/role", "/admin/staff", role="recruiter")
    assert "1 scorecard still to do" in flashed(client, "/admin/staff")
    post(client, f"/admin/staff/{co_owner.id}/role", "/admin/staff", role="interviewer")
    assert f"{co_owner.name} is now interviewer" in flashed(client, "/admin/staff")
    assert db_session.scalar(select(OpeningMember).where(OpeningMember.user_id == co_owner.id)) is None, \
        "an interviewer is on no opening's team"
    changes = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "user.role_changed",
                                                           AuditEvent.subject_id == co_owner.id)).all()
    assert [(c.details["before"], c.details["after"]) for c in changes] == [("hiring_manager", "interviewer")]


def test_a_recruiter_invites_and_follows_but_sees_work_and_results_only_once_the_manager_allows(
    app: Flask, make: Factory, mailing: Inbox, db_session: Session,
) -> None:
    manager, recruiter, outsider = make.user(Role.HIRING_MANAGER), make.user(Role.RECRUITER), make.user(Role.RECRUITER)
    opening = make.opening(manager)
    boss, rec, other = app.test_client(), app.test_client(), app.test_client()
    for client, person in ((boss, manager), (rec, recruiter), (other, outsider)):
        sign_in_session(client, person)
    people = f"/hiring/openings/{opening.slug}/people"
    assert rec.get(f"/hiring/openings/{opening.slug}").status_code == 404, "not on the team: not there at all"
    post(boss, people, people, user_id=str(recruiter.id))
    assert "Added to the team" in flashed(boss, people)
    assert mailing.messages[-1]["To"] == recruiter.email and opening.title in mailing.messages[-1]["Subject"]

    home = f"/hiring/openings/{opening.slug}"
    invited = post(rec, f"{home}/invite", home, name="Cleo Candidate", email=unique("cleo"))
    assert invited.status_code == 302 and "Cleo Candidate" in flashed(rec, home)
    attempt = make.submission(opening, A, name="Dara Done")
    make.scorecard(make.assignment(attempt, make.user()), 4)
    record = f"{home}/candidates/{attempt.candidate_id}"
    page = rec.get(record).get_data(as_text=True)
    answer = next(iter(attempt.submission.answers.values()))[:40]
    assert rec.get(record).status_code == 200 and "Dara Done" in page and "handed in" in page
    assert answer not in page and "Calibrated score" not in page and EVIDENCE not in page
    assert rec.get(f"{home}/results").status_code == 403 and rec.get(f"{home}/export/scorecards.csv").status_code == 403
    assert rec.get(f"{home}/settings").status_code == 403 and rec.get(people).status_code == 403
    assert rec.post(record, data={"csrf_token": csrf_token(rec, record), "outcome": "advance",
                                  "rationale": "x"}).status_code == 403, "recruiters do not decide"
    assert other.get(home).status_code == 404

    post(boss, f"{people}/recruiters", people, shown="y")
    page = rec.get(record).get_data(as_text=True)
    assert answer in page and "Calibrated score" in page
    assert rec.get(f"{home}/results").status_code == 200
    post(boss, f"{people}/{recruiter.id}/remove", people)
    assert rec.get(home).status_code == 404, "off the team, the opening is gone for them"


def test_a_co_owner_runs_the_opening_and_can_be_handed_it(
    app: Flask, make: Factory, mailing: Inbox, db_session: Session,
) -> None:
    manager, partner = make.user(Role.HIRING_MANAGER), make.user(Role.HIRING_MANAGER)
    opening = make.opening(manager)
    boss, co = app.test_client(), app.test_client()
    sign_in_session(boss, manager)
    sign_in_session(co, partner)
    people = f"/hiring/openings/{opening.slug}/people"
    post(boss, people, people, user_id=str(partner.id))
    home = f"/hiring/openings/{opening.slug}"
    assert co.get(f"{home}/settings").status_code == 200 and co.get(f"{home}/results").status_code == 200
    assert opening.title in co.get("/hiring/").get_data(as_text=True)
    post(co, f"{people}/{manager.id}/remove", people)
    assert "hand it to a co-owner first" in flashed(co, people)
    post(boss, f"{people}/{partner.id}/hand-over", people)
    db_session.refresh(opening)
    assert opening.hiring_manager_id == partner.id
    assert [m.user_id for m in opening.team] == [manager.id], "the one before stays on as a co-owner"
    post(co, f"{home}/invite", home, name="Eli Example", email=unique("eli"))
    assert partner.email in text_of(mailing.messages[-1]), \
        "candidates are told to write to the new hiring manager"


def test_password_links_an_admin_sends_are_resets_for_accounts_with_a_password_and_never_shown(
    app: Flask, client: FlaskClient, make: Factory, db_session: Session,
) -> None:
    """Only the welcome link of an account nobody has chosen a password for is shown to the admin who invited it;
    a link for an account that has one is a reset, sent to its owner alone."""
    admin = make.user(Role.ADMIN)
    sign_in_session(client, admin)
    settled = make.user(Role.INTERVIEWER)  # has a password, has never signed in
    post(client, f"/admin/staff/{settled.id}/password-link", "/admin/staff")
    page = flashed(client, "/admin/staff")
    assert "/auth/password/" not in page
    kept = db_session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == settled.email)).all()[-1]
    assert kept.subject == "Reset your password" and f"{admin.name}, an administrator" in kept.body_text


def test_asking_for_a_reset_with_an_invited_address_sends_them_a_new_welcome_link_instead(
    app: Flask, client: FlaskClient, make: Factory, db_session: Session,
) -> None:
    sign_in_session(client, make.user(Role.ADMIN))
    email = unique("newcomer")
    post(client, "/admin/staff", "/admin/staff", name="Nia Newcomer", email=email, role="interviewer")
    first = welcome_path(flashed(client, "/admin/staff"))
    stranger = app.test_client()
    stranger.post("/auth/password/forgot", data={"csrf_token": csrf_token(stranger, "/auth/password/forgot"),
                                                 "email": email})
    newest = db_session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == email)
                                .order_by(OutboundEmail.id.desc())).first()
    assert newest is not None and "choose a password" in newest.subject, "still an invitation, for 7 days"
    second = welcome_path(flashed(client, "/admin/staff"))
    assert second != first and choose(app.test_client(), second).status_code == 302
    assert Auth(app.test_client()).login(email, password=PASSWORD).status_code == 302


def test_an_invited_admin_who_has_no_password_yet_does_not_count_as_the_other_admin_and_weak_passwords_are_refused(
    app: Flask, client: FlaskClient, make: Factory, db_session: Session,
) -> None:
    only = make.user(Role.ADMIN)
    for other in db_session.scalars(select(User).where(User.role == Role.ADMIN, User.id != only.id)):
        other.active = False
    db_session.commit()
    sign_in_session(client, only)
    email = unique("pending.admin")
    post(client, "/admin/staff", "/admin/staff", name="Pending Admin", email=email, role="admin")
    path = welcome_path(flashed(client, "/admin/staff"))
    post(client, f"/admin/staff/{only.id}/role", "/admin/staff", role="hiring_manager")
    assert "the only active admin" in flashed(client, "/admin/staff")
    newcomer = app.test_client()
    weak = newcomer.post(path, data={"csrf_token": csrf_token(newcomer, path), "password": "a" * 14, "again": "a" * 14})
    assert "too few characters" in weak.get_data(as_text=True)
    assert choose(newcomer, path).status_code == 302
    post(client, f"/admin/staff/{only.id}/role", "/admin/staff", role="hiring_manager")
    assert "is now hiring manager" in flashed(client, "/admin/staff")


def test_only_the_hiring_manager_hands_the_opening_over_and_recruiters_never_see_the_live_guide(
    app: Flask, make: Factory, mailing: Inbox, db_session: Session,
) -> None:
    manager, partner, recruiter = (make.user(Role.HIRING_MANAGER), make.user(Role.HIRING_MANAGER),
                                   make.user(Role.RECRUITER))
    opening = make.opening(manager)
    opening.recruiters_see_results = True
    make.on_team(opening, partner, recruiter)
    co, rec = app.test_client(), app.test_client()
    sign_in_session(co, partner)
    sign_in_session(rec, recruiter)
    people = f"/hiring/openings/{opening.slug}/people"
    post(co, f"{people}/{partner.id}/hand-over", people)
    assert "Only the opening&#39;s hiring manager, or an admin" in flashed(co, people)
    db_session.refresh(opening)
    assert opening.hiring_manager_id == manager.id
    attempt = make.submission(opening, A)
    page = rec.get(f"/hiring/openings/{opening.slug}/candidates/{attempt.candidate_id}").get_data(as_text=True)
    assert "The brief they had" in page and "The interviewer&#39;s guide" not in page
    assert "The interviewer&#39;s guide" in co.get(f"/hiring/openings/{opening.slug}/candidates/"
                                                  f"{attempt.candidate_id}").get_data(as_text=True)
    results = rec.get(f"/hiring/openings/{opening.slug}/results").get_data(as_text=True)
    assert "Decide on the ticked candidates" not in results and "Calibration sessions" not in results
