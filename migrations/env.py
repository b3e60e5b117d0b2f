"""Alembic environment: migrate the database named by the app's configuration."""

from alembic import context

from assess import models  # noqa: F401  (registers every table on the metadata)
from assess.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def _configure(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as connection:
            if connection.dialect.name != "sqlite":
                _configure(connection)
                return
            # SQLite alters a table by copying it and dropping the old one, which the rows of
            # other tables that point at it would forbid; the pragma only takes effect outside a
            # transaction. Every reference is checked once the migrations are done.
            raw = connection.connection.driver_connection
            raw.execute("PRAGMA foreign_keys=OFF")
            try:
                _configure(connection)
                broken = raw.execute("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration left rows pointing at rows that do not exist: {broken[:5]}")
            finally:
                raw.execute("PRAGMA foreign_keys=ON")
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
