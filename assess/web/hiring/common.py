"""What the hiring pages share: the configuration and the way back to a page of the opening."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import current_app, request, url_for

from ...config import Config
from . import current_opening


# A message names this many people, and counts the rest.
NAMED = 10


def names_of(people: Sequence[Any]) -> str:
    """The first few people's names, and how many more: for a message about many at once."""
    return ", ".join(p.name for p in people[:NAMED]) + (
        f" and {len(people) - NAMED:,} more" if len(people) > NAMED else "")


def config() -> Config:
    return current_app.config["ASSESS"]  # type: ignore[no-any-return]


def back_to(endpoint: str, **values: Any) -> str:
    """The address of a page of this opening."""
    return url_for(endpoint, slug=current_opening().slug, **values)


# What a candidate list's address may say: the search, the filters and the order (the page comes on top).
LIST_ARGS = ("q", "stage", "decision", "sort")


def list_args() -> dict[str, str]:
    """The candidate list's search, filters and order as this request's address gives them."""
    return {name: request.args[name] for name in LIST_ARGS if request.args.get(name)}


def back_to_list() -> str:
    """The opening's candidate list as the step was taken from it: the same search and filters, the same page."""
    return back_to("hiring.opening", **list_args(), page=request.args.get("page", type=int))
