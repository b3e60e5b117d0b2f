"""The calibration is worked out once per change of the ratings and read from storage by every page and the API;
where scoring of each attempt stands is kept with it as assignments and scorecards change.

The pages never fit the model; a change to the scorecards shows the stored results as updating, with their
age, until the worker has caught up; what is stored then is exactly what a fresh fit gives.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from assess.db import get_database
from assess.domain import calibration
from assess.models import (Assignment, Attempt, CalibrationSnapshot, Candidate, Opening, Role, Scorecard,
                           ScorecardStatus, User)
from assess.services import (api_tokens, calibration_reads, effects, results, revisions, scores, snapshots,
                             worklist)
from tests.support.app import FrozenClock
from tests.support.factories import Factory
from tests.support.web import sign_in_session


def _ranking(compared: results.Comparison) -> list[tuple[int, int, float, float, float]]:
    return [(row.candidate.id, row.rank, round(row.estimate.score, 9), round(row.estimate.low, 9),
             round(row.estimate.high, 9)) for row in compared.rows]


@pytest.fixture
def no_fitting(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Makes every fit of the model fail, as a page must never need one."""
    fits: list[str] = []

    def refuse(*_: Any, **__: Any) -> Any:
        fits.append("fit")
        raise AssertionError("a page fitted the calibration model")

    for module in ("assess.services.results", "assess.services.calibration_report"):
        monkeypatch.setattr(f"{module}.calibrate", refuse)
    yield fits


@pytest.fixture
def queued_only(app: Flask, db_session: Session) -> Iterator[list[tuple[str, tuple[int, ...]]]]:
    """Hands every intent to a queue nobody runs: the calibration then waits, as it does for a busy worker."""
    info = get_database(app).session_info
    before = effects.connected(info)
    queued: list[tuple[str, tuple[int, ...]]] = []

    def queue(effect: effects.Effect, ids: tuple[int, ...]) -> bool:
        queued.append((effect, ids))
        return False

    effects.connect(info, queue)
    effects.connect(db_session.info, queue)
    yield queued
    assert before is not None
    effects.connect(info, before)


def test_every_page_and_the_api_read_the_stored_calibration_without_fitting(
    client: FlaskClient, seeded: Opening, db_session: Session, make: Factory, clock: FrozenClock,
    no_fitting: list[str],
) -> None:
    manager = db_session.scalars(select(User).where(User.email == "hiring@example.com")).one()
    admin = db_session.scalars(select(User).where(User.role == Role.ADMIN)).first()
    _, token = api_tokens.create(db_session, name="ATS", scopes=["results:read"], actor=admin, now=clock.now)
    sign_in_session(client, manager)
    base = f"/hiring/openings/{seeded.slug}"
    for url in (f"{base}/results", f"{base}/results?ratings=revised", f"{base}/interviewers",
                f"{base}/export/results.csv"):
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert b"Updating" not in answer.data and b"Working out" not in answer.data
    ranking = client.get(f"/api/v1/openings/{seeded.slug}/results", headers={"Authorization": f"Bearer {token}"})
    assert ranking.status_code == 200 and ranking.get_json()["updating"] is False
    assert no_fitting == []


