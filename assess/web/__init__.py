"""The web layer: one blueprint per audience, each checking who may see it."""

from __future__ import annotations

from flask import Flask
from flask_wtf import CSRFProtect

from .. import markdown
from . import access, errors

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
    access.init_app(app)
    errors.init_app(app)
    for blueprint in (main_bp, auth_bp, candidate_bp, hiring_bp, review_bp, admin_bp):
        app.register_blueprint(blueprint)
