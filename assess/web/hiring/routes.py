"""The hiring manager's pages: openings, invitations, accommodations, the outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from ... import clock, db
from ...config import Config
from ...content_registry import library
from ...errors import AppError
from ...models import AiDraftTiming, Candidate, ScoringState, User
from ...domain.spreadsheet import to_csv
from ...services import audit, calibration_sessions, invitations, mail, openings, results, scoring
from ...services.content import exercise_of, scorecard_of
from ...services.attempts import StepState, steps
from .. import limits
from ..access import current_staff
from ..dates import when
from ..forms import ConfirmForm, field_name
from ..limits import limiter
from . import bp
from .forms import (
    ActionForm,
    AssignForm,
    CalibrationForm,
    ConfirmStepForm,
    DecisionForm,
    RevisionDecisionForm,
    SettingsForm,
    BulkInviteForm,
    ExtendTimeForm,
    ExtendWindowForm,
    InviteForm,
    opening_form_class,
)


def _config() -> Config:
    return current_app.config["ASSESS"]  # type: ignore[no-any-return]


def _record_listing(session: Session, opening: Any, page: str, shown: int) -> None:
    """Pages that show candidates' names and emails are views of their identity: each is audited."""
    audit.record(session, "candidates.listed", actor=current_staff(), subject_type="opening",
                 subject_id=opening.id, page=page, shown=shown)
    session.commit()


@bp.get("/")
def index() -> str:
    summaries = openings.openings_for(db.session(), current_staff())
    return render_template("hiring/index.html", summaries=summaries, library=library())


@bp.route("/openings/new", methods=["GET", "POST"])
def new_opening() -> Response | str:
    form = opening_form_class(library())()
    exercises = sorted(library().exercises.values(), key=lambda e: e.content.code)
    if form.validate_on_submit():
        chosen = [
            (e.content.key, form[field_name("minutes", e.content.key)].data or e.content.time_limit_minutes)
            for e in exercises
            if form[field_name("include", e.content.key)].data
        ]
        settings = openings.OpeningSettings(
            title=form.title.data or "", slug=form.slug.data or "", exercises=chosen,
            invitation_valid_days=form.invitation_valid_days.data or 14,
            ai_enabled=form.ai_enabled.data, ai_notice=form.ai_notice.data or "",
        )
        try:
            opening = openings.create_opening(
                db.session(), library(), settings, hiring_manager=current_staff(), actor=current_staff()
            )
        except AppError as error:
            form.form_errors.append(error.message)
        else:
            flash(f"{opening.title} is ready. Invite your first candidates below.", "success")
            return redirect(url_for("hiring.opening", slug=opening.slug))
    return render_template(
        "hiring/new_opening.html", form=form, exercises=exercises,
    )


@bp.get("/openings/<slug>")
def opening(slug: str) -> str:
    session = db.session()
    found = openings.opening_for(session, current_staff(), slug)
    now = clock.now()
    candidates = openings.candidates_of(session, found)
    _record_listing(session, found, "opening", len(candidates))
    return render_template(
        "hiring/opening.html",
        opening=found,
        rows=[
            (c, steps(library(), c, now), invitations.latest_invitation(c), invitations.active_invitation(c, now))
            for c in candidates
        ],
        library=library(),
        invite_form=InviteForm(),
        bulk_form=BulkInviteForm(),
        action_form=ActionForm(), withdraw_form=ConfirmForm(),
        window_form=ExtendWindowForm(),
        time_form=ExtendTimeForm(),
        StepState=StepState,
        now=now,
    )


@bp.post("/openings/<slug>/invite")
def invite(slug: str) -> Response | str:
    session = db.session()
    found = openings.opening_for(session, current_staff(), slug)
    form = InviteForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("hiring.opening", slug=slug))
    try:
        invited = invitations.invite(
            session, _config(), library(), found, name=form.name.data or "", email=form.email.data or "",
            actor=current_staff(), now=clock.now(),
        )
    except AppError as error:
        flash(error.message, "error")
    else:
        flash(_sent_message([invited]), "error" if invited.email.error else "success")
    return redirect(url_for("hiring.opening", slug=slug))


SHOWN_PROBLEMS = 5


