"""Benchmark the embedded default: the server `make run` starts, on SQLite, with a cohort saving at once.

    make bench      (after bench/service.py)

Seeds 50 candidates mid-exercise in a fresh SQLite database, serves it exactly as `make run` does
(Flask's threaded server), and has Locust's 50 users autosave as fast as answers come back, beside
the same number of users on the trivial /healthz route as a baseline. Prints `name: value` lines,
failures included: every request answered other than "accepted" counts as one.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.seed import seed  # noqa: E402
from bench.service import answering, fail, locust, signed_cookie  # noqa: E402

PORT = int(os.environ.get("BENCH_EMBEDDED_PORT", "8101"))
CANDIDATES = int(os.environ.get("BENCH_EMBEDDED_USERS", "50"))


def main() -> None:
    from assess import create_app, migrate
    from assess.config import Config
    from assess.content_registry import library

    instance = Path(tempfile.mkdtemp(prefix="assess-bench-embedded-"))
    database = f"sqlite:///{instance / 'assess.sqlite3'}"
    migrate.upgrade(database)
    secret = secrets.token_urlsafe(48)
    app = create_app(Config(env="development", database_url=database, secret_key=secret, instance_dir=instance))
    with app.app_context():
        from assess import db

        seeded = seed(db.session(), library(), openings=0, candidates_per_opening=0, scorecards_per_submission=2,
                      interviewers=2, live_candidates=CANDIDATES, small_opening=2)
    env = os.environ | {
        "ASSESS_ENV": "development", "ASSESS_DATABASE_URL": database, "ASSESS_SECRET_KEY": secret,
        "ASSESS_INSTANCE_DIR": str(instance), "ASSESS_BASE_URL": f"http://127.0.0.1:{PORT}",
        "BENCH_CANDIDATE_COOKIES": ",".join(signed_cookie(app, {"candidate_invitation": i, "sid": f"bench-{i}"})
                                            for i in seeded.live_invitations),
    }
    env.pop("ASSESS_REDIS_URL", None)
    log = instance / "server.log"
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("flask")), "--app", "assess", "run", "--host", "127.0.0.1",
         "--port", str(PORT)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"))
    try:
        if not answering(PORT):
            fail("the development server did not start")
        out = instance / "locust"
        out.mkdir()
        trivial = locust("Trivial", env, out, CANDIDATES, "trivial", port=PORT)
        saving = locust("Autosave", env, out, CANDIDATES, "autosave", port=PORT)
    finally:
        server.terminate()
        server.wait(timeout=30)
    database_errors = sum("database unavailable" in line for line in log.read_text().splitlines())
    print(f"embedded_concurrent_candidates: {CANDIDATES}")
    print(f"embedded_trivial_requests_per_second: {trivial['rps']:.0f}")
    print(f"embedded_autosave_requests_per_second: {saving['rps']:.0f}")
    print(f"embedded_autosave_p95_ms: {saving['p95']:.0f}    (embedded_trivial_p95_ms: {trivial['p95']:.0f})")
    print(f"embedded_autosave_failures: {saving['failures']:.0f} of {saving['requests']:.0f}")
    print(f"embedded_database_errors_logged: {database_errors}")


if __name__ == "__main__":
    main()
