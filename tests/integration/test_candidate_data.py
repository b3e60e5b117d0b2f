"""A candidate's data: exported on request, erased on request or when the retention period ends.

The erasure test walks a candidate through everything that stores something about them, erases
them from the admin page, then reads every row of every table: neither name nor email is left,
and no log line ever carried them.
"""

from __future__ import annotations

from collections.abc import Callable
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assess import create_app, migrate
from assess.cli import purge_command
from assess.db import Base, get_database
from assess.errors import Conflict
from assess.models import (
    AiDraft,
    AiDraftStatus,
    Assignment,
    Attempt,
    AuditEvent,
    Candidate,
    Decision,
    OutboundEmail,
    Rating,
    RevisionRequest,
    Role,
    Submission,
    User,
)
from assess.services import answering, assigning, attempts, candidate_data, scores
from tests.support.app import FrozenClock, make_config
from tests.support.factories import Factory
from tests.support.web import A_DIMENSIONS, autosave, csrf_token, form_data, open_link, sign_in_session, start, submit_form

NAME, EMAIL = "Zelda Marchetti", "zelda.marchetti@example.net"
TRACES = ("Zelda", "Marchetti", "zelda.marchetti")


def everything_stored(db_session: Session) -> list[tuple[str, str]]:
    """(table, cell) for every cell of every table, JSON included."""
    cells = []
    for table in Base.metadata.sorted_tables:
        for row in db_session.execute(select(table)).all():
            cells.extend((table.name, json.dumps(value, default=str) if isinstance(value, (dict, list))
                          else str(value)) for value in row)
    return cells


def traces_in(db_session: Session) -> list[tuple[str, str]]:
    db_session.expire_all()
    return [(table, cell[:120]) for table, cell in everything_stored(db_session)
            if any(trace.lower() in cell.lower() for trace in TRACES)]


@pytest.fixture
def people(make: Factory) -> dict[str, User]:
    return {"manager": make.user(Role.HIRING_MANAGER), "interviewer": make.user(Role.INTERVIEWER),
            "admin": make.user(Role.ADMIN)}


def through_the_whole_process(app: Flask, make: Factory, db_session: Session, people: dict[str, User],
                              clock: FrozenClock) -> Candidate:
    """Invite, answer (mentioning her own name), score, draft with AI, decide, export."""
    opening = make.opening(people["manager"])
    staff = app.test_client()
    sign_in_session(staff, people["manager"])
    page = f"/hiring/openings/{opening.slug}"
    staff.post(f"{page}/invite", data={"csrf_token": csrf_token(staff, page), "name": NAME, "email": EMAIL})
    candidate = db_session.scalars(select(Candidate).where(Candidate.email == EMAIL)).one()
    link = db_session.scalars(select(OutboundEmail).where(OutboundEmail.candidate_id == candidate.id)).one()
    browser = app.test_client()
    open_link(browser, next(w for w in link.body_text.split() if "/c/start/" in w))
    start(browser)
    autosave(browser, answers={"problem_statement": f"I am {NAME}; the problem is approval delays."})
    autosave(browser, client_id="tab-second-1", answers={"problem_statement": f"{NAME}, from a second tab."})
    submit_form(browser, problem_statement=f"Written by {NAME} ({EMAIL}). Approvals take four days.")
    attempt = db_session.scalars(select(Attempt).where(Attempt.candidate_id == candidate.id)).one()
    made = make.assignment(attempt, people["interviewer"], people["manager"], now=clock.now)
    reviewer = app.test_client()
    sign_in_session(reviewer, people["interviewer"])
    url = f"/review/assignments/{made.id}"
    reviewer.post(url, data=form_data(reviewer, url, dict.fromkeys(A_DIMENSIONS, 4),
                                      evidence=f"Quotes: 'Written by {NAME}'."))
    quoted = {"score": 4, "evidence": [f"Written by {NAME}"], "dropped": 0, "supported": True,
              "rationale": "Frames the problem with a number."}
    db_session.add(AiDraft(scorecard_id=made.scorecard.id, status=AiDraftStatus.DONE, model="m", result={
        "dimensions": dict.fromkeys(A_DIMENSIONS, quoted), "strengths": [f"{NAME} is concise."], "gaps": [],
        "feedback": "", "instructions_detected": False}))
    db_session.add(RevisionRequest(scorecard_id=made.scorecard.id, requested_by_id=people["interviewer"].id,
                                   reason=f"I misread what {NAME} wrote about approvals.",
                                   note=f"Fine, {NAME}'s answer deserves a second look."))
    db_session.commit()
    for step in ("scoring/close", "scoring/unblind"):
        staff.post(f"{page}/{step}", data={"csrf_token": csrf_token(staff, f"{page}/scoring"), "confirm": "yes"})
    candidate_page = f"{page}/candidates/{candidate.id}"
    staff.post(candidate_page, data={"csrf_token": csrf_token(staff, candidate_page), "outcome": "advance",
                                     "rationale": f"{NAME} framed the problem best."})
    assert staff.get(f"{page}/export/scorecards.csv").status_code == 200
    db_session.expire_all()
    return candidate


