"""Rate limits on the doors people could hammer: failed sign-ins, invitation links, link resends.

Counters live in Redis when ASSESS_REDIS_URL is set, so every web process shares them;
otherwise in the process's memory, which is enough for one process on a laptop.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from ..config import Config

# If Redis stops answering, each process counts in memory until it is back: pages keep working.
limiter = Limiter(key_func=get_remote_address, headers_enabled=True, strategy="moving-window",
                  key_prefix="assess-limits", swallow_errors=True, in_memory_fallback_enabled=True)

# Failed sign-ins per address, then per account: many guesses from one place, or a few from many places
# at one account. Sign-ins that work count for nothing, so a busy colleague is never held up.
SIGN_IN_PER_ADDRESS = "10 per minute;50 per hour"
SIGN_IN_PER_ACCOUNT = "5 per minute;20 per hour"
# Invitation tokens are 256 bits, so guessing is hopeless; this stops anyone trying at volume. Only
# links that do not work count, so candidates behind one office address are never held up.
LINK_PER_ADDRESS = "20 per minute;200 per hour"
# Each asks for an email: a few per address, fewer per account, so nobody fills someone's inbox.
RESET_PER_ADDRESS = "5 per minute;30 per hour"
RESET_PER_ACCOUNT = "3 per 10 minutes;10 per day"
# A new link mails the candidate each time; a handful per candidate is plenty.
RESEND_PER_CANDIDATE = "3 per 10 minutes;10 per day"


def storage_uri(config: Config) -> str:
    return config.redis_url or "memory://"


def account_key() -> str:
    return "sign-in:" + (request.form.get("email") or "").strip().lower()


def reset_key() -> str:
    return "reset:" + (request.form.get("email") or "").strip().lower()


def candidate_key() -> str:
    args = request.view_args or {}
    return f"resend:{args.get('candidate_id')}"


def failed_attempt(response: Response) -> bool:
    """A sign-in or a link that worked redirects; anything else (a wrong password, an unknown link) counts."""
    return not 300 <= response.status_code < 400


def succeeded(response: Response) -> bool:
    """Only requests that got past the checks count: a stranger's refused POST uses up nothing."""
    return response.status_code < 400


def init_app(app: Flask, config: Config) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage_uri(config))
    limiter.init_app(app)
