"""Outgoing mail: queued in the transaction that causes it, sent by the worker through SMTP.

`queue` writes the message as an outbox row and asks the door (`effects`) to have the worker send
it once the transaction commits; a rollback leaves nothing to send. The worker (`send_due`) sends
due mail in batches over one SMTP connection, marks each message sent or records why it failed and
tries again with growing pauses a few times. Without an SMTP server the message is kept in the
outbox, which is then how links reach candidates.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..config import Config
from ..domain.paging import Page, clamped, offset_of
from ..domain.mail_layout import html_version
from ..models import MailStatus, Opening, OutboundEmail, User
from . import audit, effects
from .matching import contains, search_words

log = logging.getLogger(__name__)


# What the stored copy says in place of a link once a mail server has taken the message.
LINK_SENT = "(link sent by email; send a new link to replace it)"
MAX_ATTEMPTS = 5
BATCH = 50  # messages sent over one SMTP connection
# A worker that took a message and died leaves it "sending"; after this long another one tries.
LEASE = timedelta(minutes=10)
_WAITING = (MailStatus.QUEUED, MailStatus.SENDING)


@dataclass(frozen=True)
class Sender:
    """Whom a message comes from, by name, and where replies to it go."""

    name: str | None
    reply_to: str | None


def contact(opening: Opening) -> str:
    """The address an opening's candidates write to: the one it names, else its hiring manager's."""
    return opening.reply_to or opening.hiring_manager.email


def signature(opening: Opening) -> str:
    """How mail to an opening's candidates is signed: its hiring manager, and the company when it has one."""
    name = opening.hiring_manager.name
    return f"{name}, {opening.company_name}" if opening.company_name else name


def from_opening(opening: Opening) -> Sender:
    """Mail to an opening's candidates: from its company, with replies to its contact address."""
    return Sender(opening.company_name or None, contact(opening))


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str
    # A working link in the body: kept in the outbox only while the message has not been sent.
    secret: str | None = None
    sender: Sender | None = None

    def redacted(self) -> str:
        return self.body.replace(self.secret, LINK_SENT) if self.secret else self.body


def queue(
    session: Session,
    message: Message,
    *,
    now: datetime,
    opening_id: int | None = None,
    candidate_id: int | None = None,
) -> OutboundEmail:
    """Write the message to the outbox; the worker sends it once the caller's transaction commits."""
    record = OutboundEmail(
        opening_id=opening_id,
        candidate_id=candidate_id,
        to_address=message.to,
        subject=message.subject,
        body_text=message.body,
        secret=message.secret,
        sender_name=message.sender.name if message.sender else None,
        reply_to=message.sender.reply_to if message.sender else None,
        status=MailStatus.QUEUED,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(record)
    session.flush()
    effects.later(session, effects.Effect.MAIL, record)
    return record


# Opens one connection to the mail server and gives a function that sends one message over it.
Connect = Callable[[Config], AbstractContextManager[Callable[[EmailMessage], object]]]


@contextmanager
def smtp_connection(config: Config) -> Iterator[Callable[[EmailMessage], object]]:
    """One SMTP session for a batch of messages."""
    assert config.smtp_host is not None
    with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=15) as smtp:
        if config.smtp_starttls:
            smtp.starttls()
        if config.smtp_user:
            smtp.login(config.smtp_user, config.smtp_password or "")
        yield smtp.send_message


def pause(attempts: int) -> timedelta:
    """How long a message waits after its attempts-th failed try: 1, 2, 4, 8 minutes."""
    return timedelta(minutes=2 ** (attempts - 1))


def send_due(
    session: Session, config: Config, *, now: datetime, ids: tuple[int, ...] | None = None,
    connect: Connect = smtp_connection, limit: int = 500,
) -> int:
    """Send the mail whose time has come (only ids, when given), in batches; returns how many were sent."""
    sent = 0
    while limit > 0:
        batch = _claim(session, config, now=now, ids=ids, limit=min(BATCH, limit))
        if not batch:
            return sent
        limit -= len(batch)
        sent += _send_batch(session, config, batch, now=now, connect=connect)
    return sent


def _claim(session: Session, config: Config, *, now: datetime, ids: tuple[int, ...] | None,
           limit: int) -> list[OutboundEmail]:
    """Take due messages for this worker; another worker running at the same time gets others."""
    due = select(OutboundEmail.id).where(OutboundEmail.status.in_(_WAITING), OutboundEmail.next_attempt_at <= now)
    if ids is not None:
        due = due.where(OutboundEmail.id.in_(ids))
    wanted = list(session.scalars(due.order_by(OutboundEmail.id).limit(limit)))
    if not wanted:
        session.commit()
        return []
    if not config.smtp_host:
        kept = session.execute(
            update(OutboundEmail).where(OutboundEmail.id.in_(wanted), OutboundEmail.status.in_(_WAITING))
            .values(status=MailStatus.KEPT, transport="outbox").returning(OutboundEmail.id)
            .execution_options(synchronize_session=False)).scalars().all()
        session.commit()
        # Log lines name the record, never the address: logs outlive a candidate's erasure.
        log.info("no SMTP server configured; kept mail %s in the outbox", ", ".join(map(str, kept)))
        return []
    taken = session.execute(
        update(OutboundEmail)
        .where(OutboundEmail.id.in_(wanted), OutboundEmail.status.in_(_WAITING), OutboundEmail.next_attempt_at <= now)
        .values(status=MailStatus.SENDING, transport="smtp", attempts=OutboundEmail.attempts + 1,
                next_attempt_at=now + LEASE)
        .returning(OutboundEmail.id)
        .execution_options(synchronize_session=False)
    ).scalars().all()
    session.commit()
    if not taken:
        return []
    batch = list(session.scalars(select(OutboundEmail).where(OutboundEmail.id.in_(taken))
                                 .order_by(OutboundEmail.id).execution_options(populate_existing=True)))
    return batch


