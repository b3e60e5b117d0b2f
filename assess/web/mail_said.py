"""What the pages say became of an email: sent on by a mail server, or kept in the outbox when there is none."""

from __future__ import annotations

from flask import current_app


def mail_server() -> bool:
    return bool(current_app.config["ASSESS"].smtp_host)


def fate(what: str) -> str:
    """A sentence on where the email `what` ("The reminder to Priya") now is, never claiming it was sent."""
    if not mail_server():
        return f"{what} is kept in the outbox: no mail server is configured."
    return f"{what} is queued and goes out in a moment."
