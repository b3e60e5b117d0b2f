"""Finding rows by part of a text column, the text searched for taken literally."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from ..domain.text import describe, first_control, tidy_line
from ..errors import InputError

LONGEST_SEARCH = 200


def search_words(search: str, what: str) -> str:
    """What a search box sent, as one composed line; refused when no field could hold it (what: what is searched,
    e.g. "a name or an email address")."""
    if len(search) > LONGEST_SEARCH:
        raise InputError(f"Search for at most {LONGEST_SEARCH} characters of {what}.")
    if (control := first_control(search)) is not None:
        raise InputError(f"Search for part of {what}, without {describe(control)}.")
    return tidy_line(search)


def contains(column: Any, words: str) -> ColumnElement[bool]:
    """column holds words, ignoring case; % and _ are characters here, not wildcards."""
    pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return column.ilike(pattern, escape="\\")  # type: ignore[no-any-return]
