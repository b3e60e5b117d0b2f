"""The error hierarchy: the caller's fault (4xx, with a message to act on) or ours (5xx)."""

from __future__ import annotations


class AppError(Exception):
    """Something went wrong; ``message`` is safe to show to the person who asked."""

    status_code = 500
    title = "Something went wrong"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(AppError):
    """The request cannot be carried out as given; the message says how to fix it."""

    status_code = 400
    title = "That did not work"


class NotFound(AppError):
    status_code = 404
    title = "Not found"


class Forbidden(AppError):
    status_code = 403
    title = "Not allowed"


class Conflict(AppError):
    """The request clashes with how things stand: a name already taken, results still being worked out."""

    status_code = 409
    title = "Not possible as things stand"


class NotReady(Conflict):
    """What was asked for is being worked out; asking again shortly will find it."""

    title = "Not ready yet"
