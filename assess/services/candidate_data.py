"""A candidate's rights over their data: everything held, exported as JSON; erasure on request or at
the end of the opening's retention period.

Erasure removes what identifies the candidate or holds their own words (name, email, answers,
drafts, the emails sent to them, AI drafts, written evidence about their work) and keeps what the
hiring process needs to stay consistent: anonymous scores under the pseudonym, decisions' outcomes,
and the audit log, which gains a tombstone saying who erased what and why.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..errors import Conflict, InputError, NotFound
from ..models import (
    Assignment,
    Attempt,
    AuditEvent,
    Candidate,
    Decision,
    Draft,
    Invitation,
    Opening,
    OutboundEmail,
    Scorecard,
    Submission,
    User,
)
from . import audit
from .invitations import lock_candidate

log = logging.getLogger(__name__)

ERASED_NAME = "Erased candidate"


def erased_email(candidate: Candidate) -> str:
    """A placeholder that keeps (opening, email) unique and can never receive mail."""
    return f"erased-{candidate.id}@erased.invalid"


def find_by_email(session: Session, email: str, *, viewer: User, now: datetime) -> list[Candidate]:
    """Every candidate record held for this address, in any opening; each one shown is an audited view."""
    address = email.strip().lower()
    if "@" not in address:
        raise InputError(f"{email!r} is not an email address; type the address the candidate applied with.")
    found = list(session.scalars(
        select(Candidate).where(func.lower(Candidate.email) == address)
        .options(selectinload(Candidate.opening)).order_by(Candidate.created_at)
    ))
    for candidate in found:
        _viewed(session, candidate, viewer, now, "admin.candidates")
    session.commit()
    return found


def candidate_by_id(session: Session, candidate_id: int) -> Candidate:
    candidate = session.get(Candidate, candidate_id)
    if candidate is None:
        raise NotFound("There is no such candidate.")
    return candidate


def record_of(session: Session, candidate_id: int, *, viewer: User, now: datetime) -> Candidate:
    """One candidate's record, for an admin to come back to; the look is audited."""
    candidate = candidate_by_id(session, candidate_id)
    _viewed(session, candidate, viewer, now, "admin.candidate")
    session.commit()
    return candidate


def _viewed(session: Session, candidate: Candidate, viewer: User, now: datetime, page: str) -> None:
    audit.record(session, "candidate.viewed", actor=viewer, subject_type="candidate", subject_id=candidate.id,
                 now=now, page=page)


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _attempts(session: Session, candidate: Candidate) -> list[Attempt]:
    return list(session.scalars(
        select(Attempt).where(Attempt.candidate_id == candidate.id).options(
            selectinload(Attempt.draft), selectinload(Attempt.submission), selectinload(Attempt.copies),
            selectinload(Attempt.assignments).selectinload(Assignment.scorecard).selectinload(Scorecard.ratings),
            selectinload(Attempt.assignments).selectinload(Assignment.scorecard).selectinload(Scorecard.ai_drafts),
        ).order_by(Attempt.id)
    ))


def _scorecard(card: Scorecard) -> dict[str, Any]:
    return {
        "status": card.status.value, "recommendation": card.recommendation, "summary": card.summary,
        "submitted_at": _when(card.submitted_at),
        "ratings": [{"dimension": r.dimension_key, "score": r.score, "evidence": r.evidence, "signals": r.signals}
                    for r in card.ratings],
        "ai_drafts": [{"status": d.status.value, "model": d.model, "result": d.result,
                       "requested_at": _when(d.requested_at)} for d in card.ai_drafts],
    }


def export(session: Session, candidate: Candidate, *, actor: User, now: datetime) -> dict[str, Any]:
    """Everything held about one candidate, as plain data ready for JSON. Recorded in the audit log."""
    attempts = _attempts(session, candidate)
    attempt_ids = [a.id for a in attempts]
    decisions = session.scalars(select(Decision).where(Decision.candidate_id == candidate.id).order_by(Decision.id))
    emails = session.scalars(select(OutboundEmail).where(OutboundEmail.candidate_id == candidate.id)
                             .order_by(OutboundEmail.id))
    events = session.scalars(select(AuditEvent).where(
        ((AuditEvent.subject_type == "candidate") & (AuditEvent.subject_id == candidate.id))
        | ((AuditEvent.subject_type == "attempt") & AuditEvent.subject_id.in_(attempt_ids))
    ).order_by(AuditEvent.id))
    data = {
        "candidate": {
            "id": candidate.id, "name": candidate.name, "email": candidate.email,
            "code_shown_to_interviewers": candidate.pseudonym, "opening": candidate.opening.title,
            "invited_at": _when(candidate.created_at), "extra_minutes": candidate.extra_minutes,
            "erased_at": _when(candidate.erased_at),
        },
        "invitations": [{"sent_at": _when(i.created_at), "expires_at": _when(i.expires_at),
                         "first_used_at": _when(i.first_used_at), "withdrawn_at": _when(i.revoked_at)}
                        for i in candidate.invitations],
        "exercises": [{
            "exercise": a.exercise_key, "data_variant": a.data_variant,
            "started_at": _when(a.started_at), "deadline_at": _when(a.deadline_at),
            "last_saved_draft": a.draft.answers if a.draft else None,
            "other_copies": [{"answers": c.answers, "saved_at": _when(c.saved_at), "reason": c.reason}
                             for c in a.copies],
            "submission": {"answers": a.submission.answers, "digest": a.submission.digest,
                           "submitted_at": _when(a.submission.submitted_at),
                           "submitted_by": a.submission.submitted_by.value} if a.submission else None,
            "scorecards": [_scorecard(s.scorecard) for s in a.assignments if s.scorecard is not None],
        } for a in attempts],
        "decisions": [{"outcome": d.outcome.value, "rationale": d.rationale, "decided_at": _when(d.created_at)}
                      for d in decisions],
        "emails": [{"to": e.to_address, "subject": e.subject, "body": e.body_text, "created_at": _when(e.created_at),
                    "sent_at": _when(e.sent_at)} for e in emails],
        "activity": [{"at": _when(e.occurred_at), "action": e.action, "by": e.actor_kind} for e in events],
    }
    audit.record(session, "candidate.exported", actor=actor, subject_type="candidate", subject_id=candidate.id,
                 now=now)
    session.commit()
    return data


