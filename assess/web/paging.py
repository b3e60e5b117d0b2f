"""Numbers read from a page's address: which page of a list, which person; a mistyped one is refused, not guessed."""

from __future__ import annotations

from flask import flash, request

from ..errors import InputError
from .forms import LARGEST_INT


def whole_number(name: str, *, what: str) -> int | None:
    """The address's value of name as a whole number from 1, or None when it names none.

    Anything else (a word, a sign, a fraction, a number no row could have) is a 400 that says what belongs
    there: a page that quietly showed something else would read as the answer to what was asked."""
    raw = request.args.get(name, "")
    if raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= LARGEST_INT:
        raise InputError(f"{name}={raw[:40]!r} is not {what}: use a whole number from 1, as the page's own links do.")
    return int(raw)


def asked_page() -> int:
    """The page of a list the address asks for, the first when it names none."""
    return whole_number("page", what="a page number") or 1


def say_if_moved(asked: int, shown: int, pages: int) -> None:
    """Tell the reader when the page they asked for is past the end and the last one is shown instead."""
    if asked != shown:
        flash(f"There is no page {asked:,}: the list has {pages:,} page{'' if pages == 1 else 's'}, "
              "and this is the last.", "info")
