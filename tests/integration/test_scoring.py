"""Scoring: assignment, blind review, the scorecard form, independence, reopening, live stages."""

from __future__ import annotations

from collections.abc import Callable
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assess.domain.scoring import RatingInput, ScorecardInput
from assess.errors import Conflict, InputError
from assess.models import Assignment, Attempt, AuditEvent, OutboundEmail, Role, Scorecard, ScorecardStatus, User
from assess.services import assigning, scorecards, scoring_state, worklist
from tests.support.app import FrozenClock
from tests.support.factories import Factory
from tests.support.web import A_DIMENSIONS, csrf_token, form_data, score, sign_in_session

A = "a-mini-prd"


# -- assignment ----------------------------------------------------------------------------------


def test_automatic_assignment_gives_each_piece_of_work_two_interviewers_and_adds_the_live_stage(
    make: Factory, team: dict[str, User], clock: FrozenClock, db_session: Session
) -> None:
    opening = make.opening(team["manager"])
    for _ in range(3):
        make.submission(opening, A)
        make.submission(opening, "d-writing-sample")
    result = assigning.auto_assign(db_session, make.library, opening, actor=team["manager"], now=clock.now)
    rows = worklist.work_rows(db_session, opening)
    assert {row.exercise.key for row in rows} == {A, "d-writing-sample", "c-stakeholder-roleplay"}
    assert all(len(row.assignments) == 2 for row in rows)
    assert result.added == 2 * len(rows) and result.short == 0
    load = db_session.execute(select(Assignment.interviewer_id, func.count()).group_by(Assignment.interviewer_id)).all()
    counts = sorted(n for _, n in load)
    assert counts[-1] - counts[0] <= 1


def test_assigning_by_hand_is_checked(
    work: Attempt, team: dict[str, User], clock: FrozenClock, db_session: Session, make: Factory
) -> None:
    make.assignment(work, team["priya"], team["manager"], now=clock.now)
    with pytest.raises(Conflict, match="Priya Interviewer is already scoring this"):
        assigning.assign(db_session, work.candidate.opening, work.id, team["priya"].id, due_at=None,
                       actor=team["manager"], now=clock.now)
    with pytest.raises(InputError, match="Choose an active interviewer"):
        assigning.assign(db_session, work.candidate.opening, work.id, team["manager"].id, due_at=None,
                       actor=team["manager"], now=clock.now)
    unfinished = make.invite(work.candidate.opening).candidate
    from assess.services import attempts

    started = attempts.start(db_session, make.library, unfinished, A, now=clock.now)
    with pytest.raises(Conflict, match="not been submitted"):
        assigning.assign(db_session, started.candidate.opening, started.id, team["tom"].id, due_at=None,
                       actor=team["manager"], now=clock.now)


def test_the_hiring_manager_assigns_and_reminds_from_the_scoring_page(
    work: Attempt, team: dict[str, User], client: FlaskClient, db_session: Session, clock: FrozenClock
) -> None:
    sign_in_session(client, team["manager"])
    page = f"/hiring/openings/{work.candidate.opening.slug}/scoring"
    client.post(f"{page}/assign", data={"csrf_token": csrf_token(client, page), "attempt_id": work.id,
                                        "interviewer_id": team["lena"].id})
    assignment = db_session.scalars(select(Assignment)).one()
    assert assignment.interviewer_id == team["lena"].id
    clock.advance(days=4)
    sign_in_session(client, team["manager"])  # four days on, the earlier session has ended
    text = client.get(page).get_data(as_text=True)
    assert "overdue" in text
    client.post(f"{page}/assignments/{assignment.id}/remind", data={"csrf_token": csrf_token(client, page)})
    reminder = db_session.scalars(select(OutboundEmail).where(OutboundEmail.subject.startswith("Reminder"))).one()
    assert reminder.to_address == team["lena"].email
    assert "Quinn" not in reminder.body_text
    assert f"Candidate {work.candidate.pseudonym}" in reminder.body_text


def test_another_hiring_manager_cannot_open_the_scoring_page(
    work: Attempt, make: Factory, client: FlaskClient
) -> None:
    sign_in_session(client, make.user(Role.HIRING_MANAGER))
    assert client.get(f"/hiring/openings/{work.candidate.opening.slug}/scoring").status_code == 404


# -- blind review and the queue ----------------------------------------------------------------


