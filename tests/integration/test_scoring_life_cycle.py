"""Scoring's life cycle (open, closed, unblinded), reopening with approval, and first-submitted results."""

from __future__ import annotations

from collections.abc import Callable
import html
import re
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from assess.errors import Conflict
from assess.models import (
    Assignment,
    Attempt,
    AuditEvent,
    Rating,
    RevisionRequest,
    RevisionStatus,
    ScorecardStatus,
    ScoringState,
    User,
)
from assess.services import assigning, results, revisions, scores, scoring_state
from tests.support.app import FrozenClock
from tests.support.factories import Factory
from tests.support.web import ask_to_reopen, confirm, csrf_token, post_scores, sign_in_session

A = "a-mini-prd"


def scores_of(db_session: Session, assignment: Assignment) -> dict[str, tuple[int | None, int | None]]:
    db_session.expire_all()
    card = db_session.get(Assignment, assignment.id).scorecard
    return {r.dimension_key: (r.score, r.first_score) for r in card.ratings}


# -- closing freezes everything ------------------------------------------------------------------

SEEN = r'name="seen"[^>]*value="([^"]*)"'  # what the confirmation showed, sent back with it


def test_the_close_confirmation_names_reopened_scorecards_and_work_short_of_interviewers_and_a_change_since_stops_it(
    work: Attempt, team: dict[str, User], client: FlaskClient, db_session: Session, clock: FrozenClock, make: Factory
) -> None:
    opening = work.candidate.opening
    opening.interviewers_per_submission = 2
    db_session.commit()
    first = make.assignment(work, team["priya"], team["manager"], now=clock.now)
    make.scorecard(first, 3, actor=team["priya"])
    revisions.reopen(db_session, db_session.get(Assignment, first.id), "I misread the tracking plan.",
                     actor=team["priya"], now=clock.now)
    sign_in_session(client, team["manager"])
    base = f"/hiring/openings/{opening.slug}/scoring"
    asked = client.get(f"{base}/close").get_data(as_text=True)
    assert "1 scorecard is reopened for changes and not submitted again: it stays as a draft" in asked
    assert "1 piece of work has fewer than the 2 interviewers the opening asks for" in asked
    seen = re.search(SEEN, asked)
    assert seen
    # Another tab assigns Tom before this one confirms: the close is refused and says why.
    make.assignment(work, team["tom"], team["manager"], now=clock.now)
    refused = client.post(f"{base}/close", data={"csrf_token": csrf_token(client, base), "confirm": "yes",
                                                 "seen": seen.group(1)}, follow_redirects=True)
    assert "Scoring moved on since the confirmation was opened" in html.unescape(refused.get_data(as_text=True))
    db_session.expire_all()
    assert opening.scoring_state is ScoringState.OPEN
    again = client.get(f"{base}/close").get_data(as_text=True)
    fresh = re.search(SEEN, again)
    assert fresh and fresh.group(1) != seen.group(1)
    assert client.post(f"{base}/close", data={"csrf_token": csrf_token(client, base), "confirm": "yes",
                                              "seen": fresh.group(1)}).status_code == 302
    db_session.expire_all()
    assert opening.scoring_state is ScoringState.CLOSED


def test_closing_asks_for_confirmation_first_and_an_unconfirmed_post_changes_nothing(
    work: Attempt, team: dict[str, User], client: FlaskClient, db_session: Session, clock: FrozenClock, make: Factory
) -> None:
    make.assignment(work, team["priya"], team["manager"], now=clock.now)
    opening = work.candidate.opening
    sign_in_session(client, team["manager"])
    base = f"/hiring/openings/{opening.slug}/scoring"
    page = client.get(base).get_data(as_text=True)
    assert f'href="{base}/close"' in page
    asked = client.get(f"{base}/close").get_data(as_text=True)
    assert "Close scoring?" in asked and "1 assigned scorecard has not been submitted and will stay unscored" in asked
    assert "cannot be undone" in asked
    unconfirmed = client.post(f"{base}/close", data={"csrf_token": csrf_token(client, base)})
    assert unconfirmed.status_code == 302 and unconfirmed.headers["Location"].endswith(f"{base}/close")
    db_session.expire_all()
    assert opening.scoring_state is ScoringState.OPEN
    assert confirm(client, f"{base}/close").status_code == 302
    db_session.expire_all()
    assert opening.scoring_state is ScoringState.CLOSED and opening.scoring_closed_at == clock.now
    assert "Unblind names?" in client.get(f"{base}/unblind").get_data(as_text=True)
    confirm(client, f"{base}/unblind")
    db_session.expire_all()
    assert opening.scoring_state is ScoringState.UNBLINDED


