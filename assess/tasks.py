"""Background jobs on Huey: SQLite storage by default, Redis when ASSESS_REDIS_URL is set.

Run a worker with `huey_consumer assess.tasks.huey` (`make run` starts one).
"""

from __future__ import annotations

import logging
from functools import lru_cache

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey, crontab

from .config import Config

log = logging.getLogger(__name__)


def make_huey(config: Config) -> Huey:
    """The task queue for a configuration."""
    if config.redis_url:
        return RedisHuey("assess", url=config.redis_url)
    config.instance_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("assess", filename=str(config.instance_dir / "tasks.sqlite3"))


huey = make_huey(Config.from_env())


@lru_cache(maxsize=1)
def _app() -> Flask:
    from . import create_app

    return create_app()


@huey.periodic_task(crontab(minute="*"))
def sweep_deadlines() -> int:
    """Every minute: submit the saved text of attempts whose time has run out."""
    from . import clock, db
    from .services import attempts

    app = _app()
    with app.app_context():
        return attempts.sweep(db.session(), app.config["ASSESS"], now=clock.now())
