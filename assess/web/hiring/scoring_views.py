"""Scoring an opening: the work list, assigning and reminding, reopen requests, closing and unblinding."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request
from werkzeug.wrappers import Response

from ... import clock, db
from ...content_registry import library
from ...domain.scoring import due_at_end_of
from ...models import Opening, ScoringState, User
from ...services import assigning, interviewer_pool, revisions, scoring_state, worklist
from ...services.content import exercise_of
from .. import actions
from ..mail_said import fate
from ..access import current_staff
from ..paging import asked_page, say_if_moved
from ..actions import Said
from . import bp, current_opening
from .common import back_to, config
from .forms import ActionForm, AssignForm, ConfirmStepForm, RevisionDecisionForm


def _scoring() -> str:
    return back_to("hiring.scoring_page")


@bp.get("/openings/<slug>/scoring")
def scoring_page() -> str:
    session = db.session()
    found = current_opening()
    asked = asked_page()
    work = worklist.work_page_for(session, found, viewer=current_staff(), now=clock.now(),
                                  view=request.args.get("view"), page=asked)
    say_if_moved(asked, work.page, work.pages)
    return render_template(
        "hiring/scoring.html", opening=found, work=work, rows=work.rows, views=worklist.WORK_VIEWS,
        pool=interviewer_pool.active_interviewers(session), requests=revisions.pending_requests(session, found),
        action_form=ActionForm(), assign_form=AssignForm(), revision_form=RevisionDecisionForm(),
        now=clock.now(), is_overdue=worklist.is_overdue, scoring_open=found.scoring_state is ScoringState.OPEN,
        dimension_names={d.key: d.name for d in library().rubric.dimensions}, exercise_of=exercise_of,
        missing_live=worklist.count_missing_live_stages(session, library(), found),
    )


@bp.post("/openings/<slug>/scoring/live-stages")
def add_live_stages() -> Response:
    """Give everyone who handed in work a slot for each live stage, so interviewers can be assigned to it."""
    def step() -> str:
        added = worklist.ensure_live_stages(db.session(), library(), current_opening())
        return (f"Added {added} live-stage slot(s); assign interviewers to them below." if added
                else "Every candidate who handed in work already has their live stages.")

    return actions.run(ActionForm(), step, back=_scoring())


@bp.post("/openings/<slug>/scoring/auto-assign")
def auto_assign() -> Response:
    def step() -> Said:
        result = assigning.auto_assign(db.session(), library(), current_opening(), actor=current_staff(),
                                     now=clock.now())
        if not result.short:
            return Said(f"Added {result.added} assignment(s).")
        return Said(f"Added {result.added} assignment(s). {result.short} item(s) still need interviewers: there "
                    "are not enough interviewers for the number this opening asks for.", "error")

    return actions.run(ActionForm(), step, back=_scoring())


@bp.post("/openings/<slug>/scoring/assign")
def assign() -> Response:
    form = AssignForm()

    def step() -> str:
        made = assigning.assign(db.session(), current_opening(), form.attempt_id.data, form.interviewer_id.data,
                              due_at=due_at_end_of(form.due.data), actor=current_staff(), now=clock.now())
        return f"Assigned {made.interviewer.name}."

    return actions.run(form, step, back=_scoring(), invalid="Choose an interviewer to assign.")


@bp.post("/openings/<slug>/scoring/assignments/<int:assignment_id>/remind")
def remind(assignment_id: int) -> Response:
    session = db.session()
    assignment = assigning.assignment_in(session, current_opening(), assignment_id)

    def step() -> str:
        made = assigning.remind(session, config(), current_opening(), assignment, actor=current_staff(),
                              now=clock.now())
        return fate(f"The reminder to {made.interviewer.name}")

    return actions.run(ActionForm(), step, back=_scoring())


@bp.post("/openings/<slug>/scoring/assignments/<int:assignment_id>/revision")
def decide_revision(assignment_id: int) -> Response:
    """Approve or refuse an interviewer's request to reopen a scorecard after seeing others' ratings."""
    session = db.session()
    assignment = assigning.assignment_in(session, current_opening(), assignment_id)
    form = RevisionDecisionForm()

    def step() -> str:
        revisions.decide_revision(session, current_opening(), assignment, approve=bool(form.approve.data),
                                note=form.note.data or "", actor=current_staff(), now=clock.now())
        name = assignment.interviewer.name
        return (f"{name} may now change the scorecard; it will be marked as revised." if form.approve.data
                else f"Refused; {name}'s scorecard stays as submitted.")

    return actions.run(form, step, back=_scoring(), invalid="Keep the note to 1,000 characters.")


def confirm_page(heading: str, facts: list[str], action: str, button: str, *,
                 back: str | None = None, early: str = "", seen: str = "") -> str:
    """The page that asks before a step that cannot be undone; its button sends the step's form (with seen, what
    the page showed, for a step that refuses when that changed)."""
    form = ConfirmStepForm(confirm="yes", early=early, seen=seen)
    return render_template("hiring/confirm.html", opening=current_opening(), heading=heading, facts=facts,
                           action=action, button=button, form=form, back=back or _scoring())


def confirmed_step(step: Callable[[ConfirmStepForm], Any], done: str, ask_again: str, back: str) -> Response:
    """Run a step that was asked about; a form that did not come from the question asks again."""
    form = ConfirmStepForm()
    if form.is_submitted() and form.confirm.data != "yes":
        return redirect(ask_again)

    def run() -> str:
        step(form)
        return done

    return actions.run(form, run, back=back)


@bp.route("/openings/<slug>/scoring/close", methods=["GET", "POST"])
def close_scoring() -> Response | str:
    """Ask, then close scoring for good."""
    session = db.session()
    found = current_opening()
    if request.method == "GET" and found.scoring_state is not ScoringState.OPEN:
        flash("Scoring is already closed.", "success")
        return redirect(_scoring())
    if request.method == "GET":
        now = scoring_state.closing(session, found)
        return confirm_page("Close scoring?", _closing_facts(now, found), back_to("hiring.close_scoring"),
                            "Close scoring", seen=now.seen)
    return confirmed_step(lambda form: _on_opening(scoring_state.close_scoring, seen=form.seen.data or None),
                          "Scoring is closed; scorecards are now final.", back_to("hiring.close_scoring"), _scoring())


def _closing_facts(now: scoring_state.Closing, opening: Opening) -> list[str]:
    facts = ["No scorecard can be started, saved, submitted or reopened after this, and nobody can be "
             "assigned. Reminders stop."]
    facts.append(f"{now.unfinished:,} assigned scorecard{'' if now.unfinished == 1 else 's'} "
                 f"{'has' if now.unfinished == 1 else 'have'} not been submitted and will stay unscored."
                 if now.unfinished else "Every assigned scorecard has been submitted.")
    if now.reopened:
        facts.append(f"{_many(now.reopened, 'scorecard')} reopened for changes and not submitted again: "
                     f"{'it stays' if now.reopened == 1 else 'they stay'} as a draft, and the results keep reading "
                     "the ratings first submitted.")
    if now.unassigned:
        needed = opening.interviewers_per_submission
        facts.append(f"{now.unassigned:,} piece{'' if now.unassigned == 1 else 's'} of work "
                     f"{'has' if now.unassigned == 1 else 'have'} fewer "
                     f"than the {needed} interviewer{'s' if needed != 1 else ''} the opening asks for, and nobody "
                     "can be added after closing.")
    if now.waiting:
        facts.append(f"{_many(now.waiting, 'reopen request')} waiting; "
                     + ("it lapses and the scorecard stays" if now.waiting == 1 else "they lapse and the scorecards stay")
                     + " as submitted.")
    facts.append("This cannot be undone. Afterwards you can unblind names and record decisions.")
    return facts


def _many(n: int, thing: str) -> str:
    return f"{n:,} {thing}{'' if n == 1 else 's'} {'is' if n == 1 else 'are'}"


@bp.route("/openings/<slug>/scoring/unblind", methods=["GET", "POST"])
def unblind() -> Response | str:
    """Ask, then show candidates' names to interviewers for good."""
    if request.method == "GET" and current_opening().scoring_state is not ScoringState.CLOSED:
        flash("Names are already shown to interviewers." if current_opening().scoring_state is ScoringState.UNBLINDED
              else "Close scoring first; names can be shown only after that.", "success")
        return redirect(_scoring())
    if request.method == "GET":
        facts = ["Every interviewer on this opening will see candidates' names beside their codes, on every "
                 "scorecard, from now on.", "This cannot be undone."]
        return confirm_page("Unblind names?", facts, back_to("hiring.unblind"), "Unblind names")
    return confirmed_step(lambda _form: _on_opening(scoring_state.unblind),
                          "Names are now shown to interviewers.", back_to("hiring.unblind"), _scoring())


def _on_opening(step: Callable[..., Any], **given: Any) -> Any:
    actor: User = current_staff()
    opening: Opening = current_opening()
    return step(db.session(), opening, actor=actor, now=clock.now(), **given)

