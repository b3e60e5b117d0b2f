"""Who saw each AI draft, the AI-use log an admin downloads, and how far drafts moved ratings, over HTTP."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assess import create_app
from assess.db import get_database
from assess.models import AiDraft, AiDraftStatus, AiDraftView, Assignment, AuditEvent, Candidate, Role, User
from assess.services import ai_drafts, ai_use, effects
from tests.support.ai import DIMENSIONS, QUOTE, good_draft, rated_assignment, with_ai
from tests.support.app import FrozenClock, make_config
from tests.support.concurrency import at_once
from tests.support.factories import Factory
from tests.support.openai_server import ScriptedOpenAI
from tests.support.web import form_data, sign_in_session

# Rated 2 everywhere before the draft (which says 4 everywhere); submitted afterwards as:
FINAL = {"problem_framing": 4, "requirements_quality": 3, "analytics_measurement": 2, "communication": 1,
         "customer_empathy": 4}
# so 5 dimensions differed, 3 moved towards the draft (4, 3, 4), 2 were taken as drafted (the two 4s).


def drafted(session: Session, app: Flask, assignment: Assignment, server: ScriptedOpenAI, **reply: Any) -> AiDraft:
    """Ask for a draft and make it at once, as the worker would."""
    onwards = effects.connected(session.info)
    effects.connect(session.info, lambda effect, ids: effect is not effects.Effect.AI_DRAFT and bool(
        onwards and onwards(effect, ids)))
    server.reply(good_draft(**reply))
    now = app.extensions["assess.clock"]()
    row = ai_drafts.request(session, app.config["ASSESS"], app.extensions["assess.content"], assignment,
                            actor=assignment.interviewer, now=now)
    done = ai_drafts.run(session, app.config["ASSESS"], row.id, now=now)
    assert done is not None and done.status is AiDraftStatus.DONE, done and done.error
    return done


@pytest.fixture
def interviewer(make: Factory) -> User:
    return make.user(Role.INTERVIEWER, name="Zoë Ångström")


@pytest.fixture
def assignment(ai_app: Flask, make: Factory, db_session: Session, interviewer: User, clock: FrozenClock) -> Assignment:
    return rated_assignment(make, db_session, ai_app.config["ASSESS"], interviewer)


def views(session: Session, draft: AiDraft) -> list[AiDraftView]:
    session.expire_all()
    return list(session.scalars(select(AiDraftView).where(AiDraftView.draft_id == draft.id)))


# -- who saw a draft ---------------------------------------------------------------------------------------


def test_a_finished_draft_shown_on_the_page_and_in_the_panel_is_one_view_with_its_first_and_last_time(
    ai_app: Flask, server: ScriptedOpenAI, assignment: Assignment, db_session: Session, client: FlaskClient,
    interviewer: User, clock: FrozenClock,
) -> None:
    draft = drafted(db_session, ai_app, assignment, server)
    sign_in_session(client, interviewer)
    first = clock.advance(minutes=1)
    assert QUOTE in client.get(f"/review/assignments/{assignment.id}").get_data(as_text=True)
    last = clock.advance(minutes=5)
    assert client.get(f"/review/assignments/{assignment.id}/ai-draft").status_code == 200
    [view] = views(db_session, draft)
    assert (view.user_id, view.first_viewed_at, view.last_viewed_at) == (interviewer.id, first, last)


def test_a_hiring_manager_reading_the_draft_on_the_candidate_page_is_recorded_as_a_view(
    ai_app: Flask, server: ScriptedOpenAI, assignment: Assignment, db_session: Session, browser_for: Any,
    clock: FrozenClock,
) -> None:
    draft = drafted(db_session, ai_app, assignment, server)
    candidate = assignment.attempt.candidate
    manager = candidate.opening.hiring_manager
    seen_at = clock.advance(minutes=3)
    page = browser_for(manager).get(f"/hiring/openings/{candidate.opening.slug}/candidates/{candidate.id}")
    assert page.status_code == 200 and "AI draft" in page.get_data(as_text=True)
    [view] = views(db_session, draft)
    assert (view.user_id, view.first_viewed_at) == (manager.id, seen_at)


def test_a_draft_not_finished_is_not_recorded_as_seen(
    ai_app: Flask, server: ScriptedOpenAI, assignment: Assignment, db_session: Session, client: FlaskClient,
    interviewer: User,
) -> None:
    effects.connect(db_session.info, lambda effect, ids: False)
    queued = ai_drafts.request(db_session, ai_app.config["ASSESS"], ai_app.extensions["assess.content"],
                               assignment, actor=interviewer, now=ai_app.extensions["assess.clock"]())
    sign_in_session(client, interviewer)
    assert "Drafting" in client.get(f"/review/assignments/{assignment.id}/ai-draft").get_data(as_text=True)
    client.get(f"/review/assignments/{assignment.id}")
    assert views(db_session, queued) == []


def test_two_tabs_opening_a_draft_at_the_same_moment_make_one_view_and_no_error(
    committed_url: str, tmp_path: Path, server: ScriptedOpenAI,
) -> None:
    app = with_ai(create_app(make_config(tmp_path, database_url=committed_url)), server)
    try:
        with app.app_context():
            session = get_database(app).new_session()
            make = Factory(session, app)
            interviewer = make.user(Role.INTERVIEWER)
            made = rated_assignment(make, session, app.config["ASSESS"], interviewer)
            draft_id = drafted(session, app, made, server).id
            url = f"/review/assignments/{made.id}"
            session.close()
        tabs = [app.test_client() for _ in range(4)]
        for tab in tabs:
            sign_in_session(tab, interviewer)
        answers = at_once(*(lambda tab=tab, n=n: tab.get(url if n % 2 else f"{url}/ai-draft")
                            for n, tab in enumerate(tabs)))
        assert [getattr(a, "status_code", a) for a in answers] == [200] * 4
        with app.app_context():
            session = get_database(app).new_session()
            assert session.scalar(select(func.count()).select_from(AiDraftView)
                                  .where(AiDraftView.draft_id == draft_id)) == 1
            session.close()
    finally:
        get_database(app).engine.dispose()


# -- the AI-use log ----------------------------------------------------------------------------------------


@pytest.fixture
def seen_and_submitted(ai_app: Flask, server: ScriptedOpenAI, assignment: Assignment, db_session: Session,
                       interviewer: User, clock: FrozenClock, browser_for: Any) -> AiDraft:
    """The interviewer saw the draft, then submitted FINAL through the form."""
    draft = drafted(db_session, ai_app, assignment, server)
    browser = browser_for(interviewer)
    clock.advance(minutes=2)
    url = f"/review/assignments/{assignment.id}"
    browser.get(url)
    clock.advance(minutes=10)
    answer = browser.post(url, data=form_data(browser, url, FINAL))
    assert answer.status_code == 302
    return draft


@pytest.fixture
def admin(make: Factory, browser_for: Any) -> FlaskClient:
    return browser_for(make.user(Role.ADMIN, name="Ada Admin"))  # type: ignore[no-any-return]


def test_the_csv_log_has_the_draft_its_answer_views_and_ratings_before_and_after_but_never_the_name(
    seen_and_submitted: AiDraft, admin: FlaskClient, assignment: Assignment, db_session: Session,
) -> None:
    answer = admin.get("/admin/ai-use.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    body = answer.get_data().decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))
    assert [r["dimension"] for r in rows] == list(DIMENSIONS)
    by_dimension = {r["dimension"]: r for r in rows}
    candidate = assignment.attempt.candidate
    row = by_dimension["communication"]
    assert (row["draft_id"], row["opening"], row["candidate"], row["scorecard_id"]) == (
        str(seen_and_submitted.id), candidate.opening.slug, candidate.pseudonym, str(assignment.scorecard.id))
    assert (row["interviewer"], row["model"], row["prompt_version"], row["status"]) == (
        "Zoë Ångström", "test-model", seen_and_submitted.prompt_version, "done")
    assert (row["ai_score"], row["ai_evidence"], row["ai_rationale"]) == ("4", QUOTE, "Because of communication.")
    assert (row["rating_before_ai"], row["rating_after"], row["rating_after_is"]) == ("2", "1", "first submitted")
    assert by_dimension["requirements_quality"]["rating_after"] == "3"
    # opened at 09:02, and again at 09:12 when the page was loaded to submit the scorecard
    assert row["viewed_by"] == "Zoë Ångström (first 2026-11-02T09:02:00+00:00, last 2026-11-02T09:12:00+00:00)"
    for secret in ("Quinn", "Secretname", "quinn.secret"):
        assert secret not in body
    [event] = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "ai_use.exported")).all()
    assert event.details["format"] == "csv"


def test_the_json_log_holds_the_stored_answer_and_says_which_ratings_after_it_shows(
    ai_app: Flask, server: ScriptedOpenAI, seen_and_submitted: AiDraft, admin: FlaskClient, make: Factory,
    db_session: Session,
) -> None:
    other = rated_assignment(make, db_session, ai_app.config["ASSESS"], make.user(Role.INTERVIEWER))
    unseen = drafted(db_session, ai_app, other, server, score=3)
    answer = admin.get("/admin/ai-use.json")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    body = answer.get_json()
    assert (body["page"], body["pages"], body["total"], body["next"]) == (1, 1, 2, None)
    first, second = body["drafts"]
    assert first["answer"] == seen_and_submitted.result
    assert first["ratings_before_ai"] == dict.fromkeys(DIMENSIONS, 2)
    assert (first["ratings_after"], first["ratings_after_are"]) == (FINAL, "first submitted")
    assert [v["name"] for v in first["views"]] == ["Zoë Ångström"]
    assert second["draft_id"] == unseen.id and second["views"] == []
    assert (second["ratings_after"], second["ratings_after_are"]) == (dict.fromkeys(DIMENSIONS, 2),
                                                                      "as saved, not yet submitted")
    assert "Quinn" not in answer.get_data(as_text=True)


def test_the_json_log_comes_in_pages_that_name_the_next(
    ai_app: Flask, server: ScriptedOpenAI, make: Factory, db_session: Session, admin: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ai_use, "PER_PAGE", 2)
    made = [drafted(db_session, ai_app, rated_assignment(make, db_session, ai_app.config["ASSESS"],
                                                          make.user(Role.INTERVIEWER)), server).id
            for _ in range(3)]
    first = admin.get("/admin/ai-use.json").get_json()
    assert [d["draft_id"] for d in first["drafts"]] == made[:2] and first["pages"] == 2
    second = admin.get(first["next"]).get_json()
    assert [d["draft_id"] for d in second["drafts"]] == made[2:] and second["next"] is None
    beyond = admin.get("/admin/ai-use.json?page=3")
    assert beyond.status_code == 404 and "it has 2" in beyond.get_json()["message"]
    for before_the_first in ("0", "-1"):
        refused = admin.get(f"/admin/ai-use.json?page={before_the_first}")
        assert refused.status_code == 400 and "numbered from 1" in refused.get_json()["message"]


def test_the_log_is_filtered_by_opening_and_by_the_day_a_draft_was_asked_for(
    ai_app: Flask, server: ScriptedOpenAI, make: Factory, db_session: Session, admin: FlaskClient,
    clock: FrozenClock,
) -> None:
    early = drafted(db_session, ai_app, rated_assignment(make, db_session, ai_app.config["ASSESS"],
                                                          make.user(Role.INTERVIEWER)), server)
    clock.advance(days=3)
    late = drafted(db_session, ai_app, rated_assignment(make, db_session, ai_app.config["ASSESS"],
                                                         make.user(Role.INTERVIEWER)), server)
    slug = late.scorecard.assignment.attempt.candidate.opening.slug

    def ids(query: str) -> list[int]:
        return [d["draft_id"] for d in admin.get(f"/admin/ai-use.json?{query}").get_json()["drafts"]]

    assert ids("") == [early.id, late.id]
    assert ids(f"opening={slug}") == [late.id]
    assert ids("since=2026-11-02&until=2026-11-02") == [early.id]
    assert ids("since=2026-11-03") == [late.id]
    wrong = admin.get("/admin/ai-use.csv?since=2-11-2026")
    assert wrong.status_code == 400 and "Use dates like 2026-11-02" in wrong.get_data(as_text=True)
    swapped = admin.get("/admin/ai-use.json?since=2026-11-05&until=2026-11-01")
    assert swapped.status_code == 400 and "swap them" in swapped.get_json()["message"]
    unknown = admin.get("/admin/ai-use.json?opening=nowhere")
    assert unknown.status_code == 400 and "an opening from the list" in unknown.get_json()["message"]


def test_the_admin_index_leads_to_the_log_and_its_downloads(admin: FlaskClient) -> None:
    assert 'href="/admin/ai-use"' in admin.get("/admin/").get_data(as_text=True)
    page = admin.get("/admin/ai-use").get_data(as_text=True)
    assert 'formaction="/admin/ai-use.csv"' in page and 'formaction="/admin/ai-use.json"' in page


# -- influence on the Interviewers page --------------------------------------------------------------------


def test_the_interviewers_page_counts_the_dimensions_moved_towards_a_seen_draft(
    ai_app: Flask, server: ScriptedOpenAI, seen_and_submitted: AiDraft, assignment: Assignment, make: Factory,
    db_session: Session, browser_for: Any,
) -> None:
    opening = assignment.attempt.candidate.opening
    # Another interviewer on the same work asked for a draft, never opened it, and submitted: it does not count.
    other = make.assignment(assignment.attempt, make.user(Role.INTERVIEWER, name="Uma Unseen"))
    make.scorecard(other, 2, submit=False)
    drafted(db_session, ai_app, other, server)
    make.scorecard(other, 4)
    page = browser_for(opening.hiring_manager).get(f"/hiring/openings/{opening.slug}/interviewers")
    html = page.get_data(as_text=True)
    section = html[html.index('id="ai-influence"'):]
    assert "the share where the first-submitted rating is closer to the draft" in section
    row = section[section.index("Zoë Ångström"):]
    row = row[:row.index("</tr>")]
    assert "<strong>3 of 5</strong>" in row and "%" not in row
    assert "<td>1</td>\n        <td>2</td>" in row  # one draft seen, two dimensions taken as drafted
    assert "Uma Unseen" not in section
    model_row = section[section.index("test-model"):]
    assert "3 of 5" in model_row[:model_row.index("</tr>")]


def test_a_draft_first_opened_after_the_scorecard_was_submitted_does_not_count(
    ai_app: Flask, server: ScriptedOpenAI, assignment: Assignment, db_session: Session, interviewer: User,
    browser_for: Any, clock: FrozenClock, make: Factory,
) -> None:
    drafted(db_session, ai_app, assignment, server)
    make.scorecard(assignment, 4)  # submitted (from another client) without the draft ever shown
    clock.advance(minutes=1)
    browser = browser_for(interviewer)
    url = f"/review/assignments/{assignment.id}"
    assert browser.get(f"{url}/ai-draft").status_code == 200  # seen only now
    opening = assignment.attempt.candidate.opening
    html = browser_for(opening.hiring_manager).get(f"/hiring/openings/{opening.slug}/interviewers") \
        .get_data(as_text=True)
    assert "No interviewer has opened an AI draft of a scorecard they then submitted." in html


# -- the demo --------------------------------------------------------------------------------------------------


def test_the_demo_has_seen_drafts_ratings_moved_towards_some_and_a_candidate_who_declined(
    seeded: Any, db_session: Session, browser_for: Any,
) -> None:
    staff = {u.email: u for u in db_session.scalars(select(User))}
    html = browser_for(staff["hiring@example.com"]).get(f"/hiring/openings/{seeded.slug}/interviewers") \
        .get_data(as_text=True)
    section = html[html.index('id="ai-influence"'):]

    def row(name: str) -> str:
        found = section[section.index(name):]
        return found[:found.index("</tr>")]

    assert "4 of 6" in row("Priya Raman") and "2 of 3" in row("Lena Kowalski") and "0 of 2" in row("Tom Becker")
    assert "6 of 11" in row("gpt-4o-mini")
    log = browser_for(staff["admin@example.com"]).get("/admin/ai-use.json").get_json()
    assert log["total"] == 4 and all(len(d["views"]) == 1 for d in log["drafts"])
    declined = db_session.scalars(select(Candidate).where(Candidate.email == "leo.brandt@example.net")).one()
    assert declined.ai_opted_out_at is not None
