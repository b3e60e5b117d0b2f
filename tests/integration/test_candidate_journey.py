"""The candidate's side: links, sessions, starting, autosave, deadlines and submitting."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assess.domain.timing import GRACE
from assess.models import Attempt, ContentKind, Draft, Invitation, OutboundEmail, Submission, SubmittedBy
from assess.services import attempts as attempt_service
from assess.services import answering, invitations, links
from tests.support.app import FrozenClock
from tests.support.factories import Factory
from tests.support.web import autosave, csrf_token, open_link, start, submit_form

A = "a-mini-prd"
B = "b-analytics"


@pytest.fixture
def invited(make: Factory, clock: FrozenClock) -> Any:
    opening = make.opening()
    return make.invite(opening, name="Robin Vega", email="robin@example.net")


@pytest.fixture
def candidate(client: FlaskClient, invited: Any) -> FlaskClient:
    """A browser that has opened Robin's link."""
    assert open_link(client, invited.link).status_code == 302
    return client


def attempt_of(db_session: Session, invited: Any, key: str = A) -> Attempt:
    db_session.expire_all()
    return db_session.scalars(
        select(Attempt).where(Attempt.candidate_id == invited.candidate.id, Attempt.exercise_key == key)
    ).one()


# -- links and sessions ------------------------------------------------------------


def test_the_link_is_exchanged_for_a_session_and_the_token_leaves_the_address(
    client: FlaskClient, invited: Any
) -> None:
    token = invited.link.rsplit("/", 1)[1]
    response = open_link(client, invited.link)
    assert response.status_code == 302
    assert response.headers["Location"] == "/c/"
    assert token not in response.headers["Location"]
    page = client.get("/c/")
    assert page.status_code == 200
    assert "Robin Vega" in page.get_data(as_text=True)
    assert token not in page.get_data(as_text=True)


def test_tokens_are_long_and_stored_only_as_a_hash(invited: Any, db_session: Session) -> None:
    token = invited.link.rsplit("/", 1)[1]
    assert len(token) >= 43
    stored = db_session.scalars(select(Invitation.token_hash)).all()
    assert token not in stored
    assert all(len(h) == 64 for h in stored)


def test_an_unknown_link_gets_a_clear_page(client: FlaskClient) -> None:
    response = client.get("/c/start/not-a-real-token")
    assert response.status_code == 404
    assert "could not find an invitation" in response.get_data(as_text=True)


def test_an_expired_link_says_so_and_whom_to_contact(
    client: FlaskClient, invited: Any, clock: FrozenClock
) -> None:
    clock.advance(days=15)
    response = open_link(client, invited.link)
    assert response.status_code == 410
    text = response.get_data(as_text=True)
    assert "has expired" in text
    assert invited.candidate.opening.hiring_manager.email in text


def test_a_resent_link_replaces_the_old_one(
    client: FlaskClient, invited: Any, make: Factory, db_session: Session
) -> None:
    new = invitations.resend(
        db_session, make.app.config["ASSESS"], make.library, invited.candidate, actor=None, now=make.now()
    )
    old = open_link(client, invited.link)
    assert old.status_code == 410
    assert "replaced or withdrawn" in old.get_data(as_text=True)
    assert open_link(client, new.link).status_code == 302


def test_withdrawing_a_link_ends_the_candidates_session(
    candidate: FlaskClient, invited: Any, make: Factory, db_session: Session
) -> None:
    assert candidate.get("/c/").status_code == 200
    links.revoke(db_session, invited.candidate, actor=None, now=make.now())
    response = candidate.get("/c/")
    assert response.status_code == 401
    assert "invitation link" in response.get_data(as_text=True)


def test_candidate_pages_need_a_candidate_session(client: FlaskClient) -> None:
    for path in ("/c/", f"/c/exercises/{A}", f"/c/exercises/{A}/receipt"):
        assert client.get(path).status_code == 401


def test_candidate_pages_are_never_cached(candidate: FlaskClient) -> None:
    assert candidate.get("/c/").headers["Cache-Control"] == "no-store"


def test_the_link_stays_valid_after_the_window_is_extended(
    client: FlaskClient, invited: Any, clock: FrozenClock, db_session: Session
) -> None:
    clock.advance(days=15)
    links.extend_window(db_session, invited.candidate, 7, actor=None, now=clock.now)
    assert open_link(client, invited.link).status_code == 302


# -- the welcome page and starting ---------------------------------------------------------


