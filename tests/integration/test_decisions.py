"""Decisions as results arrive: as soon as a candidate's scorecards are in, one or many at once, told to the
candidate if the hiring manager chooses, and shown wherever results go."""

from __future__ import annotations

import csv
import io
import json

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from assess.models import (
    AuditEvent, Candidate, Decision, MailStatus, Opening, OutboundEmail, Role, ScoringState, User, WebhookDelivery,
)
from assess.services import api_tokens, candidate_data, decisions, links, scoring_state, webhooks
from tests.support.app import FrozenClock
from tests.support.factories import A, Factory
from tests.support.web import csrf_token, sign_in_session

B = "b-analytics"


@pytest.fixture
def opening(make: Factory, team: dict[str, User], db_session: Session) -> Opening:
    """One take-home exercise, one interviewer per piece of work: a candidate is ready after one scorecard."""
    made = make.opening(team["manager"], exercises=[(A, 90)])
    made.interviewers_per_submission = 1
    db_session.commit()
    return made


def scored(make: Factory, opening: Opening, interviewer: User, *, submit: bool = True, **invite: object) -> Candidate:
    attempt = make.submission(opening, A, **invite)
    make.scorecard(make.assignment(attempt, interviewer), 3, submit=submit)
    return attempt.candidate


def decide(client: FlaskClient, opening: Opening, person: Candidate, outcome: str = "advance",
           rationale: str = "Clear problem framing and testable stories.", **extra: str) -> object:
    url = f"/hiring/openings/{opening.slug}/candidates/{person.id}"
    return client.post(url, data={"csrf_token": csrf_token(client, url), "outcome": outcome,
                                  "rationale": rationale, **extra})


def test_a_candidate_is_decided_on_once_their_scorecards_are_in_while_others_still_work(
    opening: Opening, make: Factory, team: dict[str, User], client: FlaskClient, db_session: Session,
    clock: FrozenClock
) -> None:
    ready = scored(make, opening, team["priya"])
    still_scoring = scored(make, opening, team["tom"], submit=False)
    still_writing = make.attempt(opening, A).candidate
    sign_in_session(client, team["manager"])
    assert opening.scoring_state is ScoringState.OPEN

    page = client.get(f"/hiring/openings/{opening.slug}/candidates/{ready.id}").get_data(as_text=True)
    assert "Record decision" in page
    assert decide(client, opening, ready).status_code == 302

    for person, missing in ((still_scoring, "1 scorecard not yet submitted"),
                            (still_writing, "0 of 1 exercises handed in")):
        page = client.get(f"/hiring/openings/{opening.slug}/candidates/{person.id}").get_data(as_text=True)
        assert missing in page and "Record decision" not in page
        refused = decide(client, opening, person)  # a form sent anyway, from a page opened earlier
        assert refused.status_code == 200 and missing in refused.get_data(as_text=True)
    db_session.expire_all()
    recorded = db_session.scalars(select(Decision)).all()
    assert [(d.candidate_id, d.outcome.value) for d in recorded] == [(ready.id, "advance")]
    assert recorded[0].email_id is None  # nobody is emailed unless the box is ticked

    # Once the opening is unblinded, anyone may be decided on, finished or not.
    scoring_state.close_scoring(db_session, opening, actor=team["manager"], now=clock.now)
    scoring_state.unblind(db_session, opening, actor=team["manager"], now=clock.now)
    assert decide(client, opening, still_writing, "reject", "Did not hand in the exercise in time.").status_code == 302


