"""Declaring structural checks in an exercise's content makes a new version; started attempts keep theirs."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import frontmatter
from sqlalchemy.orm import Session

from assess.cli import content_cli
from assess.config import PROJECT_ROOT
from assess.content import load_library
from assess.domain.structure import structural_checks
from assess.models import ContentKind
from assess.services import attempts
from assess.services.content import exercise_of, sync_library
from tests.conftest import Factory

A = "a-mini-prd"


def _without_checks(root: Path) -> Path:
    """The shipped content as it was before its exercises declared their checks."""
    for folder in ("exercises", "rubrics"):
        shutil.copytree(PROJECT_ROOT / folder, root / folder)
    path = root / "exercises" / A / "exercise.md"
    post = frontmatter.load(path)
    post.metadata.pop("checks")
    path.write_text(frontmatter.dumps(post))
    return root


def test_content_load_stores_the_declaring_version_and_a_started_attempt_keeps_its_own(
    runner: Any, db_session: Session, make: Factory, tmp_path: Path
) -> None:
    older = load_library(_without_checks(tmp_path))
    assert older.exercise(A).content_hash != make.library.exercise(A).content_hash
    sync_library(db_session, older)
    opening = make.opening()
    candidate = make.invite(opening).candidate
    attempt = attempts.start(db_session, older, candidate, A, now=make.now())
    kept = attempt.exercise_version_id

    result = runner.invoke(content_cli, ["load"])
    assert result.exit_code == 0, result.output
    assert f"stored exercise {A} {make.library.exercise(A).content_hash[:12]}" in result.output

    db_session.expire_all()
    assert attempt.exercise_version_id == kept
    assert attempt.exercise_version.kind is ContentKind.EXERCISE
    assert attempt.exercise_version.content_hash == older.exercise(A).content_hash
    stored = exercise_of(attempt.exercise_version)
    assert stored.checks == ()
    answers = make.library.benchmarks[A]["strong"].content.answers
    # The version without a declaration shows word counts; the declaring one counts the stories.
    assert [c.label for c in structural_checks(stored, answers)] == [
        key.replace("_", " ").capitalize() for key in answers
    ]
    assert "User stories written" in [c.label for c in structural_checks(make.library.exercise(A).content, answers)]
