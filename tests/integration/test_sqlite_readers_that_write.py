"""On SQLite a page that shows candidates' names writes an audit row: it must queue for the write lock.

A transaction that began as a reader and then writes fails at once ("database is locked") whenever
another writer committed in between; so every request's transaction takes the write lock as it begins,
and several hiring managers opening pages at the same moment wait their turn instead of getting errors.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import text

from assess import create_app, db, migrate
from tests.support.app import make_config


def test_a_page_that_reads_and_then_writes_waits_for_another_writer_instead_of_failing(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'assess.sqlite3'}"
    migrate.upgrade(database)
    app = create_app(make_config(tmp_path, database_url=database))
    with app.app_context():
        db.session().execute(text("CREATE TABLE scratch (written_by TEXT)"))
        db.session().commit()
    other_wrote = threading.Event()
    failures: list[BaseException] = []

    def other_writer() -> None:
        try:
            with app.test_request_context("/hiring/", method="POST"):
                session = db.session()
                session.execute(text("INSERT INTO scratch VALUES ('other')"))
                session.commit()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)
        finally:
            other_wrote.set()

    with app.test_request_context("/hiring/openings/x/scoring", method="GET"):
        page = db.session()
        page.execute(text("SELECT count(*) FROM candidates")).scalar()  # the page reads first
        writer = threading.Thread(target=other_writer)
        writer.start()
        other_wrote.wait(timeout=0.5)  # it waits on this page's transaction, so it has not written yet
        page.execute(text("INSERT INTO scratch VALUES ('page')"))  # then records the view
        page.commit()
    writer.join(timeout=30)
    assert failures == []
    with app.app_context():
        assert db.session().execute(text("SELECT count(*) FROM scratch")).scalar() == 2
