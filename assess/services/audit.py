"""Append to the audit log. Rows are only ever added, never changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ..models import AuditEvent, User


def record(
    session: Session,
    action: str,
    *,
    actor: User | None,
    subject_type: str,
    subject_id: int | None,
    actor_kind: str | None = None,
    **details: Any,
) -> AuditEvent:
    """Add one audit event to the session; the caller's transaction commits it."""
    event = AuditEvent(
        actor_user_id=actor.id if actor is not None else None,
        actor_kind=actor_kind or (actor.role.value if actor is not None else "system"),
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        details=details,
    )
    session.add(event)
    return event