def test_a_decision_emails_the_candidate_the_openings_words_when_asked_and_is_told_by_webhook(
    opening: Opening, make: Factory, team: dict[str, User], client: FlaskClient, db_session: Session,
    clock: FrozenClock
) -> None:
    webhooks.create_endpoint(db_session, url="https://ats.example.com/hooks", events=["decision.recorded"],
                             actor=make.user(Role.ADMIN), now=clock.now)
    person = scored(make, opening, team["priya"], name="Zoë {opening} Brontë")
    sign_in_session(client, team["manager"])
    settings = f"/hiring/openings/{opening.slug}/settings"
    form = {"csrf_token": csrf_token(client, settings)}
    for key in ("advance", "hold", "reject"):
        form[f"{key}_subject"] = f"{key.capitalize()}: {{opening}}"
        form[f"{key}_body"] = f"Dear {{name}},\n\nAbout {{opening}}: {key}. Braces {{}} stay as written."
    saved = client.post(f"{settings}/decision-emails", data=form)
    assert saved.status_code == 302

    assert decide(client, opening, person, "reject", "The stories were not testable.",
                  tell_candidate="y").status_code == 302
    db_session.expire_all()
    decision = db_session.scalars(select(Decision)).one()
    email = db_session.get(OutboundEmail, decision.email_id)
    assert email is not None and email.to_address == person.email and email.candidate_id == person.id
    assert email.subject == f"Reject: {opening.title}"
    # The name is filled in as written, even where it looks like a placeholder; other braces stay.
    assert email.body_text.startswith("Dear Zoë {opening} Brontë,")
    assert f"About {opening.title}: reject. Braces {{}} stay as written." in email.body_text
    delivery = db_session.scalars(select(WebhookDelivery).where(WebhookDelivery.event == "decision.recorded")).one()
    data = delivery.payload["data"]
    assert data["candidate_id"] == person.id and data["outcome"] == "reject" and data["candidate_email_queued"] is True
    # By id and code only: no name, and not the reason either (free text that may name people).
    assert "Brontë" not in json.dumps(data) and "rationale" not in data
    page = client.get(f"/hiring/openings/{opening.slug}/candidates/{person.id}").get_data(as_text=True)
    assert "emailed" in page and f"message={email.id}" in page


@pytest.mark.parametrize("subject,body,problem", [
    ("Hello {first_name}", "Hi {name}", "{first_name} is not something the email can fill in"),
    ("Hello", "Hi {nmae}", "{nmae} is not something the email can fill in"),
    ("", "Hi", "a subject and a message"),
    ("Hello", "x" * 5001, "under 5,000 characters"),
])
def test_a_decision_email_that_cannot_be_sent_as_written_is_refused_and_kept_in_the_form(
    subject: str, body: str, problem: str, opening: Opening, team: dict[str, User], client: FlaskClient,
    db_session: Session
) -> None:
    sign_in_session(client, team["manager"])
    settings = f"/hiring/openings/{opening.slug}/settings"
    form = {"csrf_token": csrf_token(client, settings), "advance_subject": subject, "advance_body": body,
            "hold_subject": "Hold", "hold_body": "Hold on", "reject_subject": "No", "reject_body": "Sorry"}
    refused = client.post(f"{settings}/decision-emails", data=form)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and problem in text
    assert "Hold on" in text  # what was typed comes back
    db_session.expire_all()
    assert db_session.get(Opening, opening.id).decision_emails is None


def test_deciding_on_several_at_once_decides_those_ready_and_names_the_others(
    opening: Opening, make: Factory, team: dict[str, User], client: FlaskClient, db_session: Session
) -> None:
    first, second = scored(make, opening, team["priya"]), scored(make, opening, team["tom"])
    waiting = scored(make, opening, team["priya"], submit=False)
    sign_in_session(client, team["manager"])
    results = f"/hiring/openings/{opening.slug}/results"
    response = client.post(f"/hiring/openings/{opening.slug}/decisions?page=1", data={
        "csrf_token": csrf_token(client, results), "outcome": "hold", "candidates": [first.id, second.id, waiting.id],
        "rationale": "Strong work; waiting on the live stage slots.", "tell_candidate": "y"})
    assert response.status_code == 302 and response.headers["Location"].startswith(results)
    db_session.expire_all()
    decided = {d.candidate_id: d for d in db_session.scalars(select(Decision))}
    assert set(decided) == {first.id, second.id}
    assert all(d.email_id is not None for d in decided.values())
    page = client.get(results).get_data(as_text=True)
    assert f"Hold recorded for 2 candidates: {first.name}, {second.name}." in page
    assert "2 emails are kept in the outbox (no mail server is configured)." in page
    assert f"Not decided for {waiting.name}. Not ready for a decision yet" in page
    assert page.count('class="badge badge-muted" title="Decided') == 2