def erase(session: Session, candidate: Candidate, *, actor: User | None, reason: str, now: datetime) -> None:
    """Remove the candidate's personal data and words, keep anonymous scores, leave a tombstone."""
    _erase(session, candidate, actor=actor, reason=reason, now=now)
    scrub(session)


def _erase(session: Session, candidate: Candidate, *, actor: User | None, reason: str, now: datetime) -> None:
    # Locked first, so a link sent at the same moment is either withdrawn here or refused there.
    candidate = lock_candidate(session, candidate)
    if candidate.erased_at is not None:
        raise Conflict(f"This candidate's data was already erased on {candidate.erased_at:%d %B %Y}.")
    if not reason.strip():
        raise InputError("Say why the data is erased, e.g. the candidate asked on 3 May.")
    attempts = _attempts(session, candidate)
    for attempt in attempts:
        if attempt.draft is not None:
            session.delete(attempt.draft)
        for copy in attempt.copies:
            session.delete(copy)
        if attempt.submission is not None:
            attempt.submission.answers = {}
        for assignment in attempt.assignments:
            card = assignment.scorecard
            if card is None:
                continue
            card.summary = ""
            card.ratings_before_ai = None
            for rating in card.ratings:
                rating.evidence = ""
            for draft in card.ai_drafts:
                draft.result = None
                draft.error = None
            for request in card.revision_requests:
                request.reason, request.note = "", ""
    for decision in session.scalars(select(Decision).where(Decision.candidate_id == candidate.id)):
        decision.rationale = ""
    for email in session.scalars(select(OutboundEmail).where(OutboundEmail.candidate_id == candidate.id)):
        session.delete(email)
    for invitation in candidate.invitations:
        invitation.revoked_at = invitation.revoked_at or now
    candidate.name = ERASED_NAME
    candidate.email = erased_email(candidate)
    candidate.erased_at = now
    audit.record(session, "candidate.erased", now=now, actor=actor, actor_kind=None if actor else "system",
                 subject_type="candidate", subject_id=candidate.id, reason=reason.strip())
    session.commit()


# Tables whose rows an erasure empties or deletes.
ERASED_TABLES = ("candidates", "drafts", "submissions", "scorecards", "ratings", "ai_drafts", "decisions",
                 "outbound_emails")


def scrub(session: Session) -> None:
    """Make committed erasures leave the database files, as far as the database allows.

    SQLite zeroes what it deletes (secure_delete, set on every connection), but its write-ahead log
    holds the old pages until a checkpoint: checkpoint it and truncate it. PostgreSQL keeps old row
    versions until VACUUM frees their space, and VACUUM cannot run inside a transaction."""
    engine = session.get_bind().engine
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            busy, _, _ = raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            raw.close()
        if busy:
            log.warning("the write-ahead log could not be checkpointed after an erasure; the next checkpoint will")
    elif engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f"VACUUM {', '.join(ERASED_TABLES)}")


# -- retention ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expired:
    candidate: Candidate
    last_activity: datetime


def _latest(column: Any, key: Any, *joins: Any) -> Any:
    query = select(key.label("candidate_id"), func.max(column).label("at"))
    for target, on in joins:
        query = query.join(target, on)
    return query.group_by(key).subquery()


def expired(session: Session, now: datetime) -> list[Expired]:
    """Candidates not yet erased whose opening's retention period has passed since their last activity:
    an invitation (first or resent), starting or saving an exercise, a hand-in or a decision. Nobody
    holding a link that still works is erased."""
    sources = [
        _latest(Invitation.created_at, Invitation.candidate_id),
        _latest(Attempt.started_at, Attempt.candidate_id),
        _latest(Draft.saved_at, Attempt.candidate_id, (Draft, Draft.attempt_id == Attempt.id)),
        _latest(Submission.submitted_at, Attempt.candidate_id, (Submission, Submission.attempt_id == Attempt.id)),
        _latest(Decision.created_at, Decision.candidate_id),
    ]
    live_link = (select(Invitation.id).where(Invitation.candidate_id == Candidate.id, Invitation.revoked_at.is_(None),
                                             Invitation.expires_at > now).exists())
    query = (select(Candidate, Opening.retention_days, *(source.c.at for source in sources))
             .join(Opening, Opening.id == Candidate.opening_id)
             .where(Candidate.erased_at.is_(None), ~live_link).order_by(Candidate.id))
    for source in sources:
        query = query.outerjoin(source, source.c.candidate_id == Candidate.id)
    found = []
    for candidate, days, *moments in session.execute(query):
        latest = max(moment for moment in (candidate.created_at, *moments) if moment is not None)
        if latest + timedelta(days=days) <= now:
            found.append(Expired(candidate, latest))
    return found


def purge(session: Session, now: datetime) -> int:
    """Erase every candidate whose retention period is over, then scrub once; returns how many."""
    due = expired(session, now)
    for item in due:
        _erase(session, item.candidate, actor=None, now=now,
               reason=f"retention period of {item.candidate.opening.retention_days} days ended")
    if due:
        scrub(session)
    return len(due)
