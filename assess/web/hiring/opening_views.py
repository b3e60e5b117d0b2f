"""Openings: the list, a new one, one opening's candidates, its settings and its outbox."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from ... import clock, db
from ...content_registry import library
from ...domain.decisions import OUTCOMES, PLACEHOLDERS, EmailTemplate
from ...errors import AppError
from ...models import AiDraftTiming, Opening
from ...domain.pipeline import LABELS, Stage
from ...services import decisions, links, mail, opening_settings, openings, pipeline
from ...services.attempts import StepState, steps
from .. import charts
from ..access import current_staff
from ..forms import ConfirmForm, field_name
from ..paging import asked_page, say_if_moved
from . import bp, current_opening, for_recruiters
from .common import config, list_args
from .forms import (
    ActionForm,
    BulkInviteForm,
    DecisionEmailsForm,
    ExtendTimeForm,
    ExtendWindowForm,
    InviteFileForm,
    InviteForm,
    SettingsForm,
    opening_form_class,
)


@bp.get("/")
@for_recruiters()
def index() -> str:
    session = db.session()
    summaries = openings.openings_for(session, current_staff())
    counted = pipeline.counts(session, [s.opening.id for s in summaries])
    funnels = {i: found.funnel for i, found in counted.items()}
    together = pipeline.across(counted.values()) if len(summaries) > 1 else None
    return render_template("hiring/index.html", summaries=summaries, library=library(), funnels=funnels,
                           together=together, chart=charts.funnel_chart(together) if together else None,
                           loads=pipeline.workload(session, counted, clock.now()) if together else [])


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
                db.session(), library(), settings, hiring_manager=current_staff(), actor=current_staff(),
                now=clock.now(),
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
@for_recruiters()
def opening() -> str:
    return opening_page()


def opening_page(bulk_form: BulkInviteForm | None = None) -> str:
    """The opening's page: its candidates, one page of a search at a time, and the forms to invite more
    (bulk_form: the pasted list as it came back, with the lines still to fix)."""
    session = db.session()
    found = current_opening()
    now = clock.now()
    asked = asked_page()
    listing = openings.Listing(search=request.args.get("q", ""), stage=request.args.get("stage", ""),
                               decision=request.args.get("decision", ""), order=request.args.get("sort") or "newest")
    listed = openings.candidates_for(session, found, viewer=current_staff(), now=now, listing=listing, page=asked)
    say_if_moved(asked, listed.page, listed.pages)
    return render_template(
        "hiring/opening.html",
        opening=found,
        listed=listed, search=listing.search, listing=listing, list_args=list_args(),
        stages=pipeline.counts(session, [found.id])[found.id].stages, Stage=Stage, STAGE_LABELS=LABELS,
        orders=openings.ORDERS, outcomes=OUTCOMES, bulk_form=bulk_form or BulkInviteForm(),
        rows=[
            (c, steps(library(), c, now), links.latest_invitation(c), links.active_invitation(c, now))
            for c in listed.items
        ],
        library=library(),
        invite_form=InviteForm(), file_form=InviteFileForm(),
        action_form=ActionForm(), withdraw_form=ConfirmForm(),
        window_form=ExtendWindowForm(),
        time_form=ExtendTimeForm(),
        decided=decisions.current(session, [c.id for c in listed.items]),
        StepState=StepState,
        now=now,
    )


@bp.get("/openings/<slug>/outbox")
@for_recruiters()
def outbox() -> str:
    session = db.session()
    found = current_opening()
    search = request.args.get("q", "")
    asked = asked_page()
    listed = mail.outbox(session, found.id, viewer=current_staff(), now=clock.now(), page=asked, search=search)
    say_if_moved(asked, listed.page, listed.pages)
    wanted = request.args.get("message", type=int)
    selected = mail.message_in(session, found.id, wanted) if wanted is not None else None
    if wanted is not None and selected is None:
        flash("That message is not in this opening's outbox; showing the newest instead.", "info")
    return render_template(
        "hiring/outbox.html", opening=found, listed=listed, messages=listed.items, search=search,
        selected=selected or (listed.items[0] if listed.items else None), smtp=bool(config().smtp_host),
    )


@bp.route("/openings/<slug>/settings", methods=["GET", "POST"])
def settings() -> Response | str:
    session = db.session()
    found = current_opening()
    form = _settings_form(found)
    if form.validate_on_submit():
        changes = opening_settings.OpeningChanges(
            invitation_valid_days=form.invitation_valid_days.data or found.invitation_valid_days,
            interviewers_per_submission=form.interviewers_per_submission.data or found.interviewers_per_submission,
            ai_enabled=form.ai_enabled.data, ai_draft_timing=form.ai_draft_timing.data or AiDraftTiming.AFTER_RATING,
            ai_notice=form.ai_notice.data or "",
            calibration_required=form.calibration_required.data,
            retention_days=form.retention_days.data or found.retention_days,
            auto_assign=form.auto_assign.data,
            expiry_reminder_days=form.expiry_reminder_days.data,
            overdue_reminder_days=form.overdue_reminder_days.data or 0,  # checked to be 0 to 30
            third_interviewer_gap=form.third_interviewer_gap.data,
            company_name=form.company_name.data, reply_to=form.reply_to.data,
        )
        try:
            opening_settings.update_settings(session, found, changes, actor=current_staff(), now=clock.now())
        except AppError as error:
            form.form_errors.append(error.message)
        else:
            flash("Settings saved.", "success")
            return redirect(url_for("hiring.opening", slug=found.slug))
    return _settings_page(found, form, _emails_form(found))


@bp.post("/openings/<slug>/settings/decision-emails")
def decision_emails() -> Response | tuple[str, int]:
    """The email each decision may send the candidate, as the hiring manager words it."""
    found = current_opening()
    form = DecisionEmailsForm()
    if form.validate_on_submit():
        templates = {key: EmailTemplate(form[f"{key}_subject"].data or "", form[f"{key}_body"].data or "")
                     for key in OUTCOMES}
        try:
            decisions.set_email_templates(db.session(), found, templates, actor=current_staff(), now=clock.now())
        except AppError as error:
            form.form_errors.append(error.message)
        else:
            flash("Decision emails saved. They are sent only when you tick the box as you decide.", "success")
            return redirect(url_for("hiring.settings", slug=found.slug, _anchor="decision-emails"))
    return _settings_page(found, _settings_form(found, formdata=None), form), 400


def _settings_form(found: Opening, **kwargs: object) -> SettingsForm:
    form = SettingsForm(obj=found, **kwargs)
    form.ai_draft_timing.choices = [SelectChoice(key, label) for key, label in opening_settings.AI_TIMINGS.items()]
    return form


def _emails_form(found: Opening) -> DecisionEmailsForm:
    form = DecisionEmailsForm(formdata=None)
    for key in OUTCOMES:
        template = decisions.email_template(found, key)
        form[f"{key}_subject"].data, form[f"{key}_body"].data = template.subject, template.body
    return form


def _settings_page(found: Opening, form: SettingsForm, emails_form: DecisionEmailsForm) -> str:
    return render_template("hiring/settings.html", opening=found, form=form, emails_form=emails_form,
                           outcomes=OUTCOMES, placeholders=PLACEHOLDERS, ai_configured=config().ai_configured)
