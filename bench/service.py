"""Benchmark the product as it runs in production: PostgreSQL, Redis, gunicorn, a large data set.

    make bench      (after bench/calibration.py)

Seeds 10 openings of 500 candidates and one of 5,000 (each with three submissions per candidate and
four scorecards per submission), a small opening and candidates mid-exercise; has the worker
calibrate every opening, serves them with gunicorn, loads every page a hiring manager or interviewer
waits on in the 5,000-candidate opening with Locust and prints `name: value` lines, each next to a
baseline measured in the same run: the trivial /healthz route for throughput and latency (each page
also as a ratio to it), a 20-candidate opening for SQL queries per page, a plain average for the
calibration fit, an idle worker for memory. Needs PostgreSQL and Redis; their addresses come
from ASSESS_BENCH_DATABASE_URL (a database it may drop and recreate) and ASSESS_BENCH_REDIS_URL.
"""

from __future__ import annotations

import csv
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.seed import seed  # noqa: E402

DATABASE = os.environ.get("ASSESS_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/assess_bench")
REDIS = os.environ.get("ASSESS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
PORT = int(os.environ.get("BENCH_PORT", "8100"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str((os.cpu_count() or 2) * 2)))
USERS = int(os.environ.get("BENCH_USERS", "16"))  # concurrent clients for the trivial route and autosave
PAGE_USERS = int(os.environ.get("BENCH_PAGE_USERS", str(WORKERS)))  # for the heavy pages: one per worker
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
OPENINGS, PER_OPENING, SMALL, LARGE = 10, 500, 20, 5000
LARGE_SLUG, SMALL_SLUG = "bench-large", "bench-small"


def pages(slug: str, candidates: list[int]) -> dict[str, list[str]]:
    """Every page a hiring manager or interviewer waits on in one opening, by the name its figures carry; a page
    with several paths (pages of a list, different candidates) is loaded at each in turn."""
    staff, api = f"/hiring/openings/{slug}", f"/api/v1/openings/{slug}"
    return {
        "opening": [staff, f"{staff}?page=2", f"{staff}?page=40"],
        "candidate_search": [f"{staff}?q=Candidate", f"{staff}?q=example.net&page=2", f"{staff}?q=andidate+1"],
        "candidate_filter": [f"{staff}?stage=scored", f"{staff}?decision=none&sort=name&page=3",
                             f"{staff}?stage=submitted&sort=stage&page=2"],
        "pipeline": [f"{staff}/pipeline"],
        "openings": ["/hiring/"],
        "scoring": [f"{staff}/scoring", f"{staff}/scoring?page=2"],
        "results": [f"{staff}/results", f"{staff}/results?page=2", f"{staff}/results?page=60"],
        "interviewers": [f"{staff}/interviewers"],
        "candidate": [f"{staff}/candidates/{c}" for c in candidates],
        "results_csv": [f"{staff}/export/results.csv"],
        "api_candidates": [f"{api}/candidates?page={n}" for n in (1, 2, 30)],
        "api_scorecards": [f"{api}/scorecards?page={n}" for n in (1, 2, 300)],
        "api_results": [f"{api}/results?page={n}" for n in (1, 2, 30)],
    }


def fail(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr)
    raise SystemExit(1)


def recreate_database() -> None:
    import psycopg

    parts = urlsplit(DATABASE.replace("+psycopg", ""))
    admin = parts._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{parts.path[1:]}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{parts.path[1:]}"')
    except psycopg.OperationalError as error:
        fail(f"cannot reach PostgreSQL at {admin} ({error}). Start it, or set ASSESS_BENCH_DATABASE_URL.")


def check_redis() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=3).flushdb()
    except redis.RedisError as error:
        fail(f"cannot reach Redis at {REDIS} ({error}). Start it, or set ASSESS_BENCH_REDIS_URL.")


