"""Running calls at the same moment, the way races happen."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import text

from assess.db import get_database


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; return what each returned (or raised), in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        barrier.wait(timeout=30)
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001  (handed back to the test, which reports it)
            results[index] = error

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def wait_for_lock_waiters(engine: Any, count: int) -> None:
    """Return once count connections of this PostgreSQL database wait for a lock (each look is a transaction of
    its own: the view is a snapshot)."""
    deadline = time.monotonic() + 20
    with engine.connect() as watcher:
        while True:
            waiting = watcher.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                          "AND datname = current_database()"))
            watcher.rollback()
            if waiting >= count:
                return
            assert time.monotonic() < deadline, "the calls never met at the lock"
            time.sleep(0.02)


def together(app: Flask, hold: Any, calls: list[Callable[[Any], Any]]) -> list[Any]:
    """Run each call with a session of its own while a third connection runs hold (a statement that locks
    what they need), then let them go; what each returned or raised."""
    engine = get_database(app).engine
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[Any], Any]) -> None:
        with app.app_context():
            session = get_database(app).new_session()
            try:
                results[index] = call(session)
            except Exception as error:  # noqa: BLE001  (handed back to the test)
                results[index] = error
            finally:
                session.close()

    with engine.connect() as gate:
        gate.execute(text(hold) if isinstance(hold, str) else hold)
        threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
        for thread in threads:
            thread.start()
        wait_for_lock_waiters(engine, len(calls))
        gate.rollback()
    for thread in threads:
        thread.join(timeout=30)
    return results


def read(app: Flask, query: Any) -> list[Any]:
    with app.app_context():
        session = get_database(app).new_session()
        try:
            return list(session.execute(query).all())
        finally:
            session.close()