def test_the_welcome_page_lists_the_take_home_exercises_with_their_limits(candidate: FlaskClient) -> None:
    page = candidate.get("/c/").get_data(as_text=True)
    assert "Mini-PRD and user stories" in page and "90 minutes" in page
    assert "Analytics interpretation" in page and "45 minutes" in page
    assert "Release notes and Support FAQ" in page and "20 minutes" in page
    assert "Stakeholder role-play" not in page
    assert "hiring" in page and "adjustment" in page


def test_the_ai_notice_shows_only_when_the_aid_is_on(
    ai_app: Flask, client: FlaskClient, make: Factory, clock: FrozenClock
) -> None:
    quiet = make.opening()
    loud = make.opening(ai_enabled=True, ai_notice="An AI may draft a first reading of your answers.")
    open_link(client, make.invite(loud).link)
    assert "An AI may draft" in client.get("/c/").get_data(as_text=True)
    open_link(client, make.invite(quiet).link)
    page = client.get("/c/").get_data(as_text=True)
    assert "An AI may draft" not in page
    assert "AI assistant" not in page


def test_starting_is_an_explicit_post_and_happens_once(
    candidate: FlaskClient, invited: Any, db_session: Session, clock: FrozenClock
) -> None:
    assert candidate.get(f"/c/exercises/{A}/start").status_code == 405
    assert candidate.get(f"/c/exercises/{A}").status_code == 404
    assert start(candidate).headers["Location"] == f"/c/exercises/{A}"
    first = attempt_of(db_session, invited).deadline_at
    clock.advance(minutes=5)
    start(candidate)
    assert attempt_of(db_session, invited).deadline_at == first
    assert db_session.scalar(select(func.count(Attempt.id))) == 1


def test_an_attempt_keeps_the_exact_content_version_it_was_started_on(
    candidate: FlaskClient, invited: Any, db_session: Session, make: Factory, publish: Any
) -> None:
    start(candidate)
    attempt = attempt_of(db_session, invited)
    assert attempt.exercise_version.kind is ContentKind.EXERCISE
    assert attempt.exercise_version.content_hash == make.library.exercise(A).content_hash
    limit = next(e.time_limit_minutes for e in invited.candidate.opening.exercises if e.exercise_key == A)
    assert attempt.deadline_at == attempt.started_at + timedelta(minutes=limit)
    started_on = attempt.exercise_version.content_hash
    # The brief is edited and the new version served while Robin is still at work.
    edited = publish(f"exercises/{A}/exercise.md", "No outside research is needed.",
                     "No outside research is needed. THIS SENTENCE IS NEW IN THE SECOND VERSION.")
    assert edited.exercise(A).content_hash != started_on
    page = candidate.get(f"/c/exercises/{A}").get_data(as_text=True)
    assert "No outside research is needed." in page
    assert "THIS SENTENCE IS NEW IN THE SECOND VERSION" not in page
    assert attempt_of(db_session, invited).exercise_version.content_hash == started_on
    newcomer = make.attempt(invited.candidate.opening)
    assert newcomer.exercise_version.content_hash == edited.exercise(A).content_hash
    assert newcomer.exercise_version.id != attempt.exercise_version.id


def test_the_exercise_page_shows_the_brief_a_field_per_section_and_the_time_left(
    candidate: FlaskClient, make: Factory
) -> None:
    start(candidate)
    page = candidate.get(f"/c/exercises/{A}").get_data(as_text=True)
    exercise = make.library.exercise(A).content
    for section in exercise.sections:
        assert f'name="answer_{section.key}"' in page
    assert "Fernloop" in page
    assert 'data-seconds-left="5400"' in page


def test_consecutive_candidates_get_different_data_variants(
    client: FlaskClient, make: Factory, db_session: Session, clock: FrozenClock
) -> None:
    opening = make.opening()
    seen = set()
    for _ in range(3):
        open_link(client, make.invite(opening).link)
        start(client, B)
        page = client.get(f"/c/exercises/{B}")
        assert page.status_code == 200
        seen.add(db_session.scalars(select(Attempt.data_variant).order_by(Attempt.id.desc())).first())
    assert len(seen) == 3


def test_the_analytics_data_is_a_chart_a_table_and_a_csv(candidate: FlaskClient, invited: Any, db_session: Session, make: Factory) -> None:
    start(candidate, B)
    page = candidate.get(f"/c/exercises/{B}").get_data(as_text=True)
    assert page.count("<canvas") == 3
    assert page.count('<table class="table data-table">') == 3
    assert 'scope="row"' in page
    csv = candidate.get(f"/c/exercises/{B}/data/funnel.csv")
    assert csv.status_code == 200
    assert csv.mimetype == "text/csv"
    variant = attempt_of(db_session, invited, B).data_variant
    original = (make.library.root / "exercises" / B / "data" / variant / "funnel.csv").read_text()
    assert csv.get_data(as_text=True).splitlines() == original.strip().splitlines()
    assert candidate.get(f"/c/exercises/{B}/data/nothing.csv").status_code == 404


