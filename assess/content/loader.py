"""Read exercises/ and rubrics/ into validated, immutable, content-hashed versions."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from datetime import date
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import frontmatter
import yaml
from pydantic import BaseModel, ValidationError

from .schema import (
    Benchmark,
    Cell,
    ColumnType,
    Dataset,
    Exercise,
    ExerciseAnchors,
    Rubric,
    Scorecard,
    ScoredDimension,
)

EXERCISE_FILE = "exercise.md"
DATA_FOLDER = "data"
BENCHMARK_FOLDER = "benchmarks"
_HEADING = re.compile(r"^##[ \t]+(.+?)[ \t#]*$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one content file."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        return f"{where}: {self.message}"


class ContentError(Exception):
    """The content cannot be used; every problem names its file and field."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the assessment content:\n{lines}")


T = TypeVar("T", bound=BaseModel)
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Versioned(Generic[T]):
    """A validated piece of content and the hash that identifies this exact version."""

    content: T
    content_hash: str

    @classmethod
    def of(cls, content: T) -> Versioned[T]:
        return cls(content=content, content_hash=content_hash(content))

    def as_json(self) -> dict[str, Any]:
        return self.content.model_dump(mode="json", by_alias=True)


@dataclass(frozen=True)
class ContentLibrary:
    """Everything the assessment is made of, as loaded from one folder."""

    root: Path
    rubric: Rubric
    exercises: dict[str, Versioned[Exercise]] = field(default_factory=dict)
    scorecards: dict[str, Versioned[Scorecard]] = field(default_factory=dict)
    benchmarks: dict[str, dict[str, Versioned[Benchmark]]] = field(default_factory=dict)

    def exercise(self, key: str) -> Versioned[Exercise]:
        return self.exercises[key]

    def scorecard(self, exercise_key: str) -> Versioned[Scorecard]:
        return self.scorecards[exercise_key]


