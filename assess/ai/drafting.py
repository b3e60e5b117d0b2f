"""One draft from the model: ask, wait out a short rate limit, ask again once if the answer is malformed."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pydantic import ValidationError

from ..config import Config
from ..content.schema import Exercise, Scorecard
from .prompt import build_prompt
from .provider import ProviderError, complete, provider_label
from .schema import AiOutputMode, DraftAnswer

MAX_RATE_LIMIT_WAIT = 30.0  # seconds we wait when the provider asks us to
_JSON_OBJECT = re.compile(r"\{[\s\S]*\}")


@dataclass
class Outcome:
    """The model's answer, or why there is none, with what it cost."""

    answer: DraftAnswer | None = None
    error: str | None = None
    model: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    latency_ms: int = 0
    # How the provider was finally asked for the shape, and its words if it refused the schema on this call.
    mode: AiOutputMode = AiOutputMode.JSON_SCHEMA
    fallback: str | None = None
    provider: str = ""


def parse_answer(content: str, dimensions: tuple[str, ...]) -> DraftAnswer:
    """The JSON object in a reply, checked against the schema and the dimensions; ValueError if unusable."""
    match = _JSON_OBJECT.search(content)
    if match is None:
        raise ValueError("the reply held no JSON object")
    try:
        answer = DraftAnswer.model_validate_json(match.group())
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"the JSON did not match the schema at {where}: {first['msg']}") from error
    missing = [d for d in dimensions if d not in {x.dimension for x in answer.dimensions}]
    if missing:
        raise ValueError(f"dimensions missing from the reply: {', '.join(missing)}")
    return answer


def draft(
    config: Config,
    scorecard: Scorecard,
    exercise: Exercise,
    answers: Mapping[str, str],
    *,
    mode: AiOutputMode = AiOutputMode.JSON_SCHEMA,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Ask the configured model for a draft of this scorecard."""
    messages = list(build_prompt(scorecard, exercise, answers).messages)
    outcome = Outcome(model=config.ai_model or "", mode=mode, provider=provider_label(config))
    waited = malformed = False
    while True:
        try:
            reply = complete(config, messages)
        except ProviderError as error:
            if error.kind == "rate_limited" and not waited and (error.retry_after or 0) <= MAX_RATE_LIMIT_WAIT:
                waited = True
                sleep(error.retry_after or 1.0)
                continue
            outcome.error = error.message
            return outcome
        outcome.model = reply.model
        outcome.input_tokens += reply.input_tokens or 0
        outcome.output_tokens += reply.output_tokens or 0
        outcome.latency_ms += reply.latency_ms
        try:
            outcome.answer = parse_answer(reply.content, scorecard.dimension_keys)
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
