"""Statements that insert a row or, when another transaction got there first, leave or update the one it wrote."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def upsert(session: Session, model: type[Any]) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that takes ON CONFLICT, in the dialect of the session's database (PostgreSQL or SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)
