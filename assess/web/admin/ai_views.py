"""The AI aid page: whether it is on and set up, which model it uses, how that model measured, and the one switch."""

from __future__ import annotations

from flask import current_app, render_template, url_for
from werkzeug.wrappers import Response
from wtforms import BooleanField
from wtforms.validators import DataRequired

from ... import clock, db
from ...config import Config
from ...content_registry import library
from ...services import ai_aid, ai_reports
from .. import actions
from ..access import current_staff
from ..forms import ActionForm, Form
from . import bp


class SwitchOffForm(Form):
    """Turning the aid off reaches every interviewer at once, so the box beside the button is ticked first."""

    confirm = BooleanField("Turn the AI aid off for every opening and every interviewer",
                           validators=[DataRequired("Tick the box beside the button to turn the AI aid off for "
                                                    "everyone; nothing was changed.")])


def _config() -> Config:
    return current_app.config["ASSESS"]  # type: ignore[no-any-return]


@bp.get("/ai")
def ai() -> str:
    """Whether the aid is on and set up here, the model and prompt, its benchmark figures, how it is asked."""
    return render_template("admin/ai.html", overview=ai_reports.overview(db.session(), _config()),
                           variables=ai_reports.SETUP_VARIABLES, off_form=SwitchOffForm(), on_form=ActionForm(),
                           names={d.key: d.name for d in library().rubric.dimensions})


@bp.post("/ai/off")
def ai_off() -> Response:
    def switch_off() -> str:
        ai_aid.set_enabled(db.session(), False, actor=current_staff(), now=clock.now())
        return ("The AI aid is off for everyone. Interviewers read that it is not available, and drafts "
                "already asked for are not made.")

    return actions.run(SwitchOffForm(), switch_off, back=url_for("admin.ai"))


@bp.post("/ai/on")
def ai_on() -> Response:
    def switch_on() -> str:
        ai_aid.set_enabled(db.session(), True, actor=current_staff(), now=clock.now())
        return "The AI aid is on again, in the openings that have it turned on."

    return actions.run(ActionForm(), switch_on, back=url_for("admin.ai"))
