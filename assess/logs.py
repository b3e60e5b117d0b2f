"""Log lines never carry a candidate's link token or anything in a query string.

Request lines are written by the development server (werkzeug) and by gunicorn's access log;
both pass through redact(), because logs outlive a candidate's erasure and a link is a credential.
"""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"(/c/start/)[A-Za-z0-9_-]+")
_QUERY = re.compile(r"\?[^\s\"]*")


def redact(text: str) -> str:
    """The request line or path with link tokens masked and query strings dropped."""
    return _QUERY.sub("?…", _TOKEN.sub(r"\1…", text))


class RedactRequestLines(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        record.msg = redact(record.msg) if isinstance(record.msg, str) else record.msg
        return True


def init_app() -> None:
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactRequestLines) for f in werkzeug.filters):
        werkzeug.addFilter(RedactRequestLines())


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # gunicorn is only there in production installs
    _GunicornLogger = None

if _GunicornLogger is not None:
    class GunicornLogger(_GunicornLogger):  # type: ignore[misc, valid-type]
        """gunicorn's logger, with request paths redacted before they reach the access log."""

        def atoms(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
            values = super().atoms(resp, req, environ, request_time)
            for key in ("U", "r", "f"):
                if isinstance(values.get(key), str):
                    values[key] = redact(values[key])
            values["q"] = ""
            return values
