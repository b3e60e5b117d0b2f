"""The database: one engine and session factory per app, and the declarative base."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask, g, has_request_context
from sqlalchemy import Connection, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, whatever the database keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# An execution option naming a session of a request (any request may write: a page showing
# candidates' names records the view), so that on SQLite it queues for the write lock when its
# transaction begins. Only requests get it: their sessions
# end with the request, while a worker's session may sit in a transaction during a slow call.
WRITES = "assess_writes"


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets foreign keys and transactions that SAVEPOINT works in."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    event.listen(engine, "connect", _secure_delete)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A transaction that may write takes SQLite's write lock when it begins: one that
        # began as a reader and then wrote would fail at once, unqueued, whenever another
        # writer had committed in between. Readers never wait on writers in WAL mode.
        writes = connection.get_execution_options().get(WRITES, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

    return engine


def _secure_delete(dbapi_connection: Any, _record: Any) -> None:
    """Have SQLite zero what it deletes or overwrites, so an erased candidate leaves nothing in the file."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


class Database:
    """The app's engine and session factory, with one session per request.

    ``bind`` lets tests hand in a connection inside an outer transaction: a
    service's commit then only releases a savepoint, and the test rolls back.
    """

    def __init__(self, engine: Engine, bind: Engine | Connection | None = None) -> None:
        self.engine = engine
        # Copied into every new session's `info`: how its committed side effects reach the worker.
        self.session_info: dict[str, Any] = {}
        self.sessionmaker = sessionmaker(
            bind=bind if bind is not None else engine,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
            info=self.session_info,
        )
        self.writing_sessionmaker = sessionmaker(
            bind=bind if bind is not None else engine.execution_options(**{WRITES: True}),
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
            info=self.session_info,
        )

    def new_session(self, *, writes: bool = False) -> Session:
        return (self.writing_sessionmaker if writes else self.sessionmaker)()


def init_app(app: Flask, database: Database | None = None) -> None:
    config = app.config["ASSESS"]
    if database is None:
        database = Database(make_engine(config.database_url))
    app.extensions["assess.db"] = database
    app.teardown_appcontext(_close_session)


def get_database(app: Flask) -> Database:
    return app.extensions["assess.db"]


def session() -> Session:
    """The session of the current app context, opened on first use."""
    if "db_session" not in g:
        from flask import current_app

        # Every request may write: one that changes things, and a page that shows candidates' names,
        # which records that view in the audit log.
        writes = has_request_context()
        g.db_session = get_database(current_app).new_session(writes=writes)
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()
