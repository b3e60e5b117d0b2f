"""One draft from the model: ask under the answer's schema, fall back to a JSON object if the provider refuses
it, wait out a short rate limit, ask again once if the answer is malformed."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from ..config import Config
from ..content.schema import Exercise, Scorecard
from ..domain.text import one_line
from .masking import Person
from .prompt import build_prompt, digest
from .provider import ProviderError, complete, provider_label
from .schema import AiOutputMode, DraftAnswer, answer_model, response_format, to_draft_answer

MAX_RATE_LIMIT_WAIT = 30.0  # seconds we wait when the provider asks us to
# A draft of any scorecard fits in a few thousand characters; a reply far longer is not read at all.
MAX_REPLY_CHARS = 100_000
MAX_REFUSAL_CHARS = 300
CUT_OFF = ("The AI's answer was cut off by the provider's length limit before it was complete, so there "
           "is no draft. Asking again would stop at the same point; score this one as usual.")
FILTERED = "The AI provider's content filter stopped the answer, so there is no draft."
TOO_LONG = ("The AI's answer was far longer than any scorecard draft ({chars:,} characters), so it was not "
            "read and there is no draft.")


def declined(refusal: str) -> str:
    """The model's own words when it declined, quoted, cut short and with nothing hidden in them."""
    return f"The model declined to draft this scorecard, saying: “{one_line(refusal, MAX_REFUSAL_CHARS)}”"


@dataclass
class Outcome:
    """The model's answer, or why there is none, with what it cost and how the provider was asked."""

    answer: DraftAnswer | None = None
    error: str | None = None
    model: str = ""
    input_tokens: int | None = None
    output_tokens: int | None = None
    latency_ms: int = 0
    mode: AiOutputMode = AiOutputMode.JSON_SCHEMA
    # The provider's words when it refused the schema during this call: from now on, ask it for a JSON object.
    fallback: str | None = None
    input_digest: str = ""
    provider: str = ""


def json_in(content: str) -> Any:
    """The first JSON object in a reply, wherever it sits: alone, in a fenced code block, or among words."""
    decoder = json.JSONDecoder()
    start = content.find("{")
    while start != -1:
        try:
            found, _ = decoder.raw_decode(content, start)
            return found
        except json.JSONDecodeError:
            start = content.find("{", start + 1)
    raise ValueError("the reply held no JSON object")


def parse_answer(content: str, dimensions: tuple[str, ...]) -> DraftAnswer:
    """The JSON object in a reply, checked against this scorecard's schema; ValueError if unusable."""
    try:
        answer = answer_model(dimensions).model_validate(json_in(content))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the top"
        raise ValueError(f"the JSON did not match the schema at {where}: {first['msg']}") from error
    return to_draft_answer(answer, dimensions)


def _request_format(mode: AiOutputMode, dimensions: tuple[str, ...]) -> dict[str, Any]:
    return response_format(dimensions) if mode is AiOutputMode.JSON_SCHEMA else {"type": "json_object"}


def _add(total: int | None, more: int | None) -> int | None:
    return more if total is None else total + (more or 0)


def draft(
    config: Config,
    scorecard: Scorecard,
    exercise: Exercise,
    answers: Mapping[str, str],
    *,
    mode: AiOutputMode = AiOutputMode.JSON_SCHEMA,
    person: Person | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Ask the configured model for a draft of this scorecard, in the given mode unless the provider refuses it;
    the person's name and contact details are masked in what is sent."""
    keys = scorecard.dimension_keys
    messages = list(build_prompt(scorecard, exercise, answers, person).messages)
    outcome = Outcome(model=config.ai_model or "", mode=mode, input_digest=digest(messages),
                      provider=provider_label(config))
    waited = malformed = False
    while True:
        try:
            reply = complete(config, messages, _request_format(outcome.mode, keys))
        except ProviderError as error:
            if error.kind == "schema_refused" and outcome.mode is AiOutputMode.JSON_SCHEMA:
                outcome.mode, outcome.fallback = AiOutputMode.JSON_OBJECT, error.detail
                continue  # the same messages: the schema is in the prompt as well
            if error.kind == "rate_limited" and not waited and (error.retry_after or 0) <= MAX_RATE_LIMIT_WAIT:
                waited = True
                sleep(error.retry_after or 1.0)
                continue
            outcome.error = error.message
            return outcome
        outcome.model = reply.model
        outcome.input_tokens = _add(outcome.input_tokens, reply.input_tokens)
        outcome.output_tokens = _add(outcome.output_tokens, reply.output_tokens)
        outcome.latency_ms += reply.latency_ms
        if reply.refusal:
            outcome.error = declined(reply.refusal)
            return outcome
        if reply.finish_reason in ("length", "content_filter"):
            outcome.error = CUT_OFF if reply.finish_reason == "length" else FILTERED
            return outcome
        if len(reply.content) > MAX_REPLY_CHARS:
            outcome.error = TOO_LONG.format(chars=len(reply.content))
            return outcome
        try:
            outcome.answer = parse_answer(reply.content, keys)
            return outcome
        except ValueError as problem:
            if malformed:
                outcome.error = f"The AI's answer could not be read, even after asking again ({problem})."
                return outcome
            malformed = True
            messages += [
                {"role": "assistant", "content": reply.content[:4000]},
                {"role": "user", "content": f"Your reply could not be used: {problem}. "
                                            "Reply again with only the JSON object in the required shape."},
            ]
