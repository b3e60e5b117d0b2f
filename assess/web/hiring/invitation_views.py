"""Inviting candidates and looking after their links: invite, invite many, resend, withdraw, more time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, request
from markupsafe import Markup
from werkzeug.wrappers import Response

from ... import clock, db
from ...content_registry import library
from ...errors import AppError
from ...models import Candidate
from ...services import invitations, link_batches, links, openings
from .. import actions, limits
from ..access import current_staff
from ..actions import Said
from ..dates import when
from ..forms import ConfirmForm
from ..limits import limiter
from . import bp, current_opening, for_recruiters
from .opening_views import opening_page
from .common import back_to, back_to_list, config, names_of
from .forms import (
    ActionForm,
    BulkInviteForm,
    BulkLinksForm,
    BulkWithdrawForm,
    ExtendTimeForm,
    ExtendWindowForm,
    InviteFileForm,
    InviteForm,
)

# A session cookie holds the messages, so a long list of refused lines is summed up rather than dropped whole.
SHOWN_PROBLEMS = 5


def _sent_message(invited: list[invitations.Invited], did: str = "Invited") -> Said:
    """What became of the invitation emails, after what was done ("Invited Ada, Alan")."""
    names = names_of([i.candidate for i in invited])
    failed = [i for i in invited if i.email.error]
    if failed:
        return Said(
            f"{did} {names}, but the email to {', '.join(i.candidate.email for i in failed)} could not be "
            "sent. The message and its link are in the outbox; check the mail settings and use Resend.", "error")
    if not config().smtp_host:
        return Said(f"{did} {names}; the invitation email was kept in the outbox (no mail server is configured).")
    if all(i.email.sent_at for i in invited):
        return Said(f"{did} {names}; the invitation email was sent.")
    return Said(f"{did} {names}; the invitation email is queued and goes out in a moment (the outbox shows when).")


@bp.post("/openings/<slug>/invite")
@for_recruiters()
def invite() -> Response:
    form = InviteForm()

    def step() -> Said:
        invited = invitations.invite(
            db.session(), config(), library(), current_opening(), name=form.name.data or "",
            email=form.email.data or "", actor=current_staff(), now=clock.now(),
        )
        return _sent_message([invited])

    return actions.run(form, step, back=back_to("hiring.opening"))


@bp.post("/openings/<slug>/invite-many")
@for_recruiters()
def invite_many() -> Response | tuple[str, int]:
    """Invite everyone on a pasted list; the lines not invited come back in the box with the reasons, to fix."""
    form = BulkInviteForm()
    if not form.validate_on_submit():
        actions.flash_errors(form)
        return opening_page(form), 400
    try:
        result = invitations.invite_many(db.session(), config(), library(), current_opening(),
                                         form.people.data or "", actor=current_staff(), now=clock.now())
    except AppError as error:
        flash(error.message, "error")
        return opening_page(form), error.status_code
    return _after_many(result)


@bp.post("/openings/<slug>/invite-file")
@for_recruiters()
def invite_file() -> Response | tuple[str, int]:
    """Invite everyone in an uploaded CSV; the rows not invited come back in the paste box, with the reasons."""
    form = InviteFileForm()
    if not form.validate_on_submit():
        actions.flash_errors(form)
        return opening_page(), 400
    try:
        result = invitations.invite_from_file(db.session(), config(), library(), current_opening(),
                                              form.people_file.data.read(), actor=current_staff(), now=clock.now())
    except AppError as error:
        flash(error.message, "error")
        return opening_page(), error.status_code
    return _after_many(result)


def _after_many(result: invitations.BulkInvite) -> Response | tuple[str, int]:
    if result.invited:
        sent = _sent_message(result.invited)
        flash(sent.message, "success")
    if not result.problems:
        return redirect(back_to("hiring.opening"))
    for problem in result.problems[:SHOWN_PROBLEMS]:
        flash(f"Not invited: {problem}", "error")
    if len(result.problems) > SHOWN_PROBLEMS:
        flash(f"{len(result.problems) - SHOWN_PROBLEMS} more lines were not invited.", "error")
    flash(f"The {len(result.left)} line{'s' if len(result.left) != 1 else ''} not invited "
          f"{'are' if len(result.left) != 1 else 'is'} back in the box below: fix and send again.", "info")
    return opening_page(BulkInviteForm(formdata=None, people="\n".join(result.left))), 200 if result.invited else 400


def _say_skipped(skipped: list[tuple[Candidate, str]], what: str) -> None:
    for person, why in skipped[:SHOWN_PROBLEMS]:
        flash(f"{what} {person.name}: {why.rstrip('.')}.", "error")
    if len(skipped) > SHOWN_PROBLEMS:
        flash(f"{len(skipped) - SHOWN_PROBLEMS} more were left alone, for the same kinds of reason.", "error")


def _on_ticked(form: BulkLinksForm, step: Callable[[list[int]], link_batches.Batch], what: str,
               said: Callable[[link_batches.Batch], Said]) -> Response:
    """A step on every ticked candidate of the list, then back to the same page of the same list."""
    back = back_to_list()
    if not form.validate_on_submit():
        if form.candidates.errors:  # an id that is not a number: a page tampered with or from another version
            form.candidates.errors = ["Tick candidates from the list (reload the page if it is old)."]
        actions.flash_errors(form)
        return redirect(back)
    try:
        done = step(form.candidates.data or [])
    except AppError as error:
        flash(error.message, "error")
        return redirect(back)
    if done.done:
        message = said(done)
        flash(message.message, message.category)
    _say_skipped(done.skipped, what)
    return redirect(back)


@bp.post("/openings/<slug>/candidates/resend-links")
@for_recruiters()
def resend_many() -> Response:
    """A new link to each ticked candidate, except those in the middle of an exercise or just sent one."""
    def step(ids: list[int]) -> link_batches.Batch:
        return link_batches.resend_many(db.session(), config(), library(), current_opening(), ids,
                                        actor=current_staff(), now=clock.now())

    return _on_ticked(BulkLinksForm(), step, "No new link for",
                      lambda done: _sent_message(done.sent, "Sent new links to"))


@bp.post("/openings/<slug>/candidates/withdraw-links")
@for_recruiters()
def withdraw_many() -> Response:
    def step(ids: list[int]) -> link_batches.Batch:
        return link_batches.withdraw_many(db.session(), current_opening(), ids, actor=current_staff(),
                                          now=clock.now())

    def said(done: link_batches.Batch) -> Said:
        busy = (f" {done.under_way} of them {'was' if done.under_way == 1 else 'were'} in the middle of an "
                "exercise; what they saved is kept and handed in when their time runs out.") if done.under_way else ""
        return Said(f"Withdrew the links of {names_of(done.done)}; those links no longer work.{busy}")

    return _on_ticked(BulkWithdrawForm(), step, "Nothing withdrawn for", said)


CandidateStep = Callable[[Candidate, Any], "str | Said"]


def _on_candidate(candidate_id: int, form: Any, step: CandidateStep) -> Response:
    """One step on one candidate of this opening; an id from another opening is not found."""
    candidate = openings.candidate_of(db.session(), current_opening(), candidate_id)
    return actions.run(form, lambda: step(candidate, form), back=back_to_list())


@bp.post("/openings/<slug>/candidates/<int:candidate_id>/resend")
@limiter.limit(limits.RESEND_PER_CANDIDATE, key_func=limits.candidate_key, deduct_when=limits.succeeded)
@for_recruiters()
def resend(candidate_id: int) -> Response:
    def step(candidate: Candidate, _form: Any) -> Said:
        invited = invitations.resend(db.session(), config(), library(), candidate, actor=current_staff(),
                                     now=clock.now(), replaces=request.form.get("replaces", type=int))
        sent = _sent_message([invited])
        return Said(f"A new link went to {invited.candidate.name}; the old one no longer works. " + sent.message)

    return _on_candidate(candidate_id, ActionForm(), step)


@bp.post("/openings/<slug>/candidates/<int:candidate_id>/revoke")
@for_recruiters()
def revoke(candidate_id: int) -> Response:
    def step(candidate: Candidate, _form: Any) -> str:
        links.revoke(db.session(), candidate, actor=current_staff(), now=clock.now())
        return f"{candidate.name}'s link no longer works."

    return _on_candidate(candidate_id, ConfirmForm(), step)


@bp.post("/openings/<slug>/candidates/<int:candidate_id>/extend-window")
@for_recruiters()
def extend_window(candidate_id: int) -> Response:
    def step(candidate: Candidate, form: ExtendWindowForm) -> str:
        invitation = links.extend_window(db.session(), candidate, form.days.data, actor=current_staff(),
                                               now=clock.now())
        return Markup("{}'s link now works until {}.").format(candidate.name, when(invitation.expires_at))

    return _on_candidate(candidate_id, ExtendWindowForm(), step)


@bp.post("/openings/<slug>/candidates/<int:candidate_id>/extend-time")
@for_recruiters()
def extend_time(candidate_id: int) -> Response:
    def step(candidate: Candidate, form: ExtendTimeForm) -> str:
        links.extend_time(db.session(), candidate, form.minutes.data, actor=current_staff(), now=clock.now())
        return f"{candidate.name} now has {candidate.extra_minutes} extra minutes on each exercise."

    return _on_candidate(candidate_id, ExtendTimeForm(), step)
