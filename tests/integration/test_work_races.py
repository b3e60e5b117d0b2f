"""Work that moves by itself when things happen at once, on PostgreSQL: two pieces of one candidate's work
handed in together, and two workers running the same job together.

Each test commits for real in a schema of its own; a third connection holds the row (or table) both calls need
until both are seen waiting for it, then lets go, so they really meet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from assess import create_app
from assess.db import get_database
from assess.models import Assignment, Attempt, Candidate, OutboundEmail, ReminderSent, Role
from assess.services import answering, reminders, work_mail
from tests.support.app import make_config
from tests.support.concurrency import read, together
from tests.support.factories import A, Factory

B = "b-analytics"


@pytest.fixture
def race_app(own_schema_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(make_config(tmp_path, database_url=own_schema_url))
    yield app
    get_database(app).engine.dispose()




def test_two_pieces_of_one_candidates_work_handed_in_at_once_go_to_different_interviewers(race_app: Flask) -> None:
    with race_app.app_context():
        session = get_database(race_app).new_session()
        make = Factory(session, race_app)
        manager = make.user(Role.HIRING_MANAGER)
        for _ in range(3):
            make.user(Role.INTERVIEWER)
        opening = make.opening(manager, exercises=[(A, 90), (B, 60)], auto_assign=True)
        opening.interviewers_per_submission = 1
        session.commit()
        first = make.attempt(opening, A)
        second = make.attempt(first.candidate, B)
        ids, candidate_id, config = (first.id, second.id), first.candidate_id, make.config
        answers = {first.id: make.benchmark_answers(A), second.id: make.benchmark_answers(B)}
        session.close()

    def hand_in(attempt_id: int) -> Callable[[Any], Any]:
        def call(session: Any) -> Any:
            attempt = session.get(Attempt, attempt_id)
            return answering.submit(session, config, attempt, answers=answers[attempt_id],
                                    now=attempt.started_at + timedelta(minutes=30))
        return call

    results = together(race_app, f"SELECT id FROM candidates WHERE id = {candidate_id} FOR UPDATE",
                       [hand_in(attempt_id) for attempt_id in ids])
    assert not [r for r in results if isinstance(r, Exception)], results
    rows = read(race_app, select(Assignment.attempt_id, Assignment.interviewer_id).order_by(Assignment.attempt_id))
    assert [attempt for attempt, _ in rows] == sorted(ids)
    assert len({interviewer for _, interviewer in rows}) == 2, "one interviewer was given all of the candidate's work"


def _overdue_and_expiring(app: Flask) -> tuple[Any, Any, Any]:
    """An opening with an overdue scorecard and a candidate whose link expires within a day; when to run."""
    with app.app_context():
        session = get_database(app).new_session()
        make = Factory(session, app)
        manager = make.user(Role.HIRING_MANAGER)
        make.user(Role.INTERVIEWER)
        opening = make.opening(manager, auto_assign=True, invitation_valid_days=4)
        opening.interviewers_per_submission = 1
        session.commit()
        attempt = make.submission(opening, A)
        due = session.scalar(select(Assignment.due_at).where(Assignment.attempt_id == attempt.id))
        invited = make.invite(opening)
        run_at = due + timedelta(hours=1)  # a day before the link expires, and the scorecard overdue
        assert invited.invitation.expires_at - timedelta(days=1) < run_at < invited.invitation.expires_at
        config, library = make.config, make.library
        session.close()
    return config, library, run_at


def test_two_workers_sending_reminders_at_once_send_each_once(race_app: Flask) -> None:
    config, library, run_at = _overdue_and_expiring(race_app)
    before = read(race_app, select(func.count(OutboundEmail.id)))[0][0]
    results = together(race_app, "LOCK TABLE reminders_sent IN EXCLUSIVE MODE",
                       [lambda session: reminders.send_due(session, library, config, run_at)] * 2)
    assert not [r for r in results if isinstance(r, Exception)], results
    # The interviewer's overdue scorecard, and both candidates (one has handed in part of the work): once each,
    # whichever worker sends which.
    assert sum(results) == 3
    kinds = dict(read(race_app, select(ReminderSent.kind, func.count()).group_by(ReminderSent.kind)))
    assert kinds == {"candidate_expiry": 2, "overdue_scorecard": 1}
    assert read(race_app, select(func.count(OutboundEmail.id)))[0][0] == before + 3


def test_two_workers_announcing_at_once_tell_each_interviewer_once(race_app: Flask) -> None:
    with race_app.app_context():
        session = get_database(race_app).new_session()
        make = Factory(session, race_app)
        manager = make.user(Role.HIRING_MANAGER)
        make.user(Role.INTERVIEWER), make.user(Role.INTERVIEWER)
        opening = make.opening(manager, auto_assign=True)
        make.submission(opening, A)
        # As if the worker had never been told: the announcements wait for the periodic job.
        session.execute(text("UPDATE assignments SET notified_at = NULL"))
        session.execute(text("DELETE FROM outbound_emails WHERE subject LIKE 'New scoring work%'"))
        session.commit()
        config, now = make.config, make.now()
        session.close()
    results = together(race_app, "SELECT id FROM assignments FOR UPDATE",
                       [lambda session: work_mail.announce(session, config, now)] * 2)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 2  # whichever worker tells whom
    told = read(race_app, select(OutboundEmail.to_address).where(OutboundEmail.subject.like("New scoring work%")))
    assert len(told) == 2 and len(set(told)) == 2
    assert read(race_app, select(func.count()).select_from(Candidate))[0][0] == 1