def _send_batch(session: Session, config: Config, batch: list[OutboundEmail], *, now: datetime,
                connect: Connect) -> int:
    sent = 0
    try:
        with connect(config) as send:
            for position, record in enumerate(batch):
                try:
                    send(_email(config, record))
                except smtplib.SMTPServerDisconnected as error:
                    for rest in batch[position:]:
                        _failed(rest, error, now)
                    break
                except (OSError, smtplib.SMTPException) as error:
                    _failed(record, error, now)
                else:
                    _sent(record, now)
                    sent += 1
                session.commit()
    except (OSError, smtplib.SMTPException) as error:  # no connection at all, or it broke on closing
        for record in batch:
            if record.status is MailStatus.SENDING:
                _failed(record, error, now)
    session.commit()
    return sent


def _email(config: Config, record: OutboundEmail) -> EmailMessage:
    """The message as it goes out: plain text with an HTML version of the same words, from the company's name
    at our own address (so it passes the receiving server's checks), replies to the person it names."""
    email = EmailMessage()
    default_name, address = parseaddr(config.mail_from)
    email["From"] = formataddr((record.sender_name, address)) if record.sender_name else config.mail_from
    email["To"] = record.to_address
    if record.reply_to:
        email["Reply-To"] = record.reply_to
    email["Subject"] = record.subject
    email["Date"] = format_datetime(record.created_at)
    email["Message-ID"] = make_msgid(idstring=f"outbox-{record.id}", domain=address.rpartition("@")[2] or None)
    email.set_content(record.body_text)
    brand = record.sender_name or default_name or "assess"
    footer = (f"Sent for {record.sender_name} by assess. Reply to this email to reach {record.reply_to}."
              if record.sender_name and record.reply_to else
              f"Reply to this email to reach {record.reply_to}." if record.reply_to else "Sent by assess.")
    email.add_alternative(html_version(record.body_text, brand=brand, footer=footer), subtype="html")
    return email


def _sent(record: OutboundEmail, now: datetime) -> None:
    # Once a mail server accepts the message, the stored copy loses its secret: reading the outbox or
    # the database then gives nobody the candidate's link. Unsent mail keeps it, since the outbox is
    # then the only way the link reaches the candidate.
    record.body_text = Message(record.to_address, record.subject, record.body_text, record.secret).redacted()
    record.secret = None
    record.status, record.sent_at, record.error = MailStatus.SENT, now, None


def _failed(record: OutboundEmail, error: BaseException, now: datetime) -> None:
    record.error = f"{type(error).__name__}: {error}"
    if record.attempts >= MAX_ATTEMPTS:
        record.status = MailStatus.FAILED
    else:
        record.status, record.next_attempt_at = MailStatus.QUEUED, now + pause(record.attempts)
    log.warning("could not send mail %d (%s, try %d); the error is on its outbox record", record.id,
                type(error).__name__, record.attempts)


OUTBOX_PER_PAGE = 50


def outbox(session: Session, opening_id: int, *, viewer: User, now: datetime, page: int = 1, search: str = "",
           per_page: int = OUTBOX_PER_PAGE) -> Page[OutboundEmail]:
    """One page of the mail the app has sent or kept for an opening, newest first; search: part of the address.

    The messages show candidates' names and emails, so each look is recorded in the audit log."""
    search = search_words(search, "an email address")
    where = [OutboundEmail.opening_id == opening_id]
    if search:
        where.append(contains(OutboundEmail.to_address, search))
    total = session.scalar(select(func.count(OutboundEmail.id)).where(*where)) or 0
    page = clamped(page, total, per_page)
    messages = list(session.scalars(
        select(OutboundEmail).where(*where).order_by(OutboundEmail.created_at.desc(), OutboundEmail.id.desc())
        .limit(per_page).offset(offset_of(page, per_page))))
    audit.record(session, "candidates.listed", now=now, actor=viewer, subject_type="opening",
                 subject_id=opening_id, page="outbox", shown=len(messages))
    session.commit()
    return Page(messages, total, page, per_page)


def message_in(session: Session, opening_id: int, message_id: int) -> OutboundEmail | None:
    """One message of the opening's outbox, on whichever page it is."""
    message = session.get(OutboundEmail, message_id)
    return message if message is not None and message.opening_id == opening_id else None
