from flask import abort, render_template

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