def test_deciding_on_several_refuses_a_candidate_of_another_opening_and_decides_nobody(
    opening: Opening, make: Factory, team: dict[str, User], client: FlaskClient, db_session: Session
) -> None:
    mine = scored(make, opening, team["priya"])
    elsewhere = scored(make, make.opening(), team["priya"])
    sign_in_session(client, team["manager"])
    results = f"/hiring/openings/{opening.slug}/results"
    response = client.post(f"/hiring/openings/{opening.slug}/decisions", data={
        "csrf_token": csrf_token(client, results), "outcome": "advance", "candidates": [mine.id, elsewhere.id],
        "rationale": "Both did well on the stories."}, follow_redirects=True)
    assert "not in this opening" in response.get_data(as_text=True)
    assert db_session.scalars(select(Decision)).all() == []
    empty = client.post(f"/hiring/openings/{opening.slug}/decisions", data={
        "csrf_token": csrf_token(client, results), "outcome": "advance", "rationale": "Both did well."},
        follow_redirects=True)
    assert "Tick the candidates" in empty.get_data(as_text=True)
    garbled = client.post(f"/hiring/openings/{opening.slug}/decisions", data={
        "csrf_token": csrf_token(client, results), "outcome": "advance", "candidates": ["x"],
        "rationale": "Both did well."}, follow_redirects=True)
    assert "Tick candidates from the list" in garbled.get_data(as_text=True)
    without_reason = client.post(f"/hiring/openings/{opening.slug}/decisions", data={
        "csrf_token": csrf_token(client, results), "outcome": "advance", "candidates": [mine.id]},
        follow_redirects=True)
    assert "Give the reason" in without_reason.get_data(as_text=True)
    assert db_session.scalars(select(Decision)).all() == []


def test_the_decision_shows_on_the_list_the_results_the_csv_and_the_api(
    opening: Opening, make: Factory, team: dict[str, User], client: FlaskClient, db_session: Session
) -> None:
    person = scored(make, opening, team["priya"])
    other = scored(make, opening, team["tom"])
    sign_in_session(client, team["manager"])
    decide(client, opening, person, "hold", "Good stories, thin metrics.")
    decide(client, opening, person, "advance", "The debrief settled it.")
    listing = client.get(f"/hiring/openings/{opening.slug}").get_data(as_text=True)
    assert listing.count('title="Decided') == 1 and ">Advance</span>" in listing
    results = client.get(f"/hiring/openings/{opening.slug}/results").get_data(as_text=True)
    assert results.count('title="Decided') == 1
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/hiring/openings/{opening.slug}/export/results.csv").get_data(as_text=True).lstrip("\ufeff"))))
    by_name = {r["candidate"]: r for r in rows}
    assert by_name[person.name]["decision"] == "advance" and by_name[person.name]["decided_at"]
    assert by_name[person.name]["decision_reason"] == "The debrief settled it."
    assert by_name[person.name]["decided_by"] == team["manager"].name
    assert by_name[other.name]["decision"] == ""
    audit = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "decision.recorded")).all()
    assert [a.details["outcome"] for a in audit] == ["hold", "advance"]


def test_the_api_records_a_decision_and_reads_it_back_on_the_candidate_and_the_results(
    opening: Opening, make: Factory, team: dict[str, User], client: FlaskClient, db_session: Session,
    clock: FrozenClock
) -> None:
    ready, other = scored(make, opening, team["priya"]), scored(make, opening, team["priya"])
    for person, value in ((ready, 4), (other, 2)):  # a second interviewer on both, so there is a ranking
        make.scorecard(make.assignment(person.attempts[0], team["tom"]), value)
    waiting = scored(make, opening, team["tom"], submit=False)
    admin = make.user(Role.ADMIN)
    _, writer = api_tokens.create(db_session, name="ATS", scopes=["decisions:write", "submissions:read",
                                                                 "results:read"], actor=admin, now=clock.now)
    _, reader = api_tokens.create(db_session, name="Reader", scopes=["submissions:read"], actor=admin, now=clock.now)
    url = f"/api/v1/openings/{opening.slug}/candidates"

    def post(token: str, person: Candidate, body: object) -> object:
        return client.post(f"{url}/{person.id}/decisions", json=body, headers={"Authorization": f"Bearer {token}"})

    body = {"outcome": "advance", "rationale": "Strong stories and a sound tracking plan.", "email_candidate": True}
    assert post(reader, ready, body).status_code == 403
    made = post(writer, ready, body)
    assert made.status_code == 201, made.get_json()
    answer = made.get_json()
    assert answer["outcome"] == "advance" and answer["decided_by"] == admin.name
    assert answer["candidate_email"] in ("queued", "sent", "kept")
    refused = post(writer, waiting, body)
    assert refused.status_code == 409 and "Not ready for a decision yet" in refused.get_json()["message"]
    for wrong, field in (({"outcome": "maybe", "rationale": "Strong stories."}, "outcome"),
                         ({"outcome": "hold", "rationale": "ok"}, "rationale"),
                         ({"outcome": "hold", "rationale": "Strong stories.", "extra": 1}, "extra")):
        bad = post(writer, ready, wrong)
        assert bad.status_code == 422 and field in bad.get_json()["message"], bad.get_json()
    assert post(writer, ready, ["advance"]).status_code == 400
    headers = {"Authorization": f"Bearer {writer}"}
    one = client.get(f"{url}/{ready.id}", headers=headers).get_json()
    assert one["decision"]["outcome"] == "advance" and one["decision"]["rationale"].startswith("Strong stories")
    listed = {c["id"]: c["decision"] for c in client.get(url, headers=headers).get_json()["items"]}
    assert listed[waiting.id] is None and listed[ready.id]["outcome"] == "advance"
    ranking = client.get(f"/api/v1/openings/{opening.slug}/results", headers=headers).get_json()["ranking"]
    assert {r["candidate_id"]: r["decision"] for r in ranking} == {ready.id: "advance", other.id: None}
    db_session.expire_all()
    assert db_session.scalars(select(Decision)).one().email_id is not None


