"""One place that turns errors into a page or a JSON answer, and the one shape of every JSON error."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from .. import db
from ..errors import AppError, InputError

log = logging.getLogger(__name__)

# What a program can branch on; the title and message are for people.
CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 410: "gone", 413: "too_large", 422: "invalid_field", 429: "too_many_requests",
    500: "internal_error", 503: "unavailable",
}


class Error(BaseModel):
    """Every JSON error the app answers: what went wrong, for people and for programs."""

    model_config = ConfigDict(extra="allow")

    error: str = Field(description="A short title, e.g. 'Not found'.")
    code: str = Field(description="A stable word for programs, e.g. 'not_found' or, on a save, 'other_tab'.")
    message: str = Field(description="What happened and what to do about it, for a person to read.")
    field: str | None = Field(default=None, description="The field of the request that is wrong, when one is.")


class FieldError(InputError):
    """A field of the request is missing or wrong; the message names it."""

    status_code = 422
    title = "Invalid request"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def json_error(status: int, title: str, message: str, *, code: str | None = None, field: str | None = None,
               **extra: Any) -> tuple[Response, int]:
    """The JSON answer for an error; extra data (e.g. a save's newest text) sits beside the four keys."""
    body = Error(error=title, code=code or CODES.get(status, f"http_{status}"), message=message, field=field,
                 **extra).model_dump(mode="json")
    if field is None:
        del body["field"]  # extra data keeps its nulls (a save with no newer text says latest: null)
    return jsonify(body), status


def error_answer(error: AppError) -> tuple[Response, int]:
    """The JSON answer for one of the app's errors."""
    return json_error(error.status_code, error.title, error.message, field=getattr(error, "field", None))


def _wants_json() -> bool:
    if request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _respond(status: int, title: str, message: str, field: str | None = None) -> tuple[Response | str, int]:
    if _wants_json():
        return json_error(status, title, message, field=field)
    return render_template("errors/error.html", status=status, title=title, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(AppError)
    def _app_error(error: AppError) -> tuple[Response | str, int]:
        if error.status_code >= 500:
            log.exception("internal error: %s", error.message)
        return _respond(error.status_code, error.title, error.message, getattr(error, "field", None))

    @app.errorhandler(CSRFError)
    def _csrf_error(_error: CSRFError) -> tuple[Response | str, int]:
        return _respond(400, "Please reload the page", _csrf_message())

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[Response | str, int, dict[str, str]] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        messages = {
            403: "Your account does not have access to this page. "
            "If you think it should, ask an administrator.",
            404: "There is nothing at this address. Check the link, or go back to your home page.",
            405: "This page cannot be used that way. Go back and try again from the page itself.",
            413: "What you sent is too large. Shorten it and try again; nothing saved was lost.",
            429: "There were too many attempts in a short time. Wait a few minutes, then try again; "
            "if this keeps happening, contact the person who invited you or an administrator.",
        }
        body, status = _respond(error.code, error.name, messages.get(error.code, error.description or ""))
        # Keep what the exception says about retrying: Allow on 405, Retry-After and the like on 429.
        kept = {k: v for k, v in error.get_headers() if k.lower() not in ("content-type", "content-length")}
        return body, status, kept

    @app.errorhandler(OperationalError)
    def _database_away(error: OperationalError) -> tuple[Response | str, int, dict[str, str]]:
        # The database's own words ("database is locked", "the database system is starting up")
        # say which of several causes it was; the statement and its values are left out.
        cause = error.orig if error.orig is not None else error
        # The failed statement leaves the session unusable; the error page reads the signed-in user through it.
        db.session().rollback()
        log.warning("database unavailable: %s: %s", type(cause).__name__, str(cause).splitlines()[0] if str(cause) else "")
        body, status = _respond(
            503, "Back in a moment",
            "The database is not answering for a moment, so this was not saved or shown. Nothing you saved "
            "before is lost; try again in a few seconds.",
        )
        return body, status, {"Retry-After": "5"}

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[Response | str, int]:
        log.exception("unhandled error")
        # A failed statement leaves the session unusable, and the error page reads the signed-in user through it.
        db.session().rollback()
        return _respond(
            500,
            "Something went wrong on our side",
            "The error has been logged. Please try again in a moment; "
            "what you saved before is safe.",
        )


def _csrf_message() -> str:
    return (
        "This form was open too long or in another session, so it could not be trusted. "
        "Reload the page and send it again."
    )