def test_interviewers_see_a_code_never_the_name_or_email(
    work: Attempt, team: dict[str, User], client: FlaskClient, db_session: Session, clock: FrozenClock, make: Factory
) -> None:
    assignment = make.assignment(work, team["priya"], team["manager"], now=clock.now)
    sign_in_session(client, team["priya"])
    for url in ("/review/", f"/review/assignments/{assignment.id}"):
        text = client.get(url).get_data(as_text=True)
        assert f"Candidate {work.candidate.pseudonym}" in text
        assert "Quinn" not in text and "Secretname" not in text and "quinn.secret" not in text


def test_names_appear_only_after_scoring_closes_and_the_manager_unblinds(
    work: Attempt, team: dict[str, User], client: FlaskClient, db_session: Session, clock: FrozenClock, make: Factory
) -> None:
    assignment = make.assignment(work, team["priya"], team["manager"], now=clock.now)
    opening = work.candidate.opening
    with pytest.raises(Conflict, match="Close scoring first"):
        scoring_state.unblind(db_session, opening, actor=team["manager"], now=clock.now)
    scoring_state.close_scoring(db_session, opening, actor=team["manager"], now=clock.now)
    sign_in_session(client, team["priya"])
    assert "Quinn" not in client.get(f"/review/assignments/{assignment.id}").get_data(as_text=True)
    scoring_state.unblind(db_session, opening, actor=team["manager"], now=clock.now)
    assert "Quinn Secretname" in client.get(f"/review/assignments/{assignment.id}").get_data(as_text=True)


def test_an_interviewer_who_is_not_assigned_gets_404(
    work: Attempt, team: dict[str, User], client: FlaskClient, db_session: Session, clock: FrozenClock, make: Factory
) -> None:
    assignment = make.assignment(work, team["priya"], team["manager"], now=clock.now)
    sign_in_session(client, team["tom"])
    url = f"/review/assignments/{assignment.id}"
    assert client.get(url).status_code == 404
    assert client.post(url, data=form_data(client, "/review/", dict.fromkeys(A_DIMENSIONS, 3))).status_code == 404
    assert client.post(f"{url}/reopen", data={"csrf_token": csrf_token(client, "/review/"),
                                              "reason": "Trying to reopen someone else's"}).status_code == 404
    sign_in_session(client, team["manager"])
    assert client.get(url).status_code == 403


# -- the scorecard form -----------------------------------------------------------------------


def test_the_page_shows_the_work_the_anchors_signals_and_structural_checks(
    work: Attempt, team: dict[str, User], client: FlaskClient, db_session: Session, clock: FrozenClock, make: Factory
) -> None:
    assignment = make.assignment(work, team["priya"], team["manager"], now=clock.now)
    sign_in_session(client, team["priya"])
    text = client.get(f"/review/assignments/{assignment.id}").get_data(as_text=True)
    scorecard = make.library.scorecard(A).content
    assert scorecard.scored("requirements_quality").anchors.high[:40] in text
    assert 'name="signals_requirements_quality" type="checkbox" value="testable_criteria"' in text
    assert "User stories written" in text
    first_line = work.submission.answers["problem_statement"].splitlines()[0][:30]
    assert first_line in text
    assert "<script" not in work.submission.answers["problem_statement"]


def test_the_interviewer_sees_the_data_the_candidate_was_given(
    team: dict[str, User], client: FlaskClient, make: Factory, clock: FrozenClock
) -> None:
    key = next(k for k, e in make.library.exercises.items() if e.content.variants)
    attempt = make.submission(make.opening(team["manager"]), key)
    assert attempt.data_variant
    assignment = make.assignment(attempt, team["priya"], team["manager"], now=clock.now)
    sign_in_session(client, team["priya"])
    text = client.get(f"/review/assignments/{assignment.id}").get_data(as_text=True)
    exercise = make.library.exercise(key).content
    for table in exercise.variant(attempt.data_variant).tables:
        assert f'id="data-{table.dataset}"' in text
    assert 'class="table data-table"' in text and "data-chart-source" in text
    assert "Download" not in text  # the candidate's own download link is theirs alone