def test_a_question_already_answered_is_not_asked_again(
    work: Attempt, team: dict[str, User], client: FlaskClient, db_session: Session, clock: FrozenClock
) -> None:
    opening = work.candidate.opening
    sign_in_session(client, team["manager"])
    base = f"/hiring/openings/{opening.slug}/scoring"
    early = client.get(f"{base}/unblind", follow_redirects=True).get_data(as_text=True)
    assert "Close scoring first" in early and "Unblind names?" not in early
    scoring_state.close_scoring(db_session, opening, actor=team["manager"], now=clock.now)
    closed = client.get(f"{base}/close", follow_redirects=True).get_data(as_text=True)
    assert "Scoring is already closed." in closed and "Close scoring?" not in closed
    scoring_state.unblind(db_session, opening, actor=team["manager"], now=clock.now)
    shown = client.get(f"{base}/unblind", follow_redirects=True).get_data(as_text=True)
    assert "Names are already shown to interviewers." in shown and "Unblind names?" not in shown


@pytest.mark.parametrize("state", [ScoringState.CLOSED, ScoringState.UNBLINDED])
def test_once_closed_nobody_starts_saves_submits_or_reopens_a_scorecard(
    state: ScoringState, work: Attempt, team: dict[str, User], app: Flask, db_session: Session,
    clock: FrozenClock, make: Factory, browser_for: Callable[[User], FlaskClient],
) -> None:
    unstarted = make.assignment(work, team["priya"], team["manager"], now=clock.now)
    drafted = make.assignment(work, team["tom"], team["manager"], now=clock.now)
    submitted = make.assignment(work, team["lena"], team["manager"], now=clock.now)
    make.scorecard(drafted, 3, submit=False)
    make.scorecard(submitted, 4)
    opening = work.candidate.opening
    scoring_state.close_scoring(db_session, opening, actor=team["manager"], now=clock.now)
    if state is ScoringState.UNBLINDED:
        scoring_state.unblind(db_session, opening, actor=team["manager"], now=clock.now)
    before = {a.id: scores_of(db_session, a) for a in (drafted, submitted)}
    for assignment, action in ((unstarted, "save"), (drafted, "save"), (drafted, "submit"), (submitted, "reopen")):
        client = browser_for(assignment.interviewer)
        url = f"/review/assignments/{assignment.id}"
        page = client.get(url).get_data(as_text=True)
        assert "Scoring is closed" in page and "Submit scorecard" not in page and "Reopen" not in page
        answer = (ask_to_reopen(client, assignment) if action == "reopen"
                  else post_scores(client, assignment, 5, submit=action == "submit"))
        assert answer.status_code == 302
        shown = client.get(url).get_data(as_text=True)
        assert f"Scoring for {opening.title} closed on" in shown and "Scorecards are final" in shown
    db_session.expire_all()
    assert db_session.get(Assignment, unstarted.id).scorecard is None
    assert {a.id: scores_of(db_session, a) for a in (drafted, submitted)} == before
    assert db_session.get(Assignment, drafted.id).scorecard.status is ScorecardStatus.DRAFT
    assert db_session.get(Assignment, submitted.id).scorecard.status is ScorecardStatus.SUBMITTED


def test_once_closed_nothing_is_assigned_and_no_reminder_goes_out(
    work: Attempt, team: dict[str, User], client: FlaskClient, db_session: Session, clock: FrozenClock,
    make: Factory,
) -> None:
    waiting = make.assignment(work, team["priya"], team["manager"], now=clock.now)
    opening = work.candidate.opening
    more = make.submission(opening, "d-writing-sample")
    scoring_state.close_scoring(db_session, opening, actor=team["manager"], now=clock.now)
    scoring_state.unblind(db_session, opening, actor=team["manager"], now=clock.now)
    for attempt in (work, more):
        with pytest.raises(Conflict, match="nobody can be assigned any more"):
            assigning.assign(db_session, opening, attempt.id, team["tom"].id, due_at=None, actor=team["manager"],
                           now=clock.now)
    with pytest.raises(Conflict, match="nobody can be assigned"):
        assigning.auto_assign(db_session, make.library, opening, actor=team["manager"], now=clock.now)
    with pytest.raises(Conflict, match="reminders are no longer sent"):
        assigning.remind(db_session, make.config, opening, waiting, actor=team["manager"], now=clock.now)
    clock.advance(days=5)
    sign_in_session(client, team["manager"])
    base = f"/hiring/openings/{opening.slug}/scoring"
    page = client.get(f"{base}?view=all").get_data(as_text=True)
    assert "Assign automatically" not in page and "Add an interviewer" not in page
    assert "Send reminder" not in page and "overdue" not in page and "left unscored" in page
    # Nor does the page add live-stage slots once scoring is closed.
    assert db_session.scalars(select(Attempt).where(Attempt.exercise_key == "c-stakeholder-roleplay")).all() == []
    token = csrf_token(client, base)
    client.post(f"{base}/assign", data={"csrf_token": token, "attempt_id": more.id, "interviewer_id": team["tom"].id})
    client.post(f"{base}/assignments/{waiting.id}/remind", data={"csrf_token": token})
    flashed = client.get(base).get_data(as_text=True)
    assert "so nobody can be assigned any more" in flashed and "so reminders are no longer sent" in flashed
    assert db_session.scalars(select(Assignment)).all() == [waiting]


