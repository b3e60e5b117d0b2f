"""The API's operations. Each checks its token's scope, reads its input through a model of schemas.py,
calls one service and answers with a model of schemas.py; openapi.py builds the document from the
same declarations, so it describes exactly these operations."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Response, current_app, g, jsonify, request
from pydantic import BaseModel, ValidationError

from ... import clock, db
from ...content_registry import library
from ...errors import Forbidden, InputError
from ...models import ApiToken
from ...models import Candidate as CandidateRow
from ...models import Decision as DecisionRow
from ...models import Scorecard as ScorecardRow
from ...services import api_reads, api_tokens, calibration_reads, decisions, invitations, openings, results
from ...services.attempts import steps
from ..errors import FieldError, json_error
from ..forms import LARGEST_INT
from ..limits import limiter
from . import bp
from .schemas import (
    Candidate,
    CandidatePage,
    Decision,
    DecisionRequest,
    Exercise,
    ExerciseProgress,
    Invitation,
    MAX_PER_PAGE,
    InvitationRequest,
    Opening,
    OpeningPage,
    PageQuery,
    RankedCandidate,
    Results,
    Scorecard,
    ScorecardPage,
)
from .spec import Operation

OPERATIONS: list[Operation] = []
M = TypeVar("M", bound=BaseModel)


def _per_token() -> str:
    return f"{current_app.config['ASSESS'].api_requests_per_minute} per minute"


def _token_key() -> str:
    return f"api:{request.headers.get('Authorization', '')[-16:]}"


def _unauthorised(message: str) -> tuple[Response, int, dict[str, str]]:
    body, status = json_error(401, "Unauthorized", message)
    return body, status, {"WWW-Authenticate": 'Bearer realm="assess", error="invalid_token"'}


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


def operation(described: Operation) -> Callable[[Callable[..., BaseModel]], Callable[..., Any]]:
    """Route the view as described, refuse tokens without its scope, and answer with the model it returns."""
    def wrap(view: Callable[..., BaseModel]) -> Callable[..., Any]:
        @wraps(view)
        def answered(*args: Any, **kwargs: Any) -> tuple[Response, int]:
            if described.scope not in _token().scopes:
                raise Forbidden(f"This token lacks the {described.scope!r} scope. "
                                "Ask an admin for a token that has it.")
            return jsonify(view(*args, **kwargs).model_dump(mode="json")), described.status
        limited = limiter.limit(_per_token, key_func=_token_key, scope="api")(answered)  # one budget for all routes
        OPERATIONS.append(described)
        return bp.route(described.rule, methods=[described.method])(limited)
    return wrap


def _problems(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors())


def _first_field(error: ValidationError) -> str | None:
    location = error.errors()[0]["loc"] if error.errors() else ()
    return ".".join(str(p) for p in location) or None


def _body(model: type[M], hint: str) -> M:
    """The JSON body read into model; hint says what to send when it is not even an object."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InputError(hint)
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise FieldError(f"Fix these fields and send again: {_problems(error)}", _first_field(error)) from None


def _paging() -> PageQuery:
    try:
        return PageQuery.model_validate(request.args.to_dict())
    except ValidationError as error:
        field = _first_field(error)
        if any(e["type"].startswith("int_") for e in error.errors()):
            raise FieldError("page and per_page must be whole numbers.", field) from None
        raise FieldError(f"page is a number from 1 to {LARGEST_INT:,}, and per_page must be between 1 and "
                         f"{MAX_PER_PAGE}.", field) from None


# -- openings ---------------------------------------------------------------------------------------


def _opening(summary: openings.OpeningSummary) -> Opening:
    opening = summary.opening
    return Opening(
        slug=opening.slug, title=opening.title, created_at=opening.created_at, candidates=summary.candidates,
        exercises=[Exercise(key=e.exercise_key, title=library().exercise(e.exercise_key).content.title,
                            time_limit_minutes=e.time_limit_minutes) for e in opening.exercises],
        scoring_closed=opening.scoring_closed_at is not None,
    )


@operation(Operation("GET", "/openings", "listOpenings", "Openings with their exercises", "openings:read",
                     OpeningPage, "A page of openings, newest first.", (403, 422), query=PageQuery))
def list_openings() -> OpeningPage:
    wanted = _paging()
    return OpeningPage.of(api_reads.openings_page(db.session(), page=wanted.page, per_page=wanted.per_page)
                          .map(_opening))


# -- invitations -------------------------------------------------------------------------------------


@operation(Operation("POST", "/openings/<slug>/invitations", "createInvitation",
                     "Invite a candidate and email them their link", "invitations:write", Invitation,
                     "The candidate, invited.", (400, 403, 404, 409, 422), status=201, body=InvitationRequest))
def create_invitation(slug: str) -> Invitation:
    session = db.session()
    opening = openings.opening_at(session, slug)
    wanted = _body(InvitationRequest, "Send a JSON object with the candidate's name and email.")
    now = clock.now()
    invited = invitations.invite(session, current_app.config["ASSESS"], library(), opening, name=wanted.name, email=wanted.email,
                                 actor=None, actor_kind="api", now=now)
    return Invitation(**_candidate(invited.candidate, now).model_dump(), link=invited.link,
                      expires_at=invited.invitation.expires_at, email_sent=invited.email.sent_at is not None)


# -- candidates and their submissions --------------------------------------------------------------


def _decision(decision: DecisionRow | None) -> Decision | None:
    if decision is None:
        return None
    return Decision(outcome=decision.outcome.value, rationale=decision.rationale, decided_at=decision.created_at,
                    decided_by=decision.decided_by.name,
                    candidate_email=decision.email.status.value if decision.email is not None else None)


