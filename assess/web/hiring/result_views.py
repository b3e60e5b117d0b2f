"""Results: the calibrated ranking, one candidate's record and decision, exports, and how interviewers score."""

from __future__ import annotations

from flask import flash, redirect, render_template, request
from werkzeug.wrappers import Response

from ... import clock, db
from ...content_registry import library
from ...domain.ai_influence import DEFINITION as INFLUENCE_DEFINITION
from ...domain.fit_statistics import READINGS
from ...domain.decisions import OUTCOMES
from ...errors import AppError
from ...models import MailStatus
from ...services import calibration_reads, calibration_report, candidate_record, decisions, exports, openings, scores
from .. import charts
from ..access import current_staff
from ..paging import asked_page, whole_number
from . import bp, current_opening, for_recruiters, sees_results
from .common import back_to, config, names_of
from .forms import BulkDecisionForm, DecisionForm

# A message names this many of the candidates a decision on several left alone, and counts the rest.
SKIPS_SAID = 5
# What became of the email a decision sent, as its badge says it.
EMAIL_STATES = {MailStatus.QUEUED: "email queued", MailStatus.SENDING: "email sending", MailStatus.SENT: "emailed",
                MailStatus.KEPT: "email kept in the outbox", MailStatus.FAILED: "email not sent"}
RETRYING = "email not sent yet, trying again"  # queued again after a failed try


def _told(recorded: decisions.Recorded, asked: bool) -> str:
    """What the hiring manager is told of the decision's email: only what has happened to it."""
    email = recorded.decision.email
    if not recorded.emailed:
        return " No email was sent: it had been emailed already." if asked and email is not None else ""
    assert email is not None
    return {MailStatus.SENT: " The email was sent.",
            MailStatus.FAILED: " The email could not be sent; the outbox says why, and it is tried again.",
            }.get(email.status, _emails_said())


def _emails_said(count: int = 1) -> str:
    what = "The email is" if count == 1 else f"{count} emails are"
    if not config().smtp_host:
        return f" {what} kept in the outbox (no mail server is configured)."
    return f" {what} queued and go{'es' if count == 1 else ''} out in a moment; the outbox shows when."


@bp.get("/openings/<slug>/results")
@for_recruiters(methods=("GET",), results=True)
def results_page() -> str:
    """The calibrated ranking, and how it would look without one interviewer."""
    session = db.session()
    found = current_opening()
    without = whole_number("without", what="an interviewer")
    ratings = request.args.get("ratings", scores.FIRST)
    stored = calibration_reads.ranking_for(session, found, viewer=current_staff(), now=clock.now(), exclude=without,
                                   ratings=ratings, page=asked_page())
    shown = [row.candidate.id for row in stored.comparison.rows] if stored.comparison else []
    return render_template(
        "hiring/results.html", opening=found, stored=stored, compared=stored.comparison, rating_views=scores.RATINGS,
        decided=decisions.current(session, shown), bulk_form=BulkDecisionForm(formdata=None),
        chart=charts.results_chart(stored.comparison) if stored.comparison else None, now=clock.now(),
        dimension_names={d.key: d.name for d in library().rubric.dimensions},
    )


@bp.route("/openings/<slug>/candidates/<int:candidate_id>", methods=["GET", "POST"])
@for_recruiters(methods=("GET",))
def candidate_page(candidate_id: int) -> Response | str:
    """Everything about one candidate: their work as handed in, with its brief and data, every scorecard, the
    calibrated result and the decision."""
    session = db.session()
    found = current_opening()
    form = DecisionForm()
    if form.validate_on_submit():
        person = openings.candidate_of(session, found, candidate_id)
        try:
            recorded = decisions.decide(session, library(), found, person, form.outcome.data or "",
                                        form.rationale.data or "",
                             actor=current_staff(), now=clock.now(), tell_candidate=form.tell_candidate.data)
        except AppError as error:
            form.form_errors.append(error.message)
        else:
            said = "Decision recorded" if recorded.new else "That decision was already recorded"
            ended = " Their link no longer works." if recorded.link_ended else ""
            flash(f"{said} for {person.name}.{ended}{_told(recorded, form.tell_candidate.data)}", "success")
            return redirect(back_to("hiring.candidate_page", candidate_id=candidate_id))
    record = candidate_record.record_of(session, library(), found, candidate_id, viewer=current_staff(),
                                        now=clock.now(), results=sees_results())
    return render_template("hiring/candidate.html", opening=found, person=record.person, form=form,
                           works=record.works, standing=record.standing, decisions=record.decisions,
                           not_yet=record.not_yet, data_views=charts.data_views, email_states=EMAIL_STATES,
                           retrying=RETRYING, now=clock.now(),
                           emails={key: decisions.email_for(found, record.person, key) for key in OUTCOMES})


@bp.post("/openings/<slug>/decisions")
def decide_many() -> Response:
    """The same decision for every ticked candidate whose scorecards are in; the others are named with why."""
    session = db.session()
    found = current_opening()
    form = BulkDecisionForm()
    back = back_to("hiring.results_page", page=request.args.get("page", type=int),
                   ratings=request.args.get("ratings") or None, without=request.args.get("without", type=int))
    if not form.validate_on_submit():
        if form.candidates.errors:  # an id that is not a number: a page tampered with or from another version
            form.candidates.errors = ["Tick candidates from the list (reload the page if it is old)."]
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(back)
    try:
        done = decisions.decide_many(session, library(), found, form.candidates.data or [], form.outcome.data or "",
                                     form.rationale.data or "", actor=current_staff(), now=clock.now(),
                                     tell_candidate=form.tell_candidate.data)
    except AppError as error:
        flash(error.message, "error")
        return redirect(back)
    told = _emails_said(done.emailed) if done.emailed else ""
    if done.decided:
        flash(f"{OUTCOMES[form.outcome.data]} recorded for {len(done.decided)} candidate"
              f"{'' if len(done.decided) == 1 else 's'}: {names_of(done.decided)}.", "success")
    if done.repeated:
        flash(f"Already recorded, so kept once: {names_of(done.repeated)}.", "info")
    if done.links_ended:
        flash(f"{done.links_ended} rejected candidate{' no longer has a working link' if done.links_ended == 1 else 's no longer have working links'}.", "info")
    if told:
        flash(told.strip(), "info")
    for person, why in done.skipped[:SKIPS_SAID]:
        flash(f"Not decided for {person.name}. {why}", "error")
    if len(done.skipped) > SKIPS_SAID:
        flash(f"{len(done.skipped) - SKIPS_SAID} more not decided, for the same kind of reason.", "error")
    return redirect(back)


@bp.get("/openings/<slug>/export/<kind>.csv")
@for_recruiters(methods=("GET",), results=True)
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
