"""Two tabs sending the same scorecard at the same moment, through the whole app, on PostgreSQL.

Each test works in a schema of its own with committed rows, since the requests run on separate
connections and the rolled-back transaction the other tests use would hide the rows from them. To make
the two requests really meet, a third connection holds the assignment's row while both are sent; once
both are seen waiting for it, it lets go, and they race for the scorecard.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from assess import create_app
from assess.db import get_database
from assess.models import Assignment, AuditEvent, Role, Scorecard, ScorecardStatus
from tests.support.app import make_config
from tests.support.concurrency import together, wait_for_lock_waiters
from tests.support.factories import A, A_DIMENSIONS, Factory
from tests.support.web import csrf_token, sign_in_session



@pytest.fixture
def race_app(own_schema_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(make_config(tmp_path, database_url=own_schema_url))
    yield app
    get_database(app).engine.dispose()


def seed(app: Flask) -> dict[str, Any]:
    with app.app_context():
        session = get_database(app).new_session()
        make = Factory(session, app)
        manager = make.user(Role.HIRING_MANAGER)
        priya, tom = make.user(Role.INTERVIEWER), make.user(Role.INTERVIEWER)
        attempt = make.submission(make.opening(manager), A, "meets")
        mine = make.assignment(attempt, priya, manager)
        theirs = make.assignment(attempt, tom, manager)
        seeded = {"priya": priya, "tom": tom, "mine": mine.id, "theirs": theirs.id}
        session.close()
    return seeded


def scorecard_form(client: FlaskClient, url: str, value: int, button: str) -> dict[str, str]:
    data = {"csrf_token": csrf_token(client, url), "summary": f"Tab scoring {value}.", "recommendation": "yes",
            button: "y"}
    for key in A_DIMENSIONS:
        data[f"score_{key}"], data[f"evidence_{key}"] = str(value), f"Evidence {value}."
    return data




def race(app: Flask, assignment_id: int, sends: list[tuple[FlaskClient, str, dict[str, str]]],
         gate_on: Any = None) -> list[int]:
    """Send every request at once while a row they all need is held (the assignment's, unless gate_on selects
    another), then let them go; their status codes."""
    held = gate_on if gate_on is not None else select(Assignment.id).where(Assignment.id == assignment_id)

    def send(client: FlaskClient, url: str, data: dict[str, str]) -> Callable[[Any], int]:
        return lambda _session: client.post(url, data=data).status_code

    return together(app, held.with_for_update(), [send(*item) for item in sends])


def tabs(app: Flask, who: Any, count: int = 2) -> list[FlaskClient]:
    clients = [app.test_client() for _ in range(count)]
    for client in clients:
        sign_in_session(client, who)
    return clients


def scorecards(app: Flask, assignment_id: int) -> list[tuple[ScorecardStatus, set[int | None], set[int | None]]]:
    with app.app_context():
        session = get_database(app).new_session()
        found = [(card.status, {r.score for r in card.ratings}, {r.first_score for r in card.ratings})
                 for card in session.scalars(select(Scorecard).where(Scorecard.assignment_id == assignment_id))]
        session.close()
    return found


def submissions_logged(app: Flask) -> int:
    with app.app_context():
        session = get_database(app).new_session()
        count = session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "scorecard.submitted"))
        session.close()
    return count or 0


def test_a_first_submit_from_two_tabs_at_once_gives_one_submission_and_no_error(race_app: Flask) -> None:
    seeded = seed(race_app)
    url = f"/review/assignments/{seeded['mine']}"
    first, second = tabs(race_app, seeded["priya"])
    answers = race(race_app, seeded["mine"], [(first, url, scorecard_form(first, url, 2, "submit")),
                                              (second, url, scorecard_form(second, url, 4, "submit"))])
    assert answers == [302, 302]
    [(status, scores, first_scores)] = scorecards(race_app, seeded["mine"])
    assert status is ScorecardStatus.SUBMITTED and len(scores) == 1 and first_scores == scores
    assert submissions_logged(race_app) == 1
    told = {client.get(url).get_data(as_text=True).count("these changes were not saved") for client in (first, second)}
    assert told == {0, 1}, "the tab that lost is told its changes were not kept"


def test_a_save_and_a_submit_from_two_tabs_at_once_never_fail(race_app: Flask) -> None:
    seeded = seed(race_app)
    url = f"/review/assignments/{seeded['mine']}"
    first, second = tabs(race_app, seeded["priya"])
    answers = race(race_app, seeded["mine"], [(first, url, scorecard_form(first, url, 3, "save")),
                                              (second, url, scorecard_form(second, url, 4, "submit"))])
    assert answers == [302, 302]
    [(status, scores, _)] = scorecards(race_app, seeded["mine"])
    assert status is ScorecardStatus.SUBMITTED and len(scores) == 1 and submissions_logged(race_app) == 1


def test_a_reopen_from_two_tabs_at_once_reopens_once(race_app: Flask) -> None:
    seeded = seed(race_app)
    url = f"/review/assignments/{seeded['mine']}"
    first, second = tabs(race_app, seeded["priya"])
    assert first.post(url, data=scorecard_form(first, url, 3, "submit")).status_code == 302
    reasons = [{"csrf_token": csrf_token(tab, url), "reason": f"Tab {n} misread the brief."}
               for n, tab in enumerate((first, second))]
    answers = race(race_app, seeded["mine"], [(first, f"{url}/reopen", reasons[0]),
                                              (second, f"{url}/reopen", reasons[1])])
    assert answers == [302, 302]
    [(status, _, _)] = scorecards(race_app, seeded["mine"])
    assert status is ScorecardStatus.DRAFT
    with race_app.app_context():
        session = get_database(race_app).new_session()
        assert session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "scorecard.reopened")) == 1
        session.close()


def test_two_interviewers_first_saving_against_a_new_scorecard_version_at_once_both_save(race_app: Flask) -> None:
    seeded = seed(race_app)
    mine, theirs = f"/review/assignments/{seeded['mine']}", f"/review/assignments/{seeded['theirs']}"
    [priya], [tom] = tabs(race_app, seeded["priya"], 1), tabs(race_app, seeded["tom"], 1)
    sends = [(priya, mine, scorecard_form(priya, mine, 3, "save")), (tom, theirs, scorecard_form(tom, theirs, 4, "save"))]
    engine = get_database(race_app).engine
    answers: list[int] = []
    with engine.connect() as gate:
        # Holding both assignments makes both requests reach the scorecard version, not yet stored, together.
        gate.execute(select(Assignment.id).where(Assignment.id.in_([seeded["mine"], seeded["theirs"]]))
                     .with_for_update())
        gate.execute(text("DELETE FROM content_versions WHERE kind = 'scorecard'"))
        threads = [threading.Thread(target=lambda c=c, u=u, d=d: answers.append(c.post(u, data=d).status_code))
                   for c, u, d in sends]
        for thread in threads:
            thread.start()
        wait_for_lock_waiters(engine, 2)
        gate.commit()
    for thread in threads:
        thread.join(timeout=30)
    assert answers == [302, 302]
    assert [status for status, _, _ in scorecards(race_app, seeded["mine"]) + scorecards(race_app, seeded["theirs"])] \
        == [ScorecardStatus.DRAFT, ScorecardStatus.DRAFT]


def test_two_interviewers_submitting_at_once_both_land_and_count_as_two_changes(race_app: Flask) -> None:
    """Each submit holds the opening's row FOR SHARE and raises the ratings version: the two must not deadlock."""
    from assess.models import Opening
    from assess.services import snapshots

    seeded = seed(race_app)
    mine, theirs = f"/review/assignments/{seeded['mine']}", f"/review/assignments/{seeded['theirs']}"
    [priya], [tom] = tabs(race_app, seeded["priya"], 1), tabs(race_app, seeded["tom"], 1)
    sends = [(priya, mine, scorecard_form(priya, mine, 2, "submit")), (tom, theirs, scorecard_form(tom, theirs, 4, "submit"))]
    with race_app.app_context():
        opening_id = get_database(race_app).new_session().scalar(select(Opening.id))
    # Both wait at the opening's row, then go together.
    answers = race(race_app, seeded["mine"], sends, gate_on=select(Opening.id).where(Opening.id == opening_id))
    assert answers == [302, 302]
    assert [status for status, _, _ in scorecards(race_app, seeded["mine"]) + scorecards(race_app, seeded["theirs"])
            ] == [ScorecardStatus.SUBMITTED, ScorecardStatus.SUBMITTED]
    with race_app.app_context():
        session = get_database(race_app).new_session()
        assert snapshots.current_version(session, opening_id) == 2
        session.close()


