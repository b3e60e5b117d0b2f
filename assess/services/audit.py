"""Append to the audit log. Rows are only ever added, never changed."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from ..domain.paging import Page, clamped, offset_of
from ..models import AuditEvent, User


def record(
    session: Session,
    action: str,
    *,
    now: datetime,
    actor: User | None,
    subject_type: str,
    subject_id: int | None,
    actor_kind: str | None = None,
    **details: Any,
) -> AuditEvent:
    """Add one audit event that happened at now to the session; the caller's transaction commits it."""
    event = AuditEvent(
        occurred_at=now,
        actor_user_id=actor.id if actor is not None else None,
        actor_kind=actor_kind or (actor.role.value if actor is not None else "system"),
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        details=details,
    )
    session.add(event)
    return event


@dataclass(frozen=True)
class AuditQuery:
    """What an admin filters the log by; every part is optional."""

    action: str | None = None
    actor_user_id: int | None = None
    actor_kind: str | None = None
    subject_type: str | None = None
    subject_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def search(session: Session, query: AuditQuery, *, page: int = 1, per_page: int = 50) -> Page[AuditEvent]:
    """One page of matching events, newest first."""
    conditions = []
    if query.action:
        conditions.append(AuditEvent.action == query.action)
    if query.actor_user_id is not None:
        conditions.append(AuditEvent.actor_user_id == query.actor_user_id)
    if query.actor_kind:
        conditions.append(AuditEvent.actor_kind == query.actor_kind)
    if query.subject_type:
        conditions.append(AuditEvent.subject_type == query.subject_type)
    if query.subject_id is not None:
        conditions.append(AuditEvent.subject_id == query.subject_id)
    if query.since is not None:
        conditions.append(AuditEvent.occurred_at >= query.since)
    if query.until is not None:
        conditions.append(AuditEvent.occurred_at < query.until)
    total = session.scalar(select(func.count(AuditEvent.id)).where(*conditions)) or 0
    page = clamped(page, total, per_page)
    events = session.scalars(
        select(AuditEvent).where(*conditions).options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(per_page).offset(offset_of(page, per_page))
    ).all()
    return Page(list(events), total, page, per_page)


def vocabulary(session: Session) -> tuple[list[str], list[str], list[str]]:
    """The actions, actor kinds and subject types that occur in the log, for filter menus."""
    def distinct(column: Any) -> list[str]:
        return list(session.scalars(select(column).distinct().order_by(column)))

    return distinct(AuditEvent.action), distinct(AuditEvent.actor_kind), distinct(AuditEvent.subject_type)


_KEY = re.compile(r"[a-z]+(?:_[a-z]+)+")


def readable(details: dict[str, Any]) -> list[tuple[str, str]]:
    """An event's details as short (label, text) pairs for people to read."""
    shown = []
    for key, value in details.items():
        if value is None:
            continue
        if key == "values" and isinstance(value, dict) and "ratings" in value:
            scores = ", ".join(f"{dim.replace('_', ' ')} {r.get('score') if r.get('score') is not None else '–'}"
                               for dim, r in value["ratings"].items())
            shown.append(("scores", f"{scores}; recommendation {value.get('recommendation') or '–'}"))
        elif key == "changes" and isinstance(value, dict):
            shown.append(("changed", "; ".join(f"{field.replace('_', ' ')} {change.get('old')!r} → {change.get('new')!r}"
                                              for field, change in value.items())))
        elif isinstance(value, (dict, list)):
            shown.append((key.replace("_", " "), json.dumps(value, ensure_ascii=False)))
        elif isinstance(value, str) and _KEY.fullmatch(value):  # a state or a role: hiring_manager, handed_in
            shown.append((key.replace("_", " "), value.replace("_", " ")))
        else:
            shown.append((key.replace("_", " "), str(value)))
    return shown