@bp.post("/openings/<slug>/invite-many")
def invite_many(slug: str) -> Response:
    session = db.session()
    found = openings.opening_for(session, current_staff(), slug)
    form = BulkInviteForm()
    if not form.validate_on_submit():
        flash("Paste at least one line with a name and an email address.", "error")
        return redirect(url_for("hiring.opening", slug=slug))
    try:
        result = invitations.invite_many(
            session, _config(), library(), found, form.people.data or "", actor=current_staff(), now=clock.now()
        )
    except AppError as error:
        flash(error.message, "error")
        return redirect(url_for("hiring.opening", slug=slug))
    if result.invited:
        flash(_sent_message(result.invited), "success")
    # A session cookie holds the messages, so a long list is summed up rather than dropped whole.
    for problem in result.problems[:SHOWN_PROBLEMS]:
        flash(f"Not invited: {problem}", "error")
    if len(result.problems) > SHOWN_PROBLEMS:
        flash(f"{len(result.problems) - SHOWN_PROBLEMS} more lines were not invited; fix the lines above "
              "and paste the rest again.", "error")
    return redirect(url_for("hiring.opening", slug=slug))


def _sent_message(invited: list[invitations.Invited]) -> str:
    names = ", ".join(i.candidate.name for i in invited)
    failed = [i for i in invited if i.email.error]
    if failed:
        return (
            f"Invited {names}, but the email to {', '.join(i.candidate.email for i in failed)} could not be "
            "sent. The message and its link are in the outbox; check the mail settings and use Resend."
        )
    where = "sent" if _config().smtp_host else "kept in the outbox (no mail server is configured)"
    return f"Invited {names}; the invitation email was {where}."


CandidateStep = Callable[[Session, Candidate, Any, User, datetime], str]


def _candidate_action(slug: str, candidate_id: int, form_class: type, step: CandidateStep) -> Response:
    """Check the form, run one step on one candidate of the opening, flash what happened."""
    session = db.session()
    found = openings.opening_for(session, current_staff(), slug)
    candidate = openings.candidate_of(session, found, candidate_id)
    form = form_class()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("hiring.opening", slug=slug))
    try:
        flash(step(session, candidate, form, current_staff(), clock.now()), "success")
    except AppError as error:
        flash(error.message, "error")
    return redirect(url_for("hiring.opening", slug=slug))


def _resend(session: Session, candidate: Candidate, _form: Any, actor: User, now: datetime) -> str:
    invited = invitations.resend(session, _config(), library(), candidate, actor=actor, now=now,
                                 replaces=request.form.get("replaces", type=int))
    return f"A new link went to {candidate.name}; the old one no longer works. " + _sent_message([invited])


def _revoke(session: Session, candidate: Candidate, _form: Any, actor: User, now: datetime) -> str:
    invitations.revoke(session, candidate, actor=actor, now=now)
    return f"{candidate.name}'s link no longer works."


def _extend_window(session: Session, candidate: Candidate, form: Any, actor: User, now: datetime) -> str:
    invitation = invitations.extend_window(session, candidate, form.days.data, actor=actor, now=now)
    return Markup("{}'s link now works until {}.").format(candidate.name, when(invitation.expires_at))


def _extend_time(session: Session, candidate: Candidate, form: Any, actor: User, _now: datetime) -> str:
    invitations.extend_time(session, candidate, form.minutes.data, actor=actor)
    return f"{candidate.name} now has {candidate.extra_minutes} extra minutes on each exercise."


@bp.post("/openings/<slug>/candidates/<int:candidate_id>/resend")
@limiter.limit(limits.RESEND_PER_CANDIDATE, key_func=limits.candidate_key, deduct_when=limits.succeeded)
def resend(slug: str, candidate_id: int) -> Response:
    return _candidate_action(slug, candidate_id, ActionForm, _resend)


@bp.post("/openings/<slug>/candidates/<int:candidate_id>/revoke")
def revoke(slug: str, candidate_id: int) -> Response:
    return _candidate_action(slug, candidate_id, ConfirmForm, _revoke)


