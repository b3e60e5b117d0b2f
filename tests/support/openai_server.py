"""A real HTTP server on loopback that speaks the chat-completions protocol as each provider does.

It answers first from a script (a reply, an error, a stall: for the awkward cases), then, if given a
persona, as that provider would with a capable model behind it: the model follows the JSON Schema the
request carries when the provider enforces one, else the schema written in the prompt, else it guesses
a shape that does not fit the scorecard. Each persona's protocol follows its provider's documentation
or source; the persona's docstring says which."""

from __future__ import annotations

import json
import re
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Step:
    """One scripted answer: a reply's content, an HTTP error, or a stall past the client's timeout."""

    content: str | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    stall: float = 0.0
    finish_reason: str = "stop"
    refusal: str | None = None
    usage: bool = True
    error: dict[str, Any] | None = None  # the body of an error answer, when the persona's own will not do
    # A 200 whose body is these bytes as they are: a proxy's HTML page, a body that is not a completion.
    raw: bytes | None = None
    raw_type: str = "application/json"
    drip: float = 0.0  # seconds between each few bytes of the answer: a server that trickles


Responder = Callable[[dict[str, Any]], str]


# -- the model behind the server --------------------------------------------------------------------

_SUBMISSION = re.compile(r"<<<(SUBMISSION-[0-9a-f]+)>>>\n([\s\S]*?)\n<<<\1>>>")
_PROMPT_SCHEMA = re.compile(r"```json\n([\s\S]*?)\n```")


def submission_of(body: dict[str, Any]) -> str:
    """The submission between the request's delimiter lines."""
    for message in body.get("messages", []):
        found = _SUBMISSION.search(str(message.get("content") or ""))
        if found:
            return found.group(2)
    return ""


def quotes_from(submission: str) -> list[str]:
    """Short phrases copied word for word from the submission (never its headings or masked parts)."""
    lines = [line.strip() for line in submission.splitlines()]
    usable = [line for line in lines if line and not line.startswith("#") and "[" not in line
              and line != "(left empty)" and len(line.split()) >= 3]
    return [" ".join(line.split()[:8]) for line in usable] or ["(no quote)"]


