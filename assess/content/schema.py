"""The shape of the assessment content, validated on load.

Every model is frozen: once content is loaded it is never changed, and a
changed file produces a new version with a new hash.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _unique_keys(what: str, items: tuple[Any, ...]) -> None:
    keys = [item.key for item in items]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise ValueError(f"{what} keys must be unique; repeated: {', '.join(repeated)}")


class ExerciseKind(StrEnum):
    TAKE_HOME = "take_home"
    LIVE = "live"


class AnswerSection(Frozen):
    """One field of the answer form: the candidate writes Markdown into it."""

    key: Key
    title: Text
    prompt: Text
    max_chars: int = Field(default=8000, ge=200, le=50000)


class ColumnType(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    DATE = "date"


class Column(Frozen):
    name: Key
    type: ColumnType
    description: Text | None = None


class ChartKind(StrEnum):
    """How a data set is drawn for the candidate; the numbers are always shown as a table too."""

    FUNNEL = "funnel"
    COHORT = "cohort"
    LINE = "line"
    TABLE = "table"


# The columns each kind of chart draws from; a table may have more.
CHART_COLUMNS: dict[ChartKind, tuple[str, ...]] = {
    ChartKind.FUNNEL: ("period", "segment", "step_order", "step", "users"),
    ChartKind.COHORT: ("cohort_week", "cohort_size", "week", "active_users"),
    ChartKind.LINE: ("week", "event", "count"),
    ChartKind.TABLE: (),
}


class Dataset(Frozen):
    """A table of data the candidate reads, kept as one CSV file per variant."""

    key: Key
    title: Text
    description: Text
    chart: ChartKind = ChartKind.TABLE
    columns: tuple[Column, ...] = Field(min_length=1)

    @field_validator("columns")
    @classmethod
    def _names_unique(cls, columns: tuple[Column, ...]) -> tuple[Column, ...]:
        names = [c.name for c in columns]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"column names must be unique; repeated: {', '.join(repeated)}")
        return columns

    @model_validator(mode="after")
    def _chart_has_its_columns(self) -> Dataset:
        missing = [c for c in CHART_COLUMNS[self.chart] if c not in {col.name for col in self.columns}]
        if missing:
            raise ValueError(
                f"a {self.chart.value} chart needs the columns {', '.join(CHART_COLUMNS[self.chart])}; "
                f"missing: {', '.join(missing)}"
            )
        return self

    def column_index(self, name: str) -> int:
        return [c.name for c in self.columns].index(name)


Cell = int | float | str


class Table(Frozen):
    """One data set's rows in one variant, typed as its columns say (dates as ISO text)."""

    dataset: Key
    rows: tuple[tuple[Cell, ...], ...] = Field(min_length=1)


class DataVariant(Frozen):
    """One version of an exercise's numbers; each invitation is given one variant."""

    key: Key
    tables: tuple[Table, ...]

    def table(self, dataset: str) -> Table:
        return next(t for t in self.tables if t.dataset == dataset)


class _Check(Frozen):
    """One structural check an exercise asks for, beside the scorecard (see assess/domain/structure.py)."""


class UserStoriesCheck(_Check):
    """Counts the user stories written in a section, and those with acceptance criteria."""

    check: Literal["user_stories"]
    section: Key
    min: int = Field(ge=0)
    max: int = Field(ge=1)

    @model_validator(mode="after")
    def _range(self) -> UserStoriesCheck:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) must not be above max ({self.max})")
        return self


class MetricTargetsCheck(_Check):
    """Counts the metrics with a number or target in a section, and looks for a guardrail."""

    check: Literal["metric_targets"]
    section: Key


class TrackingEventsCheck(_Check):
    """Counts the event names in a section (`snake_case` or `dotted.names`)."""

    check: Literal["tracking_events"]
    section: Key
    min: int = Field(ge=1)


class AnsweredCheck(_Check):
    """Every section answered with at least min_words words ("Answered: <section>")."""

    check: Literal["answered"]
    min_words: int = Field(ge=1)


class PresentCheck(_Check):
    """Every section present with at least min_words words ("<Section> present")."""

    check: Literal["present"]
    min_words: int = Field(ge=1)


