"""The house rules that hold the layers apart, checked on the source itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "assess"
LONGEST_SERVICE = 320  # lines; a service that grows past this has more than one reason to change


def _modules(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def _imported(path: Path) -> set[str]:
    """Every module name the file imports, absolute or relative, resolved against the package."""
    names: set[str] = set()
    package_parts = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[:len(package_parts) - node.level + 1]
                names.add(".".join((*base, node.module or "")).rstrip("."))
            else:
                names.add(node.module or "")
    return names


def _commits(path: Path) -> list[int]:
    """Lines that call .commit() on anything."""
    return [node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "commit"]


@pytest.mark.parametrize("path", _modules("web"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_web_layer_never_commits(path: Path) -> None:
    assert _commits(path) == [], f"{path.relative_to(PACKAGE)} commits; only services do"


def test_the_commit_check_sees_a_commit(tmp_path: Path) -> None:
    view = tmp_path / "view.py"
    view.write_text("def page(session):\n    session.add(1)\n    session.commit()\n", encoding="utf-8")
    assert _commits(view) == [3]


@pytest.mark.parametrize("path", _modules("domain") + _modules("ai"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_domain_and_the_ai_aid_import_neither_flask_nor_the_database(path: Path) -> None:
    outside = {name for name in _imported(path)
               if name.split(".")[0] in {"flask", "sqlalchemy", "werkzeug", "flask_wtf", "huey"}
               or name.startswith(("assess.models", "assess.db", "assess.services", "assess.web"))}
    assert outside == set(), f"{path.relative_to(PACKAGE)} imports {sorted(outside)}"


def test_relative_imports_are_resolved_against_the_package() -> None:
    assert "assess.models" in _imported(PACKAGE / "services" / "audit.py")


@pytest.mark.parametrize("path", _modules("services"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_service_module_has_more_than_one_reason_to_change(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= LONGEST_SERVICE, f"{path.relative_to(PACKAGE)} has {lines} lines; split it by reason to change"
