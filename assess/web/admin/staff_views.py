"""The staff page: everyone who works here, invited by email, with their role and whether they may sign in."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from ... import clock, db
from ...config import Config
from ...errors import AppError, NotFound
from ...models import Role
from ...services import staff
from .. import actions
from ..mail_said import fate, mail_server
from ..access import current_staff
from . import bp
from .forms import ActionForm, RoleForm, StaffInviteForm


def _config() -> Config:
    return current_app.config["ASSESS"]  # type: ignore[no-any-return]


def _staff_page(form: StaffInviteForm, status: int = 200) -> tuple[str, int]:
    return render_template("admin/staff.html", form=form, people=staff.members(db.session(), clock.now()),
                           role_form=RoleForm(formdata=None), action_form=ActionForm(), me=current_staff(),
                           smtp=mail_server(), now=clock.now()), status


@bp.get("/staff")
def staff_page() -> tuple[str, int]:
    """Everyone on the staff, what each may do, and whether they have signed in yet."""
    return _staff_page(StaffInviteForm(formdata=None))


def _link_said(name: str) -> str:
    said = fate(f"The email to {name}")
    return said + (" Copy their link from the list below and pass it on yourself." if not mail_server() else "")


@bp.post("/staff")
def invite_staff() -> Response | tuple[str, int]:
    """Make an account and email the person a link to choose their password."""
    form = StaffInviteForm()
    if not form.validate_on_submit():
        return _staff_page(form, status=400)
    try:
        user = staff.invite(db.session(), _config(), email=form.email.data or "", name=form.name.data or "",
                            role=Role(form.role.data), actor=current_staff(), now=clock.now())
    except AppError as error:
        form.email.errors = [error.message]
        return _staff_page(form, status=error.status_code)
    flash(f"{user.name} is invited as {user.role.label.lower()}. {_link_said(user.name)} "
          "The link works for 7 days.", "success")
    return redirect(url_for("admin.staff_page", _anchor=f"staff-{user.id}"))


def _back(user_id: int) -> str:
    return url_for("admin.staff_page", _anchor=f"staff-{user_id}")


@bp.post("/staff/<int:user_id>/role")
def change_role(user_id: int) -> Response:
    form = RoleForm()

    def change() -> str:
        user = staff.by_id(db.session(), user_id)
        changed = staff.set_role(db.session(), user, Role(form.role.data), actor=current_staff(), now=clock.now())
        return (f"{user.name} is now {user.role.label.lower()}." if changed
                else f"{user.name} was {user.role.label.lower()} already; nothing changed.")

    return actions.run(form, change, back=_back(user_id), raises=(NotFound,))


def _switch(user_id: int, active: bool) -> Response:
    def switch() -> str:
        user = staff.by_id(db.session(), user_id)
        was = user.active
        staff.set_active(db.session(), user, active=active, actor=current_staff(), now=clock.now())
        if was == active:
            return f"{user.name}'s account was {'enabled' if active else 'disabled'} already."
        return (f"{user.name} can sign in again." if active
                else f"{user.name} can no longer sign in; their sessions and password links have ended.")

    return actions.run(ActionForm(), switch, back=_back(user_id), raises=(NotFound,))


@bp.post("/staff/<int:user_id>/disable")
def disable_staff(user_id: int) -> Response:
    return _switch(user_id, False)


@bp.post("/staff/<int:user_id>/enable")
def enable_staff(user_id: int) -> Response:
    return _switch(user_id, True)


@bp.post("/staff/<int:user_id>/password-link")
def send_password_link(user_id: int) -> Response:
    """A new link to choose a password, for someone whose welcome link ran out or who cannot sign in."""
    def send() -> str:
        user = staff.by_id(db.session(), user_id)
        staff.send_password_link(db.session(), _config(), user, actor=current_staff(), now=clock.now())
        return f"A new password link was made for {user.email}; earlier ones no longer work. " + _link_said(
            user.name)

    return actions.run(ActionForm(), send, back=_back(user_id), raises=(NotFound,))