# -- autosave --------------------------------------------------------------------------------


def test_an_autosave_is_stored_and_reloads(candidate: FlaskClient, invited: Any, db_session: Session) -> None:
    start(candidate)
    response = autosave(candidate, answers={"problem_statement": "Admins stall at the card feed."})
    assert response.status_code == 200
    assert response.get_json()["status"] == "accepted"
    assert response.get_json()["revision"] == 1
    assert "Admins stall at the card feed." in candidate.get(f"/c/exercises/{A}").get_data(as_text=True)


def test_an_older_save_never_overwrites_a_newer_one(
    candidate: FlaskClient, invited: Any, db_session: Session
) -> None:
    start(candidate)
    autosave(candidate, seq=2, answers={"problem_statement": "newer"})
    late = autosave(candidate, seq=1, answers={"problem_statement": "older"}, base_revision=0)
    assert late.get_json()["status"] == "stale"
    assert attempt_of(db_session, invited).draft.answers["problem_statement"] == "newer"


def test_a_second_tab_is_told_the_other_copy_is_current(
    candidate: FlaskClient, invited: Any, db_session: Session
) -> None:
    start(candidate)
    autosave(candidate, client_id="tab-one-1234", seq=1, answers={"problem_statement": "from tab one"})
    other = autosave(candidate, client_id="tab-two-5678", seq=1, base_revision=0,
                     answers={"problem_statement": "from tab two"})
    assert other.status_code == 409
    assert "another tab" in other.get_json()["message"]
    assert "kept as a copy" in other.get_json()["message"]
    assert attempt_of(db_session, invited).draft.answers["problem_statement"] == "from tab one"
    reloaded = autosave(candidate, client_id="tab-two-5678", seq=2, base_revision=1,
                        answers={"problem_statement": "tab two after reloading"})
    assert reloaded.get_json()["status"] == "accepted"


def test_the_same_save_number_with_other_text_is_kept_and_never_acknowledged_as_saved(
    candidate: FlaskClient, invited: Any, db_session: Session
) -> None:
    start(candidate)
    autosave(candidate, seq=5, answers={"problem_statement": "five"})
    again = autosave(candidate, seq=5, answers={"problem_statement": "five, but other words"})
    assert again.status_code == 409
    attempt = attempt_of(db_session, invited)
    assert attempt.draft.answers["problem_statement"] == "five"
    assert [c.answers["problem_statement"] for c in attempt.copies] == ["five, but other words"]
    assert autosave(candidate, seq=5, answers={"problem_statement": "five"}).get_json()["status"] == "accepted"


def test_a_save_that_leaves_out_a_section_keeps_that_sections_saved_text(
    candidate: FlaskClient, invited: Any, db_session: Session
) -> None:
    start(candidate)
    autosave(candidate, answers={"problem_statement": "p", "assumptions": "kept assumptions"})
    autosave(candidate, seq=2, base_revision=1, answers={"problem_statement": "p, longer"})
    answers = attempt_of(db_session, invited).draft.answers
    assert (answers["problem_statement"], answers["assumptions"]) == ("p, longer", "kept assumptions")


def test_an_answer_over_its_limit_is_refused_and_the_saved_text_kept(
    candidate: FlaskClient, invited: Any, db_session: Session, make: Factory
) -> None:
    start(candidate)
    autosave(candidate, answers={"problem_statement": "short and saved"})
    limit = make.library.exercise(A).content.section("problem_statement").max_chars
    response = autosave(candidate, seq=2, base_revision=1, answers={"problem_statement": "x" * (limit + 1)})
    assert response.status_code == 400
    assert f"the limit is {limit:,}" in response.get_json()["message"]
    assert attempt_of(db_session, invited).draft.answers["problem_statement"] == "short and saved"


def test_a_malformed_save_gets_a_message(candidate: FlaskClient) -> None:
    start(candidate)
    response = autosave(candidate, seq="soon")
    assert response.status_code == 400
    assert "reload the page" in response.get_json()["message"]


def test_a_save_without_the_csrf_header_is_refused(candidate: FlaskClient) -> None:
    start(candidate)
    response = candidate.post(f"/c/exercises/{A}/autosave", json={"client_id": "tab-aaaaaaaa", "seq": 1,
                                                                "base_revision": 0, "answers": {}})
    assert response.status_code == 400


