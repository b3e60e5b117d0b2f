"""A real SMTP server on loopback for tests: an inbox that keeps what arrives, on a free port."""

from __future__ import annotations

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from typing import Any


class Inbox:
    """An aiosmtpd handler that keeps every message it receives and the connection each came over."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.connections: set[tuple[str, int]] = set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.connections.add(tuple(session.peer))
        return "250 OK"


def free_port() -> int:
    """A loopback port nobody listens on at the moment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def text_of(message: Message) -> str:
    """The plain-text part of a message, as a reader's mail program shows it."""
    assert isinstance(message, EmailMessage)
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the message has no plain-text part"
    return str(part.get_content())


def html_of(message: Message) -> str:
    """The HTML part of a message."""
    assert isinstance(message, EmailMessage)
    part = message.get_body(preferencelist=("html",))
    assert part is not None, "the message has no HTML part"
    return str(part.get_content())
