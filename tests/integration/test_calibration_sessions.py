"""Calibration sessions: everyone scores one benchmark blind, the reveal compares, a pass can be required."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from assess.domain.scoring import passes_calibration
from assess.errors import Conflict, InputError
from assess.models import Opening, Role, User
from assess.services import assigning, calibration_sessions, opening_settings, scorecards, worklist
from tests.support.app import FrozenClock
from tests.support.factories import Factory
from tests.support.web import csrf_token, sign_in_session

D = "d-writing-sample"


def test_passing_means_within_one_point_on_most_dimensions() -> None:
    reference = {"a": 3, "b": 4, "c": 2}
    assert passes_calibration({"a": 4, "b": 4, "c": 4}, reference)
    assert not passes_calibration({"a": 5, "b": 4, "c": 4}, reference)


@pytest.fixture
def setup(make: Factory, clock: FrozenClock) -> dict[str, Any]:
    manager = make.user(Role.HIRING_MANAGER, name="Hana Manager")
    people = {name: make.user(Role.INTERVIEWER, name=f"{name.capitalize()} Rater") for name in ("ada", "ben")}
    opening = make.opening(manager, title="Calibrated APM")
    return {"manager": manager, "opening": opening, **people}


def score_all(client: FlaskClient, entry_id: int, value: int, dims: tuple[str, ...]) -> Any:
    url = f"/review/calibration/{entry_id}"
    data = {"csrf_token": csrf_token(client, url), "submit": "y"} | {f"score_{d}": str(value) for d in dims}
    return client.post(url, data=data)


def test_a_session_is_scored_blind_then_revealed_beside_the_reference(
    setup: dict[str, Any], app: Flask, client: FlaskClient, db_session: Session, make: Factory, clock: FrozenClock
) -> None:
    sign_in_session(client, setup["manager"])
    page = f"/hiring/openings/{setup['opening'].slug}/calibration"
    client.post(page, data={"csrf_token": csrf_token(client, page), "benchmark": f"{D}/strong"})
    [cs] = calibration_sessions.sessions_of(db_session, setup["opening"])
    reference = calibration_sessions.reference_of(cs)
    dims = tuple(reference)
    entries = {e.interviewer.name: e.id for e in cs.entries}
    ada, ben = app.test_client(), app.test_client()
    sign_in_session(ada, setup["ada"])
    queue = ada.get("/review/").get_data(as_text=True)
    assert "Score it" in queue
    blind = ada.get(f"/review/calibration/{entries['Ada Rater']}").get_data(as_text=True)
    assert "Reference" not in blind
    assert calibration_sessions.benchmark_of(cs).title not in blind  # the title gives away the level
    assert score_all(ada, entries["Ada Rater"], 4, dims).status_code == 302
    sign_in_session(ben, setup["ben"])
    assert "Ada Rater" not in ben.get(f"/review/calibration/{entries['Ben Rater']}").get_data(as_text=True)
    assert score_all(ben, entries["Ben Rater"], 1, dims).status_code == 302
    assert score_all(ben, entries["Ben Rater"], 5, dims).status_code == 200  # already scored: nothing changes
    asked = client.get(f"{page}/{cs.id}/reveal").get_data(as_text=True)
    assert "Every interviewer has scored" in asked and "cannot be undone" in asked
    client.post(f"{page}/{cs.id}/reveal", data={"csrf_token": csrf_token(client, page), "confirm": "yes"})
    revealed = ada.get(f"/review/calibration/{entries['Ada Rater']}").get_data(as_text=True)
    assert "Reference" in revealed and "Ben Rater" in revealed
    db_session.expire_all()
    results = {e.interviewer.name: calibration_sessions.passed(e, reference) for e in cs.entries}
    expected_ada = passes_calibration(dict.fromkeys(dims, 4), reference)
    assert results == {"Ada Rater": expected_ada, "Ben Rater": passes_calibration(dict.fromkeys(dims, 1), reference)}
    manager_view = client.get(page).get_data(as_text=True)
    assert "passed" in manager_view or "not passed" in manager_view


def test_an_opening_can_require_a_pass_before_scoring_candidates(
    setup: dict[str, Any], db_session: Session, make: Factory, clock: FrozenClock
) -> None:
    opening: Opening = setup["opening"]
    opening_settings.update_settings(db_session, opening, opening_settings.OpeningChanges(
        invitation_valid_days=14, interviewers_per_submission=1, ai_enabled=False, ai_draft_timing="after_rating",
        ai_notice="", calibration_required=True), actor=setup["manager"], now=clock.now)
    attempt = make.submission(opening, D, "meets")
    with pytest.raises(Conflict, match="has not passed a calibration session"):
        assigning.assign(db_session, opening, attempt.id, setup["ada"].id, due_at=None, actor=setup["manager"],
                       now=clock.now)
    cs = calibration_sessions.create(db_session, make.library, opening, f"{D}/meets", actor=setup["manager"],
                                     now=clock.now)
    reference = calibration_sessions.reference_of(cs)
    entry = next(e for e in cs.entries if e.interviewer_id == setup["ada"].id)
    calibration_sessions.submit(db_session, make.library.scorecard(D).content, entry, dict(reference), now=clock.now)
    made = assigning.assign(db_session, opening, attempt.id, setup["ada"].id, due_at=None, actor=setup["manager"],
                          now=clock.now)
    assert made.interviewer_id == setup["ada"].id
    assigning.auto_assign(db_session, make.library, opening, actor=setup["manager"], now=clock.now)
    assigned = {a.interviewer_id for row in worklist.work_rows(db_session, opening) for a in row.assignments}
    assert assigned == {setup["ada"].id}  # Ben has not passed, so automatic assignment leaves him out


def test_a_benchmark_outside_the_opening_is_refused(setup: dict[str, Any], db_session: Session, make: Factory,
                                                   clock: FrozenClock) -> None:
    with pytest.raises(InputError, match="Choose one of the benchmark answers"):
        calibration_sessions.create(db_session, make.library, setup["opening"], "d-writing-sample/nonexistent",
                                    actor=setup["manager"], now=clock.now)


def test_interviewers_cannot_open_each_others_calibration_entries(
    setup: dict[str, Any], client: FlaskClient, db_session: Session, make: Factory, clock: FrozenClock
) -> None:
    cs = calibration_sessions.create(db_session, make.library, setup["opening"], f"{D}/weak",
                                     actor=setup["manager"], now=clock.now)
    bens = next(e for e in cs.entries if e.interviewer_id == setup["ben"].id)
    adas = next(e for e in cs.entries if e.interviewer_id == setup["ada"].id)
    sign_in_session(client, setup["ada"])
    assert client.get(f"/review/calibration/{bens.id}").status_code == 404
    assert client.get(f"/review/calibration/{adas.id}").status_code == 200  # her own opens, so the 404 is the rule


def test_the_interviewer_report_shows_distance_from_the_benchmark_references(
    setup: dict[str, Any], db_session: Session, make: Factory, clock: FrozenClock
) -> None:
    from assess.domain.scoring import RatingInput, ScorecardInput
    from assess.services import calibration_report, results

    opening = setup["opening"]
    attempt = make.submission(opening, D, "meets")
    content = make.library.scorecard(D).content
    for name, value in (("ada", 3), ("ben", 2)):
        made = assigning.assign(db_session, opening, attempt.id, setup[name].id, due_at=None, actor=setup["manager"],
                              now=clock.now)
        scorecards.save(db_session, make.library, made, ScorecardInput({k: RatingInput(value) for k in content.dimension_keys},
                                                                  "yes"), submit=True, actor=setup[name], now=clock.now)
    cs = calibration_sessions.create(db_session, make.library, opening, f"{D}/meets", actor=setup["manager"], now=clock.now)
    reference = calibration_sessions.reference_of(cs)
    ada = next(e for e in cs.entries if e.interviewer_id == setup["ada"].id)
    calibration_sessions.submit(db_session, content, ada, {k: v + 1 for k, v in reference.items()}, now=clock.now)
    rows, _ = calibration_report.interviewer_report(db_session, opening)
    by_name = {r.name: r for r in rows}
    assert by_name["Ada Rater"].benchmark_distance == pytest.approx(1.0)
    assert by_name["Ben Rater"].benchmark_distance is None


def test_a_session_reveals_only_once_everyone_has_scored_unless_revealed_now_without_them(
    setup: dict[str, Any], app: Flask, client: FlaskClient, db_session: Session, make: Factory, clock: FrozenClock, browser_for: Callable[[User], FlaskClient]
) -> None:
    opening: Opening = setup["opening"]
    opening_settings.update_settings(db_session, opening, opening_settings.OpeningChanges(
        invitation_valid_days=14, interviewers_per_submission=1, ai_enabled=False, ai_draft_timing="after_rating",
        ai_notice="", calibration_required=True), actor=setup["manager"], now=clock.now)
    cs = calibration_sessions.create(db_session, make.library, opening, f"{D}/meets", actor=setup["manager"],
                                     now=clock.now)
    reference = calibration_sessions.reference_of(cs)
    entries = {e.interviewer_id: e for e in cs.entries}
    ada, ben = entries[setup["ada"].id], entries[setup["ben"].id]
    content = make.library.scorecard(D).content
    calibration_sessions.submit(db_session, content, ada, dict(reference), now=clock.now)
    with pytest.raises(Conflict, match=r"1 interviewer\(s\) have not scored yet \(Ben Rater\)"):
        calibration_sessions.reveal(db_session, cs, actor=setup["manager"], now=clock.now)
    sign_in_session(client, setup["manager"])
    page = f"/hiring/openings/{opening.slug}/calibration"
    asked = client.get(f"{page}/{cs.id}/reveal").get_data(as_text=True)
    assert "Reveal now, before everyone has scored?" in asked and "Ben Rater" in asked
    assert 'name="early" type="hidden" value="yes"' in asked
    client.post(f"{page}/{cs.id}/reveal", data={"csrf_token": csrf_token(client, page), "confirm": "yes",
                                                "early": "yes"})
    db_session.expire_all()
    assert cs.revealed_at is not None
    assert calibration_sessions.outcome(ben, reference) == "did not score"
    assert calibration_sessions.outcome(ada, reference) == "passed"
    listing = client.get(page).get_data(as_text=True)
    assert "Ben Rater · did not score" in listing and "Ben Rater · not passed" not in listing
    bens_view = browser_for(setup["ben"])
    view = bens_view.get(f"/review/calibration/{ben.id}").get_data(as_text=True)
    assert "did not score" in view and "Reference" not in view and "not passed" not in view
    late = bens_view.post(f"/review/calibration/{ben.id}", data={
        "csrf_token": csrf_token(bens_view, f"/review/calibration/{ben.id}"), "submit": "y",
    } | {f"score_{k}": str(v) for k, v in reference.items()})
    assert late.status_code == 409 and "revealed before you scored" in late.get_data(as_text=True)
    db_session.expire_all()
    assert ben.submitted_at is None and ben.scores == {}
    # Not a fail: a later session Ben scores is enough to be given candidates' work.
    attempt = make.submission(opening, D, "meets")
    with pytest.raises(Conflict, match="has not passed a calibration session"):
        assigning.assign(db_session, opening, attempt.id, setup["ben"].id, due_at=None, actor=setup["manager"],
                       now=clock.now)
    again = calibration_sessions.create(db_session, make.library, opening, f"{D}/meets", actor=setup["manager"],
                                        now=clock.now)
    calibration_sessions.submit(db_session, content, next(e for e in again.entries if e.interviewer_id == setup["ben"].id),
                                dict(reference), now=clock.now)
    assert assigning.assign(db_session, opening, attempt.id, setup["ben"].id, due_at=None, actor=setup["manager"],
                          now=clock.now).interviewer_id == setup["ben"].id