@bp.post("/openings/<slug>/candidates/<int:candidate_id>/extend-window")
def extend_window(slug: str, candidate_id: int) -> Response:
    return _candidate_action(slug, candidate_id, ExtendWindowForm, _extend_window)


@bp.post("/openings/<slug>/candidates/<int:candidate_id>/extend-time")
def extend_time(slug: str, candidate_id: int) -> Response:
    return _candidate_action(slug, candidate_id, ExtendTimeForm, _extend_time)


@bp.get("/openings/<slug>/outbox")
def outbox(slug: str) -> str:
    session = db.session()
    found = openings.opening_for(session, current_staff(), slug)
    messages = mail.outbox(session, [found.id])
    _record_listing(session, found, "outbox", len(messages))
    selected = request.args.get("message", type=int)
    return render_template(
        "hiring/outbox.html", opening=found, messages=messages,
        selected=next((m for m in messages if m.id == selected), messages[0] if messages else None),
        smtp=bool(_config().smtp_host),
    )


# -- scoring ----------------------------------------------------------------------------------


@bp.get("/openings/<slug>/scoring")
def scoring_page(slug: str) -> str:
    session = db.session()
    found = openings.opening_for(session, current_staff(), slug)
    scoring.ensure_live_stages(session, library(), found)
    work = scoring.work_page(session, found, view=request.args.get("view"),
                             page=request.args.get("page", 1, type=int))
    _record_listing(session, found, "scoring", len({row.attempt.candidate_id for row in work.rows}))
    return render_template(
        "hiring/scoring.html", opening=found, work=work, rows=work.rows, views=scoring.WORK_VIEWS,
        pool=scoring.interviewers(session), requests=scoring.pending_requests(session, found),
        action_form=ActionForm(), assign_form=AssignForm(), revision_form=RevisionDecisionForm(),
        now=clock.now(), is_overdue=scoring.is_overdue, scoring_open=found.scoring_state is ScoringState.OPEN,
        dimension_names={d.key: d.name for d in library().rubric.dimensions}, exercise_of=exercise_of,
    )


def _back_to_scoring(slug: str) -> Response:
    return redirect(url_for("hiring.scoring_page", slug=slug))


@bp.post("/openings/<slug>/scoring/auto-assign")
def auto_assign(slug: str) -> Response:
    session = db.session()
    found = openings.opening_for(session, current_staff(), slug)
    if ActionForm().validate_on_submit():
        try:
            result = scoring.auto_assign(session, library(), found, actor=current_staff(), now=clock.now())
        except AppError as error:
            flash(error.message, "error")
        else:
            message = f"Added {result.added} assignment(s)."
            if result.short:
                message += (f" {result.short} item(s) still need interviewers: there are not enough "
                            "interviewers for the number this opening asks for.")
            flash(message, "error" if result.short else "success")
    return _back_to_scoring(slug)


@bp.post("/openings/<slug>/scoring/assign")
def assign(slug: str) -> Response:
    session = db.session()
    found = openings.opening_for(session, current_staff(), slug)
    form = AssignForm()
    if not form.validate_on_submit():
        flash("Choose an interviewer to assign.", "error")
        return _back_to_scoring(slug)
    due = (datetime.combine(form.due.data, time(17, 0), tzinfo=UTC) if form.due.data else None)
    try:
        made = scoring.assign(session, found, form.attempt_id.data, form.interviewer_id.data, due_at=due,
                              actor=current_staff(), now=clock.now())
    except AppError as error:
        flash(error.message, "error")
    else:
        flash(f"Assigned {made.interviewer.name}.", "success")
    return _back_to_scoring(slug)


@bp.post("/openings/<slug>/scoring/assignments/<int:assignment_id>/remind")
def remind(slug: str, assignment_id: int) -> Response:
    session = db.session()
    found = openings.opening_for(session, current_staff(), slug)
    assignment = scoring.assignment_in(session, found, assignment_id)
    if ActionForm().validate_on_submit():
        try:
            made = scoring.remind(session, _config(), found, assignment, actor=current_staff(), now=clock.now())
        except AppError as error:
            flash(error.message, "error")
        else:
            flash(f"Reminder sent to {made.interviewer.name}.", "success")
    return _back_to_scoring(slug)


