from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response

from ... import clock, db
from ...errors import AppError
from ...services import password_links, users
from ..mail_said import mail_server
from .. import limits
from ..limits import limiter
from ..access import current_staff, fresh_session, session_lifetime, sign_in, sign_out
from . import bp
from .forms import ChoosePasswordForm, ForgotPasswordForm, SignInForm, SignOutEverywhereForm, SignOutForm, WorkEmailsForm


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


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(limits.RESET_PER_ADDRESS, methods=["POST"])
@limiter.limit(limits.RESET_PER_ACCOUNT, methods=["POST"], key_func=limits.reset_key)
def forgot_password() -> Response | str:
    """Ask for a link to choose a new password; the answer is the same whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            password_links.ask_reset(db.session(), current_app.config["ASSESS"], form.email.data or "",
                                     now=clock.now())
        except AppError as error:
            form.email.errors = list(form.email.errors) + [error.message]
        else:
            if mail_server():
                flash(f"If {form.email.data} has an account here, a link to choose a new password is on its way. "
                      "It works once, for an hour. No email? Check the address, or ask an administrator.", "info")
            else:
                flash("No mail server is configured here, so no email can reach you: ask an administrator to send "
                      "you a password link from the Staff page.", "info")
            return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/<token>", methods=["GET", "POST"])
@limiter.limit(limits.LINK_PER_ADDRESS, deduct_when=limits.failed_attempt)
def choose_password(token: str) -> Response | tuple[str, int] | str:
    """Choose a password with an emailed link: once, while it is valid."""
    store = db.session()
    try:
        link = password_links.link_for(store, token, now=clock.now())
    except password_links.LinkGone as error:
        return render_template("auth/password_link_gone.html", message=error.message), 410
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            user = password_links.choose_password(store, token, form.password.data or "", now=clock.now())
        except password_links.LinkGone as error:
            return render_template("auth/password_link_gone.html", message=error.message), 410
        except AppError as error:
            form.password.errors = list(form.password.errors) + [error.message]
        else:
            if current_user.is_authenticated:
                logout_user()
            fresh_session(session)
            flash(f"Your password is set, {user.name}. Sign in with it; every earlier sign-in has ended.", "success")
            return redirect(url_for("auth.login"))
    page = render_template("auth/choose_password.html", form=form, link=link)
    return (page, 400) if form.is_submitted() else page
