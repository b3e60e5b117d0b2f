"""The web layer: one blueprint per audience, each checking who may see it."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from flask_wtf import CSRFProtect
from werkzeug.routing import BaseConverter, IntegerConverter, Map

from .. import markdown
from ..content.schema import ExerciseKind
from ..models import AiDraftStatus, AiDraftTiming, AiOutputMode, CopyReason, MailStatus, RevisionStatus, ScorecardStatus, ScoringState, SubmittedBy
from . import access, errors, limits
from .admin import bp as admin_bp
from .api import bp as api_bp
from .auth import bp as auth_bp
from .candidate import bp as candidate_bp
from .hiring import bp as hiring_bp
from .main import bp as main_bp
from .review import bp as review_bp
from .dates import ago, when
from .forms import field_name

csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = RowIdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = NameConverter
    app.add_template_filter(markdown.render, "markdown")
    app.add_template_filter(when, "when")
    app.add_template_filter(ago, "ago")
    app.add_template_global(field_name)
    # States are compared with their enum in templates too, never with a string.
    for state in (AiDraftStatus, AiDraftTiming, AiOutputMode, CopyReason, ExerciseKind, MailStatus, RevisionStatus, ScorecardStatus, ScoringState, SubmittedBy):
        app.add_template_global(state, state.__name__)
    csrf.init_app(app)
    limits.init_app(app, app.config["ASSESS"])
    access.init_app(app)
    errors.init_app(app)
    csrf.exempt(api_bp)  # bearer tokens, not cookies: no cross-site request can carry one
    for blueprint in (main_bp, auth_bp, candidate_bp, hiring_bp, review_bp, admin_bp, api_bp):
        app.register_blueprint(blueprint)
    app.after_request(security_headers)


class RowIdConverter(IntegerConverter):
    """<int:...> in our routes are row ids: larger than a 32-bit key can hold is simply not found."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


class NameConverter(BaseConverter):
    """<...> in our routes are slugs and keys: a segment with a control character names nothing (and NUL
    cannot even be looked up in PostgreSQL), so it is simply not found."""

    regex = r"[^/\x00-\x1f\x7f]+"


# No inline script or style at all: scripts and styles come from our own files, and
# data for charts travels as JSON in non-executable <script type="application/json">.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def security_headers(response: Response) -> Response:
    """Headers every page carries; pages with personal data are never stored by browsers or proxies."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
    return response