def _candidate(candidate: CandidateRow, now: Any, decision: DecisionRow | None = None) -> Candidate:
    return Candidate(
        id=candidate.id, name=candidate.name, email=candidate.email, code=candidate.pseudonym,
        invited_at=candidate.created_at, erased=candidate.erased_at is not None,
        exercises=[ExerciseProgress(
            key=step.exercise.key, state=step.state,
            started_at=step.attempt.started_at if step.attempt else None,
            submitted_at=step.attempt.submission.submitted_at if step.attempt and step.attempt.submission else None,
        ) for step in steps(library(), candidate, now)],
        decision=_decision(decision), stage=candidate.stage, progress=candidate.progress,
    )


@operation(Operation("GET", "/openings/<slug>/candidates", "listCandidates",
                     "Candidates and their progress through each exercise", "submissions:read", CandidatePage,
                     "A page of candidates, newest first.", (403, 404, 422), query=PageQuery))
def list_candidates(slug: str) -> CandidatePage:
    session = db.session()
    opening = openings.opening_at(session, slug)
    wanted, now = _paging(), clock.now()
    found = api_reads.candidates_page(session, opening, page=wanted.page, per_page=wanted.per_page,
                                      token_id=_token().id, now=now)
    decided = decisions.current(session, [c.id for c in found.items])
    return CandidatePage.of(found.map(lambda candidate: _candidate(candidate, now, decided.get(candidate.id))))


@operation(Operation("GET", "/openings/<slug>/candidates/<int:candidate_id>", "getCandidate",
                     "One candidate and their progress", "submissions:read", Candidate, "The candidate.",
                     (403, 404)))
def get_candidate(slug: str, candidate_id: int) -> Candidate:
    session = db.session()
    now = clock.now()
    found = api_reads.candidate(session, openings.opening_at(session, slug), candidate_id, token_id=_token().id,
                                now=now)
    return _candidate(found, now, decisions.current(session, [found.id]).get(found.id))


@operation(Operation("POST", "/openings/<slug>/candidates/<int:candidate_id>/decisions", "recordDecision",
                     "Record a decision on a candidate whose scorecards are in", "decisions:write", Decision,
                     "The decision, recorded; it supersedes any earlier one, which is kept.",
                     (400, 403, 404, 409, 422), status=201, body=DecisionRequest))
def record_decision(slug: str, candidate_id: int) -> Decision:
    session = db.session()
    opening = openings.opening_at(session, slug)
    person = openings.candidate_of(session, opening, candidate_id)
    wanted = _body(DecisionRequest, "Send a JSON object with the outcome (advance, hold or reject) and the "
                                    "rationale.")
    made = decisions.decide(session, library(), opening, person, wanted.outcome, wanted.rationale,
                            actor=_token().created_by, now=clock.now(), tell_candidate=wanted.email_candidate)
    return _decision(made.decision)  # type: ignore[return-value]


# -- scorecards and results ---------------------------------------------------------------------------


def _scorecard(card: ScorecardRow) -> Scorecard:
    attempt = card.assignment.attempt
    return Scorecard(
        id=card.id, candidate_id=attempt.candidate_id, exercise=attempt.exercise_key,
        interviewer=card.assignment.interviewer.name, recommendation=card.recommendation,
        submitted_at=card.submitted_at,
        ratings={r.dimension_key: r.score for r in sorted(card.ratings, key=lambda r: r.dimension_key)},
    )


@operation(Operation("GET", "/openings/<slug>/scorecards", "listScorecards", "Submitted scorecards",
                     "scorecards:read", ScorecardPage, "A page of submitted scorecards.", (403, 404, 422),
                     query=PageQuery))
def list_scorecards(slug: str) -> ScorecardPage:
    session = db.session()
    opening = openings.opening_at(session, slug)
    wanted = _paging()
    return ScorecardPage.of(api_reads.scorecards_page(session, opening, page=wanted.page, per_page=wanted.per_page)
                            .map(_scorecard))


def _ranked(row: results.CandidateRow, decided: DecisionRow | None) -> RankedCandidate:
    estimate = row.estimate
    return RankedCandidate(
        rank=row.rank, candidate_id=row.candidate.id, code=row.candidate.pseudonym,
        calibrated_score=round(estimate.score, 4), interval_80=(round(estimate.low, 4), round(estimate.high, 4)),
        raw_mean=round(estimate.raw_mean, 4), raw_rank=row.raw_rank, scorecards=row.scorecards,
        flags=list(row.flags), decision=decided.outcome.value if decided else None,
    )


@operation(Operation("GET", "/openings/<slug>/results", "getResults", "Calibrated ranking with 80% intervals",
                     "results:read", Results, "A page of the ranking, worked out when the scorecards last changed.",
                     (403, 404, 422), query=PageQuery))
def get_results(slug: str) -> Results:
    session = db.session()
    opening = openings.opening_at(session, slug)
    wanted = _paging()
    stored = calibration_reads.ranking_for(session, opening, viewer=None, now=clock.now(), page=wanted.page,
                                   per_page=wanted.per_page)
    compared = stored.comparison
    decided = decisions.current(session, [row.candidate.id for row in compared.rows] if compared else [])
    return Results(opening=opening.slug,
                   ranking=[_ranked(row, decided.get(row.candidate.id)) for row in compared.rows] if compared else [],
                   page=wanted.page, per_page=wanted.per_page, total=stored.ranked, unrated_total=stored.unrated_count,
                   unrated_candidate_ids=[c.id for c in compared.unrated] if compared else [],
                   warnings=[str(w) for w in compared.warnings] if compared else [],
                   calibrated_at=stored.computed_at, updating=stored.updating, changes_since=stored.changes_since)
