"""Limits on what a request may carry before any of it is read: numbers that fit, JSON not nested too deep."""

from __future__ import annotations

import re
from typing import Any

from flask import Request
from flask.json.provider import DefaultJSONProvider
from werkzeug.datastructures import ImmutableMultiDict

from ..errors import InputError
from .forms import LARGEST_INT, SMALLEST_INT

# Our JSON bodies are two levels deep; Python's parser recurses once per level and gives up
# (RecursionError, not ValueError) somewhere past a thousand.
MAX_JSON_DEPTH = 32
# A JSON string (with its escapes), or a bracket outside one.
_STRING_OR_BRACKET = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def nesting_depth(document: str | bytes, stop_after: int = MAX_JSON_DEPTH) -> int:
    """How deeply arrays and objects nest in a JSON document, counted no further than stop_after + 1."""
    data = document.encode("utf-8", "surrogatepass") if isinstance(document, str) else document
    depth = deepest = 0
    for match in _STRING_OR_BRACKET.finditer(data):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > stop_after:
                break
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


class BoundedJSONProvider(DefaultJSONProvider):
    """The app's JSON: a document nested deeper than any of ours is refused before it is parsed."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        if nesting_depth(s) > MAX_JSON_DEPTH:
            raise InputError(f"This JSON is nested more than {MAX_JSON_DEPTH} levels deep; "
                             "send the object the documentation describes.")
        return super().loads(s, **kwargs)


class BoundedArgs(ImmutableMultiDict[str, str]):
    """Query and form values: a number read with type=int that no integer column can hold counts as not given."""

    def get(self, key: str, default: Any = None, type: Any = None) -> Any:  # noqa: A002 (werkzeug's name)
        value = super().get(key, default, type)
        if type is int and isinstance(value, int) and not SMALLEST_INT <= value <= LARGEST_INT:
            return default
        return value


class BoundedRequest(Request):
    parameter_storage_class = BoundedArgs
