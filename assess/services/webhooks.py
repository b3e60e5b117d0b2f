"""Signed webhooks: an applicant-tracking system is told when work is handed in or a scorecard submitted.

Deliveries are written in the same transaction as the change that causes them and handed to the
worker through the door (`effects`) once it commits; the worker also sends every due delivery each
minute, so none is lost if the queue is down, and retries failed ones with growing pauses. Each request
carries X-Assess-Signature: sha256=HMAC(secret, "<timestamp>.<body>"), so the receiver can check it
came from us and is fresh. Payloads name candidates by id and code, never by name or email.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from ..errors import Conflict, InputError, NotFound
from ..models import DeliveryStatus, User, WebhookDelivery, WebhookEndpoint
from . import audit, effects

EVENTS = {
    "submission.received": "A candidate handed in an exercise, or its time ran out",
    "scorecard.submitted": "An interviewer submitted a scorecard",
    "decision.recorded": "The hiring manager recorded a decision on a candidate",
}
MAX_ATTEMPTS = 6
TIMEOUT_SECONDS = 10
# A worker that took a delivery and died leaves it taken; after this long another one tries.
LEASE = timedelta(minutes=10)
Sender = Callable[[str, dict[str, str], bytes], tuple[int | None, str | None]]


def create_endpoint(session: Session, *, url: str, events: list[str], actor: User,
                    now: datetime) -> tuple[WebhookEndpoint, str]:
    """A new endpoint; its signing secret is returned to show once."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise InputError("Give the full address that receives the calls, e.g. https://ats.example.com/hooks/assess.")
    unknown = sorted(set(events) - set(EVENTS))
    if unknown or not events:
        raise InputError(f"Choose at least one event from: {', '.join(EVENTS)}.")
    endpoint = WebhookEndpoint(url=url, secret="whsec_" + secrets.token_urlsafe(24), events=sorted(set(events)),
                               created_by_id=actor.id, created_at=now)
    session.add(endpoint)
    session.flush()
    audit.record(session, "webhook.created", now=now, actor=actor, subject_type="webhook_endpoint", subject_id=endpoint.id,
                 events=endpoint.events)
    session.commit()
    return endpoint, endpoint.secret


def disable(session: Session, endpoint_id: int, *, actor: User, now: datetime) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound("There is no such webhook.")
    if endpoint.disabled_at is not None:
        raise Conflict("That webhook is already switched off.")
    endpoint.disabled_at = now
    audit.record(session, "webhook.disabled", now=now, actor=actor, subject_type="webhook_endpoint", subject_id=endpoint.id)
    session.commit()
    return endpoint


def endpoints(session: Session) -> list[WebhookEndpoint]:
    return list(session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.disabled_at.is_not(None),
                                                                 WebhookEndpoint.id.desc())))


def recent_deliveries(session: Session, limit: int = 20) -> list[WebhookDelivery]:
    return list(session.scalars(select(WebhookDelivery).options(joinedload(WebhookDelivery.endpoint))
                                .order_by(WebhookDelivery.id.desc()).limit(limit)))


def emit(session: Session, event: str, data: dict[str, Any], now: datetime) -> None:
    """Queue the event for every live endpoint that asked for it; the caller's commit keeps it."""
    for endpoint in session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.disabled_at.is_(None))):
        if event in endpoint.events:
            delivery = WebhookDelivery(endpoint_id=endpoint.id, event=event, next_attempt_at=now, created_at=now,
                                       payload={"event": event, "occurred_at": now.isoformat(), "data": data})
            session.add(delivery)
            effects.later(session, effects.Effect.WEBHOOK, delivery)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def post(url: str, headers: dict[str, str], body: bytes) -> tuple[int | None, str | None]:
    """Send one delivery; the status code, or None and why it could not be sent."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, None
    except (urllib.error.URLError, OSError) as error:
        return None, f"{type(error).__name__}: {getattr(error, 'reason', error)}"


def _pause(attempts: int) -> timedelta:
    return timedelta(minutes=2 ** (attempts - 1))


def deliver_due(session: Session, now: datetime, send: Sender = post, limit: int = 100) -> int:
    """Send the deliveries whose time has come; returns how many were delivered."""
    wanted = list(session.scalars(
        select(WebhookDelivery.id).where(WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.id).limit(limit)))
    # Taken for this worker first, so a second worker running at the same time sends others.
    taken = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(wanted), WebhookDelivery.status == DeliveryStatus.PENDING,
               WebhookDelivery.next_attempt_at <= now)
        .values(next_attempt_at=now + LEASE).returning(WebhookDelivery.id)
        .execution_options(synchronize_session=False)
    ).scalars().all() if wanted else []
    session.commit()
    due = session.scalars(
        select(WebhookDelivery).options(joinedload(WebhookDelivery.endpoint))
        .where(WebhookDelivery.id.in_(taken)).order_by(WebhookDelivery.id)
        .execution_options(populate_existing=True)
    ).all() if taken else []
    delivered = 0
    for delivery in due:
        body = json.dumps(delivery.payload, separators=(",", ":")).encode()
        timestamp = str(int(now.timestamp()))
        status, error = send(delivery.endpoint.url, {
            "Content-Type": "application/json", "User-Agent": "assess-webhooks/1",
            "X-Assess-Event": delivery.event, "X-Assess-Delivery": str(delivery.id),
            "X-Assess-Timestamp": timestamp, "X-Assess-Signature": signature(delivery.endpoint.secret, timestamp, body),
        }, body)
        delivery.attempts += 1
        if status is not None and 200 <= status < 300:
            delivery.status, delivery.delivered_at, delivery.last_error = DeliveryStatus.DELIVERED, now, None
            delivered += 1
        else:
            delivery.last_error = error or f"answered {status}"
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.FAILED
            else:
                delivery.next_attempt_at = now + _pause(delivery.attempts)
        session.commit()
    return delivered
