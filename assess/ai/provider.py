"""Talk to any OpenAI-compatible endpoint, or Azure OpenAI, with the official client; turn failures into plain words."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

import openai
from openai import AzureOpenAI, OpenAI
from openai.types.chat import ChatCompletion

from ..config import Config
from ..domain.text import one_line


@dataclass(frozen=True)
class Reply:
    content: str
    model: str
    input_tokens: int | None
    output_tokens: int | None
    latency_ms: int
    finish_reason: str | None = None
    # What the model said instead of answering, when it declined (OpenAI's `refusal` field).
    refusal: str | None = None


class ProviderError(Exception):
    """The provider could not give an answer; the message says what happened, for the interviewer.

    kind is one of timeout, rate_limited, schema_refused, bad_request, server, unreachable, not_a_completion;
    detail holds the provider's own words, when it gave any."""

    def __init__(self, kind: str, message: str, retry_after: float | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retry_after = retry_after
        self.detail = detail


OPENAI_API = "https://api.openai.com/v1"


def provider_label(config: Config) -> str:
    """The provider's name as stored beside drafts and reports, and under which what it accepts is remembered.

    For Azure this names the deployment and the API version, since either decides what is accepted."""
    if config.ai_azure_endpoint:
        return (f"{config.ai_azure_endpoint.rstrip('/')}/openai/deployments/{config.ai_model or ''}"
                f"?api-version={config.ai_api_version or ''}")
    return config.ai_base_url or OPENAI_API


def _client(config: Config) -> OpenAI:
    if config.ai_azure_endpoint:
        return AzureOpenAI(api_key=config.ai_api_key, azure_endpoint=config.ai_azure_endpoint,
                           api_version=config.ai_api_version, timeout=config.ai_timeout, max_retries=0)
    return OpenAI(api_key=config.ai_api_key, base_url=config.ai_base_url, timeout=config.ai_timeout, max_retries=0)


def _retry_after(error: openai.APIStatusError) -> float | None:
    value = error.response.headers.get("retry-after") if error.response is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


MAX_PROVIDER_WORDS = 300  # characters of a provider's own message that are kept and shown


def provider_words(error: openai.APIStatusError) -> str:
    """The message in an error answer, wherever the provider put it (OpenAI and llama.cpp nest it under `error`)."""
    body: Any = error.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
        if message:
            return one_line(str(message), MAX_PROVIDER_WORDS)
    text = error.response.text if error.response is not None else ""
    return one_line(text[:10_000], MAX_PROVIDER_WORDS) or f"HTTP {error.status_code}"


def refuses_schema(error: openai.APIStatusError) -> bool:
    """A 400 that names the response format: the provider does not take a JSON Schema there."""
    if error.status_code != 400:
        return False
    body: Any = error.body
    param = body.get("param") if isinstance(body, dict) else None
    words = json.dumps(body) if body is not None else (error.response.text if error.response is not None else "")
    return param == "response_format" or "response_format" in words or "json_schema" in words


class _Overdue(Exception):
    """The whole answer took longer than the timeout, however steadily it trickled in."""


def _within(seconds: float, client: OpenAI, call: Callable[[], Any]) -> Any:
    """call's result if it comes within seconds in all; else the client is closed, which ends the request.

    The client's own timeout bounds each wait for a byte, so a server that sends a few bytes at a
    time could otherwise hold a worker for as long as it likes."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ai-request")
    future = pool.submit(call)
    try:
        return future.result(timeout=seconds)
    except FutureTimeout:
        client.close()
        raise _Overdue() from None
    finally:
        pool.shutdown(wait=False)


def complete(config: Config, messages: list[dict[str, str]], response_format: dict[str, Any]) -> Reply:
    """One chat completion asking for the given response format; raises ProviderError on any failure."""
    client = _client(config)
    started = time.perf_counter()
    where = config.ai_azure_endpoint or config.ai_base_url or "the OpenAI API"
    try:
        response = _within(config.ai_timeout, client, lambda: client.chat.completions.create(
            model=config.ai_model or "",
            messages=messages,  # type: ignore[arg-type]
            temperature=0,
            response_format=response_format,  # type: ignore[arg-type]
        ))
    except (openai.APITimeoutError, _Overdue) as error:
        raise ProviderError("timeout", f"The AI provider did not answer within {config.ai_timeout:g} seconds.") from error
    except openai.RateLimitError as error:
        wait = _retry_after(error)
        hint = f" It asked to wait {wait:g} seconds." if wait is not None else ""
        raise ProviderError("rate_limited", f"The AI provider is rate-limiting requests.{hint}", wait) from error
    except openai.BadRequestError as error:
        words = provider_words(error)
        kind = "schema_refused" if refuses_schema(error) else "bad_request"
        raise ProviderError(kind, f"The AI provider refused the request (HTTP 400): {words}", detail=words) from error
    except openai.APIStatusError as error:
        raise ProviderError("server", f"The AI provider answered with an error (HTTP {error.status_code}).",
                            detail=provider_words(error)) from error
    except openai.APIConnectionError as error:
        raise ProviderError("unreachable", f"Could not reach the AI provider at {where}.") from error
    except json.JSONDecodeError as error:
        raise ProviderError("not_a_completion", NOT_A_COMPLETION.format(where=where)) from error
    if not isinstance(response, ChatCompletion) or not isinstance(response.choices, list | None):
        raise ProviderError("not_a_completion", NOT_A_COMPLETION.format(where=where))
    return _reply(response, config.ai_model or "", int((time.perf_counter() - started) * 1000))


NOT_A_COMPLETION = ("The AI provider at {where} answered, but not with a chat completion: "
                    "the address may point at something other than an OpenAI-compatible API.")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _reply(response: ChatCompletion, model: str, latency_ms: int) -> Reply:
    """The parts of a completion the aid reads, each taken only if it has the type the API documents
    (the client does not check what an OpenAI-compatible server sends)."""
    choice = response.choices[0] if response.choices else None
    message = getattr(choice, "message", None)
    usage = response.usage
    return Reply(
        content=_text(getattr(message, "content", None)) or "",
        model=_text(response.model) or model,
        input_tokens=_count(getattr(usage, "prompt_tokens", None)),
        output_tokens=_count(getattr(usage, "completion_tokens", None)),
        latency_ms=latency_ms,
        finish_reason=_text(getattr(choice, "finish_reason", None)),
        refusal=_text(getattr(message, "refusal", None)),
    )
