"""The OpenAPI 3.0 description of /api/v1. Tests check that it names exactly the API's routes and
that real answers match its schemas; Schemathesis fuzzes the API from it."""

from __future__ import annotations

from typing import Any

from ...domain.text import SINGLE_LINE_PATTERN
from ...services.api_tokens import SCOPES

MAX_ID = 2_147_483_647


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    words = {400: "The request is malformed; the message says how to fix it.",
             401: "No token, or an unknown or revoked one.",
             403: "The token lacks the scope this operation needs.",
             404: "No such opening or candidate.",
             409: "The candidate is already invited and the link still works (also when two requests "
                  "invite the same address at once: one invites, the other gets this).",
             422: "A field is missing or invalid; the message names it.",
             429: "Too many requests for this token; wait and retry."}
    return {str(code): _json(_ref("Error"), words[code]) for code in (401, 429, *codes)}


def _paged(item: str) -> dict[str, Any]:
    return {"type": "object", "required": ["items", "page", "per_page", "total"], "additionalProperties": False,
            "properties": {"items": {"type": "array", "items": _ref(item)}, "page": {"type": "integer", "minimum": 1},
                           "per_page": {"type": "integer", "minimum": 1, "maximum": 500},
                           "total": {"type": "integer", "minimum": 0}}}


NULLABLE_TIME = {"type": "string", "format": "date-time", "nullable": True}
SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 80},
        "description": "The opening's address name, e.g. apm-growth."}
CANDIDATE_ID = {"name": "candidate_id", "in": "path", "required": True,
                "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}}
PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1, "default": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}},
]

SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error", "message"],
              "properties": {"error": {"type": "string"}, "message": {"type": "string"}}},
    "Exercise": {"type": "object", "required": ["key", "title", "time_limit_minutes"], "additionalProperties": False,
                 "properties": {"key": {"type": "string"}, "title": {"type": "string"},
                                "time_limit_minutes": {"type": "integer"}}},
    "Opening": {"type": "object", "additionalProperties": False,
                "required": ["slug", "title", "created_at", "candidates", "exercises", "scoring_closed"],
                "properties": {"slug": {"type": "string"}, "title": {"type": "string"},
                               "created_at": {"type": "string", "format": "date-time"},
                               "candidates": {"type": "integer", "minimum": 0},
                               "exercises": {"type": "array", "items": _ref("Exercise")},
                               "scoring_closed": {"type": "boolean"}}},
    "ExerciseProgress": {"type": "object", "additionalProperties": False,
                         "required": ["key", "state", "started_at", "submitted_at"],
                         "properties": {"key": {"type": "string"},
                                        "state": {"type": "string",
                                                  "enum": ["not_started", "in_progress", "submitted", "closed"]},
                                        "started_at": NULLABLE_TIME, "submitted_at": NULLABLE_TIME}},
    "Candidate": {"type": "object", "additionalProperties": False,
                  "required": ["id", "name", "email", "code", "invited_at", "erased", "exercises"],
                  "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "email": {"type": "string"},
                                 "code": {"type": "string", "description": "What interviewers see instead of the name."},
                                 "invited_at": {"type": "string", "format": "date-time"},
                                 "erased": {"type": "boolean"},
                                 "exercises": {"type": "array", "items": _ref("ExerciseProgress")}}},
    "InvitationRequest": {"type": "object", "required": ["name", "email"], "additionalProperties": False,
                          "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 200,
                                                  "pattern": SINGLE_LINE_PATTERN},
                                         "email": {"type": "string", "format": "email", "maxLength": 254}}},
    "Scorecard": {"type": "object", "additionalProperties": False,
                  "required": ["id", "candidate_id", "exercise", "interviewer", "recommendation", "submitted_at",
                               "ratings"],
                  "properties": {"id": {"type": "integer"}, "candidate_id": {"type": "integer"},
                                 "exercise": {"type": "string"}, "interviewer": {"type": "string"},
                                 "recommendation": {"type": "string", "nullable": True},
                                 "submitted_at": NULLABLE_TIME,
                                 "ratings": {"type": "object",
                                             "additionalProperties": {"type": "integer", "nullable": True}}}},
    "RankedCandidate": {"type": "object", "additionalProperties": False,
                        "required": ["rank", "candidate_id", "code", "calibrated_score", "interval_80", "raw_mean",
                                     "raw_rank", "scorecards", "flags"],
                        "properties": {"rank": {"type": "integer"}, "candidate_id": {"type": "integer"},
                                       "code": {"type": "string"}, "calibrated_score": {"type": "number"},
                                       "interval_80": {"type": "array", "items": {"type": "number"},
                                                       "minItems": 2, "maxItems": 2},
                                       "raw_mean": {"type": "number"}, "raw_rank": {"type": "integer"},
                                       "scorecards": {"type": "integer"},
                                       "flags": {"type": "array", "items": {"type": "string"}}}},
    "Results": {"type": "object", "additionalProperties": False,
                "required": ["opening", "ranking", "unrated_candidate_ids", "warnings"],
                "properties": {"opening": {"type": "string"},
                               "ranking": {"type": "array", "items": _ref("RankedCandidate")},
                               "unrated_candidate_ids": {"type": "array", "items": {"type": "integer"}},
                               "warnings": {"type": "array", "items": {"type": "string"}}}},
    "OpeningPage": _paged("Opening"),
    "CandidatePage": _paged("Candidate"),
    "ScorecardPage": _paged("Scorecard"),
}


