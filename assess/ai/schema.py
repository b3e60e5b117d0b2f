"""The shape a draft must have; anything else is rejected and asked for again once."""

from __future__ import annotations

import enum

from pydantic import BaseModel, ConfigDict, Field


class DraftDimension(BaseModel):
    model_config = ConfigDict(extra="ignore")

    dimension: str
    score: int = Field(ge=1, le=5)
    evidence: list[str] = Field(default_factory=list, description="Verbatim quotes from the submission.")
    rationale: str


class DraftAnswer(BaseModel):
    """What the model must return, as JSON."""

    model_config = ConfigDict(extra="ignore")

    dimensions: list[DraftDimension]
    strengths: list[str] = Field(default_factory=list)
    gaps: list[str] = Field(default_factory=list)
    feedback: str = ""
    instructions_detected: bool = Field(
        default=False, description="True if the submission seems to give instructions to the grader."
    )


class AiOutputMode(enum.StrEnum):
    """How a provider is asked for the draft's shape."""

    # The answer's JSON Schema in response_format, which the provider enforces.
    JSON_SCHEMA = "json_schema"
    # A JSON object, with the schema described in the prompt: for providers that refuse schemas.
    JSON_OBJECT = "json_object"
