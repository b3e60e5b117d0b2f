import json
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ... import clock, db
from ...content_registry import library
from ...errors import AppError, NotFound
from ...models import Candidate
from ...services import api_tokens, audit, candidate_data, content, users, webhooks
from .. import actions
from ..access import current_staff
from . import bp
from ..forms import ConfirmForm
from .forms import ApiTokenForm, AuditFilterForm, CandidateSearchForm, EraseForm, WebhookForm


@bp.get("/")
def index() -> str:
    session = db.session()
    return render_template(
        "admin/index.html",
        staff=users.list_users(session),
        versions=content.stored_versions(session),
        current=content.current_hashes(library()),
        library=library(),
    )


@bp.get("/content/<key>")
def exercise(key: str) -> str:
    """Preview an exercise as candidates see it, with the scorecard interviewers use."""
    content = library()
    if key not in content.exercises:
        abort(404)
    return render_template(
        "admin/exercise.html",
        exercise=content.exercise(key),
        scorecard=content.scorecard(key),
    )


# -- the audit log --------------------------------------------------------------------------------


def _day_start(day: object) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None  # type: ignore[arg-type]


def audit_query(form: AuditFilterForm) -> audit.AuditQuery:
    kind, _, value = (form.actor.data or "").partition(":")
    until = _day_start(form.until.data)
    return audit.AuditQuery(
        action=form.action.data or None,
        actor_user_id=int(value) if kind == "user" and value.isdigit() else None,
        actor_kind=value if kind == "kind" else None,
        subject_type=form.subject_type.data or None,
        subject_id=form.subject_id.data,
        since=_day_start(form.since.data),
        until=until + timedelta(days=1) if until else None,
    )


@bp.get("/audit")
def audit_log() -> str:
    """Every recorded action, newest first, filtered by what, who, which object and when."""
    session = db.session()
    form = AuditFilterForm(request.args)
    actions, kinds, subjects = audit.vocabulary(session)
    form.offer(actions, kinds, [(u.id, u.name) for u in users.list_users(session)], subjects)
    valid = form.validate()
    found = audit.search(session, audit_query(form) if valid else audit.AuditQuery(),
                         page=form.page.data or 1 if valid else 1)
    address = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("admin/audit.html", form=form, found=found, address=address, valid=valid,
                           describe=audit.readable)


# -- one candidate's data ------------------------------------------------------------------------


def _candidate(candidate_id: int) -> Candidate:
    return candidate_data.candidate_by_id(db.session(), candidate_id)


@bp.route("/candidates", methods=["GET", "POST"])
def candidates() -> str:
    """Find a candidate by email to export or erase what is held about them.

    A POST, so the address never sits in a URL or an access log."""
    form = CandidateSearchForm()
    found: list[Candidate] = []
    if form.validate_on_submit():
        try:
            found = candidate_data.find_by_email(db.session(), form.email.data or "", viewer=current_staff(),
                                                 now=clock.now())
        except AppError as error:
            form.email.errors = [error.message]
    return render_template("admin/candidates.html", form=form, found=found,
                           searched=form.is_submitted() and not form.errors, erase_form=EraseForm())


@bp.get("/candidates/<int:candidate_id>")
def candidate(candidate_id: int) -> str:
    """One candidate's record, to come back to after an export or a refused erasure."""
    found = candidate_data.record_of(db.session(), candidate_id, viewer=current_staff(), now=clock.now())
    return render_template("admin/candidates.html", form=CandidateSearchForm(formdata=None), found=[found],
                           searched=True, erase_form=EraseForm())


