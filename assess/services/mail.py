"""Outgoing mail: through SMTP when configured, otherwise kept in the outbox."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..config import Config
from ..db import utcnow
from ..models import OutboundEmail

log = logging.getLogger(__name__)


# What the stored copy says in place of a link once a mail server has taken the message.
LINK_SENT = "(link sent by email; send a new link to replace it)"


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str
    # A working link in the body: kept in the outbox only while the message has not been sent.
    secret: str | None = None

    def redacted(self) -> str:
        return self.body.replace(self.secret, LINK_SENT) if self.secret else self.body


def deliver(
    session: Session,
    config: Config,
    message: Message,
    *,
    opening_id: int | None = None,
    candidate_id: int | None = None,
) -> OutboundEmail:
    """Send a message and record it; a failure is recorded, never raised.

    Once a mail server accepts the message, the stored copy loses its secret: reading the outbox or
    the database then gives nobody the candidate's link. Unsent mail keeps it, since the outbox is
    then the only way the link reaches the candidate."""
    record = OutboundEmail(
        opening_id=opening_id,
        candidate_id=candidate_id,
        to_address=message.to,
        subject=message.subject,
        body_text=message.body,
        transport="smtp" if config.smtp_host else "outbox",
    )
    session.add(record)
    session.flush()
    # Log lines name the record, never the address: logs outlive a candidate's erasure.
    if not config.smtp_host:
        log.info("no SMTP server configured; kept mail %d in the outbox", record.id)
        return record
    try:
        _send_smtp(config, message)
    except (OSError, smtplib.SMTPException) as error:
        record.error = f"{type(error).__name__}: {error}"
        log.warning("could not send mail %d (%s); the error is on its outbox record", record.id,
                    type(error).__name__)
    else:
        record.sent_at = utcnow()
        record.body_text = message.redacted()
    return record


def _send_smtp(config: Config, message: Message) -> None:
    email = EmailMessage()
    email["From"] = config.mail_from
    email["To"] = message.to
    email["Subject"] = message.subject
    email.set_content(message.body)
    assert config.smtp_host is not None
    with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=15) as smtp:
        if config.smtp_starttls:
            smtp.starttls()
        if config.smtp_user:
            smtp.login(config.smtp_user, config.smtp_password or "")
        smtp.send_message(email)


def outbox(session: Session, opening_ids: list[int] | None) -> list[OutboundEmail]:
    """Mail the app has sent or kept, newest first; None means every opening."""
    query = select(OutboundEmail).order_by(OutboundEmail.created_at.desc(), OutboundEmail.id.desc())
    if opening_ids is not None:
        query = query.where(OutboundEmail.opening_id.in_(opening_ids))
    return list(session.scalars(query.limit(200)))
