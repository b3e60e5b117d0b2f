"""Background jobs on one Huey queue per app: SQLite storage by default, Redis when ASSESS_REDIS_URL is set.

The app builds its queue and jobs in `init_app`; the worker process (`huey_consumer worker.huey`)
builds the app once and runs that same queue, so web and worker share the storage when they
share the environment. The jobs carry out what the services wrote as intents: the door
(`services/effects.py`) is connected here, so a committed email, webhook delivery or AI draft is
queued at once, and the periodic jobs send whatever was never queued.

Under ASSESS_ENV=test no worker runs: mail is then sent, and calibrations worked out, in the process
as soon as their transaction commits, as an idle worker would, so a test reads what the mail server
made of it and the pages the ratings it just gave; the other jobs wait on the queue for the test to
run them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey, crontab
from sqlalchemy.orm import Session

from . import clock
from .config import Config
from .db import get_database
from .content_registry import library
from .services import ai_drafts, answering, candidate_data, effects, mail, reminders, snapshots, webhooks, work_mail

log = logging.getLogger(__name__)


def make_huey(config: Config) -> Huey:
    """The task queue for a configuration."""
    if config.redis_url:
        return RedisHuey("assess", url=config.redis_url)
    config.instance_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("assess", filename=str(config.instance_dir / "tasks.sqlite3"))


@dataclass(frozen=True)
class Tasks:
    huey: Huey
    run_ai_draft: Any
    sweep_deadlines: Any
    purge_expired: Any
    recover_stalled_drafts: Any
    deliver_webhooks: Any
    send_mail: Any
    calibrate: Any
    calibrate_due: Any
    announce_work: Any
    send_reminders: Any
    send_digests: Any


def register(queue: Huey, app: Flask) -> Tasks:
    """Define the app's jobs on a queue."""

    @contextmanager
    def job() -> Iterator[tuple[Session, Config]]:
        # Each job has its own app context and session, even when it runs inside a request.
        with app.app_context():
            session = get_database(app).new_session()
            try:
                yield session, app.config["ASSESS"]
            finally:
                session.close()

    @queue.task(retries=1, retry_delay=5)
    def run_ai_draft(draft_id: int) -> None:
        """Make one AI draft of a scorecard."""
        with job() as (session, config):
            ai_drafts.run(session, config, draft_id, now=clock.now())

    @queue.task(retries=1, retry_delay=5)
    def calibrate(snapshot_id: int) -> bool:
        """Fit the calibration model to an opening's ratings at one version and store what every page reads."""
        with job() as (session, _):
            return snapshots.compute(session, library(), snapshot_id, clock.now())

    @queue.periodic_task(crontab(minute="*"))
    def calibrate_due() -> int:
        """Every minute: calibrations asked for and never worked out (queue down, worker died)."""
        with job() as (session, _):
            return snapshots.compute_due(session, library(), clock.now())

    @queue.periodic_task(crontab(minute="*"))
    def send_mail() -> int:
        """Send the mail that is due, in batches over one connection; every minute and after each commit."""
        with job() as (session, config):
            return mail.send_due(session, config, now=clock.now())

    @queue.periodic_task(crontab(minute="*"))
    def sweep_deadlines() -> int:
        """Every minute: submit the saved text of attempts whose time has run out."""
        with job() as (session, config):
            return answering.sweep(session, config, now=clock.now())

    @queue.periodic_task(crontab(minute="17", hour="3"))
    def purge_expired() -> int:
        """Every night: erase candidates whose opening's retention period has ended."""
        with job() as (session, _):
            return candidate_data.purge(session, clock.now())

    @queue.periodic_task(crontab(minute="*"))
    def recover_stalled_drafts() -> int:
        """Every minute: drafts whose job never ran or died are reported failed, so the interviewer can ask again."""
        with job() as (session, config):
            return ai_drafts.recover_stalled(session, config, clock.now())

    @queue.periodic_task(crontab(minute="*"))
    def deliver_webhooks() -> int:
        """Send webhook deliveries that are due, retrying failed ones; every minute and after each commit."""
        with job() as (session, _):
            return webhooks.deliver_due(session, clock.now())

    @queue.periodic_task(crontab(minute="*"))
    def announce_work() -> int:
        """Email interviewers about work given to them; every minute and after each commit that assigns."""
        with job() as (session, config):
            return work_mail.announce(session, config, clock.now())

    @queue.periodic_task(crontab(minute="*/5"))
    def send_reminders() -> int:
        """Every five minutes: remind candidates before their link expires, interviewers of overdue work."""
        with job() as (session, config):
            return reminders.send_due(session, library(), config, clock.now())

    @queue.periodic_task(crontab(minute="*/15"))
    def send_digests() -> int:
        """Every quarter of an hour: each interviewer's morning digest, once a day from the digest hour."""
        with job() as (session, config):
            return work_mail.send_digests(session, config, clock.now())

    return Tasks(huey=queue, run_ai_draft=run_ai_draft, sweep_deadlines=sweep_deadlines,
                 purge_expired=purge_expired, recover_stalled_drafts=recover_stalled_drafts,
                 deliver_webhooks=deliver_webhooks, send_mail=send_mail, calibrate=calibrate,
                 calibrate_due=calibrate_due, announce_work=announce_work, send_reminders=send_reminders,
                 send_digests=send_digests)


def dispatcher(jobs: Tasks, in_process: frozenset[effects.Effect] = frozenset()) -> effects.Dispatch:
    """The door's way to the worker: queue the job that carries out each kind of intent.

    Kinds in in_process are carried out at once, in this process, instead."""
    batch_jobs: dict[effects.Effect, Callable[[], Any]] = {
        effects.Effect.MAIL: jobs.send_mail, effects.Effect.WEBHOOK: jobs.deliver_webhooks,
        effects.Effect.WORK_NOTICE: jobs.announce_work}

    def dispatch(effect: effects.Effect, ids: tuple[int, ...]) -> bool:
        if effect is effects.Effect.AI_DRAFT:
            for draft_id in ids:
                jobs.run_ai_draft(draft_id)
            return False
        if effect is effects.Effect.CALIBRATION:
            for snapshot_id in ids:
                if effect in in_process:
                    jobs.calibrate.call_local(snapshot_id)
                else:
                    jobs.calibrate(snapshot_id)
            return effect in in_process
        # Mail, webhooks and work notices go out in batches: one job sends everything that is due.
        if effect in in_process:
            batch_jobs[effect].call_local()  # type: ignore[attr-defined]
            return True
        batch_jobs[effect]()
        return False

    return dispatch


def init_app(app: Flask) -> None:
    config: Config = app.config["ASSESS"]
    jobs = register(make_huey(config), app)
    app.extensions["assess.tasks"] = jobs
    in_process = (frozenset({effects.Effect.MAIL, effects.Effect.CALIBRATION, effects.Effect.WORK_NOTICE})
                  if config.env == "test" else frozenset())
    effects.connect(get_database(app).session_info, dispatcher(jobs, in_process))


def tasks() -> Tasks:
    """The jobs of the current app."""
    return current_app.extensions["assess.tasks"]  # type: ignore[no-any-return]


def queue_of(app: Flask) -> Huey:
    """The app's task queue, for the worker process to run."""
    return app.extensions["assess.tasks"].huey  # type: ignore[no-any-return]