@bp.get("/candidates/<int:candidate_id>/export.json")
def export_candidate(candidate_id: int) -> Response:
    """Everything held about one candidate, as a JSON download."""
    candidate = _candidate(candidate_id)
    data = candidate_data.export(db.session(), candidate, actor=current_staff(), now=clock.now())
    body = json.dumps(data, indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="candidate-{candidate.pseudonym}.json"'})


@bp.post("/candidates/<int:candidate_id>/erase")
def erase_candidate(candidate_id: int) -> BaseResponse:
    """Erase one candidate on request, after the admin retypes the email."""
    session = db.session()
    candidate = _candidate(candidate_id)
    form = EraseForm()
    back = redirect(url_for("admin.candidate", candidate_id=candidate.id))
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return back
    if (form.confirm.data or "").strip().lower() != candidate.email.lower():
        flash("The email you typed does not match this candidate's; nothing was erased.", "error")
        return back
    try:
        candidate_data.erase(session, candidate, actor=current_staff(), reason=form.reason.data or "",
                             now=clock.now())
    except AppError as error:
        flash(error.message, "error")
        return back
    flash(f"Erased. Candidate {candidate.pseudonym}'s scores remain, without name, email or answers.", "success")
    return redirect(url_for("admin.candidates"))


# -- API tokens ---------------------------------------------------------------------------------------


def _tokens_page(form: ApiTokenForm, created: str | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("admin/api_tokens.html", form=form, tokens=api_tokens.all_tokens(db.session()),
                           created=created, revoke_form=ConfirmForm()), status


@bp.get("/api-tokens")
def tokens() -> tuple[str, int]:
    """Tokens for applicant-tracking systems: who has one, what it may do, when it was last used."""
    return _tokens_page(ApiTokenForm().offer(api_tokens.SCOPES))


@bp.post("/api-tokens")
def create_token() -> tuple[str, int]:
    form = ApiTokenForm().offer(api_tokens.SCOPES)
    if not form.validate_on_submit():
        return _tokens_page(form, status=400)
    try:
        _, plain = api_tokens.create(db.session(), name=form.name.data or "", scopes=list(form.scopes.data or []),
                                     actor=current_staff(), now=clock.now())
    except AppError as error:
        form.name.errors = [error.message]
        return _tokens_page(form, status=400)
    return _tokens_page(ApiTokenForm(formdata=None).offer(api_tokens.SCOPES), created=plain, status=201)


@bp.post("/api-tokens/<int:token_id>/revoke")
def revoke_token(token_id: int) -> BaseResponse:
    def revoke() -> str:
        token = api_tokens.revoke(db.session(), token_id, actor=current_staff(), now=clock.now())
        return f"The token {token.name!r} no longer works."

    return _switch_off(revoke, "admin.tokens")


def _switch_off(turn_off: Callable[[], str], back: str) -> BaseResponse:
    """A button that ends something (a token, a webhook) once its box is ticked: an unknown id is a 404,
    a repeat is said so."""
    return actions.run(ConfirmForm(), turn_off, back=url_for(back), raises=(NotFound,))


# -- webhooks -------------------------------------------------------------------------------------------


def _webhooks_page(form: WebhookForm, secret: str | None = None, status: int = 200) -> tuple[str, int]:
    session = db.session()
    return render_template("admin/webhooks.html", form=form, endpoints=webhooks.endpoints(session),
                           deliveries=webhooks.recent_deliveries(session), secret=secret,
                           disable_form=ConfirmForm()), status


@bp.get("/webhooks")
def webhooks_page() -> tuple[str, int]:
    """Where events are sent, and how the last deliveries went."""
    return _webhooks_page(WebhookForm().offer(webhooks.EVENTS))


@bp.post("/webhooks")
def create_webhook() -> tuple[str, int]:
    form = WebhookForm().offer(webhooks.EVENTS)
    if not form.validate_on_submit():
        return _webhooks_page(form, status=400)
    try:
        _, secret = webhooks.create_endpoint(db.session(), url=form.url.data or "", events=list(form.events.data or []),
                                             actor=current_staff(), now=clock.now())
    except AppError as error:
        form.url.errors = [error.message]
        return _webhooks_page(form, status=400)
    return _webhooks_page(WebhookForm(formdata=None).offer(webhooks.EVENTS), secret=secret, status=201)


@bp.post("/webhooks/<int:endpoint_id>/disable")
def disable_webhook(endpoint_id: int) -> BaseResponse:
    def disable() -> str:
        webhooks.disable(db.session(), endpoint_id, actor=current_staff(), now=clock.now())
        return "That address gets no more calls."

    return _switch_off(disable, "admin.webhooks_page")