# -- reopening once others' ratings were visible ---------------------------------------------------


def test_reopening_after_seeing_the_others_waits_for_the_managers_approval_and_is_marked(
    work: Attempt, team: dict[str, User], app: Flask, db_session: Session, clock: FrozenClock, make: Factory, browser_for: Callable[[User], FlaskClient],
) -> None:
    mine = make.assignment(work, team["priya"], team["manager"], now=clock.now)
    theirs = make.assignment(work, team["tom"], team["manager"], now=clock.now)
    make.scorecard(theirs, 2)
    priya = browser_for(team["priya"])
    post_scores(priya, mine, 4)
    page = priya.get(f"/review/assignments/{mine.id}").get_data(as_text=True)
    assert "Everyone's ratings" in page and "Ask the hiring manager to reopen it" in page
    assert ask_to_reopen(priya, mine, "Tom noticed a gap I missed.").status_code == 302
    db_session.expire_all()
    assert db_session.get(Assignment, mine.id).scorecard.status is ScorecardStatus.SUBMITTED
    waiting = priya.get(f"/review/assignments/{mine.id}").get_data(as_text=True)
    assert "The hiring manager has not decided yet" in waiting
    assert post_scores(priya, mine, 2).status_code == 302
    assert {score for score, _ in scores_of(db_session, mine).values()} == {4}
    ask_to_reopen(priya, mine, "Asking a second time, just in case.")
    assert db_session.scalar(select(RevisionRequest.id).where(RevisionRequest.reason.startswith("Asking"))) is None

    manager = browser_for(team["manager"])
    base = f"/hiring/openings/{work.candidate.opening.slug}/scoring"
    listing = manager.get(base).get_data(as_text=True)
    assert "Reopen requests (1)" in listing and "Tom noticed a gap I missed." in listing
    manager.post(f"{base}/assignments/{mine.id}/revision",
                 data={"csrf_token": csrf_token(manager, base), "note": "Fine, keep it short.", "approve": "y"})
    assert "Reopened with approval" in priya.get(f"/review/assignments/{mine.id}").get_data(as_text=True)
    clock.advance(minutes=10)
    assert post_scores(priya, mine, 2).status_code == 302
    assert set(scores_of(db_session, mine).values()) == {(2, 4)}
    assert ">revised</span>" in manager.get(f"{base}?view=all").get_data(as_text=True)
    candidate = manager.get(f"/hiring/openings/{work.candidate.opening.slug}/candidates/{work.candidate_id}")
    assert "revised after seeing others' ratings" in candidate.get_data(as_text=True)
    lena = make.assignment(work, team["lena"], team["manager"], now=clock.now)
    make.scorecard(lena, 3)
    peers = browser_for(team["lena"])
    assert "Priya Interviewer" in (shown := peers.get(f"/review/assignments/{lena.id}").get_data(as_text=True))
    assert ">revised</span>" in shown
    actions = db_session.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "scorecard",
                                                                 AuditEvent.subject_id == db_session.get(
                                                                     Assignment, mine.id).scorecard.id)
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["scorecard.submitted", "scorecard.revision_requested", "scorecard.reopened",
                       "scorecard.submitted"]


def test_a_refused_request_leaves_the_scorecard_as_submitted_and_tells_the_interviewer_why(
    work: Attempt, team: dict[str, User], app: Flask, db_session: Session, clock: FrozenClock, make: Factory, browser_for: Callable[[User], FlaskClient],
) -> None:
    mine = make.assignment(work, team["priya"], team["manager"], now=clock.now)
    make.scorecard(make.assignment(work, team["tom"], team["manager"], now=clock.now), 2)
    make.scorecard(mine, 4)
    outcome = revisions.reopen(db_session, mine, "I would like to match Tom.", actor=team["priya"], now=clock.now)
    assert outcome.request is not None
    revisions.decide_revision(db_session, mine.attempt.candidate.opening, mine, approve=False,
                            note="Your first reading stands; bring it to the debrief.", actor=team["manager"],
                            now=clock.now)
    with pytest.raises(Conflict, match="no reopen request waiting"):
        revisions.decide_revision(db_session, mine.attempt.candidate.opening, mine, approve=True, note="",
                                actor=team["manager"], now=clock.now)
    db_session.expire_all()
    card = db_session.get(Assignment, mine.id).scorecard
    assert card.status is ScorecardStatus.SUBMITTED and not card.revised
    priya = browser_for(team["priya"])
    page = priya.get(f"/review/assignments/{mine.id}").get_data(as_text=True)
    assert "Your first reading stands; bring it to the debrief." in page and "refused" in page


