from flask import render_template

from ... import db
from ...services import review
from ..access import current_staff
from . import bp


@bp.get("/")
def index() -> str:
    assignments = review.queue_for(db.session(), current_staff())
    return render_template("review/index.html", assignments=assignments)
