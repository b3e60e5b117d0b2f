"""API tokens: created by an admin with the scopes an integration needs, stored hashed, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Conflict, InputError, NotFound
from ..models import ApiToken, User
from . import audit

PREFIX = "ast_"
SCOPES = {
    "openings:read": "List openings and their exercises",
    "invitations:write": "Invite candidates to an opening",
    "submissions:read": "Read candidates' progress and submission status",
    "scorecards:read": "Read submitted scorecards",
    "results:read": "Read calibrated results",
    "decisions:write": "Record decisions on candidates, and email candidates the decision if asked",
}
# last_used_at is a hint for admins, so it is written at most this often per token.
USE_RECORDED_EVERY = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(session: Session, *, name: str, scopes: list[str], actor: User, now: datetime,
           plain: str | None = None) -> tuple[ApiToken, str]:
    """A new token; the plain text is returned once and never stored. Only the demo chooses its own."""
    name = " ".join(name.split())
    if not name:
        raise InputError("Name the token after the system that will use it, e.g. 'Greenhouse sync'.")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise InputError(f"Unknown scopes: {', '.join(unknown)}. Choose from: {', '.join(SCOPES)}.")
    if not scopes:
        raise InputError("Choose at least one scope: a token that may do nothing is of no use.")
    plain = plain or PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, token_hash=hash_token(plain), prefix=plain[:10], scopes=sorted(set(scopes)),
                     created_by_id=actor.id, created_at=now)
    session.add(token)
    session.flush()
    audit.record(session, "api_token.created", now=now, actor=actor, subject_type="api_token", subject_id=token.id,
                 scopes=token.scopes)
    session.commit()
    return token, plain


def authenticate(session: Session, plain: str, now: datetime) -> ApiToken | None:
    """The live token with this text, or None."""
    if not plain.startswith(PREFIX):
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))
    if token is None or token.revoked_at is not None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= USE_RECORDED_EVERY:
        token.last_used_at = now
        session.commit()
    return token


def all_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())))


def revoke(session: Session, token_id: int, *, actor: User, now: datetime) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound("There is no such API token.")
    if token.revoked_at is not None:
        raise Conflict(f"The token {token.name!r} was already revoked.")
    token.revoked_at = now
    audit.record(session, "api_token.revoked", now=now, actor=actor, subject_type="api_token", subject_id=token.id)
    session.commit()
    return token
