"""Every shape the API reads or answers, once: the answers are dumped from these models and the OpenAPI
document is built from their JSON Schemas, so the two cannot drift apart."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StrictBool, WithJsonSchema, field_validator

from ...domain.decisions import SHORTEST_REASON
from ...domain.paging import Page as PageOf
from ...domain.pipeline import Stage
from ...domain.text import SINGLE_LINE_PATTERN
from ...errors import InputError
from ...services import invitations
from ...services.attempts import StepState
from ..forms import PlainLineText, PlainLinesText, StoredInt

T = TypeVar("T")

MAX_PER_PAGE = 500

# As Python writes it (2024-05-01T09:30:00+00:00), which is what ATS integrations already parse.
Moment = Annotated[datetime, PlainSerializer(datetime.isoformat, return_type=str),
                   WithJsonSchema({"type": "string", "format": "date-time"})]


class Answer(BaseModel):
    """An answer: every field is always there (null when unknown) and nothing else is."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# -- what is read ------------------------------------------------------------------------------------


class PageQuery(BaseModel):
    """The paging parameters of every list."""

    model_config = ConfigDict(extra="ignore")

    page: Annotated[StoredInt, Field(ge=1)] = 1
    per_page: Annotated[StoredInt, Field(ge=1, le=MAX_PER_PAGE)] = 100


class InvitationRequest(BaseModel):
    """A candidate to invite to the opening."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: PlainLineText = Field(min_length=1, max_length=200, json_schema_extra={"pattern": SINGLE_LINE_PATTERN})
    email: PlainLineText = Field(min_length=3, max_length=254, json_schema_extra={"format": "email"})

    @field_validator("email")
    @classmethod
    def _an_address(cls, value: str) -> str:
        try:
            return invitations.normalise_email(value)
        except InputError as error:
            raise ValueError(error.message) from None


class DecisionRequest(BaseModel):
    """A decision on a candidate whose scorecards are all in (or on anyone, once the opening is unblinded)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    outcome: Literal["advance", "hold", "reject"]
    rationale: PlainLinesText = Field(min_length=SHORTEST_REASON, max_length=4000,
                                    description="Why, in a sentence or two; kept with the decision.")
    email_candidate: StrictBool = Field(False, description="Email the candidate the opening's message for the "
                                                           "outcome.")


# -- what is answered ----------------------------------------------------------------------------------


class Exercise(Answer):
    key: str
    title: str
    time_limit_minutes: int


class Opening(Answer):
    slug: str
    title: str
    created_at: Moment
    candidates: int = Field(ge=0)
    exercises: list[Exercise]
    scoring_closed: bool


class ExerciseProgress(Answer):
    key: str
    state: StepState
    started_at: Moment | None
    submitted_at: Moment | None


class Decision(Answer):
    outcome: Literal["advance", "hold", "reject"]
    rationale: str
    decided_at: Moment
    decided_by: str
    candidate_email: Literal["queued", "sending", "sent", "kept", "failed"] | None = Field(
        description="What became of the email to the candidate: null when none was asked for; kept: no mail "
                    "server is configured and it waits in the outbox; failed: the last try failed.")


class Candidate(Answer):
    id: int
    name: str
    email: str
    code: str = Field(description="What interviewers see instead of the name.")
    invited_at: Moment
    erased: bool
    exercises: list[ExerciseProgress]
    decision: Decision | None = Field(description="The decision as it stands; null until one is recorded.")
    stage: Stage = Field(description="Where the candidate stands: how far along their work is, or decided once a "
                                     "decision stands.")
    progress: Stage = Field(description="How far along the way their work is, whatever was decided (never "
                                        "decided): invited, opened, started, submitted (handed in, not all "
                                        "scored), scored.")


class Invitation(Candidate):
    link: str = Field(description="The candidate's personal link; treat it as a secret.")
    expires_at: Moment
    email_sent: bool = Field(description="True only when a mail server accepted the invitation. False when no "
                                         "mail server is configured (the email waits in the outbox) or the server "
                                         "refused it: then pass the link on yourself.")


class Scorecard(Answer):
    id: int
    candidate_id: int
    exercise: str
    interviewer: str
    recommendation: str | None
    submitted_at: Moment | None
    ratings: dict[str, int | None]


class RankedCandidate(Answer):
    rank: int
    candidate_id: int
    code: str
    calibrated_score: float
    interval_80: tuple[float, float]
    raw_mean: float
    raw_rank: int
    scorecards: int
    flags: list[str]
    decision: Literal["advance", "hold", "reject"] | None


class Results(Answer):
    """One page of the stored calibrated ranking, and how current it is."""

    opening: str
    ranking: list[RankedCandidate]
    page: int = Field(ge=1)
    per_page: int = Field(ge=1, le=MAX_PER_PAGE)
    total: int = Field(ge=0, description="Candidates ranked, on every page.")
    unrated_total: int = Field(ge=0, description="Candidates with no submitted scorecard yet.")
    unrated_candidate_ids: list[int] = Field(description="The first of the candidates not yet scored, at most 20.")
    warnings: list[str]
    calibrated_at: datetime | None = Field(description="When the ranking was worked out; null before the first time.")
    updating: bool = Field(description="True while the scorecards have changed since calibrated_at and the ranking is "
                                       "being worked out again; read again shortly.")
    changes_since: int = Field(ge=0, description="Changes to the ratings since calibrated_at.")


class Page(Answer, Generic[T]):
    """One page of a list; `total` counts the items of every page."""

    items: list[T]
    page: int = Field(ge=1)
    per_page: int = Field(ge=1, le=MAX_PER_PAGE)
    total: int = Field(ge=0)

    @classmethod
    def of(cls, page: PageOf[T]) -> Page[T]:
        return cls(items=list(page.items), page=page.page, per_page=page.per_page, total=page.total)


class OpeningPage(Page[Opening]):
    pass


class CandidatePage(Page[Candidate]):
    pass


class ScorecardPage(Page[Scorecard]):
    pass


