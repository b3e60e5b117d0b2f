"""The app's settings in tests, and the clock that stands still until a test moves it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from assess.config import PROJECT_ROOT, Config

POSTGRES_ENV = "ASSESS_TEST_DATABASE_URL"
SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"


def make_config(tmp_path: Path, **overrides: Any) -> Config:
    """A test Config with its instance folder under tmp_path and the shipped content."""
    settings: dict[str, Any] = {
        "env": "test",
        "secret_key": SECRET_KEY,
        "instance_dir": tmp_path / "instance",
        "content_dir": PROJECT_ROOT,
    }
    return Config(**(settings | overrides))


class FrozenClock:
    """The app's clock, standing still until a test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now
