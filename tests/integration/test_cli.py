"""The command line: staff accounts, content, the demo, migrations."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assess.cli import content_cli, demo_cli, user_cli
from assess.config import PROJECT_ROOT
from assess.models import AuditEvent, ContentVersion, Opening, OpeningMember, Role, User
from assess.services import content, demo, demo_team
from tests.support.content import copy_content

FLASK = [sys.executable, "-m", "flask", "--app", "assess"]


def run_flask(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `flask --app assess` command, as a person would."""
    return subprocess.run(
        [*FLASK, *args], cwd=PROJECT_ROOT, capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=120,
    )


def test_user_create_makes_a_staff_account_with_a_hashed_password(
    runner: Any, db_session: Session
) -> None:
    result = runner.invoke(
        user_cli,
        ["create", "--email", "Sam@Example.org", "--name", "Sam Lee", "--role", "interviewer",
         "--password", "a long enough secret"],
    )
    assert result.exit_code == 0, result.output
    assert "Created interviewer Sam Lee <sam@example.org>" in result.output
    user = db_session.scalars(select(User).where(User.email == "sam@example.org")).one()
    assert user.role is Role.INTERVIEWER
    assert "a long enough secret" not in user.password_hash
    assert db_session.scalar(
        select(AuditEvent.actor_kind).where(AuditEvent.action == "user.created")
    ) == "cli"


def test_user_create_asks_for_the_password_when_not_given(runner: Any, db_session: Session) -> None:
    result = runner.invoke(
        user_cli,
        ["create", "--email", "kim@example.org", "--name", "Kim", "--role", "admin"],
        input="a long enough secret\na long enough secret\n",
    )
    assert result.exit_code == 0, result.output
    assert db_session.scalar(select(User.role).where(User.email == "kim@example.org")) is Role.ADMIN


def test_user_create_explains_what_is_wrong(runner: Any) -> None:
    base = ["create", "--name", "Kim", "--role", "admin", "--password"]
    short = runner.invoke(user_cli, [*base, "short", "--email", "kim@example.org"])
    assert short.exit_code == 1
    assert "at least 12 characters" in short.output
    bad_email = runner.invoke(user_cli, [*base, "a long enough secret", "--email", "not-an-email"])
    assert bad_email.exit_code == 1
    assert "not a valid email address" in bad_email.output
    first = runner.invoke(user_cli, [*base, "a long enough secret", "--email", "kim@example.org"])
    again = runner.invoke(user_cli, [*base, "a long enough secret", "--email", "KIM@example.org"])
    assert first.exit_code == 0
    assert again.exit_code == 1
    assert "already a staff account for kim@example.org" in again.output
    bad_role = runner.invoke(user_cli, [*base, "a long enough secret", "--email", "x@example.org",
                                        "--role", "boss"])
    assert bad_role.exit_code == 2
    assert "'boss' is not one of" in bad_role.output


def test_user_disable_and_enable(runner: Any, db_session: Session) -> None:
    runner.invoke(user_cli, ["create", "--email", "ann@example.org", "--name", "Ann",
                             "--role", "interviewer", "--password", "a long enough secret"])
    assert runner.invoke(user_cli, ["disable", "ann@example.org"]).exit_code == 0
    assert db_session.scalar(select(User.active).where(User.email == "ann@example.org")) is False
    assert runner.invoke(user_cli, ["enable", "ann@example.org"]).exit_code == 0
    db_session.expire_all()
    assert db_session.scalar(select(User.active).where(User.email == "ann@example.org")) is True
    missing = runner.invoke(user_cli, ["disable", "nobody@example.org"])
    assert missing.exit_code == 1
    assert "no staff account" in missing.output


def test_content_check_passes_on_the_shipped_content(runner: Any) -> None:
    result = runner.invoke(content_cli, ["check", "--dir", str(PROJECT_ROOT)])
    assert result.exit_code == 0, result.output
    assert "is valid" in result.output
    assert "a-mini-prd" in result.output


def test_content_check_rejects_a_broken_exercise_naming_file_and_field(tmp_path: Path) -> None:
    copy_content(tmp_path)
    exercise = tmp_path / "exercises" / "a-mini-prd" / "exercise.md"
    exercise.write_text(exercise.read_text().replace("time_limit_minutes: 90", "time_limit_minutes: ninety"))
    result = run_flask("content", "check", "--dir", str(tmp_path))
    assert result.returncode == 1
    assert "exercises/a-mini-prd/exercise.md: time_limit_minutes:" in result.stderr
    assert "valid integer" in result.stderr


def test_content_load_stores_each_version_once(runner: Any, db_session: Session, app: Flask) -> None:
    first = runner.invoke(content_cli, ["load"])
    assert first.exit_code == 0, first.output
    stored = db_session.scalar(select(func.count(ContentVersion.id)))
    assert stored and stored >= 2
    assert stored == len(content.current_hashes(app.extensions["assess.content"]))  # every exercise, scorecard, benchmark
    second = runner.invoke(content_cli, ["load"])
    assert "0 new version(s)" in second.output
    assert db_session.scalar(select(func.count(ContentVersion.id))) == stored


def test_demo_seed_adds_the_opening_and_staff_once(runner: Any, db_session: Session) -> None:
    first = runner.invoke(demo_cli, ["seed"])
    assert first.exit_code == 0, first.output
    assert "Demo data added." in first.output
    assert demo.DEMO_PASSWORD in first.output
    second = runner.invoke(demo_cli, ["seed"])
    assert "already in place" in second.output
    opening = db_session.scalars(select(Opening).where(Opening.slug == demo.DEMO_OPENING_SLUG)).one()
    assert opening.title == "APM, Growth"
    assert opening.hiring_manager.role is Role.HIRING_MANAGER
    assert [e.exercise_key for e in opening.exercises][0] == "a-mini-prd"
    roles = set(db_session.scalars(select(User.role)))
    assert roles == set(Role)
    # The demo staff, and the colleague the admin invited who has not chosen a password yet.
    assert db_session.scalar(select(func.count(User.id))) == len(demo.DEMO_STAFF) + 1
    members = {(m.opening.slug, m.user.email) for m in db_session.scalars(select(OpeningMember))}
    assert members == set(demo_team.TEAMS)


def test_db_upgrade_builds_a_new_database_and_is_safe_to_repeat(tmp_path: Path) -> None:
    env = {"ASSESS_INSTANCE_DIR": str(tmp_path / "instance")}
    first = run_flask("db", "upgrade", env=env)
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "instance" / "assess.sqlite3").is_file()
    again = run_flask("db", "upgrade", env=env)
    assert again.returncode == 0, again.stderr
    assert "Database is at" in again.stdout
