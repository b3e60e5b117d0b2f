"""A candidate's link once it is sent: whether it works, opening it, withdrawing it, giving it more days, and giving its holder more time."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from ..config import Config
from ..domain.links import hash_token
from ..errors import AppError, Conflict, InputError, NotFound
from ..models import Attempt, Candidate, Invitation, Opening, User
from . import audit, deadlines, mail, pipeline

MAX_WINDOW_DAYS = 90
MAX_EXTRA_MINUTES = 240


class LinkProblem(AppError):
    """An invitation link that cannot be used; says what happened and whom to ask."""

    status_code = 410

    def __init__(self, reason: str, message: str, contact: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.contact = contact
        self.title = {
            "unknown": "This link does not work",
            "expired": "This invitation has expired",
            "revoked": "This link has been replaced or withdrawn",
        }[reason]
        if reason == "unknown":
            self.status_code = 404


def candidate_link(config: Config, token: str) -> str:
    return f"{config.base_url.rstrip('/')}/c/start/{token}"


def active_invitation(candidate: Candidate, now: datetime) -> Invitation | None:
    """The invitation whose link works now, if any."""
    for invitation in sorted(candidate.invitations, key=lambda i: i.id, reverse=True):
        if invitation.revoked_at is None and invitation.expires_at > now:
            return invitation
    return None


def latest_invitation(candidate: Candidate) -> Invitation | None:
    return max(candidate.invitations, key=lambda i: i.id, default=None)


def lock_candidate(session: Session, candidate: Candidate) -> Candidate:
    """The candidate, read afresh and locked until commit, so changes to their links happen one at a time."""
    return session.scalars(
        select(Candidate).where(Candidate.id == candidate.id)
        .options(selectinload(Candidate.invitations), selectinload(Candidate.attempts))
        .with_for_update().execution_options(populate_existing=True)
    ).one()


def not_erased(candidate: Candidate) -> None:
    if candidate.erased_at is not None:
        raise Conflict(
            f"This candidate's data was erased on {candidate.erased_at:%d %B %Y}. An erased record cannot be "
            "sent links, given time or changed. If the person applies again, invite them as a new candidate."
        )


def revoke(session: Session, candidate: Candidate, *, actor: User | None, now: datetime) -> None:
    """Withdraw the candidate's link; their open session ends with it."""
    candidate = lock_candidate(session, candidate)
    not_erased(candidate)
    revoked = [i for i in candidate.invitations if i.revoked_at is None]
    if not revoked:
        raise Conflict(f"{candidate.name} has no link to withdraw.")
    for invitation in revoked:
        invitation.revoked_at = now
    audit.record(session, "invitation.revoked", now=now, actor=actor, subject_type="candidate", subject_id=candidate.id)
    session.commit()


def extend_window(
    session: Session, candidate: Candidate, days: int, *, actor: User | None, now: datetime
) -> Invitation:
    """Give the candidate more days to use their link (it must not have been withdrawn)."""
    if not 1 <= days <= MAX_WINDOW_DAYS:
        raise InputError(f"Extend by 1 to {MAX_WINDOW_DAYS} days.")
    candidate = lock_candidate(session, candidate)
    not_erased(candidate)
    invitation = latest_invitation(candidate)
    if invitation is None or invitation.revoked_at is not None:
        raise Conflict(f"{candidate.name}'s link was withdrawn: use Resend to send a new one.")
    old = invitation.expires_at
    invitation.expires_at = max(old, now) + timedelta(days=days)
    audit.record(
        session, "invitation.extended", now=now, actor=actor, subject_type="candidate", subject_id=candidate.id,
        old=old.isoformat(), new=invitation.expires_at.isoformat(),
    )
    session.commit()
    return invitation


def extend_time(
    session: Session, candidate: Candidate, minutes: int, *, actor: User | None, now: datetime
) -> Candidate:
    """Add minutes to every timed exercise, including ones already under way."""
    if not 1 <= minutes <= MAX_EXTRA_MINUTES:
        raise InputError(f"Add between 1 and {MAX_EXTRA_MINUTES} minutes.")
    candidate = lock_candidate(session, candidate)
    not_erased(candidate)
    # Added in the database, not read and written back: two extensions at once both count.
    session.execute(update(Candidate).where(Candidate.id == candidate.id)
                    .values(extra_minutes=Candidate.extra_minutes + minutes)
                    .execution_options(synchronize_session="fetch"))
    deadlines.extend(session, candidate.id, minutes)
    audit.record(
        session, "candidate.time_extended", now=now, actor=actor, subject_type="candidate",
        subject_id=candidate.id, minutes=minutes, total=candidate.extra_minutes,
    )
    session.commit()
    return candidate


def redeem(session: Session, token: str, now: datetime) -> Invitation:
    """Find the invitation a link stands for, or raise LinkProblem saying why it will not do."""
    invitation = session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))
    if invitation is None:
        raise LinkProblem(
            "unknown",
            "We could not find an invitation for this link. Check that you opened the whole "
            "link from your email; if it still does not work, reply to the invitation email.",
        )
    opening = invitation.candidate.opening
    contact = mail.contact(opening)
    if invitation.revoked_at is not None:
        raise LinkProblem(
            "revoked",
            f"This link for {opening.title} is no longer valid, usually because a newer link "
            f"was sent to you. Use the most recent email, or contact {contact}.",
            contact,
        )
    if invitation.expires_at <= now:
        raise LinkProblem(
            "expired",
            f"The invitation to {opening.title} could be used until "
            f"{invitation.expires_at:%d %B %Y, %H:%M} UTC. If you need more time, contact {contact}; "
            "work you already submitted is kept.",
            contact,
        )
    if invitation.first_used_at is None:
        invitation.first_used_at = now
        audit.record(
            session, "invitation.opened", now=now, actor=None, actor_kind="candidate",
            subject_type="candidate", subject_id=invitation.candidate_id,
        )
        pipeline.restage(session, [invitation.candidate_id])
        session.commit()
    return invitation


def session_invitation(session: Session, invitation_id: int, *, whole: bool = True) -> Invitation:
    """The invitation behind a candidate's session, while it has not been withdrawn; with the candidate and
    (whole) their opening and their attempts, which every candidate page reads (a few queries, not one per
    relation). A background save reads the candidate alone."""
    options = [joinedload(Invitation.candidate)] if not whole else [
        joinedload(Invitation.candidate).joinedload(Candidate.opening).selectinload(Opening.exercises),
        joinedload(Invitation.candidate).selectinload(Candidate.attempts).joinedload(Attempt.submission),
        joinedload(Invitation.candidate).selectinload(Candidate.invitations),
    ]
    invitation = session.get(Invitation, invitation_id, options=options)
    if invitation is None or invitation.revoked_at is not None or invitation.candidate.erased_at:
        raise NotFound("Your session has ended. Open the most recent link from your email.")
    return invitation
