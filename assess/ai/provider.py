"""Talk to any OpenAI-compatible endpoint with the official client; turn failures into plain words."""

from __future__ import annotations

import time
from dataclasses import dataclass

import openai
from openai import OpenAI

from ..config import Config


@dataclass(frozen=True)
class Reply:
    content: str
    model: str
    input_tokens: int | None
    output_tokens: int | None
    latency_ms: int


class ProviderError(Exception):
    """The provider could not give an answer; the message says what happened, for the interviewer."""

    def __init__(self, kind: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retry_after = retry_after


OPENAI_API = "https://api.openai.com/v1"


def provider_label(config: Config) -> str:
    """The provider's name as stored beside drafts and reports, and under which what it accepts is remembered."""
    return config.ai_base_url or OPENAI_API


def _retry_after(error: openai.APIStatusError) -> float | None:
    value = error.response.headers.get("retry-after") if error.response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def complete(config: Config, messages: list[dict[str, str]]) -> Reply:
    """One chat completion asking for a JSON object; raises ProviderError on any failure."""
    client = OpenAI(
        api_key=config.ai_api_key, base_url=config.ai_base_url, timeout=config.ai_timeout, max_retries=0
    )
    started = time.perf_counter()
    where = config.ai_base_url or "the OpenAI API"
    try:
        response = client.chat.completions.create(
            model=config.ai_model or "",
            messages=messages,  # type: ignore[arg-type]
            temperature=0,
            response_format={"type": "json_object"},
        )
    except openai.APITimeoutError as error:
        raise ProviderError("timeout", f"The AI provider did not answer within {config.ai_timeout:g} seconds.") from error
    except openai.RateLimitError as error:
        wait = _retry_after(error)
        hint = f" It asked to wait {wait:g} seconds." if wait is not None else ""
        raise ProviderError("rate_limited", f"The AI provider is rate-limiting requests.{hint}", wait) from error
    except openai.APIStatusError as error:
        raise ProviderError("server", f"The AI provider answered with an error (HTTP {error.status_code}).") from error
    except openai.APIConnectionError as error:
        raise ProviderError("unreachable", f"Could not reach the AI provider at {where}.") from error
    latency = int((time.perf_counter() - started) * 1000)
    content = response.choices[0].message.content if response.choices else None
    usage = response.usage
    return Reply(
        content=content or "",
        model=response.model or (config.ai_model or ""),
        input_tokens=usage.prompt_tokens if usage else None,
        output_tokens=usage.completion_tokens if usage else None,
        latency_ms=latency,
    )
