"""The hiring manager's side: openings, invitations, accommodations, the outbox, the CLI."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assess.cli import invite_command, sweep_command
from assess.models import Candidate, Invitation, Opening, OutboundEmail, Role
from assess.services import invitations
from tests.support.app import FrozenClock
from tests.support.factories import Factory
from tests.support.web import Auth, csrf_token

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
    people = ("Ada Lovelace <ada@example.org>\nGrace Hopper, grace@example.org\njust a name\nnoname@example.org\n"
              "Ama \U0001f469\u200d\U0001f4bb Owusu, ama@example.org\nMallory \u202eroot, mallory@example.org\n")
    answer = post(client, f"{page}/invite-many", page, people=people)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200  # some were invited; the rest are shown to fix, not lost
    assert "Invited Ada Lovelace, Grace Hopper, Ama \U0001f469\u200d\U0001f4bb Owusu" in text  # an emoji is spelling
    assert "Line 3 (just a name)" in text
    assert "Line 4 (noname@example.org): Give the name" in text
    assert "Line 6 (mallory@example.org): The name contains an invisible character (U+202E" in text
    assert "The 3 lines not invited are back in the box below" in text
    box = text[text.index('name="people"'):]
    assert box[box.index(">") + 1:box.index("</textarea>")].strip() == (
        "just a name\nnoname@example.org\nMallory \u202eroot, mallory@example.org")
    assert db_session.scalar(select(func.count(Candidate.id))) == 3
    assert "Line 3" not in client.get(page).get_data(as_text=True)  # said once, not again on the next visit
    nothing = post(client, f"{page}/invite-many", page, people="just a name\n")
    assert nothing.status_code == 400 and "just a name" in nothing.get_data(as_text=True)
    empty = post(client, f"{page}/invite-many", page, people="   ")
    assert empty.status_code == 400 and "Paste at least one line." in empty.get_data(as_text=True)


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
    make: Factory, auth: Auth, client: FlaskClient, db_session: Session
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
    db_session.expire_all()
    assert all(i.revoked_at is None for i in invited.candidate.invitations)  # neither resent nor withdrawn
    assert len(invited.candidate.invitations) == 1
    assert db_session.scalar(select(func.count(Candidate.id))) == 1  # nobody was invited


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


def test_the_cli_prints_links_for_the_address_make_run_serves(
    tmp_path: Any, database_url: str, engine: Any, connection: Any
) -> None:
    from assess import create_app
    from assess.config import Config
    from assess.db import Database, get_database

    (tmp_path / "base_url").write_text("http://127.0.0.1:5102\n")
    config = Config.from_env({"ASSESS_ENV": "test", "ASSESS_INSTANCE_DIR": str(tmp_path),
                              "ASSESS_DATABASE_URL": database_url, "ASSESS_SECRET_KEY": "k" * 40})
    app = create_app(config, database=Database(engine, bind=connection))
    with get_database(app).new_session() as session:
        opening = Factory(session, app).opening()
    printed = app.test_cli_runner().invoke(invite_command, ["sky@example.org", "--opening", opening.slug,
                                                            "--name", "Sky Lee"])
    assert printed.exit_code == 0, printed.output
    assert "http://127.0.0.1:5102/c/start/" in printed.output


# -- an erased record is final ------------------------------------------------------------------------


def erased(make: Factory, db_session: Session, opening: Opening, **invite: Any) -> Candidate:
    from assess.services import candidate_data

    candidate = make.invite(opening, **invite).candidate
    candidate_data.erase(db_session, candidate, actor=None, reason="The candidate asked.", now=make.now())
    return candidate


def test_a_number_out_of_range_is_refused_with_the_range_not_as_missing(
    make: Factory, auth: Auth, client: FlaskClient, db_session: Session
) -> None:
    opening = make.opening(manager_of(make, auth))
    invited = make.invite(opening)
    page = f"/hiring/openings/{opening.slug}"
    base = f"{page}/candidates/{invited.candidate.id}"
    for action, field, value, said in (("extend-window", "days", "0", "Choose 1 to 90 days."),
                                       ("extend-time", "minutes", "0", "Choose 1 to 240 minutes."),
                                       ("extend-time", "minutes", "abc", "Choose 1 to 240 minutes.")):
        post(client, f"{base}/{action}", page, **{field: value})
        text = client.get(page).get_data(as_text=True)
        assert said in text and "This field is required." not in text, (action, value)
    db_session.expire_all()
    assert db_session.get(Candidate, invited.candidate.id).extra_minutes == 0


def test_an_erased_candidate_cannot_be_sent_a_link_given_time_or_have_a_link_withdrawn(
    make: Factory, auth: Auth, client: FlaskClient, db_session: Session, clock: FrozenClock
) -> None:
    opening = make.opening(manager_of(make, auth))
    candidate = erased(make, db_session, opening)
    page = f"/hiring/openings/{opening.slug}"
    base = f"{page}/candidates/{candidate.id}"
    for action, data in (("resend", {}), ("extend-time", {"minutes": "30"}), ("extend-window", {"days": "3"}),
                         ("revoke", {"confirm": "y"})):
        assert post(client, f"{base}/{action}", page, **data).status_code == 302
        shown = client.get(page).get_data(as_text=True)
        assert "data was erased on 02 November 2026" in shown, action
    db_session.expire_all()
    assert candidate.extra_minutes == 0
    assert len(candidate.invitations) == 1 and candidate.invitations[0].revoked_at is not None
    assert db_session.scalar(select(func.count(OutboundEmail.id))) == 0
    assert "cannot be sent links or given time" in client.get(page).get_data(as_text=True)


def test_an_erased_candidate_cannot_be_given_time_or_a_link_through_the_services(
    make: Factory, db_session: Session
) -> None:
    from assess.errors import Conflict
    from assess.services import invitations, links

    candidate = erased(make, db_session, make.opening())
    config, now = make.app.config["ASSESS"], make.now()
    for attempt in (lambda: invitations.resend(db_session, config, make.library, candidate, actor=None, now=now),
                    lambda: links.extend_time(db_session, candidate, 10, actor=None, now=now),
                    lambda: links.extend_window(db_session, candidate, 2, actor=None, now=now),
                    lambda: links.revoke(db_session, candidate, actor=None, now=now)):
        with pytest.raises(Conflict, match="was erased on"):
            attempt()
    db_session.expire_all()
    assert candidate.extra_minutes == 0 and len(candidate.invitations) == 1


def test_inviting_an_erased_address_again_makes_a_new_record_that_shares_nothing_with_the_old(
    make: Factory, db_session: Session
) -> None:
    opening = make.opening()
    old = erased(make, db_session, opening, name="Ana Silva", email="ana@example.org")
    again = make.invite(opening, name="Ana Silva", email="ana@example.org")
    assert again.candidate.id != old.id and again.candidate.erased_at is None
    assert again.candidate.pseudonym != old.pseudonym and again.candidate.attempts == []
    db_session.expire_all()
    assert old.name == "Erased candidate" and old.email.endswith("@erased.invalid")


def test_a_candidate_has_at_most_one_live_link_even_after_an_expired_one_is_replaced(
    make: Factory, db_session: Session, clock: FrozenClock
) -> None:
    opening = make.opening()
    first = make.invite(opening, email="late@example.org")
    clock.advance(days=opening.invitation_valid_days + 1)
    make.invite(opening, email="late@example.org")
    db_session.expire_all()
    live = [i for i in first.candidate.invitations if i.revoked_at is None]
    assert len(live) == 1 and live[0].id != first.invitation.id


def test_the_database_refuses_a_second_live_link_for_one_candidate(make: Factory, db_session: Session) -> None:
    from sqlalchemy.exc import IntegrityError

    invited = make.invite(make.opening())
    db_session.add(Invitation(candidate_id=invited.candidate.id, token_hash="f" * 64,
                              created_at=make.now(), expires_at=make.now()))
    with pytest.raises(IntegrityError):
        db_session.flush()
    db_session.rollback()


def test_a_resend_from_a_page_older_than_the_latest_link_sends_nothing(
    make: Factory, auth: Auth, client: FlaskClient, db_session: Session
) -> None:
    opening = make.opening(manager_of(make, auth))
    invited = make.invite(opening)
    page = f"/hiring/openings/{opening.slug}"
    url = f"{page}/candidates/{invited.candidate.id}/resend"
    shown = str(invited.invitation.id)
    post(client, url, page, replaces=shown)
    post(client, url, page, replaces=shown)  # the same page, pressed again
    assert "after this page was loaded" in client.get(page).get_data(as_text=True)
    assert db_session.scalar(select(func.count(OutboundEmail.id))) == 2


def test_the_candidate_list_pages_and_searches_names_and_emails_in_the_database(
    make: Factory, auth: Auth, client: FlaskClient, db_session: Session
) -> None:
    manager = manager_of(make, auth)
    opening = make.opening(manager)
    for n in range(52):
        make.invite(opening, name=f"Person {n:02d}", email=f"p{n}@example.net")
    make.invite(opening, name="Ana 100% Sure_thing", email="ana_sure@example.org")
    page = f"/hiring/openings/{opening.slug}"
    first = client.get(page).get_data(as_text=True)
    assert "(53)" in first and "Page 1 of 2" in first and first.count('class="card candidate-row"') == 50
    assert "Ana 100% Sure_thing" in first  # newest first
    second = client.get(f"{page}?page=2").get_data(as_text=True)
    assert second.count('class="card candidate-row"') == 3 and "Person 00" in second
    beyond = client.get(f"{page}?page=99").get_data(as_text=True)
    assert beyond.count('class="card candidate-row"') == 3  # past the end: the last page, and a word saying so
    assert "There is no page 99: the list has 2 pages, and this is the last." in beyond
    for wrong in ("0", "two", "-3", "2.0", "99999999999"):
        refused = client.get(f"{page}?page={wrong}")
        assert refused.status_code == 400 and "whole number from 1" in refused.get_data(as_text=True), wrong
    by_email = client.get(f"{page}?q=P51%40").get_data(as_text=True)
    assert "(1 matching)" in by_email and "Person 51" in by_email
    literal = client.get(f"{page}?q=100%25").get_data(as_text=True)  # % is a character, not a wildcard
    assert "(1 matching)" in literal and "Ana 100% Sure_thing" in literal
    underscore = client.get(f"{page}?q=n_1").get_data(as_text=True)  # _ matches only itself, not "Person 1x"
    assert "No candidate matches" in underscore and "(0 matching)" in underscore
    assert client.get(f"{page}?q=" + "x" * 201).status_code == 400
    control = client.get(f"{page}?q=Person%0A01")
    assert control.status_code == 400 and "without U+000A LINE FEED" in control.get_data(as_text=True)


def test_search_finds_names_however_their_accents_and_joiners_were_typed(
    make: Factory, auth: Auth, client: FlaskClient
) -> None:
    opening = make.opening(manager_of(make, auth))
    page = f"/hiring/openings/{opening.slug}"
    post(client, f"{page}/invite", page, name="Zoe\u0301 Martin", email="zoe@example.org")  # e + combining accent
    make.invite(opening, name="\u0645\u06cc\u200c\u0634\u0648\u062f Ahmadi", email="mi@example.org")  # ZWNJ
    make.invite(opening, name="Sam \U0001f469\u200d\U0001f52c Lee", email="sam@example.org")  # an emoji with a joiner
    for search, who in (("Zo\u00e9", "zoe@"), ("Zoe\u0301", "zoe@"), ("\u06cc\u200c\u0634", "mi@"),
                        ("\U0001f469\u200d\U0001f52c", "sam@"), ("  Sam   \U0001f469", "sam@")):
        found = client.get(page, query_string={"q": search})
        text = found.get_data(as_text=True)
        assert found.status_code == 200 and "(1 matching)" in text and who in text, search


def test_a_step_on_a_candidate_returns_to_the_same_page_of_the_same_search(
    make: Factory, auth: Auth, client: FlaskClient
) -> None:
    opening = make.opening(manager_of(make, auth))
    for n in range(53):
        make.invite(opening, name=f"Person {n:02d}", email=f"p{n}@example.net")
    page = f"/hiring/openings/{opening.slug}"
    listed = client.get(page, query_string={"q": "Person", "page": "2"}).get_data(as_text=True)
    oldest = next(c for c in opening.candidates if c.name == "Person 00")
    action = f"{page}/candidates/{oldest.id}/extend-time?q=Person&amp;page=2"
    assert action in listed  # the row's forms carry the list's place
    answer = post(client, action.replace("&amp;", "&"), page, minutes="10")
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"{page}?q=Person&page=2")


def test_a_pasted_list_keeps_each_line_whole_and_refuses_what_it_cannot_read_line_by_line(
    make: Factory, auth: Auth, client: FlaskClient, db_session: Session
) -> None:
    opening = make.opening(manager_of(make, auth))
    page = f"/hiring/openings/{opening.slug}"
    people = ("Line\u2028Sep <lsep@example.org>\n"  # a line separator inside a name is a space in it, not a new line
              "Two Names <x1@example.org>, <x2@example.org>\n"
              "\u3164, blank@example.org\n"
              "\u200f\u00ad, marks@example.org\n"
              "Ada Lovelace <ada@example.org>\n")
    text = post(client, f"{page}/invite-many", page, people=people).get_data(as_text=True)
    assert "Invited Line Sep, Ada Lovelace;" in text
    assert "Line 2 (Two Names &lt;x1@example.org&gt;, &lt;x2@example.org&gt;): expected one email address" in text
    assert "Line 3 (blank@example.org): The name for blank@example.org shows no letters" in text
    assert "Line 4 (marks@example.org): The name for marks@example.org shows no letters" in text
    assert text.index("Line 2 (") < text.index("Line 3 (") < text.index("Line 4 (")  # in the order pasted
    assert db_session.scalar(select(func.count(Candidate.id))) == 2


def test_a_list_too_long_to_invite_while_the_page_waits_is_refused_whole_and_kept(
    make: Factory, auth: Auth, client: FlaskClient, db_session: Session
) -> None:
    opening = make.opening(manager_of(make, auth))
    page = f"/hiring/openings/{opening.slug}"
    people = "\n".join(f"Person {n}, p{n}@example.net" for n in range(invitations.MOST_PER_PASTE + 1))
    answer = post(client, f"{page}/invite-many", page, people=people)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "That list has 301 lines; paste at most 300 people" in text
    assert "Nobody has been invited" in text and f"p{invitations.MOST_PER_PASTE}@example.net" in text
    assert db_session.scalar(select(func.count(Candidate.id))) == 0
    eleven = "\n".join(f"Person {n}, p{n}@example.net" for n in range(11))
    said = post(client, f"{page}/invite-many", page, people=eleven)
    assert said.status_code == 302
    assert "Invited Person 0, Person 1, Person 2, Person 3, Person 4, Person 5, Person 6, Person 7, Person 8, " \
           "Person 9 and 1 more;" in client.get(page).get_data(as_text=True)
