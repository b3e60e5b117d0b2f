"""assess: fair, calibrated take-home assessments for product roles."""

from __future__ import annotations

from typing import Any, Mapping

from flask import Flask

from .config import Config
from .db import Database


def create_app(
    config: Config | Mapping[str, Any] | None = None, *, database: Database | None = None
) -> Flask:
    """Build the app: configuration, then each subsystem, then the blueprints."""
    if isinstance(config, Config):
        settings = config
    else:
        settings = Config.from_env().with_overrides(config or {})
    settings.check()

    app = Flask(
        __name__,
        instance_path=str(settings.instance_dir),
        template_folder="web/templates",
        static_folder="web/static",
    )
    from .web.parsing import BoundedJSONProvider, BoundedRequest

    app.request_class = BoundedRequest
    app.json = BoundedJSONProvider(app)
    app.config.update(
        ASSESS=settings,
        SECRET_KEY=settings.secret_key,
        TESTING=settings.env == "test",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        **dict(settings.extra),
    )

    from . import clock, content_registry, db, logs, tasks
    from .web import init_app as init_web

    logs.init_app()
    clock.init_app(app)
    db.init_app(app, database)
    content_registry.init_app(app)
    tasks.init_app(app)
    init_web(app)
    if settings.proxy_hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops,  # type: ignore[method-assign]
                                x_host=settings.proxy_hops)
    return app
