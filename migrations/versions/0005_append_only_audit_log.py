"""Make the audit log append-only in the database itself.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 02:20:00

The application only ever inserts audit rows; these triggers make sure nothing else
can change or remove one either, whichever account the application connects as.
"""

from collections.abc import Sequence

import hashlib

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "audit_events is append-only: rows cannot be changed or deleted"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16] if text else ""


def _scrub_scorecard_text() -> None:
    """Rows written before this revision kept interviewers' notes, which may quote a candidate; once
    rows can no longer change, an erasure could not reach them. Keep digests of the notes instead."""
    events = sa.table("audit_events", sa.column("id", sa.Integer), sa.column("action", sa.String),
                      sa.column("details", sa.JSON))
    bind = op.get_bind()
    rows = bind.execute(sa.select(events.c.id, events.c.details)
                        .where(events.c.action.in_(["scorecard.submitted", "scorecard.reopened"]))).all()
    for event_id, details in rows:
        values = (details or {}).get("values")
        if not isinstance(values, dict):
            continue
        for rating in (values.get("ratings") or {}).values():
            rating["evidence"] = _digest(rating.get("evidence") or "")
        values["summary"] = _digest(values.get("summary") or "")
        bind.execute(events.update().where(events.c.id == event_id).values(details=details))


def upgrade() -> None:
    _scrub_scorecard_text()
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
            END
            $$
        """)
        op.execute("""
            CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
            FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()
        """)
        op.execute("""
            CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
            FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()
        """)
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER audit_events_no_{event.lower()} BEFORE {event} ON audit_events
                BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
            """)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER audit_events_no_change ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER audit_events_no_{event}")