def test_after_erasure_no_table_and_no_log_line_holds_the_name_or_email(
    app: Flask, make: Factory, db_session: Session, people: dict[str, User], clock: FrozenClock,
    caplog: pytest.LogCaptureFixture, browser_for: Callable[[User], FlaskClient],
) -> None:
    caplog.set_level(logging.DEBUG)
    candidate = through_the_whole_process(app, make, db_session, people, clock)
    before = {table for table, _ in traces_in(db_session)}
    # The walk really stored her name in each of these places; otherwise the search proves nothing.
    assert {"candidates", "drafts", "submissions", "outbound_emails", "ratings", "ai_drafts",
            "decisions", "revision_requests", "draft_copies"} <= before
    admin = browser_for(people["admin"])
    found = admin.post("/admin/candidates", data={"csrf_token": csrf_token(admin, "/admin/candidates"),
                                                  "email": EMAIL.upper()}).get_data(as_text=True)
    assert NAME in found and "Erase for good" in found
    refused = admin.post(f"/admin/candidates/{candidate.id}/erase", follow_redirects=True, data={
        "csrf_token": csrf_token(admin, f"/admin/candidates/{candidate.id}"), "confirm": "someone@else.org",
        "reason": "Asked by email"})
    assert "does not match" in refused.get_data(as_text=True)
    assert traces_in(db_session), "a mistyped confirmation erased nothing"
    done = admin.post(f"/admin/candidates/{candidate.id}/erase", follow_redirects=True, data={
        "csrf_token": csrf_token(admin, f"/admin/candidates/{candidate.id}"), "confirm": EMAIL,
        "reason": "The candidate asked on 20 November."})
    assert "Erased." in done.get_data(as_text=True)
    assert traces_in(db_session) == []
    logged = [record.getMessage() for record in caplog.records]
    assert logged, "the walk should have logged something (the outbox, at least)"
    assert not [line for line in logged if any(trace.lower() in line.lower() for trace in TRACES)]


def test_erasure_keeps_anonymous_scores_the_decision_and_a_tombstone(
    app: Flask, make: Factory, db_session: Session, people: dict[str, User], clock: FrozenClock,
) -> None:
    candidate = through_the_whole_process(app, make, db_session, people, clock)
    scores_before = sorted(db_session.scalars(select(Rating.score)).all())
    candidate_data.erase(db_session, candidate, actor=people["admin"], reason="Asked", now=clock.now)
    db_session.expire_all()
    assert sorted(db_session.scalars(select(Rating.score)).all()) == scores_before
    assert db_session.scalars(select(Decision.outcome)).one().value == "advance"
    assert candidate.name == "Erased candidate" and candidate.erased_at is not None
    tombstone = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "candidate.erased")).one()
    assert (tombstone.subject_id, tombstone.actor_user_id, tombstone.details["reason"]) == (
        candidate.id, people["admin"].id, "Asked")
    assert db_session.scalars(select(Submission.answers)).one() == {}
    assert all(invitation.revoked_at is not None for invitation in candidate.invitations)
    still_counted = scores.submitted_scorecards(db_session, candidate.opening)
    assert [card.assignment.attempt.candidate_id for card in still_counted] == [candidate.id]
    with pytest.raises(Conflict, match="already erased"):
        candidate_data.erase(db_session, candidate, actor=people["admin"], reason="Again", now=clock.now)


