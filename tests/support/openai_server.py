"""A real HTTP server on loopback that speaks the chat-completions protocol and replays a script."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Step:
    """One scripted answer: a reply's content, an HTTP error, or a stall past the client's timeout."""

    content: str | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    stall: float = 0.0


Responder = Callable[[dict[str, Any]], str]


class ScriptedOpenAI:
    def __init__(self) -> None:
        self.script: deque[Step] = deque()
        self.requests: list[dict[str, Any]] = []
        self.responder: Responder | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> ScriptedOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reply(self, content: str | dict[str, Any]) -> None:
        self.script.append(Step(content=content if isinstance(content, str) else json.dumps(content)))

    def fail(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.script.append(Step(status=status, headers=headers or {}))

    def stall(self, seconds: float) -> None:
        self.script.append(Step(content="{}", stall=seconds))

    def _next(self, body: dict[str, Any]) -> Step:
        if self.script:
            return self.script.popleft()
        if self.responder is not None:
            return Step(content=self.responder(body))
        return Step(status=500)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                step = server._next(body)
                if step.stall:
                    time.sleep(step.stall)
                if step.status != 200:
                    payload = {"error": {"message": f"scripted {step.status}", "type": "scripted", "code": None}}
                    self._send(step.status, payload, step.headers)
                    return
                self._send(200, {
                    "id": f"chatcmpl-{len(server.requests)}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": body.get("model", "unknown"),
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": step.content}}],
                    "usage": {"prompt_tokens": 1200, "completion_tokens": 300, "total_tokens": 1500},
                })

            def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting, as a timeout test intends

        return Handler