def test_saves_are_accepted_through_the_grace_and_refused_after_it(
    candidate: FlaskClient, invited: Any, db_session: Session, clock: FrozenClock
) -> None:
    start(candidate)
    deadline = attempt_service.attempt_deadline(attempt_of(db_session, invited))
    token = csrf_token(candidate, f"/c/exercises/{A}")

    def save(seq: int, text: str) -> Any:
        return candidate.post(
            f"/c/exercises/{A}/autosave", headers={"X-CSRFToken": token},
            json={"client_id": "tab-aaaaaaaa", "seq": seq, "base_revision": seq - 1,
                  "answers": {"problem_statement": text}},
        )

    clock.now = deadline.closes_at - GRACE / 60
    assert save(1, "in the grace").get_json()["status"] == "accepted"
    clock.now = deadline.closes_at
    late = save(2, "too late")
    assert late.status_code == 410
    assert "time for this exercise is over" in late.get_json()["message"]
    assert attempt_of(db_session, invited).draft.answers["problem_statement"] == "in the grace"


def test_an_extension_is_enforced_on_saves_on_the_page_and_in_the_sweep(
    candidate: FlaskClient, invited: Any, db_session: Session, clock: FrozenClock, config: Any
) -> None:
    start(candidate)
    first = attempt_service.attempt_deadline(attempt_of(db_session, invited))
    links.extend_time(db_session, attempt_of(db_session, invited).candidate, 30, actor=None, now=clock.now)
    clock.now = first.closes_at + timedelta(minutes=5)
    assert answering.sweep(db_session, config, now=clock.now) == 0
    page = candidate.get(f"/c/exercises/{A}").get_data(as_text=True)
    assert re.search(r'data-seconds-left="(\d+)"', page).group(1) == str(24 * 60)  # type: ignore[union-attr]
    assert autosave(candidate, answers={"problem_statement": "in the extra time"}).status_code == 200
    clock.now = first.closes_at + timedelta(minutes=30)
    assert answering.sweep(db_session, config, now=clock.now) == 1
    assert autosave(candidate, seq=2, base_revision=1, answers={"problem_statement": "too late"}).status_code == 410
    assert attempt_of(db_session, invited).submission.answers["problem_statement"] == "in the extra time"


# -- submitting ---------------------------------------------------------------------------------


def test_submitting_twice_makes_one_submission_and_a_receipt(
    candidate: FlaskClient, invited: Any, db_session: Session
) -> None:
    start(candidate)
    first = submit_form(candidate, problem_statement="My final problem statement.")
    assert first.headers["Location"] == f"/c/exercises/{A}/receipt"
    token = csrf_token(candidate, f"/c/exercises/{A}/receipt")
    again = candidate.post(f"/c/exercises/{A}", data={"csrf_token": token, "confirm": "y",
                                                       "answer_problem_statement": "changed"})
    assert again.headers["Location"] == f"/c/exercises/{A}/receipt"
    submissions = db_session.scalars(select(Submission)).all()
    assert len(submissions) == 1
    assert submissions[0].answers["problem_statement"] == "My final problem statement."
    assert submissions[0].submitted_by is SubmittedBy.CANDIDATE
    receipt = candidate.get(f"/c/exercises/{A}/receipt").get_data(as_text=True)
    assert submissions[0].digest[:16] in receipt
    mail = db_session.scalars(select(OutboundEmail).where(OutboundEmail.subject.startswith("Received"))).one()
    assert submissions[0].digest[:16] in mail.body_text
    assert mail.to_address == "robin@example.net"


def test_after_submitting_the_answer_is_read_only(candidate: FlaskClient, invited: Any) -> None:
    start(candidate)
    submit_form(candidate, problem_statement="Done.")
    assert candidate.get(f"/c/exercises/{A}").headers["Location"] == f"/c/exercises/{A}/receipt"
    token = csrf_token(candidate, f"/c/exercises/{A}/receipt")
    response = candidate.post(f"/c/exercises/{A}/autosave", headers={"X-CSRFToken": token},
                              json={"client_id": "tab-aaaaaaaa", "seq": 9, "base_revision": 1,
                                    "answers": {"problem_statement": "edited later"}})
    assert response.status_code == 410


def test_without_javascript_submitting_asks_for_confirmation_first(
    candidate: FlaskClient, invited: Any, db_session: Session
) -> None:
    start(candidate)
    page = submit_form(candidate, confirm=False, problem_statement="Written without JavaScript.")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Yes, submit my answer" in text
    assert "Written without JavaScript." in text
    assert db_session.scalar(select(func.count(Submission.id))) == 0
    assert attempt_of(db_session, invited).draft.answers["problem_statement"] == "Written without JavaScript."
    assert submit_form(candidate, problem_statement="Written without JavaScript.").status_code == 302
    assert db_session.scalar(select(func.count(Submission.id))) == 1