@bp.post("/openings/<slug>/scoring/assignments/<int:assignment_id>/revision")
def decide_revision(slug: str, assignment_id: int) -> Response:
    """Approve or refuse an interviewer's request to reopen a scorecard after seeing others' ratings."""
    session = db.session()
    found = openings.opening_for(session, current_staff(), slug)
    assignment = scoring.assignment_in(session, found, assignment_id)
    form = RevisionDecisionForm()
    if not form.validate_on_submit():
        flash("Keep the note to 1,000 characters.", "error")
        return _back_to_scoring(slug)
    try:
        scoring.decide_revision(session, found, assignment, approve=bool(form.approve.data),
                                note=form.note.data or "", actor=current_staff(), now=clock.now())
    except AppError as error:
        flash(error.message, "error")
    else:
        flash(f"{assignment.interviewer.name} may now change the scorecard; it will be marked as revised."
              if form.approve.data else f"Refused; {assignment.interviewer.name}'s scorecard stays as submitted.",
              "success")
    return _back_to_scoring(slug)


@bp.route("/openings/<slug>/scoring/close", methods=["GET", "POST"])
def close_scoring(slug: str) -> Response | str:
    """Ask, then close scoring for good."""
    session = db.session()
    found = openings.opening_for(session, current_staff(), slug)
    if request.method == "GET":
        unfinished = scoring.unfinished_count(session, found)
        waiting = len(scoring.pending_requests(session, found))
        facts = ["No scorecard can be started, saved, submitted or reopened after this, and nobody can be "
                 "assigned. Reminders stop.",
                 f"{unfinished} assigned scorecard(s) are not submitted and will stay unscored." if unfinished
                 else "Every assigned scorecard is submitted."]
        if waiting:
            facts.append(f"{waiting} reopen request(s) are waiting; they lapse and the scorecards stay as submitted.")
        facts.append("This cannot be undone. Afterwards you can unblind names and record decisions.")
        return _confirm(found, "Close scoring?", facts, url_for("hiring.close_scoring", slug=slug), "Close scoring")
    return _opening_step(slug, openings.close_scoring, "Scoring is closed; scorecards are now final.",
                         "hiring.close_scoring")


@bp.route("/openings/<slug>/scoring/unblind", methods=["GET", "POST"])
def unblind(slug: str) -> Response | str:
    """Ask, then show candidates' names to interviewers for good."""
    session = db.session()
    found = openings.opening_for(session, current_staff(), slug)
    if request.method == "GET":
        facts = ["Every interviewer on this opening will see candidates' names beside their codes, on every "
                 "scorecard, from now on.", "This cannot be undone."]
        return _confirm(found, "Unblind names?", facts, url_for("hiring.unblind", slug=slug), "Unblind names")
    return _opening_step(slug, openings.unblind, "Names are now shown to interviewers.", "hiring.unblind")


def _confirm(found: Any, heading: str, facts: list[str], action: str, button: str, *,
             back: str | None = None, early: str = "") -> str:
    form = ConfirmStepForm(confirm="yes", early=early)
    return render_template("hiring/confirm.html", opening=found, heading=heading, facts=facts, action=action,
                           button=button, form=form, back=back or url_for("hiring.scoring_page", slug=found.slug))


def _opening_step(slug: str, step: object, done: str, confirm_endpoint: str) -> Response:
    session = db.session()
    found = openings.opening_for(session, current_staff(), slug)
    form = ConfirmStepForm()
    if form.validate_on_submit():
        if form.confirm.data != "yes":
            return redirect(url_for(confirm_endpoint, slug=slug))
        try:
            step(session, found, actor=current_staff(), now=clock.now())  # type: ignore[operator]
        except AppError as error:
            flash(error.message, "error")
        else:
            flash(done, "success")
    return _back_to_scoring(slug)


