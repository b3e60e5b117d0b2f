"""An opening's settings, changed once candidates may already be in it: each change checked and audited."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ..domain.reminders import expiry_days_read
from ..errors import InputError
from ..models import AiDraftTiming, Opening, User
from . import ai_aid, audit, pipeline
from .users import normalise_email


AI_TIMINGS = {
    AiDraftTiming.AFTER_RATING: "After the interviewer has saved their own ratings (recommended)",
    AiDraftTiming.ANY_TIME: "On request at any time",
}


RETENTION_DAYS = (30, 1095)


@dataclass(frozen=True)
class OpeningChanges:
    """What can change on an opening once candidates may already be in it."""

    invitation_valid_days: int
    interviewers_per_submission: int
    ai_enabled: bool
    ai_draft_timing: AiDraftTiming | str
    ai_notice: str
    calibration_required: bool = False
    retention_days: int = 365
    auto_assign: bool = True
    expiry_reminder_days: list[int] = dataclasses.field(default_factory=lambda: [3, 1])
    overdue_reminder_days: int = 2
    third_interviewer_gap: int | None = None
    company_name: str | None = None
    reply_to: str | None = None


def _sender_read(changes: OpeningChanges) -> tuple[str | None, str | None]:
    """The company name and reply-to address as stored: trimmed, None when empty, the address checked."""
    name = " ".join((changes.company_name or "").split()) or None
    if name is not None and len(name) > 120:
        raise InputError("Keep the company name to 120 characters.")
    reply_to = (changes.reply_to or "").strip()
    return name, normalise_email(reply_to) if reply_to else None


def update_settings(session: Session, opening: Opening, changes: OpeningChanges, *, actor: User,
                    now: datetime) -> Opening:
    """Change an opening's settings; each change is recorded with its old and new value."""
    if changes.ai_draft_timing not in AI_TIMINGS:
        raise InputError("Choose when interviewers may open the AI draft.")
    if not 1 <= changes.invitation_valid_days <= 90:
        raise InputError("Invitations can be valid for 1 to 90 days.")
    if not 1 <= changes.interviewers_per_submission <= 6:
        raise InputError("Ask for 1 to 6 interviewers per submission.")
    if not RETENTION_DAYS[0] <= changes.retention_days <= RETENTION_DAYS[1]:
        raise InputError(f"Keep candidates' data for {RETENTION_DAYS[0]} to {RETENTION_DAYS[1]} days.")
    if not 0 <= changes.overdue_reminder_days <= 30:
        raise InputError("Remind interviewers every 1 to 30 days, or 0 for never.")
    if changes.third_interviewer_gap not in (None, 1, 2, 3):
        raise InputError("Ask a third interviewer at a gap of 1, 2 or 3 points, or never.")
    try:
        expiry_days_read(",".join(map(str, changes.expiry_reminder_days)))
    except ValueError as error:
        raise InputError(str(error)) from None
    before = {field: getattr(opening, field) for field in OpeningChanges.__dataclass_fields__}
    after = {field: getattr(changes, field) for field in OpeningChanges.__dataclass_fields__}
    after["ai_notice"] = changes.ai_notice.strip()
    after["company_name"], after["reply_to"] = _sender_read(changes)
    changed = {field: {"old": before[field], "new": value} for field, value in after.items() if before[field] != value}
    for field, value in after.items():
        setattr(opening, field, value)
    if "interviewers_per_submission" in changed:
        pipeline.restage(session, pipeline.of_opening(opening.id))
    if changed.get("ai_enabled", {}).get("new") is False:
        ai_aid.stop_drafts(session, ai_aid.NOT_FOR_THIS_OPENING, now=now, opening_id=opening.id)
    if changed:
        audit.record(session, "opening.settings_changed", now=now, actor=actor, subject_type="opening",
                     subject_id=opening.id, changes=changed)
    session.commit()
    return opening
