"""The hiring pages, one blueprint in modules by page: openings, invitations, scoring, results, calibration,
the opening's people. A route under /openings/<slug> finds its opening once, before the view runs, and only
among the openings the signed-in person works on; views read it with `current_opening()`.

Hiring managers (the opening's own and its co-owners) and admins use every page. A recruiter uses only the pages
marked `for_recruiters`, and those marked with `results=True` only where the opening lets its recruiters see
the work, the scorecards and the results; every other page answers them 403, so a new page is closed to them
until it says otherwise."""

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, g, request
from flask_login import current_user

from ... import db
from ...models import Opening, Role
from ...services import opening_team, openings
from ..access import current_staff, require_roles

bp = Blueprint("hiring", __name__, url_prefix="/hiring")
bp.before_request(require_roles(Role.HIRING_MANAGER, Role.ADMIN, Role.RECRUITER))

View = TypeVar("View", bound=Callable[..., Any])
# endpoint -> (the methods a recruiter may use, whether it shows the work, scorecards or results)
_RECRUITERS: dict[str, tuple[frozenset[str], bool]] = {}


def for_recruiters(*, methods: tuple[str, ...] = ("GET", "POST"), results: bool = False) -> Callable[[View], View]:
    """Open a view to the opening's recruiters too (for `methods`; only where they may see results if `results`)."""

    def mark(view: View) -> View:
        _RECRUITERS[f"{bp.name}.{view.__name__}"] = (frozenset(methods), results)
        return view

    return mark


@bp.url_value_preprocessor
def _take_slug(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.opening_slug = values.pop("slug", None) if values else None


@bp.before_request
def _load_opening() -> None:
    g.opening = (openings.opening_for(db.session(), current_staff(), g.opening_slug)
                 if g.opening_slug is not None else None)


@bp.before_request
def _limit_recruiters() -> None:
    """After the opening is found (a recruiter not on its team learns nothing of it), the page must be theirs."""
    if current_staff().role is not Role.RECRUITER:
        return
    methods, results = _RECRUITERS.get(request.endpoint or "", (frozenset(), False))
    if request.method not in methods | {"HEAD", "OPTIONS"} or (results and not sees_results()):
        abort(403)


def sees_results() -> bool:
    """Whether the signed-in person may read this opening's candidates' work, scorecards and results."""
    if not current_user.is_authenticated:
        return False
    opening = g.get("opening")
    user = current_staff()
    return opening_team.may_see_results(user, opening) if opening is not None else user.role is not Role.RECRUITER


@bp.context_processor
def _sight() -> dict[str, object]:
    return {"sees_results": sees_results()}


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
    calibration_views, invitation_views, opening_views, pipeline_views, result_views, scoring_views, team_views,
)
