"""One candidate-to-scorecard flow through the production process model.

`scripts/stack start` runs gunicorn with several worker processes and a Huey worker against
PostgreSQL and Redis; `.ci/run` starts it and sets ASSESS_TEST_STACK_URL. Each request may land
on a different gunicorn process, so the flow passes only if no process keeps state another needs
(sessions, CSRF, rate limits, the outbox).
"""

from __future__ import annotations

import html
import json
import os
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from typing import Any

import pytest

STACK_ENV = "ASSESS_TEST_STACK_URL"
DEMO_PASSWORD = "assess-demo-2026"
CSRF = re.compile(r'name="csrf[_-]token"[^>]*(?:value|content)="([^"]+)"')


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects, so each answer can be checked."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect())

    def request(self, path: str, data: dict[str, Any] | None = None, json_body: Any = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        body, sent = None, dict(headers or {})
        if data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=body, headers=sent)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def get(self, path: str) -> str:
        status, _, page = self.request(path)
        assert status == 200, f"GET {path}: {status}"
        return page

    def csrf(self, path: str) -> str:
        match = CSRF.search(self.get(path))
        assert match, f"no CSRF token on {path}"
        return html.unescape(match.group(1))

    def post(self, path: str, form_page: str, **data: Any) -> tuple[int, str]:
        status, headers, _ = self.request(path, data={"csrf_token": self.csrf(form_page)} | data)
        return status, headers.get("Location", "")

    def sign_in(self, email: str) -> None:
        status, location = self.post("/auth/login", "/auth/login", email=email, password=DEMO_PASSWORD)
        assert status == 302 and "/auth/login" not in location, f"{email} could not sign in"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@pytest.fixture(scope="module")
def stack() -> str:
    url = os.environ.get(STACK_ENV, "")
    if not url:
        pytest.skip(f"the process-model test needs {STACK_ENV}: run `scripts/stack start` and set it "
                    "(e.g. http://127.0.0.1:8000); .ci/run does both")
    return url


def test_the_web_processes_share_nothing_but_the_database_and_redis(stack: str) -> None:
    health = json.loads(Browser(stack).get("/healthz"))
    assert (health["database"], health["queue"]) == ("ok", "ok")
    with ThreadPoolExecutor(max_workers=16) as pool:
        processes = set(pool.map(lambda _: json.loads(Browser(stack).get("/healthz"))["process"], range(64)))
    assert len(processes) >= 2, "the stack should answer from several gunicorn worker processes"


def test_a_candidate_to_scorecard_flow(stack: str) -> None:
    run = secrets.token_hex(3)
    name = f"Stack Candidate {run}"
    manager = Browser(stack)
    manager.sign_in("hiring@example.com")
    opening = "/hiring/openings/apm-growth"
    status, _ = manager.post(f"{opening}/invite", opening, name=name, email=f"stack.{run}@example.net")
    assert status == 302
    outbox = manager.get(f"{opening}/outbox")
    link = re.search(r"(/c/start/[A-Za-z0-9_-]{20,})", outbox)  # the newest message comes first
    assert link and name in outbox, "the invitation is in the outbox"

    candidate = Browser(stack)
    status, _, _ = candidate.request(link.group(1))
    assert status == 302
    assert "Mini-PRD" in candidate.get("/c/")
    status, _ = candidate.post("/c/exercises/a-mini-prd/start", "/c/")
    assert status == 302
    token = candidate.csrf("/c/exercises/a-mini-prd")
    answer = "Approvals take four days; finance teams lose a week each month to chasing managers."
    status, _, saved = candidate.request(
        "/c/exercises/a-mini-prd/autosave", headers={"X-CSRFToken": token},
        json_body={"client_id": "tab-stack-1", "seq": 1, "base_revision": 0,
                   "answers": {"problem_statement": answer}})
    assert status == 200 and json.loads(saved)["status"] == "accepted"
    status, _ = candidate.post("/c/exercises/a-mini-prd", "/c/exercises/a-mini-prd", base_revision="1",
                               client_id="tab-stack-1", answer_problem_statement=answer, confirm="y")
    assert status == 302
    assert "received" in candidate.get("/c/exercises/a-mini-prd/receipt").lower()

    scoring = manager.get(f"{opening}/scoring")
    work = re.search(r'name="attempt_id" value="(\d+)"', scoring[scoring.index(name):])
    lena = re.search(r'<option value="(\d+)">Lena Kowalski</option>', scoring)
    assert work and lena
    status, _ = manager.post(f"{opening}/scoring/assign", f"{opening}/scoring", attempt_id=work.group(1),
                             interviewer_id=lena.group(1))
    assert status == 302

    interviewer = Browser(stack)
    interviewer.sign_in("lena@example.com")
    queue = interviewer.get("/review/")
    assignment = re.findall(r'href="(/review/assignments/\d+)"', queue)
    assert assignment
    path = max(assignment, key=lambda p: int(p.rsplit("/", 1)[1]))
    page = interviewer.get(path)
    assert name not in page and answer in html.unescape(page)
    dimensions = sorted(set(re.findall(r'name="score_([a-z_]+)"', page)))
    scores = {f"score_{d}": "3" for d in dimensions} | {f"evidence_{d}": "Names the four-day delay." for d in dimensions}
    status, _ = interviewer.post(path, path, summary="Clear problem.", recommendation="yes", submit="y", **scores)
    assert status == 302
    record_link = re.search(rf'href="(/hiring/openings/apm-growth/candidates/\d+)">{name}<',
                            manager.get(opening))
    assert record_link
    record = html.unescape(manager.get(record_link.group(1)))
    assert "Names the four-day delay." in record