@bp.route("/openings/<slug>/settings", methods=["GET", "POST"])
def settings(slug: str) -> Response | str:
    session = db.session()
    found = openings.opening_for(session, current_staff(), slug)
    form = SettingsForm(obj=found)
    form.ai_draft_timing.choices = [SelectChoice(key, label) for key, label in openings.AI_TIMINGS.items()]
    if form.validate_on_submit():
        changes = openings.OpeningChanges(
            invitation_valid_days=form.invitation_valid_days.data or found.invitation_valid_days,
            interviewers_per_submission=form.interviewers_per_submission.data or found.interviewers_per_submission,
            ai_enabled=form.ai_enabled.data, ai_draft_timing=form.ai_draft_timing.data or AiDraftTiming.AFTER_RATING,
            ai_notice=form.ai_notice.data or "",
            calibration_required=form.calibration_required.data,
            retention_days=form.retention_days.data or found.retention_days,
        )
        try:
            openings.update_settings(session, found, changes, actor=current_staff())
        except AppError as error:
            form.form_errors.append(error.message)
        else:
            flash("Settings saved.", "success")
            return redirect(url_for("hiring.opening", slug=slug))
    return render_template("hiring/settings.html", opening=found, form=form,
                           ai_configured=_config().ai_configured)


# -- results ----------------------------------------------------------------------------------


@bp.get("/openings/<slug>/results")
def results_page(slug: str) -> str:
    """The calibrated ranking, and how it would look without one interviewer."""
    session = db.session()
    found = openings.opening_for(session, current_staff(), slug)
    without = request.args.get("without", type=int)
    ratings = request.args.get("ratings", results.FIRST)
    compared = results.comparison(session, library(), found, exclude=without, ratings=ratings)
    _record_listing(session, found, "results", len(compared.rows))
    return render_template(
        "hiring/results.html", opening=found, compared=compared, rating_views=results.RATINGS,
        chart=results.chart_config(compared),
        dimension_names={d.key: d.name for d in library().rubric.dimensions},
    )


