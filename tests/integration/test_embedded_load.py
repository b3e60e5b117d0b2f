"""A cohort saving at once on the embedded default: the server `make run` starts, on SQLite.

Fifty candidates, each with their own session, autosave as fast as the server answers for a few
seconds through Flask's threaded server. Every save must be answered "accepted" (no 503 from a
locked database), and each candidate's stored text must be the last one acknowledged.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.seed import seed
from bench.service import answering, signed_cookie

from assess import create_app, migrate
from assess.config import PROJECT_ROOT
from assess.content_registry import library
from tests.support.app import make_config
from tests.support.http import Browser
from tests.support.mail import free_port

CANDIDATES = 50
SECONDS = 6.0
TEXTAREA = re.compile(r'<textarea[^>]*name="answer_problem_statement"[^>]*>(.*?)</textarea>', re.S)


def test_fifty_candidates_saving_at_once_on_sqlite_get_no_errors_and_lose_nothing(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'assess.sqlite3'}"
    migrate.upgrade(database)
    secret = "embedded-load-secret-that-is-long-enough-0123456789"
    app = create_app(make_config(tmp_path, database_url=database, secret_key=secret, env="development"))
    with app.app_context():
        from assess import db

        seeded = seed(db.session(), library(), openings=0, candidates_per_opening=0, scorecards_per_submission=2,
                      interviewers=2, live_candidates=CANDIDATES, small_opening=2)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSESS_")} | {
        "ASSESS_ENV": "development", "ASSESS_DATABASE_URL": database, "ASSESS_SECRET_KEY": secret,
        "ASSESS_INSTANCE_DIR": str(tmp_path / "instance"), "ASSESS_CONTENT_DIR": str(PROJECT_ROOT)}
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen([str(Path(sys.executable).with_name("flask")), "--app", "assess", "run",
                               "--port", str(port)], cwd=PROJECT_ROOT, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        assert answering(port), "the development server did not start"
        answers: dict[int, list[int]] = {}
        last_acknowledged: dict[int, str] = {}
        browsers: dict[int, Browser] = {}
        barrier = threading.Barrier(CANDIDATES)

        def candidate(index: int) -> None:
            browser = Browser(base)
            browser.set_cookie("session", signed_cookie(
                app, {"candidate_invitation": seeded.live_invitations[index], "sid": f"load-{index}"}))
            page = browser.get("/c/exercises/a-mini-prd")
            token = html.unescape(re.search(r'name="csrf-token" content="([^"]+)"', page).group(1))  # type: ignore[union-attr]
            browsers[index], statuses = browser, []
            barrier.wait(timeout=60)
            seq, stop = 0, time.monotonic() + SECONDS
            while time.monotonic() < stop:
                seq += 1
                text = f"Candidate {index}, draft {seq}: approvals take four days."
                status, _, body = browser.request(
                    "/c/exercises/a-mini-prd/autosave", headers={"X-CSRFToken": token},
                    json_body={"client_id": f"tab-load-{index:04d}", "seq": seq, "base_revision": 0,
                               "answers": {"problem_statement": text}})
                statuses.append(status)
                if status == 200 and json.loads(body)["status"] == "accepted":
                    last_acknowledged[index] = text
            answers[index] = statuses

        threads = [threading.Thread(target=candidate, args=(i,)) for i in range(CANDIDATES)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    sent = [status for statuses in answers.values() for status in statuses]
    assert len(answers) == CANDIDATES and len(sent) >= CANDIDATES
    assert set(sent) == {200}, f"{sum(s != 200 for s in sent)} of {len(sent)} saves were not accepted"
    assert "database unavailable" not in (tmp_path / "server.log").read_text()
    with app.app_context():
        from sqlalchemy import select

        from assess import db
        from assess.models import Attempt, Draft, Invitation

        stored = dict(db.session().execute(
            select(Invitation.id, Draft.answers).join(Attempt, Attempt.candidate_id == Invitation.candidate_id)
            .join(Draft, Draft.attempt_id == Attempt.id)).all())
    for index, text in last_acknowledged.items():
        assert stored[seeded.live_invitations[index]]["problem_statement"] == text
