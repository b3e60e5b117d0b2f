"""Who is signed in, and which roles may open which pages."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, abort
from flask_login import AnonymousUserMixin, LoginManager, current_user

from .. import db
from ..models import Role, User
from ..services import users

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see that page."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


class StaffSession:
    """The signed-in member of staff, as Flask-Login expects to see them."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        return users.session_id(self.user)

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
def _load_user(session_id: str) -> StaffSession | None:
    user = users.load_session_user(db.session(), session_id)
    return StaffSession(user) if user is not None else None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)

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
