"""The one switch for the AI aid across every opening, and a candidate's wish that no AI reads their work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AiAidSetting, AiDraft, AiDraftStatus, Assignment, Attempt, Candidate, Scorecard, User
from . import audit, rows

SWITCH_ID = 1
NOT_FOR_THIS_OPENING = "The AI aid is not available for this opening."
NOT_FOR_THIS_CANDIDATE = "AI not available for this candidate."


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
        if not enabled:
            stop_drafts(session, NOT_FOR_THIS_OPENING, now=now)
    session.commit()
    return found


def opt_out(session: Session, candidate: Candidate, *, now: datetime) -> None:
    """The candidate asks that no AI reads their work; it cannot be taken back by anyone else."""
    if candidate.ai_opted_out_at is None:
        candidate.ai_opted_out_at = now
        audit.record(session, "candidate.ai_opted_out", now=now, actor=None, actor_kind="candidate",
                     subject_type="candidate", subject_id=candidate.id)
        stop_drafts(session, NOT_FOR_THIS_CANDIDATE, now=now, candidate_id=candidate.id)
    session.commit()


def stop_drafts(session: Session, reason: str, *, now: datetime, opening_id: int | None = None,
                candidate_id: int | None = None) -> int:
    """End every draft still queued or being made (for one opening or candidate, or all) as not made.

    What the model answers for one of them afterwards is not kept, even if the aid is switched on
    again before the answer comes. The caller commits."""
    query = (select(AiDraft).join(Scorecard, AiDraft.scorecard_id == Scorecard.id)
             .join(Assignment, Scorecard.assignment_id == Assignment.id)
             .join(Attempt, Assignment.attempt_id == Attempt.id)
             .join(Candidate, Attempt.candidate_id == Candidate.id)
             .where(AiDraft.status.in_([AiDraftStatus.QUEUED, AiDraftStatus.RUNNING])))
    if opening_id is not None:
        query = query.where(Candidate.opening_id == opening_id)
    if candidate_id is not None:
        query = query.where(Candidate.id == candidate_id)
    stopped = session.scalars(query.with_for_update(of=AiDraft)).all()
    for row in stopped:
        row.status, row.error, row.finished_at = AiDraftStatus.FAILED, f"{reason} The draft was not made.", now
    return len(stopped)
