"""Read exercises/ and rubrics/ into validated, immutable, content-hashed versions."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import frontmatter
import yaml
from pydantic import BaseModel, ValidationError

from .schema import Exercise, ExerciseAnchors, Rubric, Scorecard, ScoredDimension

EXERCISE_FILE = "exercise.md"


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

    def validate(self, model: type[M], data: Any, path: Path) -> M | None:
        if not isinstance(data, dict):
            self.problem(path, "", "expected a mapping of fields at the top level")
            return None
        try:
            return model.model_validate(data)
        except ValidationError as error:
            for item in error.errors():
                location = ".".join(str(part) for part in item["loc"]) or "(top level)"
                self.problem(path, location, _readable(item))
            return None

    def read_yaml(self, path: Path) -> Any:
        try:
            return yaml.safe_load(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            self.problem(path, "", "is not UTF-8 text")
        except yaml.YAMLError as error:
            self.problem(path, "", f"is not valid YAML: {_yaml_message(error)}")
        return None

    def read_markdown(self, path: Path) -> dict[str, Any] | None:
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
        if "brief" in post.metadata:
            self.problem(path, "brief", "write the brief as the Markdown body, not in the front matter")
            return None
        return {**post.metadata, "brief": post.content}


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
    if reader.problems or rubric is None:
        raise ContentError(reader.problems)
    return ContentLibrary(root=root, rubric=rubric, exercises=exercises, scorecards=scorecards)


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
        data = reader.read_markdown(path)
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