def test_a_draft_saves_without_every_rating(
    work: Attempt, team: dict[str, User], client: FlaskClient, db_session: Session, clock: FrozenClock, make: Factory
) -> None:
    assignment = make.assignment(work, team["priya"], team["manager"], now=clock.now)
    sign_in_session(client, team["priya"])
    url = f"/review/assignments/{assignment.id}"
    response = client.post(url, data=form_data(client, url, {"problem_framing": 4}, submit=False))
    assert response.status_code == 302
    db_session.expire_all()
    saved = db_session.get(Assignment, assignment.id).scorecard
    assert saved.status is ScorecardStatus.DRAFT
    assert {r.dimension_key: r.score for r in saved.ratings}["problem_framing"] == 4
    assert re.search(r'<input checked[^>]*name="score_problem_framing"[^>]*value="4"', client.get(url).get_data(as_text=True))


def test_submitting_needs_every_rating_and_evidence_at_the_ends_of_the_scale(
    work: Attempt, team: dict[str, User], client: FlaskClient, db_session: Session, clock: FrozenClock, make: Factory
) -> None:
    assignment = make.assignment(work, team["priya"], team["manager"], now=clock.now)
    sign_in_session(client, team["priya"])
    url = f"/review/assignments/{assignment.id}"
    partial = client.post(url, data=form_data(client, url, {"problem_framing": 3}))
    assert partial.status_code == 400
    assert "Rate Communication from 1 to 5." in partial.get_data(as_text=True)
    extremes = client.post(url, data=form_data(client, url, dict.fromkeys(A_DIMENSIONS, 5), evidence=""))
    assert extremes.status_code == 400
    assert "a rating of 5 needs an evidence note" in extremes.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Assignment, assignment.id).scorecard.status is ScorecardStatus.DRAFT
    assert score(client, assignment, 5).status_code == 302
    db_session.expire_all()
    assert db_session.get(Assignment, assignment.id).scorecard.status is ScorecardStatus.SUBMITTED


def test_a_submitted_scorecard_is_locked(
    work: Attempt, team: dict[str, User], client: FlaskClient, db_session: Session, clock: FrozenClock, make: Factory
) -> None:
    assignment = make.assignment(work, team["priya"], team["manager"], now=clock.now)
    sign_in_session(client, team["priya"])
    score(client, assignment, 3)
    score(client, assignment, 1)
    assert "submitted and locked" in client.get(f"/review/assignments/{assignment.id}").get_data(as_text=True)
    db_session.expire_all()
    ratings = db_session.get(Assignment, assignment.id).scorecard.ratings
    assert {r.score for r in ratings} == {3}


# -- independence -----------------------------------------------------------------------------


def test_no_other_score_is_visible_until_ones_own_is_submitted(
    work: Attempt, team: dict[str, User], app: Flask, db_session: Session, clock: FrozenClock, make: Factory
) -> None:
    mine = make.assignment(work, team["priya"], team["manager"], now=clock.now)
    theirs = make.assignment(work, team["tom"], team["manager"], now=clock.now)
    tom, priya = app.test_client(), app.test_client()
    sign_in_session(tom, team["tom"])
    score(tom, theirs, 1, evidence="TOMS-PRIVATE-EVIDENCE")
    sign_in_session(priya, team["priya"])
    for url in ("/review/", f"/review/assignments/{mine.id}"):
        text = priya.get(url).get_data(as_text=True)
        assert "TOMS-PRIVATE-EVIDENCE" not in text
        assert "Everyone's ratings" not in text
        assert "Tom Interviewer" not in text
    score(priya, mine, 3, submit=False)
    assert "TOMS-PRIVATE-EVIDENCE" not in priya.get(f"/review/assignments/{mine.id}").get_data(as_text=True)
    score(priya, mine, 3)
    after = priya.get(f"/review/assignments/{mine.id}").get_data(as_text=True)
    assert "Everyone's ratings" in after and "Tom Interviewer" in after
    assert after.count(">debrief<") == len(A_DIMENSIONS)


