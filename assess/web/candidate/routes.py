"""The candidate's pages: a link becomes a session; exercises are started, saved, submitted."""

from __future__ import annotations

import csv
import io
import secrets

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from markupsafe import Markup
from pydantic import ValidationError
from werkzeug.wrappers import Response as BaseResponse

from ... import clock, db
from ...config import Config
from ...content_registry import library
from ...domain.autosave import SaveVerdict, answer_length
from ...errors import AppError, InputError, NotFound
from ...markdown import render
from ...models import Attempt, Candidate
from ...services import ai_aid, ai_drafts, answering, attempts, links
from ...services.attempts import StepState
from .. import actions, charts, limits
from ..access import fresh_session
from ..dates import when
from ..errors import error_answer, json_error
from ..forms import field_name
from ..limits import limiter
from . import bp
from .forms import (
    AutosaveRequest,
    DeclineAiForm,
    PreviewRequest,
    StartForm,
    answer_form_class,
    answers_from,
)

SESSION_KEY = "candidate_invitation"
OPEN_ENDPOINTS = {"candidate.start_link"}
# Requests that read one attempt and nothing else of the candidate's: the background save, many a minute.
ONE_ATTEMPT_ENDPOINTS = {"candidate.autosave"}


def _config() -> Config:
    return current_app.config["ASSESS"]  # type: ignore[no-any-return]


@bp.before_request
def _load_candidate() -> BaseResponse | str | None:
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    invitation_id = session.get(SESSION_KEY)
    try:
        if invitation_id is None:
            raise NotFound("Open the link from your invitation email to see your assessment.")
        invitation = links.session_invitation(db.session(), int(invitation_id),
                                              whole=request.endpoint not in ONE_ATTEMPT_ENDPOINTS)
    except NotFound as error:
        session.pop(SESSION_KEY, None)
        if request.is_json:  # a background save or preview: the page says so and stops trying
            return json_error(401, "Session ended", error.message, code="session_ended")
        return render_template("candidate/link_problem.html", title="Please use your invitation link",
                               message=error.message), 401
    g.candidate = invitation.candidate
    return None


@bp.after_request
def _never_cache(response: BaseResponse) -> BaseResponse:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


@bp.errorhandler(links.LinkProblem)
def _link_problem(error: links.LinkProblem) -> tuple[str, int]:
    return render_template(
        "candidate/link_problem.html", title=error.title, message=error.message, contact=error.contact
    ), error.status_code


def _candidate() -> Candidate:
    return g.candidate  # type: ignore[no-any-return]


def _started_attempt(key: str) -> Attempt:
    """The candidate's attempt at key; one whose time ran out is submitted on the spot."""
    step = attempts.find_step(library(), _candidate(), key, clock.now())
    if step.attempt is None or step.attempt.started_at is None:
        raise NotFound("You have not started this exercise yet; start it from your overview.")
    if answering.finalize_if_due(db.session(), _config(), step.attempt, now=clock.now()):
        flash(
            "The time for this exercise ended, so the text you last saved was submitted for you.",
            "info",
        )
    return step.attempt


def _attempt_to_save(key: str) -> Attempt:
    """The started attempt a background save is for, read alone; one whose time ran out is submitted on the spot."""
    attempt = attempts.started_attempt(db.session(), _candidate(), key)
    if attempt is None:
        raise NotFound("You have not started this exercise yet; start it from your overview.")
    if answering.finalize_if_due(db.session(), _config(), attempt, now=clock.now()):
        flash("The time for this exercise ended, so the text you last saved was submitted for you.", "info")
    return attempt


@bp.get("/start/<token>")
@limiter.limit(limits.LINK_PER_ADDRESS, deduct_when=limits.failed_attempt)
def start_link(token: str) -> BaseResponse:
    """Exchange the emailed token for a session, then leave the token out of the address bar."""
    invitation = links.redeem(db.session(), token, clock.now())
    fresh_session(session)
    session[SESSION_KEY] = invitation.id
    session.permanent = True
    return redirect(url_for("candidate.welcome"))


@bp.get("/")
def welcome() -> str:
    candidate = _candidate()
    now = clock.now()
    return render_template(
        "candidate/welcome.html",
        candidate=candidate,
        opening=candidate.opening,
        steps=attempts.steps(library(), candidate, now),
        invitation=links.active_invitation(candidate, now),
        start_form=StartForm(),
        StepState=StepState,
        ai_on=ai_drafts.on_for(_config(), db.session(), candidate.opening),
        decline_form=DeclineAiForm(),
    )