def environment(secret: str, instance: Path) -> dict[str, str]:
    # The API pages are measured as the server serves them, not as one token's budget allows.
    return os.environ | {"ASSESS_ENV": "development", "ASSESS_DATABASE_URL": DATABASE, "ASSESS_REDIS_URL": REDIS,
                         "ASSESS_SECRET_KEY": secret, "ASSESS_INSTANCE_DIR": str(instance),
                         "ASSESS_BASE_URL": f"http://127.0.0.1:{PORT}", "ASSESS_API_REQUESTS_PER_MINUTE": "1000000"}


def answering(port: int, seconds: float = 20) -> bool:
    """Wait until the server on port answers /healthz; False if it never does."""
    give_up = time.monotonic() + seconds
    while time.monotonic() < give_up:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return True
        except OSError:
            time.sleep(0.2)
    return False


def signed_cookie(app, values: dict) -> str:  # type: ignore[no-untyped-def]
    return app.session_interface.get_signing_serializer(app).dumps(values)


def staff_cookie(app, user_id: int = 1) -> str:  # type: ignore[no-untyped-def]
    """The cookie of a real sign-in of the user (the admin by default), as the sign-in form makes it."""
    from assess import clock, db
    from assess.models import User
    from assess.services import users
    from assess.web.access import fresh_session, session_lifetime, stamp_staff_session

    values: dict = {}
    with app.app_context():
        session = db.session()
        signed_in = users.start_session(session, session.get(User, user_id), now=clock.now(),
                                        lifetime=session_lifetime(app.config["ASSESS"]))
        fresh_session(values)
        stamp_staff_session(values, signed_in, clock.now())
    return signed_cookie(app, values)