SCHEMAS["Invitation"] = {
    "type": "object", "additionalProperties": False,
    "required": [*SCHEMAS["Candidate"]["required"], "link", "expires_at", "email_sent"],
    "properties": SCHEMAS["Candidate"]["properties"] | {
        "link": {"type": "string", "description": "The candidate's personal link; treat it as a secret."},
        "expires_at": {"type": "string", "format": "date-time"},
        "email_sent": {"type": "boolean",
                       "description": "True only when a mail server accepted the invitation. False when no mail "
                                      "server is configured (the email waits in the outbox) or the server refused "
                                      "it: then pass the link on yourself."}},
}


def _operation(operation_id: str, summary: str, scope: str, ok: dict[str, Any], errors: tuple[int, ...],
               parameters: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"operationId": operation_id, "summary": summary, "description": f"Needs the `{scope}` scope.",
            "security": [{"bearerAuth": []}], "parameters": parameters,
            "responses": ok | _errors(*errors), **extra}


def document(base_url: str) -> dict[str, Any]:
    """The whole OpenAPI document, with the server this installation answers on."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "assess API", "version": "1.0.0",
                 "description": "For applicant-tracking systems: openings, invitations, candidates' progress, "
                                "scorecards and calibrated results. Every call needs a bearer token that an admin "
                                "creates with the scopes it may use: " + ", ".join(SCOPES) + "."},
        "servers": [{"url": base_url.rstrip("/")}],
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "A token beginning ast_, from Admin, API tokens."}},
            "schemas": SCHEMAS,
        },
        "security": [{"bearerAuth": []}],
        "paths": {
            "/api/v1/openings": {"get": _operation(
                "listOpenings", "Openings with their exercises", "openings:read",
                {"200": _json(_ref("OpeningPage"), "A page of openings, newest first.")}, (403, 422), PAGING)},
            "/api/v1/openings/{slug}/invitations": {"post": _operation(
                "createInvitation", "Invite a candidate and email them their link", "invitations:write",
                {"201": _json(_ref("Invitation"), "The candidate, invited.")}, (400, 403, 404, 409, 422), [SLUG],
                requestBody={"required": True, "content": {"application/json": {"schema": _ref("InvitationRequest")}}})},
            "/api/v1/openings/{slug}/candidates": {"get": _operation(
                "listCandidates", "Candidates and their progress through each exercise", "submissions:read",
                {"200": _json(_ref("CandidatePage"), "A page of candidates, newest first.")}, (403, 404, 422),
                [SLUG, *PAGING])},
            "/api/v1/openings/{slug}/candidates/{candidate_id}": {"get": _operation(
                "getCandidate", "One candidate and their progress", "submissions:read",
                {"200": _json(_ref("Candidate"), "The candidate.")}, (403, 404), [SLUG, CANDIDATE_ID])},
            "/api/v1/openings/{slug}/scorecards": {"get": _operation(
                "listScorecards", "Submitted scorecards", "scorecards:read",
                {"200": _json(_ref("ScorecardPage"), "A page of submitted scorecards.")}, (403, 404, 422),
                [SLUG, *PAGING])},
            "/api/v1/openings/{slug}/results": {"get": _operation(
                "getResults", "Calibrated ranking with 80% intervals", "results:read",
                {"200": _json(_ref("Results"), "The ranking.")}, (403, 404), [SLUG])},
        },
    }
