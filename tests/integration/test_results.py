"""Calibrated results for the hiring manager: ranking, the interviewer toggle, decisions, exports."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assess.domain.calibration import Rating as ReadRating
from assess.domain.calibration import calibrate
from assess.domain.ranking import calibration_ratings
from assess.domain.ratings_file import read_ratings
from assess.domain.scoring import RatingInput, ScorecardInput
from assess.models import (
    Assignment,
    Attempt,
    AuditEvent,
    Candidate,
    Decision,
    Opening,
    Rating,
    Role,
    Scorecard,
    ScorecardStatus,
    User,
)
from assess.services import answering, calibration_report, demo, effects, results, revisions, scorecards, scores, scoring_state, snapshots
from tests.support.app import FrozenClock
from tests.support.factories import Factory
from tests.support.web import Auth, csrf_token


def manager(client: FlaskClient) -> None:
    Auth(client).login("hiring@example.com", demo.DEMO_PASSWORD)


def test_calibration_corrects_the_order_a_harsh_and_a_lenient_interviewer_give_the_plain_averages(
    seeded: Opening, db_session: Session, make: Factory
) -> None:
    compared = results.comparison(db_session, make.library, seeded)
    order = [row.candidate.name for row in compared.rows]
    assert order == ["Jordan Ellis", "Sam Okoye", "Riya Patel", "Chris Lang"]
    sam = compared.rows[1]
    assert sam.raw_rank == 3 and "Tom Becker" in sam.why and "harsher" in sam.why
    severities = {r.interviewer.name: r.leniency for r in compared.raters}
    assert severities["Tom Becker"] < 0 < severities["Priya Raman"]
    assert all(row.estimate.low <= row.estimate.score <= row.estimate.high for row in compared.rows)


def test_the_ranking_can_be_read_without_one_interviewer(seeded: Opening, db_session: Session, make: Factory) -> None:
    tom = db_session.scalars(select(User).where(User.email == "tom@example.com")).one()
    without = results.comparison(db_session, make.library, seeded, exclude=tom.id)
    assert without.excluded is not None and without.excluded.name == "Tom Becker"
    assert "Tom Becker" not in {r.interviewer.name for r in without.raters}
    assert all(row.scorecards > 0 for row in without.rows)


def test_the_results_page_shows_intervals_raw_means_flags_and_the_toggle(
    seeded: Opening, client: FlaskClient, db_session: Session
) -> None:
    manager(client)
    page = client.get(f"/hiring/openings/{seeded.slug}/results").get_data(as_text=True)
    assert "Calibrated results" in page and "80% interval" in page
    assert "Moves up from #3 by plain average" in page
    assert "Rank without Tom" in page
    tom = db_session.scalars(select(User).where(User.email == "tom@example.com")).one()
    without = client.get(f"/hiring/openings/{seeded.slug}/results?without={tom.id}").get_data(as_text=True)
    assert "without <strong>Tom Becker</strong>" in without or "without Tom Becker" in without
    assert client.get(f"/hiring/openings/{seeded.slug}/results?without=99999").status_code == 404


def test_the_candidate_page_shows_every_scorecard_and_records_the_view(
    seeded: Opening, client: FlaskClient, db_session: Session
) -> None:
    manager(client)
    sam = db_session.scalars(select(Candidate).where(Candidate.email == "sam.okoye@example.net")).one()
    viewed = select(AuditEvent).where(AuditEvent.action == "candidate.viewed", AuditEvent.subject_id == sam.id)
    views_before = len(db_session.scalars(viewed).all())
    page = client.get(f"/hiring/openings/{seeded.slug}/candidates/{sam.id}").get_data(as_text=True)
    assert page.count("badge-success\">submitted") >= 6
    submitted = db_session.scalar(select(func.count(Scorecard.id)).join(Scorecard.assignment).join(Assignment.attempt)
                                  .where(Attempt.candidate_id == sam.id, Scorecard.status == ScorecardStatus.SUBMITTED))
    assert page.count("badge-success\">submitted") == submitted
    assert "Tom Becker" in page and "Recommendation" in page
    shown = set(re.findall(r"<strong>Recommendation:</strong> ([^<·]+?)\s*(?:·|</p>)", page))
    assert shown and shown <= {"Strong no", "No", "Yes", "Strong yes"}, shown  # labels, never stored keys
    assert db_session.scalars(select(AuditEvent).where(AuditEvent.action == "candidate.viewed")).first()
    db_session.expire_all()
    views = db_session.scalars(viewed.order_by(AuditEvent.id)).all()
    assert len(views) == views_before + 1 and views[-1].actor_user_id == seeded.hiring_manager_id


def test_the_candidate_page_shows_the_work_as_handed_in_with_its_brief_data_and_timings(
    seeded: Opening, client: FlaskClient, db_session: Session, make: Factory
) -> None:
    manager(client)
    sam = db_session.scalars(select(Candidate).where(Candidate.email == "sam.okoye@example.net")).one()
    attempts = {a.exercise_key: a for a in sam.attempts}
    analysis = next(a for a in attempts.values() if a.data_variant)
    exercise = make.library.exercise(analysis.exercise_key).content
    first = exercise.sections[0]
    answers = dict(analysis.submission.answers)
    answers[first.key] = "Retention falls <script>alert(1)</script> **after week two**."
    analysis.submission.answers = answers
    db_session.commit()
    page = client.get(f"/hiring/openings/{seeded.slug}/candidates/{sam.id}").get_data(as_text=True)
    # The answer as handed in, rendered safely: Markdown becomes markup, the candidate's HTML does not.
    assert "<strong>after week two</strong>" in page and "<script>alert(1)</script>" not in page
    assert first.title in page
    # The data they were given: every data set of their variant, as a table beside its chart.
    variant = exercise.variant(analysis.data_variant)
    for table in variant.tables:
        spec = next(d for d in exercise.datasets if d.key == table.dataset)
        assert spec.title in page
    assert f"data variant {analysis.data_variant}" in page and 'class="table data-table"' in page
    # Each exercise with its brief and its timings.
    for attempt in attempts.values():
        shown = make.library.exercise(attempt.exercise_key).content
        assert f'id="exercise-{shown.key}"' in page and shown.title in page
    assert page.count("handed in") >= len([a for a in attempts.values() if a.submission])
    assert "after " in page and " minutes" in page
    # Where they stand: the stored calibrated score with its interval and rank.
    assert "Calibrated score" in page and "80% interval" in page and re.search(r"#\d of \d ranked", page)


def test_the_candidate_page_says_the_calibrated_result_is_updating_and_since_when(
    seeded: Opening, client: FlaskClient, db_session: Session, clock: FrozenClock
) -> None:
    manager(client)
    sam = db_session.scalars(select(Candidate).where(Candidate.email == "sam.okoye@example.net")).one()
    with effects.held(db_session, effects.Effect.CALIBRATION):  # the worker has not caught up yet
        snapshots.ratings_changed(db_session, seeded.id, clock.now)
        db_session.commit()
        clock.advance(minutes=7)
        page = client.get(f"/hiring/openings/{seeded.slug}/candidates/{sam.id}").get_data(as_text=True)
    assert "updating" in page and "worked out 7 minutes ago; 1 change to the ratings since" in page
    assert "80% interval" in page  # the last worked-out result is still shown, marked as such


def test_the_candidate_page_of_someone_not_started_says_so_and_shows_the_briefs_to_come(
    seeded: Opening, client: FlaskClient, db_session: Session
) -> None:
    manager(client)
    waiting = db_session.scalars(select(Candidate).where(Candidate.opening_id == seeded.id,
                                                         ~Candidate.attempts.any())).first()
    assert waiting is not None
    page = client.get(f"/hiring/openings/{seeded.slug}/candidates/{waiting.id}").get_data(as_text=True)
    assert "Not started yet." in page and "The brief they will have" in page
    assert "Not ranked yet" in page or "Not worked out yet" in page


def test_exports_are_safe_against_spreadsheet_formulas(
    seeded: Opening, client: FlaskClient, db_session: Session
) -> None:
    jordan = db_session.scalars(select(Candidate).where(Candidate.email == "jordan.ellis@example.net")).one()
    jordan.name = '=HYPERLINK("http://evil.example","x")'
    db_session.commit()
    manager(client)
    exported = client.get(f"/hiring/openings/{seeded.slug}/export/results.csv")
    assert exported.mimetype == "text/csv" and exported.mimetype_params["charset"] == "utf-8"
    body = exported.get_data(as_text=True)
    assert body.startswith("\ufeff"), "Excel reads a file without a byte-order mark as the local code page"
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert rows[0][:3] == ["rank", "candidate", "email"]
    names = [row[1] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example","x")' in names
    assert not any(name.startswith(("=", "+", "-", "@")) for name in names)
    scorecards = list(csv.reader(io.StringIO(
        client.get(f"/hiring/openings/{seeded.slug}/export/scorecards.csv").get_data(as_text=True).removeprefix(
            "\ufeff"))))
    assert scorecards[0][:4] == ["candidate", "exercise", "interviewer", "dimension"]
    assert len(scorecards) > 50 and all(not row[0].startswith("=") for row in scorecards)
    assert client.get(f"/hiring/openings/{seeded.slug}/export/other.csv").status_code == 404
    assert db_session.scalars(select(AuditEvent).where(AuditEvent.action == "export.downloaded")).first()


def exported(client: FlaskClient, opening: Opening, kind: str) -> str:
    response = client.get(f"/hiring/openings/{opening.slug}/export/{kind}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f'filename="{opening.slug}-{kind}.csv"' in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return body.removeprefix("\ufeff")


def test_both_exports_read_back_as_the_ratings_given_names_or_pseudonyms_unscored_left_out(
    make: Factory, team: dict[str, User], client: FlaskClient, db_session: Session, clock: FrozenClock
) -> None:
    """Two exercises sharing dimension keys, evidence a spreadsheet would choke on, an unscored dimension."""
    opening = make.opening(team["manager"])
    first = make.submission(opening, "a-mini-prd")
    second = make.attempt(first.candidate, "d-writing-sample")
    answering.submit(db_session, make.config, second, answers=make.benchmark_answers("d-writing-sample"),
                     now=clock.now)
    other = make.submission(opening, "a-mini-prd")
    evidence = '=SUM(A1), said "ship it",\r\nthen:\n- the funnel\n\n+ cohorts, @mention'
    given: dict[tuple[int, int, str, str], int] = {}
    for offset, interviewer in enumerate((team["priya"], team["tom"])):
        for attempt in (first, second, other):
            keys = make.library.scorecard(attempt.exercise_key).content.dimension_keys
            values = {key: 1 + (index + offset + attempt.id) % 5 for index, key in enumerate(keys)}
            scorecards.save(db_session, make.library, make.assignment(attempt, interviewer, team["manager"]),
                            ScorecardInput({k: RatingInput(v, evidence) for k, v in values.items()}, "yes"),
                            submit=True, actor=interviewer, now=clock.now)
            given |= {(attempt.candidate_id, interviewer.id, attempt.exercise_key, k): v
                      for k, v in values.items()}
    unscored = db_session.scalars(select(Rating).where(Rating.dimension_key == "communication")).first()
    assert unscored is not None
    unscored.score = unscored.first_score = None  # an interviewer may leave a dimension unscored
    card = unscored.scorecard.assignment
    del given[(card.attempt.candidate_id, card.interviewer_id, card.attempt.exercise_key, "communication")]
    first.candidate.name = "-Sam =Okoye"  # the export prefixes it with an apostrophe
    db_session.commit()
    candidates = {first.candidate_id: first.candidate.name, other.candidate_id: other.candidate.name}
    raters = {team["priya"].id: team["priya"].name, team["tom"].id: team["tom"].name}

    Auth(client).login(team["manager"].email)
    by_name = exported(client, opening, "scorecards")
    assert "'-Sam =Okoye" in by_name and "'=SUM(A1)" in by_name
    assert sorted(read_ratings(by_name), key=repr) == sorted(
        (ReadRating(candidates[c], raters[r], f"{e}:{d}", float(v)) for (c, r, e, d), v in given.items()), key=repr)
    pseudonymous = exported(client, opening, "ratings")
    assert pseudonymous.splitlines()[0] == "candidate,rater,exercise,dimension,score,submitted_at"
    assert not any(name in pseudonymous for name in (*candidates.values(), *raters.values(), "Okoye", "@example"))
    assert sorted(read_ratings(pseudonymous), key=repr) == sorted(
        (ReadRating(f"c{c}", f"r{r}", f"{e}:{d}", float(v)) for (c, r, e, d), v in given.items()), key=repr)
    kinds = [e.details.get("kind") for e in db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "export.downloaded").order_by(AuditEvent.id))]
    assert kinds[-2:] == ["scorecards", "ratings"]


def test_the_ratings_export_refits_outside_to_the_results_pages_numbers(
    seeded: Opening, client: FlaskClient, db_session: Session, make: Factory
) -> None:
    manager(client)
    assert "export/ratings.csv" in client.get(f"/hiring/openings/{seeded.slug}/results").get_data(as_text=True)
    exported_ratings = read_ratings(exported(client, seeded, "ratings"))
    page = calibration_ratings(scores.scored_cards(db_session, seeded))  # what the page calibrates: first scores
    assert sorted(exported_ratings, key=repr) == sorted(
        (ReadRating(f"c{r.candidate}", f"r{r.rater}", r.dimension, r.score) for r in page), key=repr)
    assert len(exported_ratings) > 50
    refit = {e.candidate: e for e in calibrate(exported_ratings).candidates}
    for row in results.comparison(db_session, make.library, seeded).rows:
        outside = refit[f"c{row.candidate.id}"]
        assert (outside.score, outside.low, outside.high) == pytest.approx(
            (row.estimate.score, row.estimate.low, row.estimate.high), abs=1e-6)


def test_results_are_for_the_openings_hiring_manager_only(seeded: Opening, make: Factory, client: FlaskClient) -> None:
    Auth(client).login(make.user(Role.HIRING_MANAGER).email)
    assert client.get(f"/hiring/openings/{seeded.slug}/results").status_code == 404
    Auth(client).logout()
    Auth(client).login("tom@example.com", demo.DEMO_PASSWORD)
    assert client.get(f"/hiring/openings/{seeded.slug}/results").status_code == 403


def test_the_interviewer_report_shows_severity_agreement_and_drift(
    seeded: Opening, client: FlaskClient, db_session: Session
) -> None:
    rows, warnings = calibration_report.interviewer_report(db_session, seeded)
    by_name = {r.name: r for r in rows}
    assert set(by_name) == {"Tom Becker", "Lena Kowalski", "Priya Raman", "AI drafts"}  # the demo's drafts too
    assert by_name["Tom Becker"].leniency < 0 < by_name["Priya Raman"].leniency
    assert all(r.agreement is not None and -1 <= r.agreement <= 1 for r in rows)
    assert all(r.drift for r in rows)
    manager(client)
    page = client.get(f"/hiring/openings/{seeded.slug}/interviewers").get_data(as_text=True)
    assert "Interviewer calibration" in page and "Tom Becker" in page and "harsh" in page


def test_ai_drafts_appear_as_one_more_rater(seeded: Opening, db_session: Session) -> None:
    from assess.models import AiDraft, AiDraftStatus

    cards = scores.submitted_scorecards(db_session, seeded)
    for card in cards[:12]:
        dims = {r.dimension_key: {"score": 5, "evidence": [], "dropped": 0, "supported": False, "rationale": "r"}
                for r in card.ratings}
        db_session.add(AiDraft(scorecard=card, status=AiDraftStatus.DONE, result={"dimensions": dims}))
    db_session.commit()
    rows, _ = calibration_report.interviewer_report(db_session, seeded)
    ai = [r for r in rows if r.is_ai]
    assert len(ai) == 1 and ai[0].name == "AI drafts" and ai[0].leniency > 0


def test_agreement_is_given_for_every_pair_of_interviewers(seeded: Opening, db_session: Session, client: FlaskClient) -> None:
    pairs = calibration_report.pairwise_agreement(db_session, seeded)
    assert {frozenset((p.first, p.second)) for p in pairs} == {
        frozenset(("Tom Becker", "Lena Kowalski")), frozenset(("Tom Becker", "Priya Raman")),
        frozenset(("Lena Kowalski", "Priya Raman")),
        # the demo's AI drafts, read as one more rater
        frozenset(("AI drafts", "Lena Kowalski")), frozenset(("AI drafts", "Priya Raman")),
        frozenset(("AI drafts", "Tom Becker")),
    }
    assert all(p.shared > 0 and p.kappa is not None for p in pairs)
    manager(client)
    assert "Agreement between pairs" in client.get(f"/hiring/openings/{seeded.slug}/interviewers").get_data(as_text=True)


def test_the_demo_shows_a_waiting_reopen_request_and_a_revision_marked_as_such(
    seeded: Opening, db_session: Session, make: Factory, client: FlaskClient
) -> None:
    [waiting] = revisions.pending_requests(db_session, seeded)
    assert waiting.requested_by.email == "priya@example.com"
    compared = results.comparison(db_session, make.library, seeded)
    assert compared.revised == 1
    assert len(compared.revised_candidates) == 1
    manager(client)
    page = client.get(f"/hiring/openings/{seeded.slug}/scoring?view=all").get_data(as_text=True)
    assert "Reopen requests (1)" in page and ">revised</span>" in page