def test_the_hiring_manager_is_told_of_a_disagreement_and_can_ask_a_third_interviewer(
    work: Attempt, team: dict[str, User], app: Flask, db_session: Session, clock: FrozenClock, make: Factory, browser_for: Callable[[User], FlaskClient]
) -> None:
    for name, value in (("priya", 4), ("tom", 2)):
        assignment = make.assignment(work, team[name], team["manager"], now=clock.now)
        scorecards.save(db_session, app.extensions["assess.content"], assignment,
                     ScorecardInput({k: RatingInput(value) for k in A_DIMENSIONS}, "yes"),
                     submit=True, actor=team[name], now=clock.now)
    manager = browser_for(team["manager"])
    page = manager.get(f"/hiring/openings/{work.candidate.opening.slug}/scoring").get_data(as_text=True)
    assert "Disagreements to look at (1)" in page
    assert "Problem framing 2 vs 4" in page
    assert "Ask a third interviewer" in page
    assert f'<option value="{team["lena"].id}">Lena Interviewer</option>' in page
    base = f"/hiring/openings/{work.candidate.opening.slug}/scoring"
    manager.post(f"{base}/assign", data={"csrf_token": csrf_token(manager, base), "attempt_id": work.id,
                                         "interviewer_id": team["lena"].id})
    readers = db_session.scalars(select(Assignment.interviewer_id).where(Assignment.attempt_id == work.id)).all()
    assert sorted(readers) == sorted([team["priya"].id, team["tom"].id, team["lena"].id])


def test_two_interviewers_with_the_same_name_who_disagree_are_both_counted(
    work: Attempt, team: dict[str, User], db_session: Session, clock: FrozenClock, make: Factory,
    browser_for: Callable[[User], FlaskClient],
) -> None:
    namesakes = [make.user(Role.INTERVIEWER, name="Sam Lee") for _ in range(2)]
    for interviewer, value in zip(namesakes, (1, 5), strict=True):
        made = make.assignment(work, interviewer, team["manager"], now=clock.now)
        make.scorecard(made, value, evidence="noted", actor=interviewer)
    row = next(r for r in worklist.work_page(db_session, work.candidate.opening, view="all").rows
               if r.attempt.id == work.id)
    assert {d.dimension for d in row.disagreements} == set(A_DIMENSIONS)
    second = db_session.scalars(select(Assignment).where(Assignment.interviewer_id == namesakes[1].id)).one()
    page = browser_for(namesakes[1]).get(f"/review/assignments/{second.id}").get_data(as_text=True)
    assert page.count('<tr class="debrief">') == len(A_DIMENSIONS)


# -- reopening ----------------------------------------------------------------------------------


def test_reopening_needs_a_reason_and_keeps_the_history(
    work: Attempt, team: dict[str, User], client: FlaskClient, db_session: Session, clock: FrozenClock, make: Factory
) -> None:
    assignment = make.assignment(work, team["priya"], team["manager"], now=clock.now)
    sign_in_session(client, team["priya"])
    url = f"/review/assignments/{assignment.id}"
    score(client, assignment, 3)
    short = client.post(f"{url}/reopen", data={"csrf_token": csrf_token(client, url), "reason": "oops"})
    assert short.status_code == 400
    assert "Say why the scorecard is being reopened" in short.get_data(as_text=True)
    client.post(f"{url}/reopen", data={"csrf_token": csrf_token(client, url),
                                       "reason": "I misread the tracking plan section."})
    clock.advance(minutes=5)
    score(client, assignment, 4)
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "scorecard")
                                .order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["scorecard.submitted", "scorecard.reopened", "scorecard.submitted"]
    assert events[1].details["reason"] == "I misread the tracking plan section."
    assert events[1].details["values"]["ratings"]["communication"]["score"] == 3
    assert events[2].details["values"]["ratings"]["communication"]["score"] == 4
    page = client.get(url).get_data(as_text=True)
    assert "Reopened" in page and "I misread the tracking plan section." in page
    assert db_session.scalar(select(func.count(Scorecard.id))) == 1


# -- live stages ------------------------------------------------------------------------------


def test_a_live_stage_is_scored_from_the_guide_without_a_submission(
    work: Attempt, team: dict[str, User], client: FlaskClient, db_session: Session, clock: FrozenClock, make: Factory
) -> None:
    opening = work.candidate.opening
    worklist.ensure_live_stages(db_session, make.library, opening)
    live = db_session.scalars(select(Attempt).where(Attempt.exercise_key == "c-stakeholder-roleplay")).one()
    assignment = make.assignment(live, team["lena"], team["manager"], now=clock.now)
    sign_in_session(client, team["lena"])
    url = f"/review/assignments/{assignment.id}"
    text = client.get(url).get_data(as_text=True)
    assert "interviewer guide" in text
    assert 'name="score_collaboration"' in text and 'name="score_problem_framing"' not in text
    dims = make.library.scorecard("c-stakeholder-roleplay").content.dimension_keys
    response = client.post(url, data=form_data(client, url, dict.fromkeys(dims, 3)))
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Assignment, assignment.id).scorecard.status is ScorecardStatus.SUBMITTED


