"""Finding rows by part of a text column, the text searched for taken literally."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement


def contains(column: Any, words: str) -> ColumnElement[bool]:
    """column holds words, ignoring case; % and _ are characters here, not wildcards."""
    pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return column.ilike(pattern, escape="\\")  # type: ignore[no-any-return]
