"""The content loader: real files load; each kind of broken file is named precisely."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import frontmatter
import pytest
import yaml

from assess.config import PROJECT_ROOT
from assess.content import ContentError, load_library

EXERCISE_A = "exercises/a-mini-prd/exercise.md"
EXERCISE_B = "exercises/b-analytics/exercise.md"
FUNNEL_V1 = "exercises/b-analytics/data/v1/funnel.csv"
STRONG_A = "exercises/a-mini-prd/benchmarks/strong.md"
STRONG_B = "exercises/b-analytics/benchmarks/strong.md"
ANCHORS_A = "rubrics/anchors/a-mini-prd.yaml"
RUBRIC = "rubrics/apm.yaml"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A private copy of the shipped content, safe to break."""
    for folder in ("exercises", "rubrics"):
        shutil.copytree(PROJECT_ROOT / folder, tmp_path / folder)
    return tmp_path


def edit_yaml(path: Path, change: Callable[[Any], None]) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def edit_front_matter(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    post = frontmatter.load(path)
    change(post.metadata)
    path.write_text(frontmatter.dumps(post))


def test_the_shipped_content_loads_with_a_scorecard_for_every_exercise() -> None:
    library = load_library(PROJECT_ROOT)
    assert library.exercises, "no exercises were loaded"
    assert set(library.scorecards) == set(library.exercises)
    assert [d.key for d in library.rubric.dimensions] == [
        "problem_framing", "requirements_quality", "analytics_measurement",
        "execution_reliability", "collaboration", "communication",
        "customer_empathy", "learning_agility",
    ]
    scorecard = library.scorecard("a-mini-prd").content
    assert [d.dimension.key for d in scorecard.dimensions] == [
        "problem_framing", "requirements_quality", "analytics_measurement",
        "communication", "customer_empathy",
    ]


def test_loading_twice_gives_the_same_versions(content: Path) -> None:
    first, second = load_library(content), load_library(content)
    assert first.exercise("a-mini-prd").content_hash == second.exercise("a-mini-prd").content_hash
    assert first.scorecard("a-mini-prd").content_hash == second.scorecard("a-mini-prd").content_hash


def test_changing_an_anchor_makes_a_new_scorecard_version_but_keeps_the_exercise(content: Path) -> None:
    before = load_library(content)
    edit_yaml(content / ANCHORS_A, lambda d: d["dimensions"]["problem_framing"].update({3: "Changed."}))
    after = load_library(content)
    assert after.scorecard("a-mini-prd").content_hash != before.scorecard("a-mini-prd").content_hash
    assert after.exercise("a-mini-prd").content_hash == before.exercise("a-mini-prd").content_hash


def test_changing_the_brief_makes_a_new_exercise_version(content: Path) -> None:
    before = load_library(content)
    path = content / EXERCISE_A
    path.write_text(path.read_text() + "\nOne more line of context.\n")
    after = load_library(content)
    assert after.exercise("a-mini-prd").content_hash != before.exercise("a-mini-prd").content_hash


def test_loaded_content_cannot_be_changed() -> None:
    exercise = load_library(PROJECT_ROOT).exercise("a-mini-prd").content
    with pytest.raises(Exception, match="frozen"):
        exercise.title = "Changed"  # type: ignore[misc]


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda data: data.pop(key)


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda data: data.__setitem__(key, value)


def _edit_text(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def _break_yaml(path: Path) -> None:
    path.write_text(path.read_text().replace("key: a-mini-prd", "key: [a-mini-prd", 1))


def _duplicate_section(data: dict[str, Any]) -> None:
    data["sections"].append(dict(data["sections"][0]))


BROKEN: list[tuple[str, Callable[[Path], None], str, str, str]] = [
    (
        "missing title",
        lambda root: edit_front_matter(root / EXERCISE_A, _drop("title")),
        EXERCISE_A, "title", "missing",
    ),
    (
        "time limit out of range",
        lambda root: edit_front_matter(root / EXERCISE_A, _set("time_limit_minutes", 0)),
        EXERCISE_A, "time_limit_minutes", "greater than or equal to 5",
    ),
    (
        "misspelt field",
        lambda root: edit_front_matter(root / EXERCISE_A, _set("summmary", "typo")),
        EXERCISE_A, "summmary", "not a known field",
    ),
    (
        "unknown kind",
        lambda root: edit_front_matter(root / EXERCISE_A, _set("kind", "homework")),
        EXERCISE_A, "kind", "take_home",
    ),
    (
        "section without a prompt",
        lambda root: edit_front_matter(root / EXERCISE_A, lambda d: d["sections"][1].pop("prompt")),
        EXERCISE_A, "sections.1.prompt", "missing",
    ),
    (
        "repeated section key",
        lambda root: edit_front_matter(root / EXERCISE_A, _duplicate_section),
        EXERCISE_A, "sections", "section keys must be unique",
    ),
    (
        "key differs from folder",
        lambda root: edit_front_matter(root / EXERCISE_A, _set("key", "a-other")),
        EXERCISE_A, "key", "must match its folder name",
    ),
    (
        "front matter is not YAML",
        lambda root: _break_yaml(root / EXERCISE_A),
        EXERCISE_A, "front matter", "not valid YAML",
    ),
    (
        "anchor missing at level 5",
        lambda root: edit_yaml(root / ANCHORS_A, lambda d: d["dimensions"]["communication"].pop(5)),
        ANCHORS_A, "dimensions.communication.5", "missing",
    ),
    (
        "anchor for a score outside the scale",
        lambda root: edit_yaml(root / ANCHORS_A, lambda d: d["dimensions"]["communication"].update({6: "x"})),
        ANCHORS_A, "dimensions.communication.6", "not a known field",
    ),
    (
        "dimension the rubric does not define",
        lambda root: edit_yaml(root / ANCHORS_A, lambda d: d["dimensions"].update({"charisma": {1: "a", 3: "b", 5: "c"}})),
        ANCHORS_A, "dimensions.charisma", "not a dimension the rubric defines",
    ),
    (
        "signal the rubric does not define",
        lambda root: edit_yaml(root / ANCHORS_A, lambda d: d.__setitem__("signals", ["made_up"])),
        ANCHORS_A, "signals.0", "'made_up' is not a signal the rubric defines",
    ),
    (
        "exercise without anchors",
        lambda root: (root / ANCHORS_A).unlink(),
        ANCHORS_A, "", "needs a file naming the dimensions it scores",
    ),
    (
        "benchmark without a reference score",
        lambda root: edit_front_matter(root / STRONG_A, lambda d: d["scores"].pop("communication")),
        STRONG_A, "scores.communication", "needs a reference score",
    ),
    (
        "benchmark score outside the scale",
        lambda root: edit_front_matter(root / STRONG_A, lambda d: d["scores"]["communication"].update(score=6)),
        STRONG_A, "scores.communication.score", "6 is outside the scale 1-5",
    ),
    (
        "benchmark scoring a dimension the exercise does not",
        lambda root: edit_front_matter(
            root / STRONG_A, lambda d: d["scores"].update(collaboration={"score": 3, "rationale": "x"})
        ),
        STRONG_A, "scores.collaboration", "is not a dimension a-mini-prd scores",
    ),
    (
        "benchmark with an unknown recommendation",
        lambda root: edit_front_matter(root / STRONG_A, _set("recommendation", "maybe")),
        STRONG_A, "recommendation", "'maybe' is not one of",
    ),
    (
        "benchmark heading that is not a section",
        lambda root: _edit_text(root / STRONG_A, "## Problem statement", "## The problem"),
        STRONG_A, "## The problem", "is not a section of a-mini-prd",
    ),
    (
        "benchmark for a data variant that does not exist",
        lambda root: edit_front_matter(root / STRONG_B, _set("variant", "v9")),
        STRONG_B, "variant", "name the data variant",
    ),
    (
        "CSV with a wrong header",
        lambda root: _edit_text(root / FUNNEL_V1, "period,segment", "quarter,segment"),
        FUNNEL_V1, "header", "expected period,segment,step_order,step,users",
    ),
    (
        "CSV cell of the wrong type",
        lambda root: _edit_text(root / FUNNEL_V1, ",1240\n", ",about 1240\n"),
        FUNNEL_V1, "row 2, users", "'about 1240' is not a whole number",
    ),
    (
        "CSV row with a missing value",
        lambda root: _edit_text(root / FUNNEL_V1, ",1240\n", "\n"),
        FUNNEL_V1, "row 2", "has 4 values; the header has 5",
    ),
    (
        "CSV with an unclosed quote",
        lambda root: _edit_text(root / FUNNEL_V1, "Organic,1,", '"Organic,1,'),
        FUNNEL_V1, "", "is not valid CSV",
    ),
    (
        "CSV file missing for a variant",
        lambda root: (root / FUNNEL_V1).unlink(),
        FUNNEL_V1, "", "every variant needs a file for data set 'funnel'",
    ),
    (
        "chart without the columns it draws",
        lambda root: edit_front_matter(
            root / EXERCISE_B, lambda d: d["datasets"][0].update(chart="cohort")
        ),
        EXERCISE_B, "datasets.0", "a cohort chart needs the columns",
    ),
    (
        "structural check that does not exist",
        lambda root: edit_front_matter(root / EXERCISE_A, lambda d: d["checks"].append({"check": "spelling"})),
        EXERCISE_A, "checks.3", "'spelling' found using 'check' does not match any of the expected tags",
    ),
    (
        "structural check with a parameter it does not take",
        lambda root: edit_front_matter(root / EXERCISE_A, lambda d: d["checks"][0].update(minimum=5)),
        EXERCISE_A, "checks.0.user_stories.minimum", "not a known field",
    ),
    (
        "structural check with a parameter of the wrong type",
        lambda root: edit_front_matter(root / EXERCISE_A, lambda d: d["checks"][2].update(min="three")),
        EXERCISE_A, "checks.2.tracking_events.min", "valid integer",
    ),
    (
        "structural check reading a section the exercise does not have",
        lambda root: edit_front_matter(root / EXERCISE_A, lambda d: d["checks"][1].update(section="metrics")),
        EXERCISE_A, "checks", "check 1 (metric_targets): section 'metrics' is not a section of the answer form",
    ),
    (
        "structural check citing a data set the exercise does not have",
        lambda root: edit_front_matter(root / EXERCISE_B, lambda d: d["checks"][1].update(datasets=["sales"])),
        EXERCISE_B, "checks", "check 1 (cited_figures): sales not a data set of the exercise",
    ),
    (
        "figures cited from an exercise without data",
        lambda root: edit_front_matter(root / EXERCISE_A, lambda d: d["checks"].append({"check": "cited_figures"})),
        EXERCISE_A, "checks", "the exercise has no data variants whose figures could be cited",
    ),
    (
        "scale with a gap",
        lambda root: edit_yaml(root / RUBRIC, lambda d: d["scale"]["levels"].pop(2)),
        RUBRIC, "scale", "every score from 1 to 5",
    ),
    (
        "repeated dimension",
        lambda root: edit_yaml(root / RUBRIC, lambda d: d["dimensions"].append(dict(d["dimensions"][0]))),
        RUBRIC, "dimensions", "dimension keys must be unique",
    ),
]


@pytest.mark.parametrize(
    ("breakage", "file", "field", "message"),
    [pytest.param(b, f, fld, m, id=name) for name, b, f, fld, m in BROKEN],
)
def test_a_broken_file_is_rejected_naming_file_and_field(
    content: Path, breakage: Callable[[Path], None], file: str, field: str, message: str
) -> None:
    breakage(content)
    with pytest.raises(ContentError) as raised:
        load_library(content)
    problems = [(p.file, p.field) for p in raised.value.problems]
    matching = [p for p in raised.value.problems if p.file == file and p.field == field]
    assert matching, f"expected a problem at {file} / {field!r}, got {problems}"
    assert message in matching[0].message
    assert file in str(raised.value)


def test_every_problem_is_reported_at_once(content: Path) -> None:
    edit_front_matter(content / EXERCISE_A, _drop("title"))
    edit_yaml(content / RUBRIC, lambda d: d.pop("title"))
    with pytest.raises(ContentError) as raised:
        load_library(content)
    assert {(p.file, p.field) for p in raised.value.problems} >= {(EXERCISE_A, "title"), (RUBRIC, "title")}
    assert str(raised.value).startswith(f"{len(raised.value.problems)} problem(s)")


def test_the_app_refuses_to_start_with_broken_content(content: Path, tmp_path: Path) -> None:
    from assess import create_app
    from tests.conftest import make_config

    edit_front_matter(content / EXERCISE_A, _drop("title"))
    with pytest.raises(ContentError, match="exercises/a-mini-prd/exercise.md: title"):
        create_app(make_config(tmp_path, content_dir=content))


def _files_under(root: Path) -> set[str]:
    return {
        str(path.relative_to(root))
        for folder in ("exercises", "rubrics")
        for path in (root / folder).rglob("*")
        if path.is_file() and path.name != "README.md"
    }


def _files_loaded(library: Any) -> set[str]:
    used = {f"rubrics/{library.rubric.key}.yaml"}
    for key, exercise in library.exercises.items():
        used.add(f"exercises/{key}/exercise.md")
        used.add(f"rubrics/anchors/{key}.yaml")
        for variant in exercise.content.variants:
            used.update(
                f"exercises/{key}/data/{variant.key}/{table.dataset}.csv" for table in variant.tables
            )
        used.update(f"exercises/{key}/benchmarks/{name}.md" for name in library.benchmarks.get(key, {}))
    return used


def test_every_content_file_is_loaded_and_none_is_ignored() -> None:
    library = load_library(PROJECT_ROOT)
    assert _files_under(PROJECT_ROOT) == _files_loaded(library)


def test_the_assessment_has_its_four_exercises_and_their_benchmarks() -> None:
    library = load_library(PROJECT_ROOT)
    assert {k: e.content.code for k, e in library.exercises.items()} == {
        "a-mini-prd": "A", "b-analytics": "B", "c-stakeholder-roleplay": "C", "d-writing-sample": "D",
    }
    for key in ("a-mini-prd", "b-analytics", "d-writing-sample"):
        levels = sorted(b.content.level.value for b in library.benchmarks[key].values())
        assert levels == ["borderline", "meets", "strong", "weak"], key
    assert len(library.exercise("b-analytics").content.variants) >= 3
    assert library.exercise("c-stakeholder-roleplay").content.kind.value == "live"
