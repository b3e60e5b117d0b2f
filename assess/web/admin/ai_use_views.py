"""The AI-use log: every draft with what it answered, who saw it, and the ratings before and after; CSV or JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta

from flask import Response, render_template, request, url_for
from wtforms import DateField, SelectChoice, SelectField
from wtforms.validators import NumberRange, Optional

from ... import clock, db
from ...errors import InputError, NotFound
from ...services import ai_use
from ..access import current_staff
from ..errors import json_error
from ..forms import BoundedIntegerField, Form
from . import bp

ANY = ""


class AiUseFilterForm(Form):
    """Which drafts to download, read from the query string; a bookmarkable GET, so no CSRF token."""

    class Meta:
        csrf = False

    opening = SelectField("Opening", default=ANY, validators=[Optional()])
    since = DateField("Asked for from", validators=[Optional()])
    until = DateField("Until (inclusive)", validators=[Optional()])
    page = BoundedIntegerField("Page", default=1, validators=[Optional(), NumberRange(
        min=1, message="Pages are numbered from 1; leave the page out for the first.")])


def _filter_form() -> AiUseFilterForm:
    form = AiUseFilterForm(request.args)
    form.opening.choices = [SelectChoice(ANY, "Every opening"),
                            *(SelectChoice(slug, title) for slug, title in ai_use.openings(db.session()))]
    return form


def _query(form: AiUseFilterForm) -> ai_use.AiUseQuery:
    """The filters, or an InputError naming each one that cannot be read."""
    if not form.validate():
        problems = [f"{form[name].label.text}: {error}" for name, errors in form.errors.items() for error in errors]
        raise InputError(" ".join(problems) + " Use dates like 2026-11-02 and an opening from the list.")
    since = datetime.combine(form.since.data, time.min, tzinfo=UTC) if form.since.data else None
    until = datetime.combine(form.until.data, time.min, tzinfo=UTC) + timedelta(days=1) if form.until.data else None
    if since and until and since >= until:
        raise InputError("The first day comes after the last: swap them.")
    return ai_use.AiUseQuery(opening=form.opening.data or None, since=since, until=until)


@bp.get("/ai-use")
def ai_use_page() -> str:
    """What the AI-use log holds, and its downloads with filters."""
    return render_template("admin/ai_use.html", form=_filter_form(), per_page=ai_use.PER_PAGE)


@bp.get("/ai-use.csv")
def ai_use_csv() -> Response:
    """Every draft, one line per dimension, as CSV a spreadsheet opens with its accents."""
    query = _query(_filter_form())
    body = ai_use.export_csv(db.session(), query, viewer=current_staff(), now=clock.now())
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="ai-use.csv"'})


@bp.get("/ai-use.json")
def ai_use_json() -> Response | tuple[Response, int]:
    """One page of the log as JSON, with the address of the next page while there is one."""
    form = _filter_form()
    try:
        query = _query(form)
        found = ai_use.export_page(db.session(), query, 1 if form.page.data is None else form.page.data,
                                   viewer=current_staff(), now=clock.now())
    except (InputError, NotFound) as error:
        return json_error(error.status_code, error.title, error.message)
    others = {k: v for k, v in request.args.items() if k != "page"}
    following = url_for("admin.ai_use_json", **others, page=found.page + 1) if found.has_next else None
    body = {"page": found.page, "pages": found.pages, "per_page": found.per_page, "total": found.total,
            "next": following, "drafts": list(found.items)}
    return Response(json.dumps(body, indent=2, ensure_ascii=False), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="ai-use-{found.page}.json"'})
