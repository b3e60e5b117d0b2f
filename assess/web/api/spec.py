"""What the OpenAPI document says of one operation, declared beside its view (see routes.operation)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

# What each refusal means, in every operation that can give it.
REFUSALS = {
    400: "The request is malformed; the message says how to fix it.",
    401: "No token, or an unknown or revoked one.",
    403: "The token lacks the scope this operation needs.",
    404: "No such opening or candidate.",
    409: "Not possible as things stand; the message says why. An invitation: the candidate is already invited "
         "and the link still works (also when two requests invite the same address at once: one invites, the "
         "other gets this). A decision: the candidate's scorecards are not all in yet, and the opening is not "
         "unblinded.",
    422: "A field is missing or invalid; the message names it.",
    429: "Too many requests for this token; wait and retry.",
}
# Every operation can be refused these, whatever else it may be refused.
ALWAYS = (401, 429)


@dataclass(frozen=True)
class Operation:
    """One API operation: its route, the scope it needs, what it reads and what it answers."""

    method: str
    rule: str  # the Flask rule under /api/v1, e.g. /openings/<slug>/candidates/<int:candidate_id>
    operation_id: str
    summary: str
    scope: str
    answer: type[BaseModel]
    answered: str  # what the successful answer holds, in a sentence
    refusals: tuple[int, ...]
    status: int = 200
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
