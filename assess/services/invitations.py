"""Invite candidates: one, many, or again with a new link."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..config import Config
from ..content import ContentLibrary
from ..content.schema import ExerciseKind
from ..domain.links import hash_token, new_pseudonym, new_token
from ..domain.people_file import PeopleFileError, read_people
from ..domain.recipients import BadLine, Recipient, lines_of, parse_recipients
from ..domain.text import hidden_character_problem, tidy_line, without_hidden

# Each invitation is stored and its email queued while the page waits: a list longer than this is refused
# whole, before anyone is invited, rather than half sent when the request runs out of time.
MOST_PER_PASTE = 300
from ..errors import Conflict, InputError
from ..models import Candidate, Invitation, Opening, OutboundEmail, User
from . import audit, mail
from .links import active_invitation, candidate_link, latest_invitation, lock_candidate, not_erased
from .users import normalise_email

@dataclass(frozen=True)
class Invited:
    candidate: Candidate
    invitation: Invitation
    link: str
    email: OutboundEmail


@dataclass
class BulkInvite:
    invited: list[Invited] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)  # the pasted lines not invited, as they were pasted


def invite(
    session: Session,
    config: Config,
    library: ContentLibrary,
    opening: Opening,
    *,
    name: str,
    email: str,
    actor: User | None,
    now: datetime,
    actor_kind: str | None = None,
) -> Invited:
    """Invite one person to an opening and email them their personal link.

    actor_kind names who invited when it was not a member of staff ("cli" by default, or "api")."""
    address = normalise_email(email)
    name = tidy_line(name)
    if not name:
        raise InputError(f"Give the name of the person at {address}.")
    if len(name) > 200:
        raise InputError("That name is too long: use at most 200 characters.")
    if problem := hidden_character_problem(name, "The name"):
        raise InputError(problem)
    if not without_hidden(name, multiline=False).strip():
        raise InputError(f"The name for {address} shows no letters; give the person's name as their invitation "
                         "should greet them.")
    candidate = _by_email(session, opening, address)
    if candidate is not None:
        candidate = lock_candidate(session, candidate)
        if active_invitation(candidate, now) is not None:
            raise _already_invited(address, opening)
        return _issue(session, config, library, candidate, actor=actor, now=now, action="invitation.reissued",
                      actor_kind=actor_kind)
    candidate = Candidate(
        opening=opening,
        name=name,
        email=address,
        pseudonym=_free_pseudonym(session, opening),
        data_variant_seed=_next_seed(session, opening),
        created_at=now,
    )
    session.add(candidate)
    try:
        session.flush()
    except IntegrityError:
        # Someone invited the same address at the same moment and got there first.
        session.rollback()
        if _by_email(session, opening, address) is not None:
            raise _already_invited(address, opening) from None
        raise
    return _issue(session, config, library, candidate, actor=actor, now=now, action="invitation.created",
                  actor_kind=actor_kind)


def _by_email(session: Session, opening: Opening, address: str) -> Candidate | None:
    return session.scalar(
        select(Candidate).where(Candidate.opening_id == opening.id, Candidate.email == address)
    )


def _already_invited(address: str, opening: Opening) -> Conflict:
    return Conflict(
        f"{address} is already invited to {opening.title} and the link still works. "
        "Use Resend to send a new link instead."
    )


def invite_many(
    session: Session,
    config: Config,
    library: ContentLibrary,
    opening: Opening,
    text: str,
    *,
    actor: User | None,
    now: datetime,
) -> BulkInvite:
    """Invite everyone on a pasted list; a bad line is reported and the rest still go out."""
    recipients, bad_lines = parse_recipients(text)
    if not recipients and not bad_lines:
        raise InputError("Paste at least one line with a name and an email address.")
    if len(recipients) + len(bad_lines) > MOST_PER_PASTE:
        raise InputError(f"That list has {len(recipients) + len(bad_lines):,} lines; paste at most "
                         f"{MOST_PER_PASTE} people at a time, so that each is invited before the page answers. "
                         "Nobody has been invited; the list is still in the box.")
    pasted = dict(enumerate(lines_of(text), start=1))
    return _invite_all(session, config, library, opening, recipients, bad_lines, pasted, "Line", actor=actor, now=now)


def invite_from_file(session: Session, config: Config, library: ContentLibrary, opening: Opening, data: bytes, *,
                     actor: User | None, now: datetime) -> BulkInvite:
    """Invite everyone in a CSV file (see domain.people_file); a bad row is reported by its number, comes back
    in the box as a line to fix, and the rest still go out."""
    try:
        found = read_people(data)
    except PeopleFileError as error:
        raise InputError(str(error)) from None
    if not found.lines:
        raise InputError("The file has a header but nobody under it. Add a row for each person.")
    if len(found.lines) > MOST_PER_PASTE:
        raise InputError(f"That file has {len(found.lines):,} people; invite at most {MOST_PER_PASTE} at a time, "
                         "so that each is invited before the page answers. Nobody has been invited; split the file.")
    return _invite_all(session, config, library, opening, found.recipients, found.bad, found.lines, "Row",
                       actor=actor, now=now)


def _invite_all(session: Session, config: Config, library: ContentLibrary, opening: Opening,
                recipients: list[Recipient], bad_lines: list[BadLine], shown: dict[int, str], where: str, *,
                actor: User | None, now: datetime) -> BulkInvite:
    """Invite each recipient on their own; the problems come back in line order with each line as it was."""
    problems = {b.line: f"{where} {b.line} ({_shortened(b.text)}): {b.reason}." for b in bad_lines}
    result = BulkInvite()
    for recipient in recipients:
        try:
            result.invited.append(
                invite(session, config, library, opening, name=recipient.name,
                       email=recipient.email, actor=actor, now=now)
            )
        except (InputError, Conflict) as error:
            problems[recipient.line] = f"{where} {recipient.line} ({recipient.email}): {error.message}"
    result.problems = [problems[line] for line in sorted(problems)]
    result.left = [shown[line] for line in sorted(problems)]
    return result


@dataclass(frozen=True)
class InviteOrResend:
    invited: Invited
    resent: bool


def invite_or_resend(
    session: Session, config: Config, library: ContentLibrary, opening: Opening, *, name: str, email: str,
    actor: User | None, now: datetime,
) -> InviteOrResend:
    """Invite the person; if their link still works, send a new one in its place instead (the old one stops)."""
    address = normalise_email(email)
    existing = _by_email(session, opening, address)
    if existing is not None and active_invitation(existing, now) is not None:
        return InviteOrResend(resend(session, config, library, existing, actor=actor, now=now), resent=True)
    return InviteOrResend(invite(session, config, library, opening, name=name or (existing.name if existing else ""),
                                 email=address, actor=actor, now=now), resent=False)


def _shortened(line: str, most: int = 60) -> str:
    return line if len(line) <= most else line[: most - 1] + "…"


def resend(
    session: Session, config: Config, library: ContentLibrary, candidate: Candidate, *,
    actor: User | None, now: datetime, replaces: int | None = None,
) -> Invited:
    """Send a new link; the old one stops working at once.

    replaces names the newest invitation the sender saw: if another link went out since, nothing is sent."""
    candidate = lock_candidate(session, candidate)
    not_erased(candidate)
    latest = latest_invitation(candidate)
    if replaces is not None and latest is not None and latest.id != replaces:
        raise Conflict(
            f"A new link already went to {candidate.name} at {latest.created_at:%H:%M} UTC, after this page "
            "was loaded; it is the one that works. Reload the page to see it."
        )
    return _issue(session, config, library, candidate, actor=actor, now=now, action="invitation.resent")


def _issue(
    session: Session, config: Config, library: ContentLibrary, candidate: Candidate, *,
    actor: User | None, now: datetime, action: str, actor_kind: str | None = None,
) -> Invited:
    not_erased(candidate)
    opening = candidate.opening
    # The link this replaces stops working: a candidate has one live link at most.
    for earlier in candidate.invitations:
        if earlier.revoked_at is None:
            earlier.revoked_at = now
    session.flush()
    token = new_token()
    invitation = Invitation(
        candidate=candidate,
        token_hash=hash_token(token),
        created_by_id=actor.id if actor else None,
        created_at=now,
        expires_at=now + timedelta(days=opening.invitation_valid_days),
    )
    session.add(invitation)
    session.flush()
    link = candidate_link(config, token)
    email = mail.queue(
        session, _invitation_message(library, candidate, invitation, link), now=now,
        opening_id=opening.id, candidate_id=candidate.id,
    )
    audit.record(
        session, action, now=now, actor=actor, actor_kind=actor_kind or (None if actor else "cli"),
        subject_type="candidate", subject_id=candidate.id, invitation_id=invitation.id,
    )
    session.commit()
    return Invited(candidate=candidate, invitation=invitation, link=link, email=email)


def _invitation_message(
    library: ContentLibrary, candidate: Candidate, invitation: Invitation, link: str
) -> mail.Message:
    opening = candidate.opening
    steps = []
    for step in opening.exercises:
        exercise = library.exercises.get(step.exercise_key)
        if exercise is not None and exercise.content.kind is ExerciseKind.TAKE_HOME:
            minutes = step.time_limit_minutes + candidate.extra_minutes
            steps.append(f"  - {exercise.content.title} ({minutes} minutes)")
    body = "\n".join(
        [
            f"Hello {candidate.name},",
            "",
            f"Thank you for applying for {opening.title}. The next step is a set of short written exercises that "
            "you do online, each with its own time limit:",
            "",
            *steps,
            "",
            "You can start each exercise when it suits you; the clock for an exercise starts only when you press "
            "its Start button. Your work is saved as you type.",
            "",
            f"Your personal link (please do not share it): {link}",
            "",
            f"The link works until {invitation.expires_at:%d %B %Y, %H:%M} UTC. If you need more time or a "
            f"different format, for example because of a disability, write to {mail.contact(opening)} "
            "before you start.",
            "",
            mail.signature(opening),
        ]
    )
    return mail.Message(to=candidate.email, subject=f"Your assessment for {opening.title}", body=body, secret=link,
                        sender=mail.from_opening(opening))


def _free_pseudonym(session: Session, opening: Opening) -> str:
    taken = set(session.scalars(select(Candidate.pseudonym).where(Candidate.opening_id == opening.id)))
    for _ in range(1000):
        code = new_pseudonym()
        if code not in taken:
            return code
    raise RuntimeError(f"no free pseudonym left in opening {opening.slug}")


def _next_seed(session: Session, opening: Opening) -> int:
    # Consecutive candidates get different data variants, so people invited together differ;
    # the opening's row is locked so two invitations at once do not count the same number.
    session.execute(select(Opening.id).where(Opening.id == opening.id).with_for_update())
    return session.scalar(
        select(func.count(Candidate.id)).where(Candidate.opening_id == opening.id)
    ) or 0