def content_hash(content: BaseModel) -> str:
    """Hash the normalised content, so the same meaning always gives the same version."""
    canonical = json.dumps(
        content.model_dump(mode="json", by_alias=True),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class _Reader:
    """Collects problems while reading, so one run reports every broken file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def problem(self, path: Path, field_name: str, message: str) -> None:
        self.problems.append(Problem(self.rel(path), field_name, message))

    def validate(self, model: type[M], data: Any, path: Path, prefix: str = "") -> M | None:
        if not isinstance(data, dict):
            self.problem(path, prefix, "expected a mapping of fields")
            return None
        try:
            return model.model_validate(data)
        except ValidationError as error:
            for item in error.errors():
                location = ".".join(str(part) for part in (prefix, *item["loc"]) if part != "")
                self.problem(path, location or "(top level)", _readable(item))
            return None

    def read_yaml(self, path: Path) -> Any:
        try:
            return yaml.safe_load(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            self.problem(path, "", "is not UTF-8 text")
        except yaml.YAMLError as error:
            self.problem(path, "", f"is not valid YAML: {_yaml_message(error)}")
        return None

    def read_markdown(self, path: Path, body_field: str) -> tuple[dict[str, Any], str] | None:
        """Front matter and body of a Markdown file; the body must not also be a field."""
        try:
            post = frontmatter.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            self.problem(path, "", "is not UTF-8 text")
            return None
        except yaml.YAMLError as error:
            self.problem(path, "front matter", f"is not valid YAML: {_yaml_message(error)}")
            return None
        if not post.metadata:
            self.problem(path, "front matter", "missing: start the file with fields between '---' lines")
            return None
        if body_field in post.metadata:
            self.problem(
                path, body_field, f"write the {body_field} as the Markdown body, not in the front matter"
            )
            return None
        return dict(post.metadata), post.content


def _readable(item: Any) -> str:
    message = str(item["msg"])
    if item["type"] == "missing":
        return "missing: this field is required"
    if item["type"] == "extra_forbidden":
        return "not a known field: remove it or check its spelling"
    if message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    return message


def _yaml_message(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    return f"{problem} (line {mark.line + 1}, column {mark.column + 1})" if mark else problem


def load_library(root: Path) -> ContentLibrary:
    """Load and check all content under root, or raise ContentError listing every problem."""
    reader = _Reader(root)
    rubric = _load_rubric(reader)
    exercises = _load_exercises(reader)
    anchors = _load_anchors(reader, rubric, exercises)
    scorecards: dict[str, Versioned[Scorecard]] = {}
    if rubric is not None:
        for key, exercise in exercises.items():
            exercise_anchors = anchors.get(key)
            if exercise_anchors is None:
                reader.problem(
                    root / "rubrics" / "anchors" / f"{key}.yaml",
                    "",
                    f"missing: exercise {key!r} needs a file naming the dimensions it scores "
                    "and their anchors",
                )
                continue
            scorecards[key] = Versioned.of(_scorecard(rubric, exercise.content, exercise_anchors))
    benchmarks = {
        key: _load_benchmarks(reader, exercises[key].content, scorecard.content)
        for key, scorecard in scorecards.items()
    }
    if reader.problems or rubric is None:
        raise ContentError(reader.problems)
    return ContentLibrary(
        root=root,
        rubric=rubric,
        exercises=exercises,
        scorecards=scorecards,
        benchmarks={key: found for key, found in benchmarks.items() if found},
    )


def _load_rubric(reader: _Reader) -> Rubric | None:
    folder = reader.root / "rubrics"
    files = sorted(folder.glob("*.yaml"))
    if len(files) != 1:
        found = ", ".join(reader.rel(f) for f in files) or "none"
        reader.problem(folder, "", f"expected exactly one rubric file (*.yaml), found {found}")
        return None
    path = files[0]
    return reader.validate(Rubric, reader.read_yaml(path), path)


def _load_exercises(reader: _Reader) -> dict[str, Versioned[Exercise]]:
    exercises: dict[str, Versioned[Exercise]] = {}
    folder = reader.root / "exercises"
    if not folder.is_dir():
        reader.problem(folder, "", "missing: the folder of exercises is not there")
        return exercises
    for directory in sorted(p for p in folder.iterdir() if p.is_dir()):
        path = directory / EXERCISE_FILE
        if not path.is_file():
            reader.problem(path, "", f"missing: every exercise folder needs an {EXERCISE_FILE}")
            continue
        parsed = reader.read_markdown(path, "brief")
        if parsed is None:
            continue
        metadata, body = parsed
        data: dict[str, Any] | None = {**metadata, "brief": body}
        if "variants" in metadata or "datasets" in metadata:
            data = _with_data(reader, directory, data)
        exercise = reader.validate(Exercise, data, path) if data is not None else None
        if exercise is None:
            continue
        if exercise.key != directory.name:
            reader.problem(
                path, "key", f"{exercise.key!r} must match its folder name {directory.name!r}"
            )
            continue
        exercises[exercise.key] = Versioned.of(exercise)
    codes = [e.content.code for e in exercises.values()]
    for key, exercise in exercises.items():
        if codes.count(exercise.content.code) > 1:
            reader.problem(
                folder / key / EXERCISE_FILE, "code", f"{exercise.content.code!r} is used twice"
            )
    return exercises


def _load_anchors(
    reader: _Reader, rubric: Rubric | None, exercises: dict[str, Versioned[Exercise]]
) -> dict[str, ExerciseAnchors]:
    result: dict[str, ExerciseAnchors] = {}
    for path in sorted((reader.root / "rubrics" / "anchors").glob("*.yaml")):
        anchors = reader.validate(ExerciseAnchors, reader.read_yaml(path), path)
        if anchors is None:
            continue
        if anchors.exercise != path.stem:
            reader.problem(path, "exercise", f"{anchors.exercise!r} must match the file name")
            continue
        if anchors.exercise not in exercises:
            if not (reader.root / "exercises" / anchors.exercise).is_dir():
                reader.problem(
                    path, "exercise", f"{anchors.exercise!r} is not an exercise in exercises/"
                )
            # An exercise that failed to load has its own problem reported already.
            continue
        if rubric is not None and not _references_known(reader, path, rubric, anchors):
            continue
        result[anchors.exercise] = anchors
    return result


def _references_known(
    reader: _Reader, path: Path, rubric: Rubric, anchors: ExerciseAnchors
) -> bool:
    known_dimensions = {d.key for d in rubric.dimensions}
    known_signals = {s.key for s in rubric.signals}
    ok = True
    for key in anchors.dimensions:
        if key not in known_dimensions:
            reader.problem(path, f"dimensions.{key}", "is not a dimension the rubric defines")
            ok = False
    for index, key in enumerate(anchors.signals):
        if key not in known_signals:
            reader.problem(path, f"signals.{index}", f"{key!r} is not a signal the rubric defines")
            ok = False
    return ok


def _scorecard(rubric: Rubric, exercise: Exercise, anchors: ExerciseAnchors) -> Scorecard:
    order = [d.key for d in rubric.dimensions]
    scored = sorted(anchors.dimensions.items(), key=lambda item: order.index(item[0]))
    wanted_signals = set(anchors.signals) or {s.key for s in rubric.signals}
    return Scorecard(
        exercise=exercise.key,
        rubric=rubric.key,
        title=f"{exercise.code}. {exercise.title}",
        scale=rubric.scale,
        recommendations=rubric.recommendations,
        dimensions=tuple(
            ScoredDimension(dimension=rubric.dimension(key), anchors=value) for key, value in scored
        ),
        signals=tuple(s for s in rubric.signals if s.key in wanted_signals),
    )


# -- data sets: one CSV per data set and variant ---------------------------------


def _with_data(reader: _Reader, directory: Path, data: dict[str, Any]) -> dict[str, Any] | None:
    """Replace the variant names of the front matter with the typed rows of their CSV files."""
    path = directory / EXERCISE_FILE
    raw_datasets = data.get("datasets")
    if not isinstance(raw_datasets, list) or not raw_datasets:
        reader.problem(path, "datasets", "missing: list the data sets the variants hold")
        return None
    datasets = [
        reader.validate(Dataset, item, path, prefix=f"datasets.{index}")
        for index, item in enumerate(raw_datasets)
    ]
    names = data.get("variants")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        reader.problem(
            path, "variants", f"list the folder names under {DATA_FOLDER}/, e.g. [v1, v2, v3]"
        )
        return None
    if any(d is None for d in datasets):
        return None
    variants = []
    failed = False
    for name in names:
        tables = []
        for dataset in datasets:
            assert dataset is not None
            rows = _read_csv(reader, directory / DATA_FOLDER / name / f"{dataset.key}.csv", dataset)
            failed = failed or rows is None
            tables.append({"dataset": dataset.key, "rows": rows or ()})
        variants.append({"key": name, "tables": tables})
    return None if failed else {**data, "variants": variants}


_PARSERS = {
    ColumnType.TEXT: (str, "text"),
    ColumnType.INTEGER: (int, "a whole number"),
    ColumnType.NUMBER: (float, "a number"),
    ColumnType.DATE: (lambda v: date.fromisoformat(v).isoformat(), "a date like 2026-03-09"),
}


def _read_csv(reader: _Reader, path: Path, dataset: Dataset) -> list[tuple[Cell, ...]] | None:
    if not path.is_file():
        reader.problem(path, "", f"missing: every variant needs a file for data set {dataset.key!r}")
        return None
    try:
        lines = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline=""), strict=True))
    except UnicodeDecodeError:
        reader.problem(path, "", "is not UTF-8 text")
        return None
    except csv.Error as error:
        reader.problem(path, "", f"is not valid CSV: {error}")
        return None
    expected = [c.name for c in dataset.columns]
    if not lines or [h.strip() for h in lines[0]] != expected:
        found = ",".join(lines[0]) if lines else "nothing"
        reader.problem(path, "header", f"expected {','.join(expected)}, found {found}")
        return None
    rows: list[tuple[Cell, ...]] = []
    ok = True
    for number, line in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in line):
            continue
        if len(line) != len(expected):
            reader.problem(path, f"row {number}", f"has {len(line)} values; the header has {len(expected)}")
            ok = False
            continue
        row: list[Cell] = []
        for column, cell in zip(dataset.columns, line, strict=True):
            parse, wanted = _PARSERS[column.type]
            try:
                row.append(parse(cell.strip()))
            except ValueError:
                reader.problem(path, f"row {number}, {column.name}", f"{cell!r} is not {wanted}")
                ok = False
        rows.append(tuple(row))
    if ok and not rows:
        reader.problem(path, "", "has a header but no rows of data")
        return None
    return rows if ok else None


# -- benchmark submissions --------------------------------------------------------


def _load_benchmarks(
    reader: _Reader, exercise: Exercise, scorecard: Scorecard
) -> dict[str, Versioned[Benchmark]]:
    found: dict[str, Versioned[Benchmark]] = {}
    folder = reader.root / "exercises" / exercise.key / BENCHMARK_FOLDER
    for path in sorted(folder.glob("*.md")):
        parsed = reader.read_markdown(path, "answers")
        if parsed is None:
            continue
        metadata, body = parsed
        answers = _split_answers(reader, path, exercise, body)
        if answers is None:
            continue
        data = {**metadata, "key": path.stem, "exercise": exercise.key, "answers": answers}
        benchmark = reader.validate(Benchmark, data, path)
        if benchmark is not None and _benchmark_fits(reader, path, benchmark, exercise, scorecard):
            found[benchmark.key] = Versioned.of(benchmark)
    return found


def _split_answers(
    reader: _Reader, path: Path, exercise: Exercise, body: str
) -> dict[str, str] | None:
    """Cut the body at its '## <section title>' headings into one answer per section."""
    by_title = {section.title.casefold(): section.key for section in exercise.sections}
    answers: dict[str, list[str]] = {}
    current: str | None = None
    ok = True
    for line in body.splitlines():
        heading = _HEADING.match(line)
        if heading:
            title = heading.group(1).strip()
            current = by_title.get(title.casefold())
            if current is None:
                titles = "; ".join(s.title for s in exercise.sections)
                reader.problem(path, f"## {title}", f"is not a section of {exercise.key}; use one of: {titles}")
                ok = False
            elif current in answers:
                reader.problem(path, f"## {title}", "appears twice")
                ok = False
            else:
                answers[current] = []
            continue
        if current is None:
            if line.strip() and ok:
                reader.problem(path, "body", "text before the first '## <section title>' heading")
                ok = False
            continue
        if current in answers:
            answers[current].append(line)
    for section in exercise.sections:
        if section.key not in answers:
            reader.problem(
                path, f"answers.{section.key}",
                f"missing: add a '## {section.title}' heading (it may stay empty)",
            )
            ok = False
    return {key: "\n".join(lines).strip() for key, lines in answers.items()} if ok else None


def _benchmark_fits(
    reader: _Reader, path: Path, benchmark: Benchmark, exercise: Exercise, scorecard: Scorecard
) -> bool:
    problems_before = len(reader.problems)
    scored = [d.dimension.key for d in scorecard.dimensions]
    scale = scorecard.scale
    for key in scored:
        if key not in benchmark.scores:
            reader.problem(path, f"scores.{key}", "missing: every dimension the exercise scores needs a reference score")
    for key, reference in benchmark.scores.items():
        if key not in scored:
            reader.problem(path, f"scores.{key}", f"is not a dimension {exercise.key} scores; it scores {', '.join(scored)}")
        elif not scale.contains(reference.score):
            reader.problem(path, f"scores.{key}.score", f"{reference.score} is outside the scale {scale.min}-{scale.max}")
    recommendations = [r.key for r in scorecard.recommendations]
    if benchmark.recommendation not in recommendations:
        reader.problem(path, "recommendation", f"{benchmark.recommendation!r} is not one of {', '.join(recommendations)}")
    variants = [v.key for v in exercise.variants]
    if variants and benchmark.variant not in variants:
        reader.problem(path, "variant", f"name the data variant the answer was written for: one of {', '.join(variants)}")
    if not variants and benchmark.variant is not None:
        reader.problem(path, "variant", f"{exercise.key} has no data variants: remove this field")
    return len(reader.problems) == problems_before