@bp.post("/ai-choice")
def decline_ai() -> BaseResponse:
    """The candidate asks that no AI reads their work; it holds from now on, whatever they have handed in."""
    def step() -> str:
        ai_aid.opt_out(db.session(), _candidate(), now=clock.now())
        return ("Recorded: no AI will read your work. People score it exactly as they would otherwise, "
                "so this cannot affect how your work is assessed.")

    return actions.run(DeclineAiForm(), step, back=url_for("candidate.welcome"),
                       invalid="The page had expired, so nothing was recorded. Press the button again.")


@bp.post("/exercises/<key>/start")
def start(key: str) -> BaseResponse:
    form = StartForm()
    if not form.validate_on_submit():
        abort(400)
    attempts.start(db.session(), library(), _candidate(), key, now=clock.now())
    return redirect(url_for("candidate.exercise", key=key))


@bp.route("/exercises/<key>", methods=["GET", "POST"])
def exercise(key: str) -> BaseResponse | str | tuple[str, int]:
    """The work page; its form also saves and submits when JavaScript is off."""
    attempt = _started_attempt(key)
    if attempt.submission is not None:
        return redirect(url_for("candidate.receipt", key=key))
    exercise = attempts.exercise_for(attempt)
    form = answer_form_class(exercise)()
    now = clock.now()
    if request.method == "GET":
        stored = attempt.draft.answers if attempt.draft else {}
        for section in exercise.sections:
            form[field_name("answer", section.key)].data = stored.get(section.key, "")
        form.base_revision.data = attempt.draft.revision if attempt.draft else 0
        form.client_id.data = secrets.token_urlsafe(12)
        return _work_page(attempt, form)
    if not form.validate_on_submit():
        return _work_page(attempt, form), 400
    answers = answers_from(form, exercise)
    if form.submit.data or form.confirm.data:
        if not form.confirm.data:
            result = _save_from_form(attempt, form, answers)
            if result.verdict is SaveVerdict.OTHER_TAB:
                flash(_verdict_message(result.verdict), "error")
                return _work_page(attempt, form, conflict=True), 409
            return render_template(
                "candidate/confirm.html", attempt=attempt, exercise=exercise, form=form,
                answers=answers, saved=result.stored,
            )
        handed_in = answering.save_and_submit(
            db.session(), _config(), attempt, answers, now=now, **_save_identity(form),
        )
        if isinstance(handed_in, answering.SaveResult):
            flash(_verdict_message(handed_in.verdict), "error")
            return _work_page(attempt, form, conflict=True), 409
        return redirect(url_for("candidate.receipt", key=key))
    result = _save_from_form(attempt, form, answers, take_over=bool(form.take_over.data))
    if result.stored:
        flash(Markup("Saved at {}.").format(when(result.saved_at, "seconds")), "success")
        return redirect(url_for("candidate.exercise", key=key))
    flash(_verdict_message(result.verdict), "error")
    conflict = result.verdict is SaveVerdict.OTHER_TAB
    return _work_page(attempt, form, conflict=conflict), 409 if conflict else 410


def _save_identity(form: object) -> dict[str, object]:
    """The tab id and base revision of a save made by posting the form; its number is the tab's next."""
    base = form.base_revision.data or 0  # type: ignore[attr-defined]
    client_id = form.client_id.data or secrets.token_urlsafe(12)  # type: ignore[attr-defined]
    return {"client_id": client_id, "seq": None, "base_revision": base}


def _save_from_form(
    attempt: Attempt, form: object, answers: dict[str, str], *, take_over: bool = False
) -> answering.SaveResult:
    return answering.save(
        db.session(), attempt, answers, now=clock.now(), take_over=take_over, **_save_identity(form),
    )


def _work_page(attempt: Attempt, form: object, *, conflict: bool = False) -> str:
    exercise = attempts.exercise_for(attempt)
    deadline = attempts.attempt_deadline(attempt)
    variant = exercise.variant(attempt.data_variant) if attempt.data_variant else None
    return render_template(
        "candidate/exercise.html",
        attempt=attempt,
        exercise=exercise,
        form=form,
        deadline=deadline,
        seconds_left=deadline.seconds_left(clock.now()),
        data=charts.data_views(exercise, variant),
        dataset_csv=lambda dataset: url_for("candidate.dataset_csv", key=exercise.key, dataset=dataset),
        revision=attempt.draft.revision if attempt.draft else 0,
        saved_at=attempt.draft.saved_at if attempt.draft else None,
        copies=sorted(attempt.copies, key=lambda c: c.saved_at, reverse=True),
        conflict=conflict,
        answer_length=answer_length,
    )


