"""The web layer: one blueprint per audience, each checking who may see it."""

from __future__ import annotations

from flask import Flask, Response, request
from flask_wtf import CSRFProtect

from .. import markdown
from . import access, errors, limits

csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    from .admin import bp as admin_bp
    from .auth import bp as auth_bp
    from .candidate import bp as candidate_bp
    from .hiring import bp as hiring_bp
    from .main import bp as main_bp
    from .review import bp as review_bp

    app.add_template_filter(markdown.render, "markdown")
    csrf.init_app(app)
    limits.init_app(app, app.config["ASSESS"])
    access.init_app(app)
    errors.init_app(app)
    for blueprint in (main_bp, auth_bp, candidate_bp, hiring_bp, review_bp, admin_bp):
        app.register_blueprint(blueprint)
    app.after_request(security_headers)


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
