"""A candidate is told about the AI aid before starting and may ask that no AI reads their work, over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from assess.models import AiDraft, AiDraftStatus, Assignment, AuditEvent, Candidate, Role, User
from assess.services import ai_aid, ai_drafts, answering, attempts, effects
from tests.support.ai import ANSWERS, QUOTE, good_draft
from tests.support.app import FrozenClock
from tests.support.factories import Factory
from tests.support.openai_server import ScriptedOpenAI
from tests.support.web import csrf_token, open_link

A = "a-mini-prd"
DEFAULT_NOTICE = "Interviewers may ask an AI assistant for a draft assessment of your answers."
BUTTON = "Ask that no AI reads my work"
SAID_TO_INTERVIEWERS = "AI not available for this candidate."


@pytest.fixture
def interviewer(make: Factory) -> User:
    return make.user(Role.INTERVIEWER, name="Iris Interviewer")


@pytest.fixture
def invited(ai_app: Flask, make: Factory, clock: FrozenClock) -> Any:
    """Quinn, invited to an opening with the AI aid on; the invitation with its link."""
    opening = make.opening(make.user(Role.HIRING_MANAGER), ai_enabled=True)
    return make.invite(opening, name="Quinn Secretname", email="quinn.secret@example.net")


@pytest.fixture
def candidate_client(ai_app: Flask, invited: Any) -> FlaskClient:
    browser = ai_app.test_client()
    assert open_link(browser, invited.link).status_code == 302
    return browser


@pytest.fixture
def assignment(ai_app: Flask, make: Factory, db_session: Session, invited: Any, interviewer: User) -> Assignment:
    """Quinn handed in the mini-PRD; Iris is scoring it and has rated every dimension."""
    attempt = attempts.start(db_session, make.library, invited.candidate, A, now=make.now())
    answering.submit(db_session, ai_app.config["ASSESS"], attempt, answers=ANSWERS, now=make.now())
    made = make.assignment(attempt, interviewer)
    make.scorecard(made, 2, submit=False, actor=interviewer)
    return made


def decline(browser: FlaskClient) -> Any:
    return browser.post("/c/ai-choice", data={"csrf_token": csrf_token(browser, "/c/")}, follow_redirects=True)


def hold_drafts(session: Session) -> None:
    """Drafts asked for from this session wait in the queue until the test runs them."""
    onwards = effects.connected(session.info)
    effects.connect(session.info, lambda effect, ids: effect is not effects.Effect.AI_DRAFT and bool(
        onwards and onwards(effect, ids)))


def refreshed(session: Session, candidate: Candidate) -> Candidate:
    session.expire_all()
    return session.get(Candidate, candidate.id)  # type: ignore[return-value]


# -- what the candidate reads ------------------------------------------------------------------------------


def test_the_welcome_page_says_what_the_aid_does_and_that_people_decide_above_the_start_buttons(
    candidate_client: FlaskClient,
) -> None:
    page = candidate_client.get("/c/").get_data(as_text=True)
    assert DEFAULT_NOTICE in page and "People decide every score" in page and BUTTON in page
    assert page.index(DEFAULT_NOTICE) < page.index(BUTTON) < page.index("Start ·")


def test_the_opening_s_own_words_about_the_aid_are_shown(
    ai_app: Flask, make: Factory, db_session: Session, clock: FrozenClock,
) -> None:
    opening = make.opening(make.user(Role.HIRING_MANAGER), ai_enabled=True,
                           ai_notice="Our interviewers can ask Model X for a first reading of your answers.")
    browser = ai_app.test_client()
    open_link(browser, make.invite(opening).link)
    page = browser.get("/c/").get_data(as_text=True)
    assert "Our interviewers can ask Model X for a first reading" in page and DEFAULT_NOTICE not in page


@pytest.mark.parametrize("why", ["not set up", "switched off for everyone", "off for the opening"])
def test_no_notice_or_choice_is_offered_when_no_ai_can_read_the_work(
    why: str, app: Flask, server: ScriptedOpenAI, make: Factory, db_session: Session, clock: FrozenClock,
) -> None:
    if why != "not set up":
        app.config["ASSESS"] = app.config["ASSESS"].with_overrides(
            {"ai_api_key": "test-key", "ai_base_url": server.base_url, "ai_model": "test-model"})
    if why == "switched off for everyone":
        ai_aid.set_enabled(db_session, False, actor=make.user(Role.ADMIN), now=make.now())
    opening = make.opening(make.user(Role.HIRING_MANAGER), ai_enabled=why != "off for the opening")
    browser = app.test_client()
    open_link(browser, make.invite(opening).link)
    page = browser.get("/c/").get_data(as_text=True)
    assert BUTTON not in page and DEFAULT_NOTICE not in page


def test_asking_is_recorded_audited_and_then_shown_with_its_date(
    candidate_client: FlaskClient, invited: Any, db_session: Session, clock: FrozenClock,
) -> None:
    clock.advance(hours=1)
    answer = decline(candidate_client)
    page = answer.get_data(as_text=True)
    assert "Recorded: no AI will read your work" in page and "cannot affect how your work is assessed" in page
    candidate = refreshed(db_session, invited.candidate)
    asked = clock.now
    assert candidate.ai_opted_out_at == asked
    assert "No AI reads your work" in page and 'datetime="2026-11-02T10:00:00Z"' in page
    assert BUTTON not in page
    [event] = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "candidate.ai_opted_out")).all()
    assert (event.subject_id, event.actor_kind) == (candidate.id, "candidate")
    clock.advance(days=1)
    decline(candidate_client)  # asking again changes nothing
    assert refreshed(db_session, invited.candidate).ai_opted_out_at == asked


def test_a_candidate_asks_only_for_themselves(
    ai_app: Flask, candidate_client: FlaskClient, invited: Any, make: Factory, db_session: Session,
) -> None:
    other = make.invite(invited.candidate.opening, name="Bea Other")
    other_browser = ai_app.test_client()
    open_link(other_browser, other.link)
    decline(other_browser)
    assert refreshed(db_session, other.candidate).ai_opted_out_at is not None
    assert refreshed(db_session, invited.candidate).ai_opted_out_at is None


# -- the choice honoured everywhere --------------------------------------------------------------------------


def interviewer_sees(browser: FlaskClient, assignment: Assignment) -> str:
    return (browser.get(f"/review/assignments/{assignment.id}").get_data(as_text=True)
            + browser.get(f"/review/assignments/{assignment.id}/ai-draft").get_data(as_text=True))


def assert_only_not_available(seen: str) -> None:
    assert SAID_TO_INTERVIEWERS in seen
    for hint in ("declin", "opted", "opt out", "opt-out", "no ai reads", "asked that no ai", "their choice"):
        assert hint not in seen.lower(), hint


def test_once_declined_no_draft_can_be_asked_for_and_the_interviewer_reads_only_that_ai_is_not_available(
    candidate_client: FlaskClient, assignment: Assignment, interviewer: User, browser_for: Any,
    db_session: Session, server: ScriptedOpenAI,
) -> None:
    decline(candidate_client)
    browser = browser_for(interviewer)
    seen = interviewer_sees(browser, assignment)
    assert_only_not_available(seen)
    assert "Ask for an AI draft" not in seen
    url = f"/review/assignments/{assignment.id}"
    answer = browser.post(f"{url}/ai-draft", data={"csrf_token": csrf_token(browser, url)},
                          headers={"X-Fragment": "1"})
    assert SAID_TO_INTERVIEWERS in answer.get_data(as_text=True)
    assert db_session.scalars(select(AiDraft)).all() == [] and server.requests == []


def test_a_draft_asked_for_before_and_still_queued_is_not_made(
    ai_app: Flask, candidate_client: FlaskClient, assignment: Assignment, interviewer: User, browser_for: Any,
    db_session: Session, server: ScriptedOpenAI,
) -> None:
    hold_drafts(db_session)
    queued = ai_drafts.request(db_session, ai_app.config["ASSESS"], ai_app.extensions["assess.content"],
                               assignment, actor=interviewer, now=ai_app.extensions["assess.clock"]())
    decline(candidate_client)
    server.reply(good_draft())
    db_session.expire_all()  # the worker reads afresh
    done = ai_drafts.run(db_session, ai_app.config["ASSESS"], queued.id, now=ai_app.extensions["assess.clock"]())
    assert done is not None and done.status is AiDraftStatus.FAILED and server.requests == []
    assert_only_not_available(interviewer_sees(browser_for(interviewer), assignment))


def test_a_draft_made_before_is_no_longer_shown(
    ai_app: Flask, candidate_client: FlaskClient, assignment: Assignment, interviewer: User, browser_for: Any,
    db_session: Session, server: ScriptedOpenAI, make: Factory,
) -> None:
    hold_drafts(db_session)
    server.reply(good_draft())
    made = ai_drafts.request(db_session, ai_app.config["ASSESS"], ai_app.extensions["assess.content"],
                             assignment, actor=interviewer, now=ai_app.extensions["assess.clock"]())
    ai_drafts.run(db_session, ai_app.config["ASSESS"], made.id, now=ai_app.extensions["assess.clock"]())
    browser = browser_for(interviewer)
    shown = f'<blockquote class="small">{QUOTE}</blockquote>'
    assert shown in interviewer_sees(browser, assignment) and "Because of communication." in interviewer_sees(
        browser, assignment)
    candidate = assignment.attempt.candidate
    manager = browser_for(candidate.opening.hiring_manager)
    record_url = f"/hiring/openings/{candidate.opening.slug}/candidates/{candidate.id}"
    assert "AI draft" in manager.get(record_url).get_data(as_text=True)
    decline(candidate_client)
    seen = interviewer_sees(browser, assignment)
    assert shown not in seen and "Because of communication." not in seen
    assert_only_not_available(seen)
    record = manager.get(record_url).get_data(as_text=True)
    assert "AI draft" not in record and "Before AI" not in record  # the hiring manager no longer sees it either
    # The AI-use log is the record of what happened: the draft stays in it, marked as made before the choice.
    admin = browser_for(make.user(Role.ADMIN))
    [logged] = admin.get("/admin/ai-use.json").get_json()["drafts"]
    db_session.refresh(candidate)
    assert logged["draft_id"] == made.id and logged["candidate_declined_ai_at"] == candidate.ai_opted_out_at.isoformat()


# -- late asks: after handing in everything, or once the link has expired -----------------------------------


def test_a_candidate_who_handed_in_everything_may_still_ask_and_it_holds_from_then_on(
    ai_app: Flask, candidate_client: FlaskClient, invited: Any, assignment: Assignment, make: Factory,
    db_session: Session, interviewer: User, browser_for: Any,
) -> None:
    for key in ("b-analytics", "d-writing-sample"):
        attempt = attempts.start(db_session, make.library, invited.candidate, key, now=make.now())
        answering.submit(db_session, ai_app.config["ASSESS"], attempt, answers=make.benchmark_answers(key),
                         now=make.now())
    page = candidate_client.get("/c/").get_data(as_text=True)
    assert "Start ·" not in page and BUTTON in page
    decline(candidate_client)
    assert refreshed(db_session, invited.candidate).ai_opted_out_at is not None
    assert_only_not_available(interviewer_sees(browser_for(interviewer), assignment))


def test_a_candidate_whose_link_expired_may_still_ask_from_the_session_they_opened(
    candidate_client: FlaskClient, invited: Any, db_session: Session, clock: FrozenClock,
) -> None:
    clock.now = invited.candidate.invitations[-1].expires_at
    clock.advance(days=1)
    assert open_link(FlaskClient(candidate_client.application), invited.link).status_code == 410  # the link is over
    page = candidate_client.get("/c/").get_data(as_text=True)
    assert BUTTON in page
    assert "Recorded: no AI will read your work" in decline(candidate_client).get_data(as_text=True)
    assert refreshed(db_session, invited.candidate).ai_opted_out_at == clock.now


def test_the_choice_cannot_be_sent_without_the_page_s_token(candidate_client: FlaskClient, invited: Any,
                                                            db_session: Session) -> None:
    answer = candidate_client.post("/c/ai-choice", data={})
    assert answer.status_code == 400
    assert refreshed(db_session, invited.candidate).ai_opted_out_at is None