def test_the_export_holds_everything_about_the_candidate_and_is_audited(
    app: Flask, make: Factory, db_session: Session, people: dict[str, User], clock: FrozenClock, browser_for: Callable[[User], FlaskClient],
) -> None:
    candidate = through_the_whole_process(app, make, db_session, people, clock)
    admin = browser_for(people["admin"])
    response = admin.get(f"/admin/candidates/{candidate.id}/export.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data: dict[str, Any] = response.get_json()
    assert (data["candidate"]["name"], data["candidate"]["email"]) == (NAME, EMAIL)
    exercise = data["exercises"][0]
    assert NAME in exercise["submission"]["answers"]["problem_statement"]
    assert exercise["scorecards"][0]["ratings"][0]["score"] == 4
    assert NAME in exercise["scorecards"][0]["ai_drafts"][0]["result"]["strengths"][0]
    assert data["decisions"][0]["outcome"] == "advance"
    assert any("/c/start/" in email["body"] for email in data["emails"])
    assert {"invitation.created", "invitation.opened", "attempt.started", "submission.received"} <= {a["action"] for a in data["activity"]}
    assert db_session.scalars(select(AuditEvent).where(AuditEvent.action == "candidate.exported",
                                                       AuditEvent.subject_id == candidate.id)).one()


def test_searching_needs_an_address_and_says_when_nobody_matches(
    people: dict[str, User], client: FlaskClient
) -> None:
    sign_in_session(client, people["admin"])

    def search(email: str) -> str:
        token = csrf_token(client, "/admin/candidates")
        return client.post("/admin/candidates", data={"csrf_token": token, "email": email}).get_data(as_text=True)

    assert "Type the candidate" in search("")
    assert "not an email address" in search("zelda")
    assert "No candidate record uses that address" in search("nobody@example.org")


# -- retention -------------------------------------------------------------------------------------


def test_purge_erases_candidates_whose_retention_period_has_ended(
    app: Flask, make: Factory, db_session: Session, people: dict[str, User], clock: FrozenClock, runner: Any,
) -> None:
    opening = make.opening(people["manager"])
    opening.retention_days = 30
    old = make.submission(opening, name="Old Applicant", email="old.applicant@example.net").candidate
    clock.advance(days=20)
    recent = make.submission(opening, name="Recent Applicant", email="recent@example.net").candidate
    db_session.commit()
    clock.advance(days=11)  # 31 days after the old one handed in, 11 after the recent one
    preview = runner.invoke(purge_command, ["--dry-run"])
    assert preview.exit_code == 0 and f"candidate {old.id} ({old.pseudonym}" in preview.output
    assert "1 candidate(s) would be erased" in preview.output and old.erased_at is None
    result = runner.invoke(purge_command)
    assert result.exit_code == 0, result.output
    assert "Erased the personal data of 1 candidate(s)" in result.output
    db_session.expire_all()
    assert old.erased_at is not None and old.email.endswith("@erased.invalid")
    assert recent.erased_at is None and recent.name == "Recent Applicant"
    tombstone = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "candidate.erased")).one()
    assert tombstone.actor_kind == "system" and "retention period of 30 days" in tombstone.details["reason"]
    assert runner.invoke(purge_command).output.startswith("Erased the personal data of 0")


def test_a_decision_restarts_the_retention_clock(
    make: Factory, db_session: Session, people: dict[str, User], clock: FrozenClock
) -> None:
    opening = make.opening(people["manager"])
    opening.retention_days = 30
    candidate = make.submission(opening).candidate
    clock.advance(days=25)
    db_session.add(Decision(candidate_id=candidate.id, decided_by_id=people["manager"].id,
                            outcome="hold", rationale="Waiting for the second opening.", created_at=clock.now))
    db_session.commit()
    clock.advance(days=10)
    assert candidate_data.expired(db_session, clock.now) == []
    clock.advance(days=21)
    assert [e.candidate.id for e in candidate_data.expired(db_session, clock.now)] == [candidate.id]


def test_the_task_queue_runs_the_purge_every_night(app: Flask) -> None:
    tasks = app.extensions["assess.tasks"]
    validate = tasks.purge_expired.task_class().validate_datetime
    assert validate(datetime(2026, 11, 26, 3, 17)) and not validate(datetime(2026, 11, 26, 4, 17))


def test_the_retention_period_is_set_per_opening_with_a_clear_message(
    make: Factory, people: dict[str, User], client: FlaskClient, db_session: Session
) -> None:
    opening = make.opening(people["manager"])
    sign_in_session(client, people["manager"])
    url = f"/hiring/openings/{opening.slug}/settings"
    base = {"csrf_token": csrf_token(client, url), "invitation_valid_days": "14", "interviewers_per_submission": "2",
            "ai_draft_timing": "after_rating"}
    bad = client.post(url, data=base | {"retention_days": "5"})
    assert "Choose 30 to 1095 days." in bad.get_data(as_text=True)
    client.post(url, data=base | {"retention_days": "180"})
    db_session.expire_all()
    assert opening.retention_days == 180