@bp.route("/openings/<slug>/candidates/<int:candidate_id>", methods=["GET", "POST"])
def candidate_page(slug: str, candidate_id: int) -> Response | str:
    """Everything scored about one candidate: scorecards, evidence, AI drafts and what was kept."""
    session = db.session()
    found = openings.opening_for(session, current_staff(), slug)
    person = openings.candidate_of(session, found, candidate_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            results.decide(session, found, person, form.outcome.data or "", form.rationale.data or "",
                           actor=current_staff(), now=clock.now())
        except AppError as error:
            form.form_errors.append(error.message)
        else:
            flash(f"Decision recorded for {person.name}.", "success")
            return redirect(url_for("hiring.candidate_page", slug=slug, candidate_id=candidate_id))
    audit.record(session, "candidate.viewed", actor=current_staff(), subject_type="candidate",
                 subject_id=person.id)
    session.commit()
    return render_template(
        "hiring/candidate.html", opening=found, person=person, form=form,
        cards=scoring.candidate_scorecards(session, person), decisions=results.decisions_of(session, person),
        scorecard_of=scorecard_of,
    )


@bp.get("/openings/<slug>/export/<kind>.csv")
def export(slug: str, kind: str) -> Response:
    """Scorecards or calibrated results as CSV, safe to open in a spreadsheet."""
    session = db.session()
    found = openings.opening_for(session, current_staff(), slug)
    if kind == "results":
        compared = results.comparison(session, library(), found)
        body = to_csv(
            ["rank", "candidate", "email", "calibrated_score", "low_80", "high_80", "raw_mean", "scorecards", "flags"],
            [[r.rank, r.candidate.name, r.candidate.email, round(r.estimate.score, 3), round(r.estimate.low, 3),
              round(r.estimate.high, 3), round(r.estimate.raw_mean, 3), r.scorecards, "; ".join(r.flags)]
             for r in compared.rows],
        )
    elif kind == "scorecards":
        body = to_csv(
            ["candidate", "exercise", "interviewer", "dimension", "score", "evidence", "recommendation", "submitted_at"],
            [[card.assignment.attempt.candidate.name, card.assignment.attempt.exercise_key,
              card.assignment.interviewer.name, rating.dimension_key, rating.score, rating.evidence,
              card.recommendation, card.submitted_at.isoformat() if card.submitted_at else ""]
             for card in results.submitted_scorecards(session, found) for rating in card.ratings],
        )
    else:
        abort(404)
    audit.record(session, "export.downloaded", actor=current_staff(), subject_type="opening", subject_id=found.id,
                 kind=kind)
    session.commit()
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{found.slug}-{kind}.csv"'})


@bp.get("/openings/<slug>/interviewers")
def interviewers_page(slug: str) -> str:
    """How each interviewer scores compared with the others, the AI aid included."""
    session = db.session()
    found = openings.opening_for(session, current_staff(), slug)
    rows, warnings = results.interviewer_report(session, found)
    return render_template("hiring/interviewers.html", opening=found, rows=rows, warnings=warnings,
                           pairs=results.pairwise_agreement(session, found))


# -- calibration sessions --------------------------------------------------------------------


@bp.route("/openings/<slug>/calibration", methods=["GET", "POST"])
def calibration_page(slug: str) -> Response | str:
    """Start calibration sessions on benchmark answers, follow them, and reveal them."""
    session = db.session()
    found = openings.opening_for(session, current_staff(), slug)
    form = CalibrationForm()
    form.benchmark.choices = [
        SelectChoice(f"{step.exercise_key}/{name}", f"{library().exercise(step.exercise_key).content.code}. "
                     f"{library().exercise(step.exercise_key).content.title} · answer {index}")
        for step in found.exercises
        for index, name in enumerate(sorted(library().benchmarks.get(step.exercise_key, {})), start=1)
    ]
    if form.validate_on_submit():
        try:
            calibration_sessions.create(session, library(), found, form.benchmark.data or "", actor=current_staff(),
                                        now=clock.now())
        except AppError as error:
            flash(error.message, "error")
        else:
            flash("Session started: every interviewer now has the answer to score in their queue.", "success")
        return redirect(url_for("hiring.calibration_page", slug=slug))
    sessions = calibration_sessions.sessions_of(session, found)
    return render_template(
        "hiring/calibration.html", opening=found, form=form, sessions=sessions, action_form=ActionForm(),
        reference_of=calibration_sessions.reference_of, passed=calibration_sessions.passed, outcome=calibration_sessions.outcome,
        reveal_rows=lambda cs: calibration_sessions.reveal_rows(cs, library().scorecard(cs.exercise_key).content),
        benchmark_of=calibration_sessions.benchmark_of, library=library(),
    )


@bp.route("/openings/<slug>/calibration/<int:session_id>/reveal", methods=["GET", "POST"])
def reveal_calibration(slug: str, session_id: int) -> Response | str:
    """Ask, then show the reference and everyone's scores; early, without those who have not scored."""
    session = db.session()
    found = openings.opening_for(session, current_staff(), slug)
    cs = calibration_sessions.session_of(session, found, session_id)
    back = url_for("hiring.calibration_page", slug=slug) + f"#session-{session_id}"
    if request.method == "GET":
        missing = calibration_sessions.waiting_for(cs)
        action = url_for("hiring.reveal_calibration", slug=slug, session_id=session_id)
        if not missing:
            return _confirm(found, "Reveal the scores and the reference?",
                            ["Every interviewer has scored. They will all see the reference scores and each "
                             "other's, and pass or not pass.", "This cannot be undone."],
                            action, "Reveal", back=back)
        names = ", ".join(e.interviewer.name for e in missing)
        return _confirm(found, "Reveal now, before everyone has scored?",
                        [f"{len(missing)} of {len(cs.entries)} interviewers have not scored yet: {names}.",
                         "If you reveal now they can no longer score this session. They are shown as \u201cdid not "
                         "score\u201d, neither passed nor failed, and are not shown the reference, so they can "
                         "still be calibrated in a later session.",
                         "This cannot be undone. To wait for them instead, go back."],
                        action, "Reveal now without them", back=back, early="yes")
    form = ConfirmStepForm()
    if form.validate_on_submit():
        if form.confirm.data != "yes":
            return redirect(url_for("hiring.reveal_calibration", slug=slug, session_id=session_id))
        try:
            calibration_sessions.reveal(session, cs, actor=current_staff(), now=clock.now(),
                                        early=form.early.data == "yes")
        except AppError as error:
            flash(error.message, "error")
        else:
            flash("Revealed: everyone who scored now sees the reference and each other's scores.", "success")
    return redirect(back)
