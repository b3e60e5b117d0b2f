"""The opening's people: its hiring manager, co-owners and recruiters, and what recruiters may see."""

from __future__ import annotations

from flask import render_template, url_for
from werkzeug.wrappers import Response

from ... import clock, db
from ...errors import NotFound
from ...models import Role
from ...services import opening_team
from .. import actions
from ..mail_said import fate
from ..access import current_staff
from . import bp, current_opening
from .common import config
from .forms import ActionForm, MemberForm, RecruiterSightForm


@bp.get("/openings/<slug>/people")
def people_page() -> str:
    """Who works on the opening, who else could, and whether its recruiters see the results."""
    found = current_opening()
    team = opening_team.team_of(db.session(), found)
    form = MemberForm(formdata=None)
    form.user_id.choices = [(u.id, f"{u.name} ({u.role.label.lower()}, {u.email})") for u in team.addable]
    return render_template("hiring/people.html", opening=found, team=team, form=form, action_form=ActionForm(),
                           sight_form=RecruiterSightForm(formdata=None, shown=found.recruiters_see_results),
                           recruiters=[m for m in team.members if m.user.role is Role.RECRUITER])


def _back() -> str:
    return url_for("hiring.people_page")


@bp.post("/openings/<slug>/people")
def add_member() -> Response:
    form = MemberForm()

    def add() -> str:
        found = current_opening()
        added = opening_team.add(db.session(), config(), found, form.user_id.data or 0, actor=current_staff(),
                                 now=clock.now())
        return f"Added to the team. {fate('The email telling them')}" if added else "They were on the team already."

    return actions.run(form, add, back=_back(), raises=(NotFound,))


@bp.post("/openings/<slug>/people/<int:user_id>/remove")
def remove_member(user_id: int) -> Response:
    def remove() -> str:
        gone = opening_team.remove(db.session(), current_opening(), user_id, actor=current_staff(), now=clock.now())
        return "Taken off the team: the opening is no longer theirs to see." if gone else "They were not on the team."

    return actions.run(ActionForm(), remove, back=_back())


@bp.post("/openings/<slug>/people/<int:user_id>/hand-over")
def hand_over(user_id: int) -> Response:
    def hand() -> str:
        manager = opening_team.hand_over(db.session(), config(), current_opening(), user_id,
                                         actor=current_staff(), now=clock.now())
        return (f"{manager.name} is now the opening's hiring manager, named on candidates' emails; "
                "the one before stays on as a co-owner.")

    return actions.run(ActionForm(), hand, back=_back())


@bp.post("/openings/<slug>/people/recruiters")
def recruiter_sight() -> Response:
    form = RecruiterSightForm()

    def switch() -> str:
        shown = bool(form.shown.data)
        changed = opening_team.show_results_to_recruiters(db.session(), current_opening(), shown,
                                                           actor=current_staff(), now=clock.now())
        what = ("Recruiters on this opening now see candidates' work, scorecards and results." if shown else
                "Candidates' work, scorecards and results are hidden from recruiters on this opening again.")
        return what if changed else "Nothing changed: " + what[0].lower() + what[1:]

    return actions.run(form, switch, back=_back())
