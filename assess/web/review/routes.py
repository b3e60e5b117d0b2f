"""The interviewer's pages: a queue, and a scorecard beside the work, blind and independent."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ... import clock, db
from ...content_registry import library
from ...domain.scoring import disagreements
from ...domain.structure import structural_checks
from ...errors import AppError, InputError
from ...models import Assignment, RevisionStatus, ScorecardStatus, ScoringState
from ...config import Config
from ...services import ai_drafts, ai_reports, ai_use, calibration_sessions, revisions, scorecards, worklist
from .. import charts
from ..forms import ActionForm, field_name
from ...services.content import exercise_of
from ..access import current_staff
from ..paging import asked_page, say_if_moved
from . import bp
from .forms import (
    ReopenForm,
    scorecard_form_class,
    scorecard_input,
    with_recommendations,
)


@bp.get("/")
def index() -> str:
    asked = asked_page()
    work = worklist.queue(db.session(), current_staff(), page=asked)
    say_if_moved(asked, work.page, work.pages)
    return render_template(
        "review/index.html", work=work, assignments=work.items, now=clock.now(),
        calibrations=calibration_sessions.entries_for(db.session(), current_staff()),
        exercise_of=exercise_of, ScorecardStatus=ScorecardStatus,
        titles={key: found.content.title for key, found in library().exercises.items()},
    )


def _fill(form: object, assignment: Assignment) -> None:
    scorecard = assignment.scorecard
    if scorecard is None:
        return
    for rating in scorecard.ratings:
        form[field_name("score", rating.dimension_key)].data = rating.score  # type: ignore[index]
        form[field_name("evidence", rating.dimension_key)].data = rating.evidence  # type: ignore[index]
        form[field_name("signals", rating.dimension_key)].data = list(rating.signals)  # type: ignore[index]
    form.recommendation.data = scorecard.recommendation  # type: ignore[attr-defined]
    form.summary.data = scorecard.summary  # type: ignore[attr-defined]


@bp.route("/assignments/<int:assignment_id>", methods=["GET", "POST"])
def assignment(assignment_id: int) -> Response | str | tuple[str, int]:
    session = db.session()
    found = scorecards.assignment_for(session, current_staff(), assignment_id)
    content = scorecards.scorecard_content(library(), session, found)
    form = with_recommendations(scorecard_form_class(content)(), content)
    status = 200
    problems = []
    if form.is_submitted():
        if not form.validate():
            status = 400
        else:
            try:
                problems = scorecards.save(
                    session, library(), found, scorecard_input(form, content), submit=bool(form.submit.data),
                    actor=current_staff(), now=clock.now(),
                )
            except AppError as error:
                flash(error.message, "error")
                return redirect(url_for("review.assignment", assignment_id=assignment_id))
            if not problems:
                flash("Scorecard submitted. Everyone's ratings are below." if form.submit.data
                      else "Draft saved.", "success")
                return redirect(url_for("review.assignment", assignment_id=assignment_id))
            status = 400
    else:
        _fill(form, found)
        if _shows_ai_panel(found):
            _record_view(found)
    return _page(found, content, form, problems), status


def _page(found: Assignment, content: object, form: object, problems: list, reopen_form: ReopenForm | None = None) -> str:
    session = db.session()
    attempt = found.attempt
    exercise = exercise_of(attempt.exercise_version)
    submission = attempt.submission
    peers = scorecards.peers(session, found)
    locked = found.scorecard is not None and found.scorecard.status is ScorecardStatus.SUBMITTED
    return render_template(
        "review/assignment.html",
        **_ai_context(found),
        assignment=found,
        attempt=attempt,
        candidate_label=_candidate_label(found),
        exercise=exercise,
        submission=submission,
        checks=structural_checks(exercise, submission.answers, attempt.data_variant) if submission else [],
        data=charts.data_views(exercise, exercise.variant(attempt.data_variant) if attempt.data_variant else None),
        content=content,
        form=form,
        problems={p.field: p.message for p in problems},
        locked=locked,
        closed=attempt.candidate.opening.scoring_state is not ScoringState.OPEN,
        needs_approval=locked and revisions.needs_approval(session, found),
        pending=revisions.pending_request(found.scorecard),
        last_request=revisions.latest_request(found.scorecard), RevisionStatus=RevisionStatus,
        peers=peers,
        debrief={d.dimension for d in disagreements(
            {str(p.interviewer.id): {r.dimension_key: r.score for r in p.scorecard.ratings} for p in peers})},
        history=scorecards.history(session, found.scorecard) if found.scorecard else [],
        shows_ai_panel=_shows_ai_panel(found),
        reopen_form=reopen_form or ReopenForm(),
        action_form=ActionForm(),
            )


def _shows_ai_panel(found: Assignment) -> bool:
    """The page shows the AI panel while there is written work and the scorecard can still change."""
    locked = found.scorecard is not None and found.scorecard.status is ScorecardStatus.SUBMITTED
    return (found.attempt.submission is not None and not locked
            and found.attempt.candidate.opening.scoring_state is ScoringState.OPEN)


def _ai_context(found: Assignment) -> dict[str, object]:
    session = db.session()
    draft = ai_drafts.latest(session, found)
    return {
        "ai_reason": ai_drafts.availability(_config(), found, library(), session),
        "ai_draft": draft,
        "ai_benchmark": ai_reports.benchmark_of(session, draft),
    }


def _config() -> Config:
    return current_app.config["ASSESS"]  # type: ignore[no-any-return]


@bp.post("/assignments/<int:assignment_id>/ai-draft")
def request_ai_draft(assignment_id: int) -> Response | str:
    """Queue an AI draft of this scorecard; the page shows it when it arrives.

    The page's script asks for just the panel back, so nothing typed in the
    scorecard is lost; without the script the whole page is reloaded.
    """
    session = db.session()
    found = scorecards.assignment_for(session, current_staff(), assignment_id)
    problem = None
    if ActionForm().validate_on_submit():
        try:
            ai_drafts.request(session, _config(), library(), found, actor=current_staff(), now=clock.now())
        except AppError as error:
            problem = error.message
    if request.headers.get("X-Fragment"):
        return _panel(found, problem)
    if problem:
        flash(problem, "error")
    return redirect(url_for("review.assignment", assignment_id=assignment_id) + "#ai-draft")


@bp.get("/assignments/<int:assignment_id>/ai-draft")
def ai_draft_panel(assignment_id: int) -> str:
    """The AI draft panel alone, for the page to refresh while a draft is being made."""
    found = scorecards.assignment_for(db.session(), current_staff(), assignment_id)
    _record_view(found)
    return _panel(found, None)


def _record_view(found: Assignment) -> None:
    """A finished draft about to be shown is recorded as seen by the signed-in person (first and last view)."""
    session = db.session()
    ai_use.record_view(session, ai_drafts.latest(session, found), current_staff(), now=clock.now())


def _panel(found: Assignment, problem: str | None) -> str:
    content = scorecards.scorecard_content(library(), db.session(), found)
    return render_template("review/_ai_draft.html", assignment=found, content=content,
                           action_form=ActionForm(), ai_problem=problem, **_ai_context(found))


def _candidate_label(found: Assignment) -> str:
    candidate = found.attempt.candidate
    if candidate.opening.scoring_state is ScoringState.UNBLINDED:
        return f"{candidate.name} (Candidate {candidate.pseudonym})"
    return f"Candidate {candidate.pseudonym}"


@bp.post("/assignments/<int:assignment_id>/reopen")
def reopen(assignment_id: int) -> Response | str | tuple[str, int]:
    session = db.session()
    found = scorecards.assignment_for(session, current_staff(), assignment_id)
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            done = revisions.reopen(session, found, form.reason.data or "", actor=current_staff(), now=clock.now())
        except InputError as error:
            form.reason.errors = [error.message]
        except AppError as error:
            flash(error.message, "error")
            return redirect(url_for("review.assignment", assignment_id=assignment_id))
        else:
            flash("Asked. The hiring manager decides; until then your scorecard stays as submitted." if done.request
                  else "Scorecard reopened. Change what needs changing and submit it again.", "success")
            return redirect(url_for("review.assignment", assignment_id=assignment_id))
    content = scorecards.scorecard_content(library(), session, found)
    scorecard_form = with_recommendations(scorecard_form_class(content)(formdata=None), content)
    _fill(scorecard_form, found)
    return _page(found, content, scorecard_form, [], reopen_form=form), 400


# -- calibration sessions ------------------------------------------------------------------------


@bp.route("/calibration/<int:entry_id>", methods=["GET", "POST"])
def calibration(entry_id: int) -> Response | str | tuple[str, int]:
    """Score a benchmark answer blind; after the reveal, see the reference and everyone's scores."""
    session = db.session()
    entry = calibration_sessions.entry_for(session, current_staff(), entry_id)
    cs = entry.session
    content = library().scorecard(cs.exercise_key).content
    benchmark = calibration_sessions.benchmark_of(cs)
    form = with_recommendations(scorecard_form_class(content)(), content)
    status = 200
    if form.is_submitted() and entry.submitted_at is None:
        given = scorecard_input(form, content) if form.validate() else None
        try:
            if given is None:
                raise InputError("Check the ratings and send them again.")
            calibration_sessions.submit(session, content, entry, {k: r.score for k, r in given.ratings.items()},
                                        now=clock.now())
        except AppError as error:
            flash(error.message, "error")
            status = error.status_code
        else:
            flash("Your scores are in. The reference and everyone's scores appear when the hiring manager reveals them.",
                  "success")
            return redirect(url_for("review.calibration", entry_id=entry_id))
    exercise = library().exercise(cs.exercise_key).content
    return render_template(
        "review/calibration.html", entry=entry, cs=cs, content=content, form=form, exercise=exercise,
        sections=calibration_sessions.answer_sections(exercise, benchmark),
        rows=calibration_sessions.reveal_rows(cs, content) if cs.revealed_at and entry.submitted_at else [],
        outcome=calibration_sessions.outcome(entry, calibration_sessions.reference_of(cs)),
            ), status