def queries(app, cookie: str, path: str, headers: dict[str, str]) -> int:  # type: ignore[no-untyped-def]
    from assess.db import get_database

    count = 0

    def counted(*_: object) -> None:
        nonlocal count
        count += 1

    engine = get_database(app).engine
    client = app.test_client()
    client.set_cookie("session", cookie)
    client.get(path, headers=headers)  # warm caches (content versions) the way a running worker has them
    event.listen(engine, "before_cursor_execute", counted)
    try:
        response = client.get(path, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    if response.status_code != 200:
        fail(f"{path} answered {response.status_code}")
    return count


def calibrate_everything(app) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """What the worker does after the scorecards change: ask for every opening's calibration and work it out;
    returns each opening's seconds (the first-submitted view, interviewer report included)."""
    from assess import clock, db
    from assess.content_registry import library
    from assess.models import CalibrationSnapshot, Opening
    from assess.services import snapshots
    from sqlalchemy import select

    with app.app_context():
        session = db.session()
        for opening_id in session.scalars(select(Opening.id)).all():
            snapshots.ratings_changed(session, opening_id, clock.now())
        session.commit()
        snapshots.compute_due(session, library(), clock.now())
        return {slug: seconds for slug, seconds in session.execute(
            select(Opening.slug, CalibrationSnapshot.seconds).join(CalibrationSnapshot)
            .where(CalibrationSnapshot.ratings == "first", CalibrationSnapshot.without == 0))}


def analyze() -> None:
    """Leave the tables as autovacuum leaves a running database a while after a bulk load: with the planner's
    statistics (without them it plans the freshly seeded tables as if nearly empty, and a page of scorecards
    read 60,000 rows to find 50) and the visibility map an index-only scan needs."""
    import psycopg

    with psycopg.connect(DATABASE.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def api_token(app, admin_id: int) -> str:  # type: ignore[no-untyped-def]
    from assess import clock, db
    from assess.models import User
    from assess.services import api_tokens

    with app.app_context():
        session = db.session()
        _, plain = api_tokens.create(session, name="Bench", scopes=list(api_tokens.SCOPES),
                                     actor=session.get(User, admin_id), now=clock.now())
        return plain


def interviewer_pages(app, slug: str) -> tuple[int, dict[str, list[str]]]:  # type: ignore[no-untyped-def]
    """An interviewer with work in the opening, and the pages they wait on: their queue and a scorecard."""
    from assess import db
    from assess.models import Assignment, Attempt, Candidate, Opening
    from sqlalchemy import select

    with app.app_context():
        found = db.session().execute(
            select(Assignment.interviewer_id, Assignment.id).join(Attempt).join(Candidate).join(Opening)
            .where(Opening.slug == slug).order_by(Assignment.id).limit(20)).all()
    interviewer = found[0][0]
    return interviewer, {"queue": ["/review/", "/review/?page=2", "/review/?page=40"],
                         "scorecard": [f"/review/assignments/{a}" for i, a in found if i == interviewer]}


def some_candidates(app, slug: str, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    from assess import db
    from assess.models import Candidate, Opening
    from sqlalchemy import select

    with app.app_context():
        return list(db.session().scalars(select(Candidate.id).join(Opening).where(Opening.slug == slug)
                                         .order_by(Candidate.id).limit(count)))


def calibration_times(app) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    from assess import db
    from assess.domain.calibration import calibrate
    from assess.domain.ranking import calibration_ratings
    from assess.services import openings, scores

    with app.app_context():
        session = db.session()
        ratings = calibration_ratings(scores.scored_cards(session, openings.opening_at(session, "bench-01")))
        started = time.perf_counter()
        sums: dict[str, list[float]] = {}
        for r in ratings:
            sums.setdefault(r.candidate, []).append(r.score)
        {c: sum(v) / len(v) for c, v in sums.items()}
        raw = time.perf_counter() - started
        started = time.perf_counter()
        calibrate(ratings)
        return time.perf_counter() - started, raw, len(ratings)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(c) for c in children]


def locust(scenario: str, env: dict[str, str], out: Path, users: int, name: str, port: int = PORT) -> dict[str, float]:
    prefix = out / name
    ran = subprocess.run([str(Path(sys.executable).with_name("locust")), "-f", str(ROOT / "bench" / "locustfile.py"),
                    "--headless", "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{SECONDS}s",
                    "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
                    "--loglevel", "WARNING", scenario], env=env, check=False, capture_output=True, text=True,
                         timeout=SECONDS + 60)
    if ran.returncode != 0:
        print(f"bench: locust {name} exited {ran.returncode}: {ran.stderr[-1000:]}", file=sys.stderr)
    with open(f"{prefix}_stats.csv") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    row = rows[name]
    return {"rps": float(row["Requests/s"]), "p95": float(row["95%"]), "failures": float(total["Failure Count"]),
            "requests": float(row["Request Count"])}


def main() -> None:
    from assess import create_app, migrate
    from assess.config import Config
    from assess.content_registry import library

    recreate_database()
    check_redis()
    migrate.upgrade(DATABASE)
    secret = secrets.token_urlsafe(48)
    instance = Path(tempfile.mkdtemp(prefix="assess-bench-"))
    app = create_app(Config(env="development", database_url=DATABASE, redis_url=REDIS, secret_key=secret,
                            instance_dir=instance))
    started = time.perf_counter()
    with app.app_context():
        from assess import db

        seeded = seed(db.session(), library(), openings=OPENINGS, candidates_per_opening=PER_OPENING,
                      scorecards_per_submission=4, interviewers=40, live_candidates=200, small_opening=SMALL,
                      large_opening=LARGE)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"seed_seconds: {time.perf_counter() - started:.1f}")
    for name in ("candidates", "submissions", "scorecards", "ratings"):
        print(f"seeded_{name}: {seeded.counts[name]}")
    print(f"candidates_in_largest_opening: {seeded.openings[LARGE_SLUG]}")
    started = time.perf_counter()
    worked_out = calibrate_everything(app)
    print(f"worker_calibration_seconds_all_openings: {time.perf_counter() - started:.1f}")
    print(f"worker_calibration_seconds_{PER_OPENING}_candidates: {worked_out['bench-01']:.1f}")
    print(f"worker_calibration_seconds_{LARGE}_candidates: {worked_out[LARGE_SLUG]:.1f}")
    analyze()

    staff = staff_cookie(app)
    token = api_token(app, seeded.admin_id)
    large_pages = pages(LARGE_SLUG, some_candidates(app, LARGE_SLUG, 50))
    small_pages = pages(SMALL_SLUG, some_candidates(app, SMALL_SLUG, 1))
    for page, paths in large_pages.items():
        headers = {"Authorization": f"Bearer {token}"} if page.startswith("api_") else {}
        small = queries(app, staff, small_pages[page][0], headers)
        large = queries(app, staff, paths[0], headers)
        print(f"sql_queries_{page}_page_{SMALL}_candidates: {small}")
        print(f"sql_queries_{page}_page_{LARGE}_candidates: {large}")
    interviewer, their_pages = interviewer_pages(app, LARGE_SLUG)
    theirs = staff_cookie(app, interviewer)
    for page, paths in their_pages.items():
        print(f"sql_queries_{page}_page_{LARGE}_candidates: {queries(app, theirs, paths[0], {})}")
    cookies = dict.fromkeys(large_pages, staff) | dict.fromkeys(their_pages, theirs)
    large_pages |= their_pages
    fit, raw, count = calibration_times(app)
    print(f"calibration_ratings_one_opening: {count}")
    print(f"raw_mean_seconds_one_opening: {raw:.4f}")
    print(f"calibration_fit_seconds_one_opening: {fit:.3f}")

    env = environment(secret, instance) | {
        "BENCH_STAFF_COOKIE": staff,
        "BENCH_CANDIDATE_COOKIES": ",".join(signed_cookie(app, {"candidate_invitation": i, "sid": f"bench-{i}"})
                                            for i in seeded.live_invitations),
        "PORT": str(PORT), "HOST": "127.0.0.1", "WEB_CONCURRENCY": str(WORKERS),
    }
    pidfile = instance / "web.pid"
    server = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-c", str(ROOT / "gunicorn.conf.py"),
                               "wsgi:app", "--pid", str(pidfile), "--access-logfile", "/dev/null"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not answering(PORT):
            fail("gunicorn did not start")
        time.sleep(1)
        master = int(pidfile.read_text())
        idle = [rss_mb(pid) for pid in workers_of(master)]
        print(f"gunicorn_workers: {len(idle)}")
        print(f"memory_per_worker_idle_mb: {max(idle):.1f}")
        out = instance / "locust"
        out.mkdir()
        trivial = locust("Trivial", env, out, USERS, "trivial")
        autosave = locust("Autosave", env, out, USERS, "autosave")
        figures = {page: locust("StaffPage", env | {"BENCH_PATHS": ",".join(paths), "BENCH_NAME": page,
                                                    "BENCH_STAFF_COOKIE": cookies[page],
                                                    "BENCH_BEARER": token if page.startswith("api_") else ""},
                                out, PAGE_USERS, page)
                   for page, paths in large_pages.items()}
        loaded = [rss_mb(pid) for pid in workers_of(master)]
        print(f"memory_per_worker_loaded_mb: {max(loaded):.1f}")
        print(f"load_users_trivial_and_autosave: {USERS}")
        print(f"load_users_pages: {PAGE_USERS}")
        print(f"trivial_requests_per_second: {trivial['rps']:.0f}")
        print(f"trivial_p95_ms: {trivial['p95']:.0f}")
        print(f"autosave_requests_per_second: {autosave['rps']:.0f}")
        print(f"autosave_p95_ms: {autosave['p95']:.0f}")
        print(f"autosave_ratio_to_trivial: {autosave['rps'] / trivial['rps']:.2f}")
        for page, figure in figures.items():
            print(f"{page}_page_requests_per_second: {figure['rps']:.1f}")
            print(f"{page}_page_p95_ms: {figure['p95']:.0f}")
            print(f"{page}_page_ratio_to_trivial: {figure['rps'] / trivial['rps']:.3f}")
        for name, figure in {"trivial": trivial, "autosave": autosave, **figures}.items():
            print(f"failures_{name}: {figure['failures']:.0f} of {figure['requests']:.0f}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
