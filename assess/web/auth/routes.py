from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response

from ... import clock, db
from ...services import users
from .. import limits
from ..limits import limiter
from ..access import current_staff, fresh_session, session_lifetime, sign_in, sign_out
from . import bp
from .forms import SignInForm, SignOutEverywhereForm, SignOutForm, WorkEmailsForm


def _safe_next(target: str | None) -> str | None:
    """Only follow a ?next= that stays on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(limits.SIGN_IN_PER_ADDRESS, methods=["POST"], deduct_when=limits.failed_attempt)
@limiter.limit(limits.SIGN_IN_PER_ACCOUNT, methods=["POST"], key_func=limits.account_key,
               deduct_when=limits.failed_attempt)
def login() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    if form.validate_on_submit():
        user = users.authenticate(db.session(), form.email.data or "", form.password.data or "", now=clock.now())
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
        sign_out()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.get("/account")
@login_required
def account() -> str:
    settings = current_app.config["ASSESS"]
    others = users.live_sessions(db.session(), current_staff(), now=clock.now(),
                                 lifetime=session_lifetime(settings)) - 1
    return render_template("auth/account.html", form=SignOutEverywhereForm(), others=max(others, 0),
                           emails=WorkEmailsForm(obj=current_staff()))


@bp.post("/account/emails")
@login_required
def work_emails() -> Response:
    """Which emails about their work an interviewer gets."""
    form = WorkEmailsForm()
    if form.validate_on_submit():
        users.set_work_emails(db.session(), current_staff(), given=form.assignment_emails.data,
                              digest=form.daily_digest.data, now=clock.now())
        flash("Your email choices are saved.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere() -> Response:
    if SignOutEverywhereForm().validate_on_submit():
        users.end_every_session(db.session(), current_staff(), now=clock.now())
        logout_user()
        fresh_session(session)
        flash("You are signed out on every device and browser.", "info")
        return redirect(url_for("auth.login"))
    return redirect(url_for("auth.account"))