def test_a_candidate_who_can_hand_in_nothing_more_is_decided_on_while_the_opening_runs(
    opening: Opening, make: Factory, team: dict[str, User], client: FlaskClient, db_session: Session,
    clock: FrozenClock
) -> None:
    no_show = make.invite(opening).candidate
    withdrawn = make.invite(opening).candidate
    links.revoke(db_session, withdrawn, actor=team["manager"], now=clock.now)
    db_session.commit()
    sign_in_session(client, team["manager"])
    page = client.get(f"/hiring/openings/{opening.slug}/candidates/{no_show.id}").get_data(as_text=True)
    assert "0 of 1 exercises handed in" in page  # the link still works: they may yet hand it in
    clock.advance(days=opening.invitation_valid_days + 1)
    sign_in_session(client, team["manager"])  # a staff session does not last that long
    for person in (no_show, withdrawn):
        assert decide(client, opening, person, "reject", "Did not take the exercise in time.").status_code == 302
    db_session.expire_all()
    assert {d.candidate_id for d in db_session.scalars(select(Decision))} == {no_show.id, withdrawn.id}
    # Not ranked, having handed in nothing, and still in the export with the decision.
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/hiring/openings/{opening.slug}/export/results.csv").get_data(as_text=True).lstrip("\ufeff"))))
    by_name = {r["candidate"]: r for r in rows}
    assert by_name[no_show.name]["rank"] == "" and by_name[no_show.name]["decision"] == "reject"
    assert by_name[no_show.name]["flags"] == "not ranked: no submitted scorecard yet"


def test_the_same_decision_sent_twice_is_kept_once_and_emailed_once(
    opening: Opening, make: Factory, team: dict[str, User], client: FlaskClient, db_session: Session
) -> None:
    person = scored(make, opening, team["priya"])
    sign_in_session(client, team["manager"])
    url = f"/hiring/openings/{opening.slug}/candidates/{person.id}"
    said = []
    for _ in range(2):  # a double click, or the same form in two tabs
        response = client.post(url, data={"csrf_token": csrf_token(client, url), "outcome": "advance",
                                          "rationale": "Clear problem framing and testable stories.",
                                          "tell_candidate": "y"}, follow_redirects=True)
        said.append(response.get_data(as_text=True))
    page = said[-1]
    # No mail server is configured here: the message says so, rather than that the candidate was emailed.
    assert "The email is kept in the outbox (no mail server is configured)." in said[0]
    assert "That decision was already recorded" in page and "No email was sent: it had been emailed already." in page
    assert "email kept in the outbox" in page
    db_session.expire_all()
    assert len(db_session.scalars(select(Decision)).all()) == 1
    assert len(db_session.scalars(select(OutboundEmail).where(OutboundEmail.candidate_id == person.id,
                                                              OutboundEmail.subject.contains("next steps"))).all()) == 1
    assert decide(client, opening, person, "hold", "Waiting on the reference check.").status_code == 302
    db_session.expire_all()
    assert [d.outcome.value for d in decisions.history(db_session, person)] == ["hold", "advance"]


def test_an_email_that_failed_is_shown_as_not_sent(
    opening: Opening, make: Factory, team: dict[str, User], client: FlaskClient, db_session: Session
) -> None:
    person = scored(make, opening, team["priya"])
    sign_in_session(client, team["manager"])
    decide(client, opening, person, tell_candidate="y")
    email = db_session.scalars(select(OutboundEmail).where(OutboundEmail.candidate_id == person.id)
                               .order_by(OutboundEmail.id.desc())).first()
    email.status = MailStatus.FAILED
    db_session.commit()
    page = client.get(f"/hiring/openings/{opening.slug}/candidates/{person.id}").get_data(as_text=True)
    assert "email not sent" in page and "badge-danger" in page