def schema_in_prompt(body: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON Schema written into the system message, as a model reading its instructions would find it."""
    for message in body.get("messages", []):
        if message.get("role") == "system":
            found = _PROMPT_SCHEMA.search(str(message.get("content") or ""))
            if found:
                return json.loads(found.group(1))  # type: ignore[no-any-return]
    return None


def request_schema(body: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON Schema in the request's response_format, if it carries one."""
    format_ = body.get("response_format") or {}
    if format_.get("type") == "json_schema":
        return (format_.get("json_schema") or {}).get("schema")  # type: ignore[no-any-return]
    return None


def instance_of(schema: dict[str, Any], submission: str) -> Any:
    """A document valid against schema (the subset the aid's schemas use), quotes taken from the submission.

    Scores are picked from the allowed range by a checksum of where they sit and of the submission, so
    they differ between dimensions and answers but are the same every run."""
    quotes = quotes_from(submission)
    defs = schema.get("$defs", {})

    def make(node: dict[str, Any], path: str) -> Any:
        if "$ref" in node:
            return make(defs[node["$ref"].rsplit("/", 1)[1]], path)
        pick = zlib.crc32(f"{path}|{submission}".encode())
        if "enum" in node:
            return node["enum"][pick % len(node["enum"])]
        kind = node.get("type")
        if kind == "object":
            return {key: make(sub, f"{path}.{key}") for key, sub in node.get("properties", {}).items()}
        if kind == "array":
            return [make(node.get("items", {}), f"{path}[0]")]
        if kind == "integer":
            low, high = node.get("minimum", 0), node.get("maximum", node.get("minimum", 0) + 4)
            return low + pick % (high - low + 1)
        if kind == "boolean":
            return False
        if kind == "string":
            return quotes[pick % len(quotes)] if ".evidence" in path else f"Drafted for {path.strip('.')}."
        raise ValueError(f"no instance for {node}")

    return make(schema, "")


def unfit_answer(body: dict[str, Any]) -> dict[str, Any]:
    """What a model guesses with no schema to follow: a list of dimensions, the last one left out."""
    user = " ".join(str(m.get("content") or "") for m in body.get("messages", []) if m.get("role") == "user")
    keys = re.findall(r"^Dimension `([^`]+)`", user, flags=re.MULTILINE)
    return {"dimensions": [{"dimension": key, "score": 3, "evidence": [], "rationale": "Seems fine."}
                           for key in keys[:-1]]}


# -- how each provider speaks -------------------------------------------------------------------------


def _openai_error(status: int, message: str, param: str | None = None, code: str | None = None) -> dict[str, Any]:
    kind = "invalid_request_error" if status < 500 else "server_error"
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


@dataclass(frozen=True)
class Persona:
    """A provider's protocol: what it answers to a schema, how its errors and completions look."""

    name: str
    # Its words, in a 400, when it does not take a JSON Schema in response_format; None when it does.
    refuses_schema: dict[str, Any] | None = None
    # It takes json_schema without error but drops it, so nothing constrains the answer.
    ignores_schema: bool = False
    azure: bool = False
    # Azure: the first api-version that takes a schema; an earlier one gets the refusal.
    schema_since: str | None = None
    error: Callable[[int, str], dict[str, Any]] = _openai_error
    extra: Callable[[dict[str, Any]], dict[str, Any]] = lambda completion: completion

    def answer(self, body: dict[str, Any]) -> str:
        """What the model behind this provider writes for this request."""
        enforced = None if self.ignores_schema else request_schema(body)
        schema = enforced or schema_in_prompt(body)
        document = instance_of(schema, submission_of(body)) if schema else unfit_answer(body)
        text = json.dumps(document)
        constrained = enforced is not None or (body.get("response_format") or {}).get("type") == "json_object"
        return text if constrained else f"Here is the draft scorecard:\n\n```json\n{text}\n```\n\nI hope it helps."


def _openai_fields(completion: dict[str, Any]) -> dict[str, Any]:
    for choice in completion["choices"]:
        choice["message"].setdefault("refusal", None)
        choice["message"]["annotations"] = []
        choice["logprobs"] = None
    return completion | {"service_tier": "default", "system_fingerprint": "fp_loopback"}


_FILTERS = {name: {"filtered": False, "severity": "safe"} for name in ("hate", "self_harm", "sexual", "violence")}


def _azure_fields(completion: dict[str, Any]) -> dict[str, Any]:
    for choice in completion["choices"]:
        choice["content_filter_results"] = _FILTERS
    return _openai_fields(completion) | {"prompt_filter_results": [{"prompt_index": 0,
                                                                   "content_filter_results": _FILTERS}]}


OPENAI = Persona("openai", extra=_openai_fields)
"""OpenAI's chat completions with a model that has structured outputs (platform.openai.com/docs/guides/
structured-outputs): `response_format: {"type": "json_schema", "json_schema": {..., "strict": true}}` is
enforced, `message.refusal` is null unless the model declines, `usage` is always given."""

OPENAI_WITHOUT_STRUCTURED_OUTPUTS = Persona(
    "openai, older model",
    refuses_schema=_openai_error(
        400, "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model. "
             "Learn more about supported models at the Structured Outputs guide: "
             "https://platform.openai.com/docs/guides/structured-outputs", param="response_format"),
    extra=_openai_fields)
"""An OpenAI model from before structured outputs (gpt-4-turbo, gpt-3.5-turbo): the 400 as reported in
langchain-ai/langchain#31490 and AgnostiqHQ/multi-agent-llm#2; JSON mode still works."""

AZURE = Persona(
    "azure openai", azure=True, extra=_azure_fields, schema_since="2024-08-01",
    refuses_schema={"error": {"message": "response_format value as json_schema is enabled only for api versions "
                                         "2024-08-01-preview and later", "type": "", "param": "", "code": "BadRequest"}})
"""Azure OpenAI as the client's AzureOpenAI reaches it: POST {endpoint}/openai/deployments/{deployment}/
chat/completions?api-version=..., the key in an `api-key` header (openai/lib/azure.py). From api-version
2024-08-01-preview a json_schema response_format is enforced; an earlier api-version gets the 400 reported
in langgenius/dify#8994 and danny-avila/LibreChat#8325. Completions carry content filter results."""


def _vllm_error(status: int, message: str) -> dict[str, Any]:
    return {"object": "error", "message": message, "type": "BadRequestError", "param": None, "code": status}


def _vllm_fields(completion: dict[str, Any]) -> dict[str, Any]:
    for choice in completion["choices"]:
        choice["message"] |= {"reasoning_content": None, "tool_calls": []}
        choice |= {"logprobs": None, "stop_reason": None}
    return completion | {"prompt_logprobs": None}


VLLM = Persona("vllm", error=_vllm_error, extra=_vllm_fields)
"""vLLM's OpenAI-compatible server: a json_schema response_format becomes guided decoding, so the answer
follows it (docs.vllm.ai, structured outputs); errors are its ErrorResponse, not nested under `error`."""


def _llama_error(status: int, message: str) -> dict[str, Any]:
    return {"error": {"code": status, "message": message, "type": "invalid_request_error"}}


def _llama_fields(completion: dict[str, Any]) -> dict[str, Any]:
    return completion | {"system_fingerprint": "b4500-loopback",
                         "timings": {"prompt_n": 1200, "prompt_ms": 812.5, "predicted_n": 300, "predicted_ms": 9100.0}}


LLAMA_CPP = Persona("llama.cpp", error=_llama_error, extra=_llama_fields)
"""llama.cpp's llama-server: `{"type": "json_schema", "json_schema": {"schema": ...}}` is turned into a
grammar (tools/server/utils.hpp, oaicompat_chat_params_parse); `strict` is not read; answers carry timings."""

LLAMA_CPP_OLD = Persona(
    "llama.cpp, older build", error=_llama_error, extra=_llama_fields,
    refuses_schema=_llama_error(
        400, 'response_format type must be one of "text" or "json_object", but got: json_schema'))
"""A llama-server build from before json_schema was read: the same parser threw invalid_argument for any
other type, which the server answers as a 400 invalid_request_error."""


def _ollama_fields(completion: dict[str, Any]) -> dict[str, Any]:
    return completion | {"system_fingerprint": "fp_ollama"}


OLLAMA = Persona("ollama", extra=_ollama_fields)
"""Ollama's /v1/chat/completions from v0.5: a json_schema response_format becomes the request's `format`,
which constrains the answer (ollama/ollama openai/openai.go, FromChatRequest); json_object becomes "json"."""

OLLAMA_OLD = Persona("ollama, before v0.5", ignores_schema=True, extra=_ollama_fields)
"""Ollama before v0.5 mapped only json_object to `format: "json"`; a json_schema response_format was
dropped without an error (ollama/ollama#10001 and callstackincubator/fabrice-ai#118 describe schemas being
ignored), so the model answers in free text around its JSON."""

PERSONAS = (OPENAI, OPENAI_WITHOUT_STRUCTURED_OUTPUTS, AZURE, VLLM, LLAMA_CPP,
            LLAMA_CPP_OLD, OLLAMA, OLLAMA_OLD)


# -- the server ----------------------------------------------------------------------------------------


AZURE_PATH = re.compile(r"^/openai/deployments/(?P<deployment>[^/]+)/chat/completions$")


class ScriptedOpenAI:
    def __init__(self, persona: Persona | None = None, *, api_key: str | None = None) -> None:
        self.persona = persona
        self.api_key = api_key  # checked when given, in the header the persona expects
        self.script: deque[Step] = deque()
        self.requests: list[dict[str, Any]] = []
        self.responder: Responder | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def base_url(self) -> str:
        return f"{self.root}/v1"

    def start(self) -> ScriptedOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reply(self, content: str | dict[str, Any], *, finish_reason: str = "stop", usage: bool = True) -> None:
        text = content if isinstance(content, str) else json.dumps(content)
        self.script.append(Step(content=text, finish_reason=finish_reason, usage=usage))

    def decline(self, refusal: str) -> None:
        """The model declines: content null, its words in `refusal`, as OpenAI's structured outputs do."""
        self.script.append(Step(content=None, refusal=refusal))

    def fail(self, status: int, headers: dict[str, str] | None = None, body: dict[str, Any] | None = None) -> None:
        self.script.append(Step(status=status, headers=headers or {}, error=body))

    def stall(self, seconds: float) -> None:
        self.script.append(Step(content="{}", stall=seconds))

    def trickle(self, content: str | dict[str, Any], every: float) -> None:
        """Answer at once, but a few bytes at a time, every so many seconds, for as long as it takes."""
        text = content if isinstance(content, str) else json.dumps(content)
        self.script.append(Step(content=text, drip=every))

    def answer_raw(self, body: bytes, content_type: str = "application/json") -> None:
        """Answer 200 with this body, whatever it is, as a misconfigured proxy or another service would."""
        self.script.append(Step(raw=body, raw_type=content_type))

    def _error(self, status: int, message: str) -> dict[str, Any]:
        return (self.persona.error if self.persona else _openai_error)(status, message)

    def _refuses(self, query: str) -> bool:
        if self.persona is None or self.persona.refuses_schema is None:
            return False
        if self.persona.schema_since is None:
            return True
        version = parse_qs(query).get("api-version", [""])[0]
        return version[:10] < self.persona.schema_since

    def _next(self, body: dict[str, Any], query: str) -> Step:
        if self.script:
            return self.script.popleft()
        if self.responder is not None:
            return Step(content=self.responder(body))
        if self.persona is None:
            return Step(status=500)
        if request_schema(body) is not None and self._refuses(query):
            return Step(status=400, error=self.persona.refuses_schema)
        return Step(content=self.persona.answer(body))

    def _misdirected(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]] | None:
        """A request this provider would not accept at all: the wrong path, no api-version, the wrong key."""
        where = urlsplit(path)
        if self.persona is not None and self.persona.azure:
            if not AZURE_PATH.match(where.path) or "api-version" not in parse_qs(where.query):
                return 404, {"error": {"code": "404", "message": "Resource not found"}}
            given = headers.get("api-key")
        else:
            if where.path != "/v1/chat/completions":
                return 404, self._error(404, f"Not found: {where.path}")
            given = headers.get("authorization", "").removeprefix("Bearer ")
        if self.api_key is not None and given != self.api_key:
            return 401, self._error(401, "Incorrect API key provided.")
        return None

    def _completion(self, body: dict[str, Any], step: Step) -> dict[str, Any]:
        message = {"role": "assistant", "content": step.content}
        if step.refusal is not None:
            message["refusal"] = step.refusal
        completion: dict[str, Any] = {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "unknown"),
            "choices": [{"index": 0, "finish_reason": step.finish_reason, "message": message}],
        }
        if step.usage:
            completion["usage"] = {"prompt_tokens": 1200, "completion_tokens": 300, "total_tokens": 1500}
        return self.persona.extra(completion) if self.persona else completion

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                headers = {k.lower(): v for k, v in self.headers.items()}
                server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                refused = server._misdirected(self.path, headers)
                if refused is not None:
                    self._send(*refused)
                    return
                step = server._next(body, urlsplit(self.path).query)
                if step.stall:
                    time.sleep(step.stall)
                if step.status != 200:
                    self._send(step.status, step.error or server._error(step.status, f"scripted {step.status}"),
                               step.headers)
                    return
                if step.raw is not None:
                    self._send(200, step.raw, content_type=step.raw_type)
                    return
                self._send(200, server._completion(body, step), drip=step.drip)

            def _send(self, status: int, payload: dict[str, Any] | bytes, headers: dict[str, str] | None = None,
                      content_type: str = "application/json", drip: float = 0.0) -> None:
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    if not drip:
                        self.wfile.write(data)
                    for at in range(0, len(data), 16) if drip else ():
                        self.wfile.write(data[at:at + 16])
                        self.wfile.flush()
                        time.sleep(drip)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting, as a timeout test intends

        return Handler
