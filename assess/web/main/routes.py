import os

from flask import jsonify, redirect, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ... import db
from ...models import Role
from ...services import health_checks
from ...tasks import tasks
from . import bp

HOME_BY_ROLE = {
    Role.ADMIN: "admin.index",
    Role.HIRING_MANAGER: "hiring.index",
    Role.RECRUITER: "hiring.index",
    Role.INTERVIEWER: "review.index",
}


@bp.get("/")
def home() -> Response:
    """Send each person to the page that fits their role."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for(HOME_BY_ROLE[current_user.role]))


@bp.get("/healthz")
def health() -> tuple[Response, int]:
    """For load balancers and process managers: 200 while the database answers; the queue is reported."""
    checks = {"database": health_checks.database(db.session()), "queue": health_checks.queue(tasks().huey),
              "process": os.getpid()}
    return jsonify(checks), 200 if checks["database"] == "ok" else 503