def _verdict_message(verdict: SaveVerdict) -> str:
    return {
        SaveVerdict.OTHER_TAB: (
            "You changed this answer in another tab or window too, and that tab saved after this "
            "one last did. Nothing is lost: the text in this tab is kept as a copy. Choose which "
            "text to continue with; the other stays readable under \u201cOther copies of your answer\u201d."
        ),
        SaveVerdict.STALE: "A newer save from this page is already stored.",
        SaveVerdict.DUPLICATE: "Saved.",
        SaveVerdict.KEPT: "Kept as a copy of your answer.",
        SaveVerdict.CLOSED: (
            "The time for this exercise is over, so changes can no longer be saved. "
            "Your last saved text has been submitted."
        ),
        SaveVerdict.ACCEPTED: "Saved.",
    }[verdict]


# The titles of the saves that are refused, beside the verdict as the error's code.
REFUSED_SAVES = {SaveVerdict.OTHER_TAB: (409, "Changed in another tab"), SaveVerdict.CLOSED: (410, "Time is over")}


@bp.post("/exercises/<key>/autosave")
def autosave(key: str) -> tuple[Response, int]:
    """Save in the background; the answer says what happened so the page can show it."""
    attempt = _attempt_to_save(key)
    try:
        payload = AutosaveRequest.model_validate(request.get_json(silent=True) or {})
    except ValidationError:
        return json_error(400, InputError.title, "The save could not be read; reload the page.")
    now = clock.now()
    try:
        result = answering.save(
            db.session(), attempt, payload.answers, client_id=payload.client_id, seq=payload.seq,
            base_revision=payload.base_revision, now=now, take_over=payload.take_over,
            keep_as_copy=payload.keep_as_copy,
        )
    except AppError as error:
        return error_answer(error)
    verdict = SaveVerdict.ACCEPTED if result.verdict is SaveVerdict.DUPLICATE else result.verdict
    deadline = attempts.attempt_deadline(attempt)
    saved = {
        "revision": result.revision,
        "saved_at": result.saved_at.isoformat() if result.saved_at else None,
        "seconds_left": deadline.seconds_left(now),
        "deadline_utc": f"{deadline.shown_at:%H:%M}",
        "deadline_at": deadline.shown_at.isoformat(),
    }
    if verdict in REFUSED_SAVES:
        status, title = REFUSED_SAVES[verdict]
        # So the tab can show the text it is asked to choose against.
        latest = attempt.draft.answers if verdict is SaveVerdict.OTHER_TAB and attempt.draft else None
        return json_error(status, title, _verdict_message(verdict), code=verdict.value, latest=latest, **saved)
    return jsonify(status=verdict.value, message=_verdict_message(verdict), latest=None, **saved), 200


@bp.get("/exercises/<key>/receipt")
def receipt(key: str) -> BaseResponse | str:
    attempt = _started_attempt(key)
    if attempt.submission is None:
        return redirect(url_for("candidate.exercise", key=key))
    exercise = attempts.exercise_for(attempt)
    return render_template(
        "candidate/receipt.html", attempt=attempt, exercise=exercise, submission=attempt.submission,
    )


@bp.get("/exercises/<key>/data/<dataset>.csv")
def dataset_csv(key: str, dataset: str) -> Response:
    """The candidate's own variant of a data set, as the CSV file it came from."""
    attempt = _started_attempt(key)
    exercise = attempts.exercise_for(attempt)
    spec = next((d for d in exercise.datasets if d.key == dataset), None)
    if spec is None or attempt.data_variant is None:
        abort(404)
    table = exercise.variant(attempt.data_variant).table(dataset)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.name for c in spec.columns])
    writer.writerows(table.rows)
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{key}-{dataset}.csv"'},
    )


@bp.post("/preview")
def preview() -> tuple[Response, int]:
    """Render Markdown exactly as interviewers will see it."""
    try:
        payload = PreviewRequest.model_validate(request.get_json(silent=True) or {})
    except ValidationError:
        return json_error(400, InputError.title, "This text is too long to preview.")
    return jsonify(html=str(render(payload.text))), 200
