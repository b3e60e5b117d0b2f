"""Invitation links: a long random token, of which only a hash is ever stored."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32  # 256 bits of randomness, twice the minimum we promise


def new_token() -> str:
    """A fresh URL-safe token for an invitation link."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The form in which a token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_pseudonym() -> str:
    """A short code that stands for a candidate in front of interviewers, e.g. '7F3A'."""
    return secrets.token_hex(2).upper()