def test_extra_time_given_after_an_exercise_was_handed_in_is_not_claimed_for_it(
    opening: Opening, make: Factory, team: dict[str, User], client: FlaskClient, db_session: Session,
    clock: FrozenClock
) -> None:
    person = make.submission(opening, A).candidate
    links.extend_time(db_session, person, 25, actor=team["manager"], now=clock.now)
    db_session.commit()
    sign_in_session(client, team["manager"])
    page = client.get(f"/hiring/openings/{opening.slug}/candidates/{person.id}").get_data(as_text=True)
    assert "25 minutes of extra time on each exercise" in page  # what they get from now on
    assert "and 25 extra" not in page  # not what the exercise they handed in had


def test_the_decision_form_says_what_is_wrong_with_each_field_once(
    opening: Opening, make: Factory, team: dict[str, User], client: FlaskClient, db_session: Session
) -> None:
    ready = scored(make, opening, team["priya"])
    waiting = scored(make, opening, team["tom"], submit=False)
    sign_in_session(client, team["manager"])
    wrong = decide(client, opening, ready, "promote").get_data(as_text=True)
    assert "Choose advance, hold or reject." in wrong
    refused = decide(client, opening, waiting).get_data(as_text=True)
    assert refused.count("Not ready for a decision yet") == 1 and "Not recorded." in refused
    hidden = decide(client, opening, ready, rationale="Strong \u202e stories and metrics.").get_data(as_text=True)
    assert "The reason" in hidden and "Not recorded." not in hidden
    db_session.expire_all()
    assert db_session.scalars(select(Decision)).all() == []


def test_the_api_takes_a_reason_with_a_nul_and_refuses_a_loose_boolean(
    opening: Opening, make: Factory, team: dict[str, User], client: FlaskClient, db_session: Session,
    clock: FrozenClock
) -> None:
    person = scored(make, opening, team["priya"])
    _, token = api_tokens.create(db_session, name="ATS", scopes=["decisions:write"], actor=make.user(Role.ADMIN),
                                 now=clock.now)
    url = f"/api/v1/openings/{opening.slug}/candidates/{person.id}/decisions"
    headers = {"Authorization": f"Bearer {token}"}
    loose = client.post(url, json={"outcome": "hold", "rationale": "Waiting on references.", "email_candidate": "yes"},
                        headers=headers)
    assert loose.status_code == 422 and "email_candidate" in loose.get_json()["message"]
    made = client.post(url, json={"outcome": "hold", "rationale": "Waiting \u0000 on references."}, headers=headers)
    assert made.status_code == 201 and made.get_json()["rationale"] == "Waiting  on references."
    assert made.get_json()["candidate_email"] is None
    hidden = client.post(url, json={"outcome": "hold", "rationale": "Waiting \u202e on references."},
                         headers=headers)
    assert hidden.status_code == 422 and "rationale" in hidden.get_json()["message"]


def test_an_exercise_still_under_way_holds_the_decision_after_the_link_has_run_out(
    opening: Opening, make: Factory, team: dict[str, User], db_session: Session, clock: FrozenClock
) -> None:
    attempt = make.attempt(opening, A)
    person = attempt.candidate
    for invitation in person.invitations:  # the link runs out while the exercise is under way
        invitation.expires_at = clock.now
    db_session.commit()
    clock.advance(minutes=1)
    ready = decisions.readiness(db_session, make.library, opening, [person.id], clock.now)[person.id]
    assert not ready.finished and ready.missing() == ["0 of 1 exercises handed in, 1 under way"]
    clock.advance(days=1)  # its time, and the grace, are over
    ready = decisions.readiness(db_session, make.library, opening, [person.id], clock.now)[person.id]
    assert ready.finished and ready.ready


def test_an_erased_candidate_is_not_decided_on_or_emailed(
    opening: Opening, make: Factory, team: dict[str, User], client: FlaskClient, db_session: Session,
    clock: FrozenClock
) -> None:
    person = scored(make, opening, team["priya"])
    candidate_data.erase(db_session, person, actor=make.user(Role.ADMIN), reason="Asked to be forgotten.",
                         now=clock.now)
    sign_in_session(client, team["manager"])
    refused = decide(client, opening, person, tell_candidate="y")
    assert "erased" in refused.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.scalars(select(Decision)).all() == []
