"""Calibration sessions: start one on a benchmark answer, follow it, reveal it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template, request
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from ... import clock, db
from ...content import ContentLibrary
from ...content_registry import library
from ...models import CalibrationEntry, CalibrationSession, Opening
from ...services import calibration_sessions
from .. import actions
from ..access import current_staff
from . import bp, current_opening
from .common import back_to
from .forms import ActionForm, CalibrationForm
from .scoring_views import confirm_page, confirmed_step


@dataclass(frozen=True)
class SessionView:
    """One calibration session as its card shows it."""

    session: CalibrationSession
    exercise_title: str
    benchmark: Any
    outcomes: list[tuple[CalibrationEntry, str]]
    reveal: list[Any]
    dimensions: list[Any]


def _view(cs: CalibrationSession, content: ContentLibrary) -> SessionView:
    reference = calibration_sessions.reference_of(cs)
    scorecard = content.scorecards.get(cs.exercise_key)
    exercise = content.exercises.get(cs.exercise_key)
    return SessionView(
        session=cs,
        exercise_title=exercise.content.title if exercise is not None else cs.exercise_key,
        benchmark=calibration_sessions.benchmark_of(cs),
        outcomes=[(e, calibration_sessions.outcome(e, reference)) for e in cs.entries],
        reveal=(calibration_sessions.reveal_rows(cs, scorecard.content)
                if cs.revealed_at is not None and scorecard is not None else []),
        dimensions=list(scorecard.content.dimensions) if scorecard is not None else [],
    )


def _benchmark_choices(opening: Opening, content: ContentLibrary) -> list[SelectChoice]:
    return [
        SelectChoice(f"{step.exercise_key}/{name}", f"{content.exercise(step.exercise_key).content.code}. "
                     f"{content.exercise(step.exercise_key).content.title} · answer {index}")
        for step in opening.exercises
        for index, name in enumerate(sorted(content.benchmarks.get(step.exercise_key, {})), start=1)
    ]


@bp.route("/openings/<slug>/calibration", methods=["GET", "POST"])
def calibration_page() -> Response | str:
    """Start calibration sessions on benchmark answers, follow them, and reveal them."""
    session = db.session()
    found = current_opening()
    form = CalibrationForm()
    form.benchmark.choices = _benchmark_choices(found, library())
    if request.method == "POST":
        def start() -> str:
            calibration_sessions.create(session, library(), found, form.benchmark.data or "",
                                        actor=current_staff(), now=clock.now())
            return "Session started: every interviewer now has the answer to score in their queue."

        return actions.run(form, start, back=back_to("hiring.calibration_page"))
    return render_template(
        "hiring/calibration.html", opening=found, form=form, action_form=ActionForm(),
        sessions=[_view(cs, library()) for cs in calibration_sessions.sessions_of(session, found)],
    )


@bp.route("/openings/<slug>/calibration/<int:session_id>/reveal", methods=["GET", "POST"])
def reveal_calibration(session_id: int) -> Response | str:
    """Ask, then show the reference and everyone's scores; early, without those who have not scored."""
    session = db.session()
    cs = calibration_sessions.session_of(session, current_opening(), session_id)
    back = back_to("hiring.calibration_page") + f"#session-{session_id}"
    action = back_to("hiring.reveal_calibration", session_id=session_id)
    if request.method == "GET":
        missing = calibration_sessions.waiting_for(cs)
        if not missing:
            return confirm_page("Reveal the scores and the reference?",
                                ["Every interviewer has scored. They will all see the reference scores and each "
                                 "other's, and pass or not pass.", "This cannot be undone."],
                                action, "Reveal", back=back)
        names = ", ".join(e.interviewer.name for e in missing)
        return confirm_page("Reveal now, before everyone has scored?",
                            [f"{len(missing)} of {len(cs.entries)} interviewers have not scored yet: {names}.",
                             "If you reveal now they can no longer score this session. They are shown as \u201cdid "
                             "not score\u201d, neither passed nor failed, and are not shown the reference, so they "
                             "can still be calibrated in a later session.",
                             "This cannot be undone. To wait for them instead, go back."],
                            action, "Reveal now without them", back=back, early="yes")
    return confirmed_step(
        lambda form: calibration_sessions.reveal(session, cs, actor=current_staff(), now=clock.now(),
                                                 early=form.early.data == "yes"),
        "Revealed: everyone who scored now sees the reference and each other's scores.", action, back)