def test_without_javascript_the_save_button_saves(candidate: FlaskClient, invited: Any, db_session: Session) -> None:
    start(candidate)
    token = csrf_token(candidate, f"/c/exercises/{A}")
    response = candidate.post(f"/c/exercises/{A}", data={
        "csrf_token": token, "base_revision": "0", "client_id": "form-xyz-1",
        "answer_assumptions": "Saved by pressing Save.", "save": "Save",
    })
    assert response.status_code == 302
    assert attempt_of(db_session, invited).draft.answers["assumptions"] == "Saved by pressing Save."


def test_opening_the_page_after_the_deadline_submits_the_saved_text(
    candidate: FlaskClient, invited: Any, db_session: Session, clock: FrozenClock
) -> None:
    start(candidate)
    autosave(candidate, answers={"problem_statement": "what I had saved"})
    clock.now = attempt_service.attempt_deadline(attempt_of(db_session, invited)).closes_at
    response = candidate.get(f"/c/exercises/{A}")
    assert response.headers["Location"] == f"/c/exercises/{A}/receipt"
    submission = attempt_of(db_session, invited).submission
    assert submission is not None
    assert submission.submitted_by is SubmittedBy.DEADLINE
    assert submission.answers["problem_statement"] == "what I had saved"


def test_the_sweep_submits_attempts_whose_browser_is_gone(
    candidate: FlaskClient, invited: Any, db_session: Session, clock: FrozenClock, app: Flask
) -> None:
    start(candidate)
    autosave(candidate, answers={"problem_statement": "left behind"})
    deadline = attempt_service.attempt_deadline(attempt_of(db_session, invited))
    config = app.config["ASSESS"]
    assert answering.sweep(db_session, config, now=deadline.closes_at - GRACE / 2) == 0
    assert answering.sweep(db_session, config, now=deadline.closes_at + GRACE) == 1
    assert answering.sweep(db_session, config, now=deadline.closes_at + GRACE) == 0
    submission = attempt_of(db_session, invited).submission
    assert submission is not None and submission.answers["problem_statement"] == "left behind"


def test_an_extension_moves_the_deadline_of_an_attempt_under_way(
    candidate: FlaskClient, invited: Any, db_session: Session
) -> None:
    start(candidate)
    before = attempt_of(db_session, invited).deadline_at
    candidate_row = attempt_of(db_session, invited).candidate
    links.extend_time(db_session, candidate_row, 30, actor=None,
                      now=candidate.application.extensions["assess.clock"]())
    after = attempt_of(db_session, invited)
    assert (after.deadline_at - before).total_seconds() == 30 * 60
    start(candidate, "d-writing-sample")
    later = attempt_of(db_session, invited, "d-writing-sample")
    assert later.deadline_at - later.started_at == timedelta(minutes=20 + 30)


def test_one_candidate_never_sees_anothers_work(
    client: FlaskClient, app: Flask, make: Factory, invited: Any, db_session: Session, clock: FrozenClock
) -> None:
    open_link(client, invited.link)
    start(client)
    autosave(client, answers={"problem_statement": "Robin's private words"})
    other = app.test_client()
    open_link(other, make.invite(invited.candidate.opening, name="Kai", email="kai@example.net").link)
    assert other.get(f"/c/exercises/{A}").status_code == 404
    start(other)
    assert "Robin's private words" not in other.get(f"/c/exercises/{A}").get_data(as_text=True)
    assert db_session.scalar(select(func.count(Draft.id))) == 1


def test_every_save_answers_with_the_deadline_so_added_time_shows_without_a_reload(
    candidate: FlaskClient, invited: Any, db_session: Session, clock: FrozenClock
) -> None:
    start(candidate)
    before = autosave(candidate, answers={"problem_statement": "x"}).get_json()
    links.extend_time(db_session, attempt_of(db_session, invited).candidate, 15, actor=None, now=clock.now)
    after = autosave(candidate, seq=2, base_revision=1, answers={"problem_statement": "xy"}).get_json()
    assert after["seconds_left"] - before["seconds_left"] == 15 * 60
    shown = attempt_service.attempt_deadline(attempt_of(db_session, invited)).shown_at
    assert after["deadline_utc"] == f"{shown:%H:%M}" != before["deadline_utc"]
