from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from ... import db
from ...services import users
from .. import limits
from ..limits import limiter
from ..access import fresh_session, sign_in
from . import bp
from .forms import SignInForm, SignOutForm


def _safe_next(target: str | None) -> str | None:
    """Only follow a ?next= that stays on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(limits.SIGN_IN_PER_ADDRESS, methods=["POST"])
@limiter.limit(limits.SIGN_IN_PER_ACCOUNT, methods=["POST"], key_func=limits.account_key)
def login() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    if form.validate_on_submit():
        user = users.authenticate(db.session(), form.email.data or "", form.password.data or "")
        if user is None:
            form.password.errors = list(form.password.errors) + [
                "That email and password do not match an active account. "
                "Check them and try again, or ask an administrator to reset your access."
            ]
        else:
            next_url = _safe_next(request.args.get("next"))
            sign_in(user)
            flash(f"Welcome, {user.name}.", "success")
            return redirect(next_url or url_for("main.home"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    form = SignOutForm()
    if form.validate_on_submit():
        logout_user()
        fresh_session(session)
        flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