def test_closing_lets_waiting_requests_lapse(
    work: Attempt, team: dict[str, User], db_session: Session, clock: FrozenClock, make: Factory,
) -> None:
    mine = make.assignment(work, team["priya"], team["manager"], now=clock.now)
    make.scorecard(make.assignment(work, team["tom"], team["manager"], now=clock.now), 2)
    make.scorecard(mine, 4)
    request = revisions.reopen(db_session, mine, "I would like another look.", actor=team["priya"],
                             now=clock.now).request
    opening = mine.attempt.candidate.opening
    scoring_state.close_scoring(db_session, opening, actor=team["manager"], now=clock.now)
    db_session.expire_all()
    assert db_session.get(RevisionRequest, request.id).status is RevisionStatus.LAPSED
    with pytest.raises(Conflict, match="closed"):
        revisions.decide_revision(db_session, opening, mine, approve=True, note="", actor=team["manager"],
                                now=clock.now)
    assert revisions.pending_requests(db_session, opening) == []


def test_a_reopen_before_anyone_elses_score_was_visible_needs_no_approval(
    work: Attempt, team: dict[str, User], db_session: Session, clock: FrozenClock, make: Factory,
) -> None:
    mine = make.assignment(work, team["priya"], team["manager"], now=clock.now)
    make.scorecard(mine, 4)
    make.assignment(work, team["tom"], team["manager"], now=clock.now)
    done = revisions.reopen(db_session, mine, "I misread the tracking plan.", actor=team["priya"], now=clock.now)
    assert done.request is None and done.scorecard.status is ScorecardStatus.DRAFT
    make.scorecard(mine, 3)
    assert set(scores_of(db_session, mine).values()) == {(3, 4)}
    assert not db_session.get(Assignment, mine.id).scorecard.revised


# -- the results read the first submission by default ------------------------------------------------


def test_results_rank_on_first_submitted_ratings_unless_the_revised_ones_are_asked_for(
    make: Factory, team: dict[str, User], app: Flask, db_session: Session, clock: FrozenClock, browser_for: Callable[[User], FlaskClient],
) -> None:
    opening = make.opening(team["manager"], title="APM first ratings")
    attempts = [make.submission(opening, A, level) for level in ("weak", "meets", "strong")]
    for attempt, base in zip(attempts, (2, 3, 4), strict=True):
        for who in ("priya", "tom"):
            make.scorecard(make.assignment(attempt, team[who], team["manager"], now=clock.now), base)
    changed = next(a for a in db_session.scalars(select(Assignment).where(Assignment.attempt_id == attempts[0].id))
                   if a.interviewer_id == team["priya"].id)
    revisions.reopen(db_session, changed, "I want to lift this one a lot.", actor=team["priya"], now=clock.now)
    revisions.decide_revision(db_session, opening, changed, approve=True, note="", actor=team["manager"], now=clock.now)
    make.scorecard(changed, 5)

    def first_scores(ratings: str) -> set[int | None]:
        cards = scores.scored_cards(db_session, opening, ratings)
        return {s for card in cards if card.attempt_id == attempts[0].id and card.interviewer_id == team["priya"].id
                for s in card.scores.values()}

    assert first_scores(scores.FIRST) == {2} and first_scores(scores.REVISED) == {5}
    first = results.comparison(db_session, make.library, opening)
    revised = results.comparison(db_session, make.library, opening, ratings=scores.REVISED)
    raw = {r.candidate.id: r.estimate.raw_mean for r in first.rows}
    raw_revised = {r.candidate.id: r.estimate.raw_mean for r in revised.rows}
    weak = attempts[0].candidate_id
    assert raw[weak] < raw_revised[weak]
    assert first.revised == revised.revised == 1 and first.revised_candidates == {weak}
    stored = db_session.scalars(select(Rating.first_score).join(Rating.scorecard)
                                .where(Rating.scorecard_id == changed.scorecard.id)).all()
    assert set(stored) == {2}
    manager = browser_for(team["manager"])
    page = manager.get(f"/hiring/openings/{opening.slug}/results").get_data(as_text=True)
    assert 'aria-current="page">First-submitted ratings' in page and "revised scorecard" in page
    other = manager.get(f"/hiring/openings/{opening.slug}/results?ratings=revised").get_data(as_text=True)
    assert 'aria-current="page">Ratings as revised' in other
    assert manager.get(f"/hiring/openings/{opening.slug}/results?ratings=bogus").status_code == 400
