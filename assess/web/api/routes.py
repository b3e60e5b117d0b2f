"""The API's operations. Each checks its token's scope, calls one service and shapes the answer;
openapi.py describes exactly these operations and tests keep the two in step."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, current_app, g, jsonify, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy.orm import Session

from ... import clock, db
from ...content_registry import library
from ...errors import Forbidden, InputError
from ...models import ApiToken, Candidate, Scorecard
from ...services import api_tokens, audit, invitations, openings, results
from ...services.attempts import steps
from ..forms import LARGEST_INT, PlainLineText
from ..limits import limiter
from . import bp
from .openapi import document

PER_TOKEN = "600 per minute"


def _token_key() -> str:
    return f"api:{request.headers.get('Authorization', '')[-16:]}"


def _unauthorised(message: str) -> tuple[Response, int, dict[str, str]]:
    return (jsonify(error="Unauthorized", message=message), 401,
            {"WWW-Authenticate": 'Bearer realm="assess", error="invalid_token"'})


@bp.before_request
def _authenticate() -> tuple[Response, int, dict[str, str]] | None:
    if request.endpoint == "api.openapi":
        return None
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return _unauthorised("Send an API token as 'Authorization: Bearer <token>'. "
                             "An admin creates tokens under Admin, API tokens.")
    token = api_tokens.authenticate(db.session(), value.strip(), clock.now())
    if token is None:
        return _unauthorised("This API token is unknown or revoked. Ask an admin for a new one.")
    g.api_token = token
    return None


def _token() -> ApiToken:
    return g.api_token  # type: ignore[no-any-return]


def scoped(scope: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Refuse the request unless the token carries scope."""
    def wrap(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if scope not in _token().scopes:
                raise Forbidden(f"This token lacks the {scope!r} scope. Ask an admin for a token that has it.")
            return view(*args, **kwargs)
        return limiter.limit(PER_TOKEN, key_func=_token_key, scope="api")(checked)  # one budget for all routes
    return wrap


def _record(session: Session, action: str, subject_type: str, subject_id: int | None, **details: Any) -> None:
    audit.record(session, action, now=clock.now(), actor=None, actor_kind="api", subject_type=subject_type,
                 subject_id=subject_id, token_id=_token().id, **details)
    session.commit()


class FieldError(InputError):
    """A field of the request is missing or wrong; the message names it."""

    status_code = 422
    title = "Invalid request"


def _page() -> tuple[int, int]:
    try:
        page, per_page = int(request.args.get("page", 1)), int(request.args.get("per_page", 100))
    except ValueError as error:
        raise FieldError("page and per_page must be whole numbers.") from error
    if not 1 <= page <= LARGEST_INT or not 1 <= per_page <= 500:
        raise FieldError(f"page is a number from 1 to {LARGEST_INT:,}, and per_page must be between 1 and 500.")
    return page, per_page


def _paged(total: int, load: Callable[[int, int], list[Any]], shape: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """One page: load(limit, offset) reads only that page from the database."""
    page, per_page = _page()
    chosen = load(per_page, (page - 1) * per_page)
    return {"items": [shape(item) for item in chosen], "page": page, "per_page": per_page, "total": total}


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


# -- the document ---------------------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document(current_app.config["ASSESS"].base_url))


# -- openings ---------------------------------------------------------------------------------------


def _opening(summary: openings.OpeningSummary) -> dict[str, Any]:
    opening = summary.opening
    return {
        "slug": opening.slug, "title": opening.title, "created_at": _iso(opening.created_at),
        "candidates": summary.candidates,
        "exercises": [{"key": e.exercise_key, "title": library().exercise(e.exercise_key).content.title,
                       "time_limit_minutes": e.time_limit_minutes} for e in opening.exercises],
        "scoring_closed": opening.scoring_closed_at is not None,
    }


@bp.get("/openings")
@scoped("openings:read")
def list_openings() -> Response:
    every = openings.openings_for(db.session(), None)
    return jsonify(_paged(len(every), lambda limit, offset: every[offset:offset + limit], _opening))


# -- invitations -------------------------------------------------------------------------------------


class InvitationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: PlainLineText = Field(min_length=1, max_length=200)
    email: PlainLineText = Field(min_length=3, max_length=254)

    @field_validator("email")
    @classmethod
    def _an_address(cls, value: str) -> str:
        try:
            return invitations.normalise_email(value)
        except InputError as error:
            raise ValueError(error.message) from None


@bp.post("/openings/<slug>/invitations")
@scoped("invitations:write")
def create_invitation(slug: str) -> tuple[Response, int]:
    session = db.session()
    opening = openings.opening_at(session, slug)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InputError("Send a JSON object with the candidate's name and email.")
    try:
        wanted = InvitationRequest.model_validate(body)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors())
        raise FieldError(f"Fix these fields and send again: {problems}") from None
    invited = invitations.invite(session, current_app.config["ASSESS"], library(), opening, name=wanted.name,
                                 email=wanted.email, actor=None, actor_kind="api", now=clock.now())
    return jsonify(_candidate(invited.candidate) | {
        "link": invited.link, "expires_at": _iso(invited.invitation.expires_at),
        "email_sent": invited.email.sent_at is not None}), 201


# -- candidates and their submissions --------------------------------------------------------------


def _candidate(candidate: Candidate) -> dict[str, Any]:
    now = clock.now()
    return {
        "id": candidate.id, "name": candidate.name, "email": candidate.email, "code": candidate.pseudonym,
        "invited_at": _iso(candidate.created_at), "erased": candidate.erased_at is not None,
        "exercises": [{
            "key": step.exercise.key, "state": step.state.value,
            "started_at": _iso(step.attempt.started_at) if step.attempt else None,
            "submitted_at": _iso(step.attempt.submission.submitted_at)
            if step.attempt and step.attempt.submission else None,
        } for step in steps(library(), candidate, now)],
    }


@bp.get("/openings/<slug>/candidates")
@scoped("submissions:read")
def list_candidates(slug: str) -> Response:
    session = db.session()
    opening = openings.opening_at(session, slug)
    answer = _paged(openings.count_candidates(session, opening),
                    lambda limit, offset: openings.candidates_of(session, opening, limit=limit, offset=offset),
                    _candidate)
    _record(session, "candidates.listed", "opening", opening.id, page="api", shown=len(answer["items"]))
    return jsonify(answer)


@bp.get("/openings/<slug>/candidates/<int:candidate_id>")
@scoped("submissions:read")
def get_candidate(slug: str, candidate_id: int) -> Response:
    session = db.session()
    candidate = openings.candidate_of(session, openings.opening_at(session, slug), candidate_id)
    _record(session, "candidate.viewed", "candidate", candidate.id, page="api")
    return jsonify(_candidate(candidate))


# -- scorecards and results ---------------------------------------------------------------------------


def _scorecard(card: Scorecard) -> dict[str, Any]:
    attempt = card.assignment.attempt
    return {
        "id": card.id, "candidate_id": attempt.candidate_id, "exercise": attempt.exercise_key,
        "interviewer": card.assignment.interviewer.name, "recommendation": card.recommendation,
        "submitted_at": _iso(card.submitted_at),
        "ratings": {r.dimension_key: r.score for r in sorted(card.ratings, key=lambda r: r.dimension_key)},
    }


@bp.get("/openings/<slug>/scorecards")
@scoped("scorecards:read")
def list_scorecards(slug: str) -> Response:
    session = db.session()
    opening = openings.opening_at(session, slug)
    return jsonify(_paged(results.count_submitted(session, opening),
                          lambda limit, offset: results.submitted_scorecards(session, opening, limit=limit,
                                                                             offset=offset),
                          _scorecard))


def _ranked(row: results.CandidateRow) -> dict[str, Any]:
    estimate = row.estimate
    return {
        "rank": row.rank, "candidate_id": row.candidate.id, "code": row.candidate.pseudonym,
        "calibrated_score": round(estimate.score, 4), "interval_80": [round(estimate.low, 4), round(estimate.high, 4)],
        "raw_mean": round(estimate.raw_mean, 4), "raw_rank": row.raw_rank, "scorecards": row.scorecards,
        "flags": list(row.flags),
    }


@bp.get("/openings/<slug>/results")
@scoped("results:read")
def get_results(slug: str) -> Response:
    session = db.session()
    opening = openings.opening_at(session, slug)
    compared = results.comparison(session, library(), opening)
    return jsonify({"opening": opening.slug, "ranking": [_ranked(row) for row in compared.rows],
                    "unrated_candidate_ids": [c.id for c in compared.unrated], "warnings": list(compared.warnings)})