class WordCountsCheck(_Check):
    """The words in each section, as a figure only; what an exercise declaring no checks gets."""

    check: Literal["word_counts"]


class CitedFiguresCheck(_Check):
    """How many numbers quoted in the answers are whole numbers from the candidate's data variant."""

    check: Literal["cited_figures"]
    # Smaller numbers are ignored, both in the answers and in the data.
    min_value: int = Field(default=10, ge=0)
    # The data sets whose numbers count; every data set when empty.
    datasets: tuple[Key, ...] = ()


StructuralCheck = Annotated[
    UserStoriesCheck | MetricTargetsCheck | TrackingEventsCheck | AnsweredCheck | PresentCheck
    | WordCountsCheck | CitedFiguresCheck,
    Field(discriminator="check"),
]


class Exercise(Frozen):
    """An exercise or live stage: its brief and, for take-homes, the answer form."""

    key: Key
    code: Annotated[str, StringConstraints(pattern=r"^[A-Z]$")]
    title: Text
    kind: ExerciseKind
    time_limit_minutes: int = Field(ge=5, le=480)
    summary: Text
    assessed: Text
    brief: Text
    sections: tuple[AnswerSection, ...] = ()

    @field_validator("sections")
    @classmethod
    def _sections_fit_kind(
        cls, sections: tuple[AnswerSection, ...], info: ValidationInfo
    ) -> tuple[AnswerSection, ...]:
        kind = info.data.get("kind")
        if kind is ExerciseKind.TAKE_HOME and not sections:
            raise ValueError("a take-home exercise needs at least one answer section")
        if kind is ExerciseKind.LIVE and sections:
            raise ValueError("a live stage has no answer sections: remove them")
        _unique_keys("section", sections)
        return sections

    datasets: tuple[Dataset, ...] = ()
    variants: tuple[DataVariant, ...] = ()

    @field_validator("variants")
    @classmethod
    def _variants_fit_datasets(
        cls, variants: tuple[DataVariant, ...], info: ValidationInfo
    ) -> tuple[DataVariant, ...]:
        datasets = info.data.get("datasets") or ()
        if datasets and not variants:
            raise ValueError("an exercise with datasets needs at least one variant of the data")
        if variants and not datasets:
            raise ValueError("variants need datasets: declare the data sets first")
        _unique_keys("variant", variants)
        return variants

    # The structural checks shown beside the scorecard, in order; word counts when none are declared.
    checks: tuple[StructuralCheck, ...] = ()

    @field_validator("checks")
    @classmethod
    def _checks_fit_exercise(
        cls, checks: tuple[StructuralCheck, ...], info: ValidationInfo
    ) -> tuple[StructuralCheck, ...]:
        sections = [s.key for s in info.data.get("sections") or ()]
        datasets = [d.key for d in info.data.get("datasets") or ()]
        for index, check in enumerate(checks):
            where = f"check {index} ({check.check})"
            if info.data.get("kind") is ExerciseKind.LIVE:
                raise ValueError(f"{where}: a live stage has no answers to check: remove the checks")
            section = getattr(check, "section", None)
            if section is not None and section not in sections:
                raise ValueError(
                    f"{where}: section {section!r} is not a section of the answer form; "
                    f"use one of: {', '.join(sections)}"
                )
            if isinstance(check, CitedFiguresCheck):
                if not info.data.get("variants"):
                    raise ValueError(f"{where}: the exercise has no data variants whose figures could be cited")
                unknown = [key for key in check.datasets if key not in datasets]
                if unknown:
                    raise ValueError(
                        f"{where}: {', '.join(unknown)} not a data set of the exercise; "
                        f"use some of: {', '.join(datasets)}"
                    )
        return checks

    def section(self, key: str) -> AnswerSection:
        return next(s for s in self.sections if s.key == key)

    def variant(self, key: str) -> DataVariant:
        return next(v for v in self.variants if v.key == key)


class ScaleLevel(Frozen):
    score: int
    label: Text


