"""The schema comes only from the migrations, and they agree with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from assess import migrate
from assess.db import Base


def test_migrations_and_models_agree(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_every_model_table_is_created_by_the_migrations(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_constraints_follow_the_naming_convention(engine: Engine) -> None:
    inspector = inspect(engine)
    foreign_keys = {fk["name"] for fk in inspector.get_foreign_keys("scorecards")}
    assert "fk_scorecards_assignment_id_assignments" in foreign_keys
    uniques = {uq["name"] for uq in inspector.get_unique_constraints("users")}
    assert "uq_users_email" in uniques


def test_downgrade_to_base_and_upgrade_again(database_url: str, engine: Engine) -> None:
    migrate.downgrade(database_url, "base")
    try:
        remaining = set(inspect(engine).get_table_names()) & set(Base.metadata.tables)
        assert remaining == set()
        assert migrate.current_heads(database_url) == set()
    finally:
        migrate.upgrade(database_url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    newest = ScriptDirectory.from_config(migrate.alembic_config(database_url)).get_heads()
    assert migrate.current_heads(database_url) == set(newest)
