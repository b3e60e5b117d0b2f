"""The schema comes only from the migrations, and they agree with the models."""

from __future__ import annotations

import json
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from assess import migrate
from assess.db import Base, make_engine
from assess.services import scorecards


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


def test_notes_in_audit_rows_written_before_the_log_became_append_only_are_reduced_to_digests(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    migrate.upgrade(url, "0004")
    engine = make_engine(url)
    details = {"values": {"ratings": {"communication": {"score": 4, "evidence": "Quotes 'I, Ann Example'"}},
                          "recommendation": "yes", "summary": "Ann is strong."}}
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO audit_events (occurred_at, actor_kind, action, subject_type, details) "
                                "VALUES ('2026-01-01 00:00:00', 'interviewer', 'scorecard.submitted', 'scorecard', "
                                ":details)"), {"details": json.dumps(details)})
    migrate.upgrade(url)
    with engine.connect() as connection:
        stored = json.loads(connection.execute(text("SELECT details FROM audit_events")).scalar_one())
    engine.dispose()
    assert "Ann" not in json.dumps(stored)
    assert stored["values"]["ratings"]["communication"] == {"score": 4, "evidence": scorecards.text_digest(
        "Quotes 'I, Ann Example'")}


def test_upgrading_leaves_one_live_link_per_candidate_and_no_working_link_in_sent_mail(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'links.sqlite3'}"
    migrate.upgrade(url, "0007")
    engine = make_engine(url)
    link = "http://127.0.0.1:5000/c/start/AbC-123_xyz"
    with engine.begin() as connection:
        run = connection.exec_driver_sql
        run("INSERT INTO users (id, email, name, password_hash, role, active, auth_version, created_at) "
            "VALUES (1, 'm@example.org', 'M', 'x', 'hiring_manager', 1, 1, '2026-01-01')")
        run("INSERT INTO openings (id, slug, title, hiring_manager_id, invitation_valid_days, ai_enabled, ai_notice, "
            "ai_draft_timing, interviewers_per_submission, retention_days, calibration_required, created_at) "
            "VALUES (1, 'o', 'O', 1, 14, 0, '', 'after_rating', 2, 365, 0, '2026-01-01')")
        run("INSERT INTO candidates (id, opening_id, name, email, pseudonym, data_variant_seed, extra_minutes, "
            "created_at) VALUES (1, 1, 'C', 'c@example.org', 'AB12', 0, 0, '2026-01-01')")
        for n in (1, 2):  # an expired link never marked replaced, and the one sent after it
            run(f"INSERT INTO invitations (id, candidate_id, token_hash, created_at, expires_at) "
                f"VALUES ({n}, 1, '{n:064d}', '2026-01-0{n}', '2026-01-0{n + 1}')")
        for n, (transport, sent) in enumerate((("smtp", "'2026-01-02'"), ("outbox", "NULL")), start=1):
            run(f"INSERT INTO outbound_emails (id, opening_id, candidate_id, to_address, subject, body_text, transport, "
                f"created_at, sent_at) VALUES ({n}, 1, 1, 'c@example.org', 'S', 'Your link: {link}\nBye', "
                f"'{transport}', '2026-01-02', {sent})")
    migrate.upgrade(url)
    with engine.connect() as connection:
        live = connection.execute(text("SELECT id FROM invitations WHERE revoked_at IS NULL")).scalars().all()
        bodies = dict(connection.execute(text("SELECT transport, body_text FROM outbound_emails")).all())
    engine.dispose()
    assert live == [2]
    assert bodies["smtp"] == "Your link: (link sent by email; send a new link to replace it)\nBye"
    assert link in bodies["outbox"]


def test_upgrading_a_database_with_work_under_way_keeps_its_deadline_and_its_draft(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'work.sqlite3'}"
    migrate.upgrade(url, "0007")
    engine = make_engine(url)
    with engine.begin() as connection:
        run = connection.exec_driver_sql
        run("INSERT INTO users (id, email, name, password_hash, role, active, auth_version, created_at) "
            "VALUES (1, 'm@example.org', 'M', 'x', 'hiring_manager', 1, 1, '2026-01-01')")
        run("INSERT INTO openings (id, slug, title, hiring_manager_id, invitation_valid_days, ai_enabled, ai_notice, "
            "ai_draft_timing, interviewers_per_submission, retention_days, calibration_required, created_at) "
            "VALUES (1, 'o', 'O', 1, 14, 0, '', 'after_rating', 2, 365, 0, '2026-01-01')")
        run("INSERT INTO candidates (id, opening_id, name, email, pseudonym, data_variant_seed, extra_minutes, "
            "created_at) VALUES (1, 1, 'C', 'c@example.org', 'AB12', 0, 15, '2026-01-01')")
        run("INSERT INTO content_versions (id, kind, key, content_hash, title, body, created_at) "
            "VALUES (1, 'exercise', 'a-mini-prd', 'h', 'A', '{}', '2026-01-01')")
        # Started at nine with 90 minutes and 15 more added since: the stored deadline says 10:45.
        run("INSERT INTO attempts (id, candidate_id, exercise_key, exercise_version_id, time_limit_minutes, "
            "started_at, deadline_at, created_at) VALUES (1, 1, 'a-mini-prd', 1, 105, '2026-01-02 09:00:00', "
            "'2026-01-02 10:45:00', '2026-01-02')")
        run("INSERT INTO drafts (id, attempt_id, answers, revision, seq, client_id, saved_at) "
            "VALUES (1, 1, '{\"problem_statement\": \"kept\"}', 3, 3, 'tab-one-1', '2026-01-02 09:30:00')")
    migrate.upgrade(url)
    with engine.connect() as connection:
        deadline = connection.execute(text("SELECT deadline_at FROM attempts")).scalar_one()
        draft = connection.execute(text("SELECT answers FROM drafts")).scalar_one()
    engine.dispose()
    assert str(deadline).startswith("2026-01-02 10:45:00")
    assert "kept" in draft