def test_a_resent_link_keeps_the_candidate_until_the_period_has_passed_again(
    app: Flask, make: Factory, db_session: Session, people: dict[str, User], clock: FrozenClock
) -> None:
    from assess.services import invitations

    opening = make.opening(people["manager"])
    opening.retention_days = 30
    candidate = make.invite(opening).candidate
    clock.advance(days=20)
    invitations.resend(db_session, app.config["ASSESS"], make.library, candidate, actor=people["manager"],
                       now=clock.now)
    clock.advance(days=11)  # 31 days after the invitation, 11 after the new link, which still works
    assert candidate_data.expired(db_session, clock.now) == []
    clock.advance(days=20)  # 31 days after the new link, long expired
    assert [e.candidate.id for e in candidate_data.expired(db_session, clock.now)] == [candidate.id]


ANSWER_TEXT = ("Approvals take four days", "approval delays")


def test_after_erasure_on_a_sqlite_file_no_byte_of_the_file_or_its_log_holds_the_name_email_or_answers(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'erase.sqlite3'}"
    migrate.upgrade(url)
    app = create_app(make_config(tmp_path, database_url=url))
    clock = FrozenClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    app.extensions["assess.clock"] = clock
    files = [tmp_path / "erase.sqlite3", tmp_path / "erase.sqlite3-wal"]
    secrets = [text.encode() for text in (*TRACES, *ANSWER_TEXT)]

    def on_disk() -> set[bytes]:
        data = b"".join(path.read_bytes() for path in files if path.exists())
        return {secret for secret in secrets if secret.lower() in data.lower()}

    with get_database(app).new_session() as session:
        make = Factory(session, app)
        manager, admin = make.user(Role.HIRING_MANAGER), make.user(Role.ADMIN)
        candidate = make.invite(make.opening(manager), name=NAME, email=EMAIL).candidate
        attempt = attempts.start(session, make.library, candidate, "a-mini-prd", now=clock.now)
        answers = dict(make.library.benchmarks["a-mini-prd"]["meets"].content.answers)
        answering.save(session, attempt, answers | {"problem_statement": f"I am {NAME}; approval delays."},
                      client_id="tab", seq=1, base_revision=0, now=clock.now)
        answering.submit(session, app.config["ASSESS"], attempt, now=clock.now,
                        answers=answers | {"problem_statement": f"By {NAME} ({EMAIL}). Approvals take four days."})
        session.add(Decision(candidate_id=candidate.id, decided_by_id=manager.id, outcome="advance",
                             rationale=f"{NAME} framed the problem best.", created_at=clock.now))
        session.commit()
        assert on_disk() == set(secrets), "the walk should have written every trace to the file"
        candidate_data.erase(session, candidate, actor=admin, reason="Asked", now=clock.now)
        assert on_disk() == set()
    get_database(app).engine.dispose()


def test_an_erased_candidates_work_is_neither_handed_in_by_the_clock_nor_scored_nor_assigned(
    make: Factory, db_session: Session, clock: FrozenClock
) -> None:
    manager, reader, other = make.user(Role.HIRING_MANAGER), make.user(Role.INTERVIEWER), make.user(Role.INTERVIEWER)
    opening = make.opening(manager)
    handed_in = make.submission(opening, "a-mini-prd", email="erase.me@example.org")
    assignment = make.assignment(handed_in, reader)
    under_way = attempts.start(db_session, make.library, handed_in.candidate, "b-analytics", now=clock.now)
    candidate_data.erase(db_session, handed_in.candidate, actor=manager, reason="They asked on 2 November.",
                         now=clock.now)
    mails = db_session.scalar(select(func.count(OutboundEmail.id)))
    clock.advance(minutes=600)
    assert answering.sweep(db_session, make.config, now=clock.now) == 0
    db_session.expire_all()
    assert db_session.get(Attempt, under_way.id).submission is None
    assert db_session.scalar(select(func.count(OutboundEmail.id))) == mails, "no receipt to an erased address"
    with pytest.raises(Conflict, match="nothing left to score"):
        make.scorecard(db_session.get(Assignment, assignment.id), 3, actor=reader)
    with pytest.raises(Conflict, match="nothing left to score"):
        make.assignment(db_session.get(Attempt, handed_in.id), other, manager)
    db_session.rollback()
    assert assigning.auto_assign(db_session, make.library, opening, actor=manager, now=clock.now).added == 0
