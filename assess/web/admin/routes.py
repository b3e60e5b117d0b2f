from flask import render_template

from ... import db
from ...content_registry import library
from ...services import content, users
from . import bp


@bp.get("/")
def index() -> str:
    session = db.session()
    return render_template(
        "admin/index.html",
        staff=users.list_users(session),
        versions=content.stored_versions(session),
        library=library(),
    )
