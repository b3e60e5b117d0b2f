from flask import render_template

from ... import db
from ...content_registry import library
from ...services import openings
from ..access import current_staff
from . import bp


@bp.get("/")
def index() -> str:
    summaries = openings.openings_for(db.session(), current_staff())
    return render_template("hiring/index.html", summaries=summaries, library=library())
