"""What the hiring pages share: the configuration, the way back to a page, the record of a listing."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from sqlalchemy.orm import Session

from ...config import Config
from ...services import audit
from ..access import current_staff
from . import current_opening


def config() -> Config:
    return current_app.config["ASSESS"]  # type: ignore[no-any-return]


def back_to(endpoint: str, **values: Any) -> str:
    """The address of a page of this opening."""
    return url_for(endpoint, slug=current_opening().slug, **values)


def record_listing(session: Session, opening: Any, page: str, shown: int) -> None:
    """Pages that show candidates' names and emails are views of their identity: each is audited."""
    audit.record(session, "candidates.listed", actor=current_staff(), subject_type="opening",
                 subject_id=opening.id, page=page, shown=shown)
    session.commit()
