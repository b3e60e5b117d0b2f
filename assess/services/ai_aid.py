"""The one switch for the AI aid across every opening, and a candidate's wish that no AI reads their work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ..models import AiAidSetting, Candidate, User
from . import audit, rows

SWITCH_ID = 1


def switch(session: Session, *, fresh: bool = False) -> AiAidSetting:
    """The switch as it stands (read again from the database when fresh); on until an admin first turns it off."""
    found = session.get(AiAidSetting, SWITCH_ID, populate_existing=fresh)
    return found if found is not None else AiAidSetting(id=SWITCH_ID, enabled=True)


def is_on(session: Session, *, fresh: bool = False) -> bool:
    return switch(session, fresh=fresh).enabled


def set_enabled(session: Session, enabled: bool, *, actor: User, now: datetime) -> AiAidSetting:
    """Turn the aid on or off for everyone; it takes effect on the next request, and is audited."""
    # Two admins switching for the first time at once: one writes the row, the other finds it.
    session.execute(rows.upsert(session, AiAidSetting).values(id=SWITCH_ID, enabled=True)
                    .on_conflict_do_nothing(index_elements=[AiAidSetting.id]))
    found = session.get(AiAidSetting, SWITCH_ID, with_for_update=True, populate_existing=True)
    assert found is not None
    if found.enabled != enabled:
        found.enabled, found.changed_at, found.changed_by = enabled, now, actor
        audit.record(session, "ai_aid.switched_on" if enabled else "ai_aid.switched_off", now=now, actor=actor,
                     subject_type="ai_aid", subject_id=SWITCH_ID)
    session.commit()
    return found


def opt_out(session: Session, candidate: Candidate, *, now: datetime) -> None:
    """The candidate asks that no AI reads their work; it cannot be taken back by anyone else."""
    if candidate.ai_opted_out_at is None:
        candidate.ai_opted_out_at = now
        audit.record(session, "candidate.ai_opted_out", now=now, actor=None, actor_kind="candidate",
                     subject_type="candidate", subject_id=candidate.id)
    session.commit()
