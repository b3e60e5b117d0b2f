"""Staff accounts: create, authenticate, enable and disable."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..db import utcnow
from ..errors import Conflict, InputError, NotFound
from ..models import Role, User
from . import audit

MIN_PASSWORD_LENGTH = 12
# Checked against when the email is unknown, so a wrong address costs as long as a wrong password.
_UNKNOWN_USER_HASH = generate_password_hash("unknown-user-placeholder")


def normalise_email(email: str) -> str:
    """Check an address and return it in the one form we store, or raise InputError."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise InputError(f"{email!r} is not a valid email address: {error}") from error


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower().replace(" ", "_").replace("-", "_"))
    except ValueError as error:
        choices = ", ".join(r.value for r in Role)
        raise InputError(f"{value!r} is not a role; choose one of {choices}.") from error


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            f"The password is too short: use at least {MIN_PASSWORD_LENGTH} characters."
        )


def create_user(
    session: Session, *, email: str, name: str, role: Role, password: str, actor: User | None = None
) -> User:
    """Create a member of staff with a hashed password."""
    address = normalise_email(email)
    if not name.strip():
        raise InputError("Give the person's name.")
    check_password(password)
    if session.scalar(select(User.id).where(User.email == address)) is not None:
        raise Conflict(f"There is already a staff account for {address}.")
    user = User(
        email=address,
        name=name.strip(),
        role=role,
        password_hash=generate_password_hash(password),
    )
    session.add(user)
    session.flush()
    audit.record(
        session, "user.created", actor=actor, actor_kind=None if actor else "cli",
        subject_type="user", subject_id=user.id, role=role.value,
    )
    session.commit()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the active user with these credentials, recording the sign-in; else None."""
    address = email.strip().lower()
    user = session.scalar(select(User).where(User.email == address))
    if user is None:
        check_password_hash(_UNKNOWN_USER_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    audit.record(session, "user.signed_in", actor=user, subject_type="user", subject_id=user.id)
    session.commit()
    return user


def load_session_user(session: Session, session_id: str) -> User | None:
    """Find the user a session cookie names, if that session is still valid."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.active or user.auth_version != int(version):
        return None
    return user


def session_id(user: User) -> str:
    """The identifier stored in the session cookie; it changes when sessions are ended."""
    return f"{user.id}:{user.auth_version}"


def set_active(session: Session, *, email: str, active: bool, actor: User | None = None) -> User:
    """Enable or disable an account; disabling ends every session it has."""
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"There is no staff account for {email}.")
    user.active = active
    user.auth_version += 1
    audit.record(
        session, "user.enabled" if active else "user.disabled", actor=actor,
        actor_kind=None if actor else "cli", subject_type="user", subject_id=user.id,
    )
    session.commit()
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.role, User.name)))
