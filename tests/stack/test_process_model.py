"""One candidate-to-scorecard flow through the production process model.

`scripts/stack start` runs gunicorn with several worker processes and a Huey worker against
PostgreSQL and Redis; `.ci/run` starts it and sets ASSESS_TEST_STACK_URL. Each request may land
on a different gunicorn process, so the flow passes only if no process keeps state another needs
(sessions, CSRF, rate limits, the outbox).
"""

from __future__ import annotations

import html
import json
import re
import secrets
from concurrent.futures import ThreadPoolExecutor

from tests.support.http import Browser


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