def test_the_stored_ranking_is_the_fresh_fit_and_pages_read_only_their_rows(
    seeded: Opening, db_session: Session, make: Factory,
) -> None:
    fresh = results.comparison(db_session, make.library, seeded)
    stored = calibration_reads.read(db_session, seeded, per_page=None)
    assert stored.comparison is not None and not stored.updating
    assert _ranking(stored.comparison) == _ranking(fresh)
    assert [str(w) for w in stored.comparison.warnings] == [str(w) for w in fresh.warnings]
    assert [(r.interviewer.id, r.leniency) for r in stored.comparison.raters] == [
        (r.interviewer.id, r.leniency) for r in fresh.raters]
    second = calibration_reads.read(db_session, seeded, page=2, per_page=3)
    assert second.comparison is not None and second.pages == -(-len(fresh.rows) // 3)
    assert _ranking(second.comparison) == _ranking(fresh)[3:6]
    beyond = calibration_reads.read(db_session, seeded, page=second.pages + 1, per_page=3)
    assert beyond.comparison is not None and beyond.comparison.rows == []


def test_a_changed_scorecard_shows_the_results_as_updating_with_their_age_until_the_worker_catches_up(
    client: FlaskClient, seeded: Opening, db_session: Session, make: Factory, clock: FrozenClock,
    queued_only: list[tuple[str, tuple[int, ...]]],
) -> None:
    manager = db_session.scalars(select(User).where(User.email == "hiring@example.com")).one()
    card = db_session.scalars(select(Scorecard).join(Assignment).where(Scorecard.status == ScorecardStatus.SUBMITTED)
                              .order_by(Scorecard.id)).first()
    assert card is not None
    clock.advance(minutes=7)
    reopened = revisions.reopen(db_session, card.assignment, "I misread the second table.",
                                actor=card.assignment.interviewer, now=clock.now)
    if reopened.request is not None:
        revisions.decide_revision(db_session, seeded, card.assignment, approve=True, note="", actor=manager,
                                  now=clock.now)
    assert any(effect is effects.Effect.CALIBRATION for effect, _ in queued_only)
    sign_in_session(client, manager)
    page = client.get(f"/hiring/openings/{seeded.slug}/results").get_data(as_text=True)
    assert "Updating." in page and "worked out 7 minutes ago" in page and "leaves out 1 change to the scorecards" in page
    assert "waiting for the background worker (asked for moments ago)" in page
    assert '<meta http-equiv="refresh"' in page
    clock.advance(minutes=3)  # no worker has taken it up: the page says the worker may be down
    page = client.get(f"/hiring/openings/{seeded.slug}/results").get_data(as_text=True)
    assert "No background worker has taken this up since it was asked for 3 minutes ago" in page
    assert "the worker may not be running" in page
    db_session.execute(update(CalibrationSnapshot).where(CalibrationSnapshot.computed_at.is_(None))
                       .values(started_at=clock.now - timedelta(minutes=2, seconds=30)))
    db_session.commit()  # a worker took it up and went quiet
    page = client.get(f"/hiring/openings/{seeded.slug}/results").get_data(as_text=True)
    assert "The worker started on it 2 minutes ago and has not finished: it may have stopped." in page
    refused = client.get(f"/hiring/openings/{seeded.slug}/export/results.csv")
    assert refused.status_code == 409 and b"download them again in a minute" in refused.data
    assert b"Not ready yet" in refused.data
    assert snapshots.compute_due(db_session, make.library, clock.now) >= 1
    page = client.get(f"/hiring/openings/{seeded.slug}/results").get_data(as_text=True)
    assert "Updating." not in page and '<meta http-equiv="refresh"' not in page
    assert client.get(f"/hiring/openings/{seeded.slug}/export/results.csv").status_code == 200


def test_a_ranking_without_one_interviewer_is_asked_for_when_first_viewed_and_then_stored(
    client: FlaskClient, seeded: Opening, db_session: Session, make: Factory, clock: FrozenClock,
    queued_only: list[tuple[str, tuple[int, ...]]],
) -> None:
    manager = db_session.scalars(select(User).where(User.email == "hiring@example.com")).one()
    stored = calibration_reads.read(db_session, seeded)
    assert stored.comparison is not None
    someone = stored.comparison.raters[0].interviewer
    sign_in_session(client, manager)
    url = f"/hiring/openings/{seeded.slug}/results?without={someone.id}"
    first = client.get(url).get_data(as_text=True)
    assert f"Working out the calibrated results without {someone.name}." in first
    assert "Show the results with everyone" in first
    snapshots.compute_due(db_session, make.library, clock.now)
    shown = client.get(url).get_data(as_text=True)
    assert f"without {someone.name}" in shown and "Working out" not in shown and "Show the results with everyone" in shown
    assert client.get(f"/hiring/openings/{seeded.slug}/results?without=999999").status_code == 404
    assert client.get(f"/hiring/openings/{seeded.slug}/results?ratings=latest").status_code == 400
    for wrong in ("0", "-1", "abc", "1.5", "\u0661", "99999999999"):
        answer = client.get(f"/hiring/openings/{seeded.slug}/results?page={wrong}")
        assert answer.status_code == 400 and b"whole number from 1" in answer.data, wrong
        assert client.get(f"/hiring/openings/{seeded.slug}/results?without={wrong}").status_code == 400, wrong


def test_a_request_overtaken_by_newer_ratings_is_dropped_and_each_is_worked_out_once(
    seeded: Opening, db_session: Session, make: Factory, clock: FrozenClock,
    queued_only: list[tuple[str, tuple[int, ...]]],
) -> None:
    older = snapshots.ratings_changed(db_session, seeded.id, clock.now)
    newer = snapshots.ratings_changed(db_session, seeded.id, clock.now)
    db_session.commit()
    pending = {s.ratings_version: s.id for s in db_session.scalars(
        select(CalibrationSnapshot).where(CalibrationSnapshot.opening_id == seeded.id,
                                          CalibrationSnapshot.ratings == scores.FIRST,
                                          CalibrationSnapshot.computed_at.is_(None)))}
    assert sorted(pending) == [older, newer]
    assert snapshots.compute(db_session, make.library, pending[older], clock.now) is False  # overtaken
    assert snapshots.compute(db_session, make.library, pending[newer], clock.now) is True
    assert snapshots.compute(db_session, make.library, pending[newer], clock.now) is False  # done already
    kept = db_session.scalars(select(CalibrationSnapshot).where(CalibrationSnapshot.opening_id == seeded.id,
                                                                CalibrationSnapshot.ratings == scores.FIRST)).all()
    assert [(s.ratings_version, s.computed_at is not None) for s in kept] == [(newer, True)]


def test_stored_calibrations_agree_with_a_fresh_fit_whatever_order_changes_and_the_worker_come_in(
    app: Flask, make: Factory, clock: FrozenClock,
) -> None:
    session = get_database(app).new_session()
    effects.connect(session.info, lambda _effect, _ids: False)  # a queue nobody runs: the machine is the worker
    factory = Factory(session, app)
    manager = factory.user(Role.HIRING_MANAGER)
    panel = [factory.user(Role.INTERVIEWER) for _ in range(3)]
    library = factory.library

    class Changes(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.opening = factory.opening(manager)
            self.assignments: list[Assignment] = []

        @rule(seed=st.integers(0, 10_000), score=st.integers(1, 5))
        def a_candidate_is_scored(self, seed: int, score: int) -> None:
            attempt = factory.submission(self.opening)
            for offset, interviewer in enumerate(random.Random(seed).sample(panel, 2)):
                made = factory.assignment(attempt, interviewer, manager, now=clock.now)
                factory.scorecard(made, max(1, min(5, score + offset)), actor=interviewer)
                self.assignments.append(made)

        @precondition(lambda self: self.assignments)
        @rule(pick=st.integers(0, 10_000), score=st.integers(1, 5))
        def a_scorecard_is_revised_with_approval(self, pick: int, score: int) -> None:
            made = self.assignments[pick % len(self.assignments)]
            reopened = revisions.reopen(session, made, "I read the brief again.", actor=made.interviewer,
                                        now=clock.now)
            if reopened.request is not None:
                revisions.decide_revision(session, self.opening, made, approve=True, note="", actor=manager,
                                          now=clock.now)
            factory.scorecard(made, score, actor=made.interviewer)

        @precondition(lambda self: self.assignments)
        @rule(pick=st.integers(0, 10_000))
        def a_third_interviewer_is_asked(self, pick: int) -> None:
            attempt = self.assignments[pick % len(self.assignments)].attempt
            free = [u for u in panel if all(a.interviewer_id != u.id for a in attempt.assignments)]
            if free:
                factory.assignment(attempt, free[0], manager, now=clock.now)

        @rule(pick=st.integers(0, 10_000))
        def the_worker_takes_one_request(self, pick: int) -> None:
            due = session.scalars(select(CalibrationSnapshot.id).where(
                CalibrationSnapshot.opening_id == self.opening.id, CalibrationSnapshot.computed_at.is_(None))).all()
            if due:
                snapshots.compute(session, library, due[pick % len(due)], clock.now)

        @rule()
        def the_worker_catches_up(self) -> None:
            snapshots.compute_due(session, library, clock.now)
            for ratings in scores.RATINGS:
                stored = calibration_reads.read(session, self.opening, ratings=ratings, per_page=None)
                assert stored.comparison is not None and stored.changes_since == 0
                assert _ranking(stored.comparison) == _ranking(results.comparison(session, library, self.opening,
                                                                                  ratings=ratings))

        @invariant()
        def the_stored_standing_of_each_attempt_is_what_its_scorecards_say(self) -> None:
            columns = list(worklist.STANDING)
            fresh = select(Attempt.id, *worklist.standing_columns()).join(Candidate).where(
                Candidate.opening_id == self.opening.id)
            stored = select(Attempt.id, *(getattr(Attempt, c) for c in columns)).join(Candidate).where(
                Candidate.opening_id == self.opening.id)
            assert sorted(map(tuple, session.execute(stored))) == sorted(
                (i, *(bool(v) if c == "disagreement" else v for c, v in zip(columns, rest, strict=True)))
                for i, *rest in session.execute(fresh))
            # The API's count of submitted scorecards, read from these counts, is the count of the scorecards.
            assert scores.count_submitted(session, self.opening) == len(
                scores.submitted_scorecards(session, self.opening))

        @invariant()
        def at_most_one_worked_out_per_view_and_never_ahead_of_the_ratings(self) -> None:
            version = snapshots.current_version(session, self.opening.id)
            done = session.execute(
                select(CalibrationSnapshot.ratings, func.count(), func.max(CalibrationSnapshot.ratings_version))
                .where(CalibrationSnapshot.opening_id == self.opening.id, CalibrationSnapshot.computed_at.is_not(None))
                .group_by(CalibrationSnapshot.ratings)).all()
            assert all(count == 1 and newest <= version for _, count, newest in done)

    try:
        run_state_machine_as_test(Changes, settings=settings(max_examples=6, stateful_step_count=8, deadline=None))
    finally:
        session.close()


def test_the_fit_in_the_worker_is_the_one_the_pages_used_to_make(
    seeded: Opening, db_session: Session, make: Factory, monkeypatch: pytest.MonkeyPatch, clock: FrozenClock,
) -> None:
    """Rewriting the stored rows by a fresh request gives the same ranking: nothing depends on when it was made."""
    before = calibration_reads.read(db_session, seeded, per_page=None)
    fits: list[int] = []
    real = calibration.calibrate

    def counted(*args: Any, **kwargs: Any) -> Any:
        fits.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr("assess.services.results.calibrate", counted)
    snapshots.ratings_changed(db_session, seeded.id, clock.now)
    db_session.commit()  # worked out at once by the in-process worker of the test app
    after = calibration_reads.read(db_session, seeded, per_page=None)
    assert fits and after.comparison is not None and before.comparison is not None
    assert _ranking(after.comparison) == _ranking(before.comparison)


def test_leaving_out_someone_who_never_scored_here_is_not_found_names_nobody_and_asks_nothing(
    client: FlaskClient, make: Factory, db_session: Session,
) -> None:
    manager = make.user(Role.HIRING_MANAGER)
    stranger = make.user(Role.ADMIN, name="Alex Admin")
    opening = make.opening(manager)
    sign_in_session(client, manager)
    answer = client.get(f"/hiring/openings/{opening.slug}/results?without={stranger.id}")
    assert answer.status_code == 404 and b"Alex Admin" not in answer.data
    assert db_session.scalar(select(func.count(CalibrationSnapshot.id)).where(
        CalibrationSnapshot.without == stranger.id)) == 0
