"""The hiring manager's pages, one blueprint in modules by page: openings, invitations, scoring, results,
calibration. A route under /openings/<slug> finds its opening once, before the view runs, and only
among the openings the signed-in person manages; views read it with `current_opening()`."""

from typing import Any

from flask import Blueprint, current_app, g

from ... import db
from ...models import Opening, Role
from ...services import openings
from ..access import current_staff, require_roles

bp = Blueprint("hiring", __name__, url_prefix="/hiring")
bp.before_request(require_roles(Role.HIRING_MANAGER, Role.ADMIN))


@bp.url_value_preprocessor
def _take_slug(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.opening_slug = values.pop("slug", None) if values else None


@bp.before_request
def _load_opening() -> None:
    g.opening = (openings.opening_for(db.session(), current_staff(), g.opening_slug)
                 if g.opening_slug is not None else None)


@bp.url_defaults
def _same_opening(endpoint: str, values: dict[str, Any]) -> None:
    """Links to another page of the same opening need not name it again."""
    opening = g.get("opening")
    if (opening is not None and "slug" not in values
            and current_app.url_map.is_endpoint_expecting(endpoint, "slug")):
        values["slug"] = opening.slug


def current_opening() -> Opening:
    """The opening this request is about; only routes under /openings/<slug> have one."""
    opening: Opening | None = g.get("opening")
    assert opening is not None, "current_opening() outside an opening's routes"
    return opening


from . import (  # noqa: E402,F401
    calibration_views, invitation_views, opening_views, pipeline_views, result_views, scoring_views,
)