def test_two_interviewers_submitting_at_once_leave_the_work_counted_as_scored(race_app: Flask) -> None:
    """Each submit brings the attempt's stored standing and the candidate's stage up to date; the second must read
    the first's scorecard, or the work stays 'one scorecard to come' and the candidate never reaches scored."""
    from assess.models import Attempt, Candidate
    from assess.services import worklist

    seeded = seed(race_app)
    mine, theirs = f"/review/assignments/{seeded['mine']}", f"/review/assignments/{seeded['theirs']}"
    [priya], [tom] = tabs(race_app, seeded["priya"], 1), tabs(race_app, seeded["tom"], 1)
    for client, url in ((priya, mine), (tom, theirs)):  # drafts first, so the scorecard version is stored
        assert client.post(url, data=scorecard_form(client, url, 3, "save")).status_code == 302
    sends = [(priya, mine, scorecard_form(priya, mine, 2, "submit")), (tom, theirs, scorecard_form(tom, theirs, 4, "submit"))]
    with race_app.app_context():
        attempt_id = get_database(race_app).new_session().scalar(
            select(Assignment.attempt_id).where(Assignment.id == seeded["mine"]))
    # Both wait where the attempt's standing is written, each with its scorecard submitted and not yet committed.
    answers = race(race_app, seeded["mine"], sends, gate_on=select(Attempt.id).where(Attempt.id == attempt_id))
    assert answers == [302, 302]
    with race_app.app_context():
        session = get_database(race_app).new_session()
        attempt = session.get_one(Attempt, attempt_id)
        stored = (attempt.assigned_count, attempt.unfinished_count, attempt.disagreement)
        fresh = tuple(session.execute(select(*worklist.standing_columns()).where(Attempt.id == attempt_id)).one())
        progress = session.scalar(select(Candidate.progress))
        session.close()
    assert stored == fresh == (2, 0, True)
    assert progress.value == "scored"



