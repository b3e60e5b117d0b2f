"""Whether the services the app depends on answer: for /healthz and the fault tests."""

from __future__ import annotations

import logging

from typing import TYPE_CHECKING

from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from huey import Huey

log = logging.getLogger(__name__)


def database(session: Session) -> str:
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        session.rollback()
        log.warning("database check failed: %s", type(error).__name__)
        return "unavailable"
    return "ok"


def queue(huey: Huey) -> str:
    """'ok' when the queue's storage answers; a Redis queue is pinged, a SQLite one always answers."""
    connection = getattr(huey.storage, "conn", None)
    if connection is None or not hasattr(connection, "ping"):
        return "ok"
    try:
        connection.ping()
    except (RedisError, OSError) as error:
        log.warning("queue check failed: %s", type(error).__name__)
        return "unavailable"
    return "ok"
