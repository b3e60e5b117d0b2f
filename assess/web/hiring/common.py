"""What the hiring pages share: the configuration and the way back to a page of the opening."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for

from ...config import Config
from . import current_opening


def config() -> Config:
    return current_app.config["ASSESS"]  # type: ignore[no-any-return]


def back_to(endpoint: str, **values: Any) -> str:
    """The address of a page of this opening."""
    return url_for(endpoint, slug=current_opening().slug, **values)