# -- the scoring page at scale -------------------------------------------------------------------


def test_the_scoring_page_shows_what_needs_attention_first_in_pages(
    make: Factory, team: dict[str, User], clock: FrozenClock, db_session: Session, client: FlaskClient
) -> None:
    opening = make.opening(team["manager"], title="APM views")
    done, apart, waiting = (make.submission(opening, A, "meets") for _ in range(3))
    for attempt, scores in ((done, (3, 3)), (apart, (2, 4))):
        for interviewer, value in zip((team["priya"], team["tom"]), scores, strict=True):
            made = make.assignment(attempt, interviewer, team["manager"], now=clock.now)
            make.scorecard(made, value, evidence="noted", actor=interviewer)
    first = worklist.work_page(db_session, opening)
    assert first.view == "attention" and first.counts == {"attention": 2, "disagreements": 1, "all": 3}
    assert {row.attempt.id for row in first.rows} == {apart.id, waiting.id}
    assert [row.attempt.id for row in worklist.work_page(db_session, opening, view="disagreements").rows] == [apart.id]
    paged = [worklist.work_page(db_session, opening, view="all", page=n, per_page=2) for n in (1, 2, 9)]
    assert [len(p.rows) for p in paged] == [2, 1, 1] and paged[2].page == 2 and paged[0].pages == 2
    sign_in_session(client, team["manager"])
    base = f"/hiring/openings/{opening.slug}/scoring"
    assert "Add live stages (3)" in client.get(base).get_data(as_text=True)
    assert worklist.count_missing_live_stages(db_session, make.library, opening) == 3 == len(
        worklist.missing_live_stages(db_session, make.library, opening))
    assert "There is no page 4: the list has 1 page" in client.get(f"{base}?page=4").get_data(as_text=True)
    assert client.get(f"{base}?page=%201").status_code == 400
    assert worklist.work_page(db_session, opening).counts["all"] == 3  # showing the page wrote nothing
    added = client.post(f"{base}/live-stages", data={"csrf_token": csrf_token(client, base)}, follow_redirects=True)
    assert "Added 3 live-stage slot(s)" in added.get_data(as_text=True)
    page = client.get(base).get_data(as_text=True)
    now = worklist.work_page(db_session, opening).counts  # the button added the three live stages, unassigned
    assert now == {"attention": 5, "disagreements": 1, "all": 6}
    assert 'aria-current="page">Needs attention <span class="count">5</span>' in page
    assert f'id="work-{done.id}"' not in page and f'id="work-{waiting.id}"' in page
    everything = client.get(f"/hiring/openings/{opening.slug}/scoring?view=all").get_data(as_text=True)
    assert f'id="work-{done.id}"' in everything


def test_the_interviewers_queue_pages_in_the_database_open_work_first_soonest_due_first(
    team: dict[str, User], client: FlaskClient, db_session: Session, clock: FrozenClock, make: Factory
) -> None:
    from datetime import timedelta

    opening = make.opening(team["manager"])
    made = []
    for n in range(53):
        attempt = make.submission(opening)
        made.append(make.assignment(attempt, team["priya"], team["manager"], now=clock.now,
                                    due_at=clock.now + timedelta(days=60 - n)))
    make.scorecard(made[-1], 3, actor=team["priya"])  # the soonest due, but handed in: it goes last
    first = worklist.queue(db_session, team["priya"])
    assert first.total == 53 and first.pages == 2 and len(first.items) == 50
    assert [a.id for a in first.items[:2]] == [made[-2].id, made[-3].id]
    last = worklist.queue(db_session, team["priya"], page=2)
    assert [a.id for a in last.items] == [made[1].id, made[0].id, made[-1].id]
    sign_in_session(client, team["priya"])
    page = client.get("/review/?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in page and page.count('href="/review/assignments/') == 3
    assert "53 assignments" in page and 'href="/review/?page=1"' in page
    beyond = client.get("/review/?page=7").get_data(as_text=True)
    assert "There is no page 7: the list has 2 pages" in beyond and "Page 2 of 2" in beyond
    assert client.get("/review/?page=last").status_code == 400