def test_scorecards_on_two_pieces_of_one_candidates_work_at_once_leave_the_candidate_scored(race_app: Flask) -> None:
    """Both submits bring the candidate's stage up to date; the second must read the first's scorecard."""
    from assess.models import Candidate
    from assess.services import answering

    b = "b-analytics"
    with race_app.app_context():
        session = get_database(race_app).new_session()
        make = Factory(session, race_app)
        manager = make.user(Role.HIRING_MANAGER)
        priya, tom = make.user(Role.INTERVIEWER), make.user(Role.INTERVIEWER)
        opening = make.opening(manager, exercises=[(A, 90), (b, 60)])
        opening.interviewers_per_submission = 1
        first = make.submission(opening, A, "meets")
        second = make.attempt(first.candidate, b)
        answering.submit(session, make.config, second, answers=make.benchmark_answers(b), now=make.now())
        work = {who: (f"/review/assignments/{make.assignment(attempt, who, manager).id}",
                      make.library.scorecard(attempt.exercise_key).content.dimension_keys)
                for who, attempt in ((priya, first), (tom, second))}
        candidate_id = first.candidate_id
        session.close()
    sends = []
    for who, (url, dimensions) in work.items():
        [client] = tabs(race_app, who, 1)
        data = {"csrf_token": csrf_token(client, url), "summary": "Read it twice.", "recommendation": "yes"}
        data |= {f"score_{key}": "3" for key in dimensions} | {f"evidence_{key}": "Evidence." for key in dimensions}
        assert client.post(url, data=data | {"save": "y"}).status_code == 302  # the scorecard version is stored
        sends.append((client, url, data | {"submit": "y"}))
    answers = race(race_app, 0, sends, gate_on=select(Candidate.id).where(Candidate.id == candidate_id))
    assert answers == [302, 302]
    with race_app.app_context():
        session = get_database(race_app).new_session()
        progress = session.scalar(select(Candidate.progress).where(Candidate.id == candidate_id))
        session.close()
    assert progress is not None and progress.value == "scored"
