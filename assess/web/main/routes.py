from flask import redirect, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ...models import Role
from . import bp

HOME_BY_ROLE = {
    Role.ADMIN: "admin.index",
    Role.HIRING_MANAGER: "hiring.index",
    Role.INTERVIEWER: "review.index",
}


@bp.get("/")
def home() -> Response:
    """Send each person to the page that fits their role."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for(HOME_BY_ROLE[current_user.role]))


@bp.get("/healthz")
def health() -> tuple[str, int]:
    return "ok", 200
