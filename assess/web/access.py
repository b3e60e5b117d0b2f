"""Who is signed in, and which roles may open which pages."""

from __future__ import annotations

import secrets
from collections.abc import Callable, MutableMapping
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, abort, current_app, flash, request, session
from flask_login import AnonymousUserMixin, LoginManager, current_user, login_user, logout_user

from .. import clock, db
from ..config import Config
from ..models import Role, User
from ..services import users

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see that page."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


class SignedInStaff:
    """The signed-in member of staff, as Flask-Login expects to see them."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, user: User, session_id: str) -> None:
        self.user = user
        self.session_id = session_id

    def get_id(self) -> str:
        return self.session_id

    @property
    def role(self) -> Role:
        return self.user.role

    def has_role(self, *roles: Role) -> bool:
        return self.user.role in roles


class Anonymous(AnonymousUserMixin):
    role = None

    def has_role(self, *roles: Role) -> bool:
        return False


login_manager.anonymous_user = Anonymous


@login_manager.user_loader
def _load_user(session_id: str) -> SignedInStaff | None:
    user = users.load_session_user(db.session(), session_id)
    return SignedInStaff(user, session_id) if user is not None else None


SINCE, SEEN, SESSION_NONCE = "staff_since", "staff_seen", "sid"


def fresh_session(values: MutableMapping[str, Any]) -> None:
    """Drop everything in the session and give it a new identity, so nothing from before survives."""
    values.clear()
    values[SESSION_NONCE] = secrets.token_urlsafe(16)


def stamp_staff_session(values: MutableMapping[str, Any], session_id: str, now: datetime) -> None:
    """What a staff session holds: who (users.session_id), and since when, for the timeouts."""
    values["_user_id"] = session_id
    values["_fresh"] = True
    values[SINCE] = values[SEEN] = int(now.timestamp())


def session_lifetime(settings: Config) -> timedelta:
    return timedelta(hours=settings.staff_session_hours)


def sign_in(user: User) -> None:
    """Start a new staff session for user (the session id rotates)."""
    now = clock.now()
    session_id = users.start_session(db.session(), user, now=now,
                                     lifetime=session_lifetime(current_app.config["ASSESS"]))
    fresh_session(session)
    login_user(SignedInStaff(user, session_id))
    stamp_staff_session(session, session_id, now)


def sign_out() -> None:
    """End this staff session on the server, so a copy of its cookie no longer works either."""
    if current_user.is_authenticated:
        users.end_session(db.session(), current_user.get_id())
    logout_user()
    fresh_session(session)


def expired_because(values: MutableMapping[str, Any], settings: Config, now: datetime) -> str | None:
    """Why a staff session has ended on its own, or None while it is still good."""
    since, seen = values.get(SINCE), values.get(SEEN)
    if not isinstance(since, int) or not isinstance(seen, int):
        return "Your session could not be confirmed, so you were signed out. Please sign in again."
    moment = now.timestamp()
    if moment - since > settings.staff_session_hours * 3600:
        return (f"You were signed out because sessions last at most {settings.staff_session_hours} hours. "
                "Please sign in again.")
    if moment - seen > settings.staff_idle_minutes * 60:
        return (f"You were signed out after {settings.staff_idle_minutes} minutes without activity. "
                "Please sign in again; anything you saved is kept.")
    return None


def _enforce_staff_timeouts() -> None:
    if request.endpoint == "static" or not current_user.is_authenticated:
        return
    now = clock.now()
    reason = expired_because(session, current_app.config["ASSESS"], now)
    if reason is not None:
        sign_out()
        flash(reason, "info")
        return
    session[SEEN] = int(now.timestamp())


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.before_request(_enforce_staff_timeouts)

    @app.context_processor
    def _roles() -> dict[str, object]:
        return {"Role": Role}


def current_staff() -> User:
    """The User row of whoever is signed in; only call behind require_roles."""
    return current_user.user  # type: ignore[no-any-return]


def require_roles(*roles: Role) -> Callable[[], object]:
    """A before_request hook: sign-in first, then 403 unless the user has one of roles."""

    def check() -> object:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.has_role(*roles):
            abort(403)
        return None

    return check
