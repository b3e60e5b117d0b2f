"""What each provider's model was found to accept, remembered so that one refusal of a schema is not paid for again.

Kept per endpoint and model: on one endpoint an older model may refuse schemas that a newer one takes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..ai.schema import AiOutputMode
from ..models import AiProviderMode


def noted(session: Session, provider: str, model: str) -> AiProviderMode | None:
    """What was remembered of this provider's model, with the provider's words and when, if anything."""
    return session.scalar(select(AiProviderMode).where(AiProviderMode.provider == provider,
                                                       AiProviderMode.model == model))


def mode_for(session: Session, provider: str, model: str) -> AiOutputMode:
    """How to ask this provider's model for the draft's shape: its schema, unless it once refused one."""
    found = noted(session, provider, model)
    return found.mode if found is not None else AiOutputMode.JSON_SCHEMA


def note_refusal(session: Session, provider: str, model: str, reason: str, *, now: datetime) -> AiProviderMode:
    """The model refused a schema: from now on it is asked for a JSON object with the schema in the prompt."""
    found = noted(session, provider, model)
    if found is None:
        found = AiProviderMode(provider=provider, model=model)
        session.add(found)
    found.mode, found.reason, found.noted_at = AiOutputMode.JSON_OBJECT, reason[:2000], now
    session.commit()
    return found


def known_modes(session: Session) -> list[AiProviderMode]:
    """Every provider with a remembered mode, for the admin's page."""
    return list(session.scalars(select(AiProviderMode).order_by(AiProviderMode.provider, AiProviderMode.model)))
