"""Results: the calibrated ranking, one candidate's record and decision, exports, and how interviewers score."""

from __future__ import annotations

from flask import flash, redirect, render_template, request
from werkzeug.wrappers import Response

from ... import clock, db
from ...content_registry import library
from ...domain.ai_influence import DEFINITION as INFLUENCE_DEFINITION
from ...domain.fit_statistics import READINGS
from ...errors import AppError
from ...services import calibration_report, candidate_record, exports, openings, results, scores, calibration_reads
from .. import charts
from ..access import current_staff
from ..paging import asked_page, whole_number
from . import bp, current_opening
from .common import back_to
from .forms import DecisionForm


@bp.get("/openings/<slug>/results")
def results_page() -> str:
    """The calibrated ranking, and how it would look without one interviewer."""
    session = db.session()
    found = current_opening()
    without = whole_number("without", what="an interviewer")
    ratings = request.args.get("ratings", scores.FIRST)
    stored = calibration_reads.ranking_for(session, found, viewer=current_staff(), now=clock.now(), exclude=without,
                                   ratings=ratings, page=asked_page())
    return render_template(
        "hiring/results.html", opening=found, stored=stored, compared=stored.comparison, rating_views=scores.RATINGS,
        chart=charts.results_chart(stored.comparison) if stored.comparison else None, now=clock.now(),
        dimension_names={d.key: d.name for d in library().rubric.dimensions},
    )


@bp.route("/openings/<slug>/candidates/<int:candidate_id>", methods=["GET", "POST"])
def candidate_page(candidate_id: int) -> Response | str:
    """Everything about one candidate: their work as handed in, with its brief and data, every scorecard, the
    calibrated result and the decision."""
    session = db.session()
    found = current_opening()
    form = DecisionForm()
    if form.validate_on_submit():
        person = openings.candidate_of(session, found, candidate_id)
        try:
            results.decide(session, found, person, form.outcome.data or "", form.rationale.data or "",
                           actor=current_staff(), now=clock.now())
        except AppError as error:
            form.form_errors.append(error.message)
        else:
            flash(f"Decision recorded for {person.name}.", "success")
            return redirect(back_to("hiring.candidate_page", candidate_id=candidate_id))
    record = candidate_record.record_of(session, library(), found, candidate_id, viewer=current_staff(),
                                        now=clock.now())
    return render_template("hiring/candidate.html", opening=found, person=record.person, form=form,
                           works=record.works, standing=record.standing, decisions=record.decisions,
                           data_views=charts.data_views)


@bp.get("/openings/<slug>/export/<kind>.csv")
def export(kind: str) -> Response:
    """Scorecards, ratings or calibrated results as CSV, safe to open in a spreadsheet."""
    made = exports.export(db.session(), library(), current_opening(), kind, viewer=current_staff(), now=clock.now())
    return Response(made.body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{made.filename}"'})


@bp.get("/openings/<slug>/interviewers")
def interviewers_page() -> str:
    """How each interviewer scores compared with the others, the AI aid included."""
    session = db.session()
    found = current_opening()
    stored, rows, pairs = calibration_reads.report(session, found, clock.now())
    return render_template("hiring/interviewers.html", opening=found, rows=rows, stored=stored, now=clock.now(),
                           warnings=stored.report.get("warnings", []), pairs=pairs,
                           agreement=stored.report.get("agreement", []), readings=READINGS,
                           dimension_names={d.key: d.name for d in library().rubric.dimensions},
                           influence=calibration_report.ai_influence(session, found),
                           influence_definition=INFLUENCE_DEFINITION)