class Scale(Frozen):
    min: int = Field(ge=0)
    max: int = Field(le=10)
    levels: tuple[ScaleLevel, ...]

    @model_validator(mode="after")
    def _levels_cover_scale(self) -> Scale:
        if self.min >= self.max:
            raise ValueError("min must be below max")
        scores = [level.score for level in self.levels]
        if scores != list(range(self.min, self.max + 1)):
            raise ValueError(
                f"levels must list every score from {self.min} to {self.max} in order"
            )
        return self

    def contains(self, score: int) -> bool:
        return self.min <= score <= self.max


class Recommendation(Frozen):
    key: Key
    label: Text


class Dimension(Frozen):
    key: Key
    name: Text
    meets: Text
    evidence: Text


class SignalKind(StrEnum):
    STRONG = "strong"
    WEAK = "weak"
    RED_FLAG = "red_flag"


class Signal(Frozen):
    """Observable evidence an interviewer can tick under the dimensions it speaks to."""

    key: Key
    kind: SignalKind
    dimensions: tuple[Key, ...] = Field(min_length=1)
    text: Text


class Rubric(Frozen):
    """The scorecard shared by every exercise: scale, dimensions, signals."""

    key: Key
    title: Text
    scale: Scale
    recommendations: tuple[Recommendation, ...] = Field(min_length=2)
    dimensions: tuple[Dimension, ...] = Field(min_length=1)
    signals: tuple[Signal, ...] = ()

    @field_validator("recommendations", "dimensions", "signals")
    @classmethod
    def _keys_unique(cls, items: tuple[Any, ...], info: ValidationInfo) -> tuple[Any, ...]:
        _unique_keys(str(info.field_name).rstrip("s"), items)
        return items

    @model_validator(mode="after")
    def _signals_name_known_dimensions(self) -> Rubric:
        known = {d.key for d in self.dimensions}
        for signal in self.signals:
            unknown = [key for key in signal.dimensions if key not in known]
            if unknown:
                raise ValueError(
                    f"signal {signal.key!r} names dimensions the rubric does not define: {', '.join(unknown)}"
                )
        return self

    def dimension(self, key: str) -> Dimension:
        return next(d for d in self.dimensions if d.key == key)


class Anchors(Frozen):
    """What a low, middle and high rating look like on one dimension of one exercise."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    low: Text = Field(alias="1")
    meets: Text = Field(alias="3")
    high: Text = Field(alias="5")

    @model_validator(mode="before")
    @classmethod
    def _score_keys_as_text(cls, data: object) -> object:
        # YAML reads the keys 1, 3 and 5 as integers.
        if isinstance(data, dict):
            return {str(k): v for k, v in data.items()}
        return data


class ExerciseAnchors(Frozen):
    """The file rubrics/anchors/<exercise>.yaml: the dimensions one exercise scores."""

    exercise: Key
    dimensions: dict[Key, Anchors] = Field(min_length=1)
    signals: tuple[Key, ...] = ()


class ScoredDimension(Frozen):
    dimension: Dimension
    anchors: Anchors


class Scorecard(Frozen):
    """The rubric as an interviewer sees it for one exercise; versioned on its own."""

    def signals_for(self, dimension: str) -> tuple[Signal, ...]:
        return tuple(s for s in self.signals if dimension in s.dimensions)

    def scored(self, dimension: str) -> ScoredDimension:
        return next(d for d in self.dimensions if d.dimension.key == dimension)

    @property
    def dimension_keys(self) -> tuple[str, ...]:
        return tuple(d.dimension.key for d in self.dimensions)

    exercise: Key
    rubric: Key
    title: Text
    scale: Scale
    recommendations: tuple[Recommendation, ...]
    dimensions: tuple[ScoredDimension, ...]
    signals: tuple[Signal, ...]



class BenchmarkLevel(StrEnum):
    WEAK = "weak"
    MEETS = "meets"
    STRONG = "strong"
    BORDERLINE = "borderline"


class ReferenceScore(Frozen):
    score: int
    rationale: Text


class Benchmark(Frozen):
    """A model answer with reference scores, for calibration, the demo and measuring the AI."""

    key: Key
    exercise: Key
    level: BenchmarkLevel
    title: Text
    variant: Key | None = None
    recommendation: Key
    summary: Text
    scores: dict[Key, ReferenceScore] = Field(min_length=1)
    answers: dict[Key, str]
