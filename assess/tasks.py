"""Background jobs on Huey: SQLite storage by default, Redis when ASSESS_REDIS_URL is set.

Run a worker with `huey_consumer assess.tasks.huey` (`make run` starts one). The web
app queues jobs on a Huey built from its own configuration, so both sides share the
same storage when they share the environment.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import Huey, RedisHuey, SqliteHuey, crontab

from .config import Config

log = logging.getLogger(__name__)


def make_huey(config: Config) -> Huey:
    """The task queue for a configuration."""
    if config.redis_url:
        return RedisHuey("assess", url=config.redis_url)
    config.instance_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("assess", filename=str(config.instance_dir / "tasks.sqlite3"))


@lru_cache(maxsize=1)
def _worker_app() -> Flask:
    from . import create_app

    return create_app()


def _app() -> Flask:
    """The app a job runs in: the one already active (tests, eager runs), else the worker's own."""
    return current_app._get_current_object() if has_app_context() else _worker_app()  # type: ignore[attr-defined, no-any-return]


@dataclass(frozen=True)
class Tasks:
    huey: Huey
    run_ai_draft: Any
    sweep_deadlines: Any
    purge_expired: Any
    recover_stalled_drafts: Any
    deliver_webhooks: Any


def register(queue: Huey) -> Tasks:
    """Define the jobs on a queue."""

    @queue.task(retries=1, retry_delay=5)
    def run_ai_draft(draft_id: int) -> None:
        """Make one AI draft of a scorecard."""
        from . import clock, db
        from .services import ai_drafts

        app = _app()
        with app.app_context():
            ai_drafts.run(db.session(), app.config["ASSESS"], draft_id, now=clock.now)

    @queue.periodic_task(crontab(minute="*"))
    def sweep_deadlines() -> int:
        """Every minute: submit the saved text of attempts whose time has run out."""
        from . import clock, db
        from .services import answering

        app = _app()
        with app.app_context():
            return answering.sweep(db.session(), app.config["ASSESS"], now=clock.now())

    @queue.periodic_task(crontab(minute="17", hour="3"))
    def purge_expired() -> int:
        """Every night: erase candidates whose opening's retention period has ended."""
        from . import clock, db
        from .services import candidate_data

        app = _app()
        with app.app_context():
            return candidate_data.purge(db.session(), clock.now())

    @queue.periodic_task(crontab(minute="*"))
    def recover_stalled_drafts() -> int:
        """Every minute: drafts whose worker died are reported failed, so the interviewer can ask again."""
        from . import clock, db
        from .services import ai_drafts

        app = _app()
        with app.app_context():
            return ai_drafts.recover_stalled(db.session(), app.config["ASSESS"], clock.now())

    @queue.periodic_task(crontab(minute="*"))
    def deliver_webhooks() -> int:
        """Every minute: send webhook deliveries that are due, retrying failed ones with growing pauses."""
        from . import clock, db
        from .services import webhooks

        app = _app()
        with app.app_context():
            return webhooks.deliver_due(db.session(), clock.now())

    return Tasks(huey=queue, run_ai_draft=run_ai_draft, sweep_deadlines=sweep_deadlines,
                 purge_expired=purge_expired, recover_stalled_drafts=recover_stalled_drafts,
                 deliver_webhooks=deliver_webhooks)


def init_app(app: Flask) -> None:
    app.extensions["assess.tasks"] = register(make_huey(app.config["ASSESS"]))


def tasks() -> Tasks:
    """The jobs of the current app."""
    return current_app.extensions["assess.tasks"]  # type: ignore[no-any-return]


huey = make_huey(Config.from_env())
register(huey)
