"""The app's clock, so tests can stand time still; services take `now` as a plain value."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask, current_app

from .db import utcnow


def init_app(app: Flask, clock: Callable[[], datetime] | None = None) -> None:
    app.extensions["assess.clock"] = clock or utcnow


def now() -> datetime:
    """The current time as the app sees it (always timezone-aware UTC)."""
    return current_app.extensions["assess.clock"]()  # type: ignore[no-any-return]
