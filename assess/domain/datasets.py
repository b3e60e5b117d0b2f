"""Turn an exercise's data into a readable table and a chart description for Chart.js."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ..content.schema import Cell, ChartKind, Dataset, Table


@dataclass(frozen=True)
class DisplayTable:
    """A table for people: a header row and rows of text, row headers first."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    row_header_columns: int = 1


def _rows(dataset: Dataset, table: Table) -> list[dict[str, Cell]]:
    names = [c.name for c in dataset.columns]
    return [dict(zip(names, row, strict=True)) for row in table.rows]


def _percent(part: float, whole: float) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _number(value: Cell) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def display_table(dataset: Dataset, table: Table) -> DisplayTable:
    """The data as a person reads it: funnels and cohorts pivoted, others as they are."""
    rows = _rows(dataset, table)
    if dataset.chart is ChartKind.FUNNEL:
        return _funnel_table(rows)
    if dataset.chart is ChartKind.COHORT:
        return _cohort_table(rows)
    if dataset.chart is ChartKind.LINE:
        return _line_table(rows)
    return DisplayTable(
        header=tuple(c.name for c in dataset.columns),
        rows=tuple(tuple(_number(v) for v in row) for row in table.rows),
        row_header_columns=0,
    )


def _steps(rows: list[dict[str, Cell]]) -> list[str]:
    order = sorted({(int(r["step_order"]), str(r["step"])) for r in rows})
    return [step for _, step in order]


def _funnel_table(rows: list[dict[str, Cell]]) -> DisplayTable:
    steps = _steps(rows)
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for r in rows:
        counts[(str(r["period"]), str(r["segment"]))][str(r["step"])] = int(r["users"])
    body = []
    for (period, segment), by_step in counts.items():
        first, last = by_step.get(steps[0], 0), by_step.get(steps[-1], 0)
        body.append(
            (period, segment, *(_number(by_step.get(s, 0)) for s in steps), f"{_percent(last, first)}%")
        )
    return DisplayTable(
        header=("Period", "Segment", *steps, f"{steps[-1]} ÷ {steps[0]}"),
        rows=tuple(body),
        row_header_columns=2,
    )


def _cohort_table(rows: list[dict[str, Cell]]) -> DisplayTable:
    weeks = sorted({int(r["week"]) for r in rows})
    cohorts: dict[str, dict[str, Any]] = {}
    for r in rows:
        cohort = cohorts.setdefault(str(r["cohort_week"]), {"size": int(r["cohort_size"]), "weeks": {}})
        cohort["weeks"][int(r["week"])] = int(r["active_users"])
    body = []
    for name, cohort in sorted(cohorts.items()):
        cells = [
            f"{_percent(cohort['weeks'][w], cohort['size'])}% ({cohort['weeks'][w]:,})"
            if w in cohort["weeks"] else "–"
            for w in weeks
        ]
        body.append((name, _number(cohort["size"]), *cells))
    return DisplayTable(
        header=("Cohort (week of sign-up)", "Sign-ups", *(f"Week {w}" for w in weeks)),
        rows=tuple(body),
    )


def _line_table(rows: list[dict[str, Cell]]) -> DisplayTable:
    events = list(dict.fromkeys(str(r["event"]) for r in rows))
    by_week: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rows:
        by_week[str(r["week"])][str(r["event"])] = int(r["count"])
    body = [
        (week, *(_number(values.get(e, 0)) for e in events)) for week, values in sorted(by_week.items())
    ]
    return DisplayTable(header=("Week of", *events), rows=tuple(body))


def chart_config(dataset: Dataset, table: Table) -> dict[str, Any] | None:
    """A Chart.js configuration (type and data) for the data set, or None for plain tables."""
    rows = _rows(dataset, table)
    if dataset.chart is ChartKind.FUNNEL:
        steps = _steps(rows)
        totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for r in rows:
            totals[str(r["period"])][str(r["step"])] += int(r["users"])
        datasets = [
            {
                "label": f"{period}, all segments",
                "data": [_percent(by_step[s], by_step[steps[0]]) for s in steps],
            }
            for period, by_step in totals.items()
        ]
        return _config("bar", steps, datasets, y_title=f"% of {steps[0].lower()}")
    if dataset.chart is ChartKind.COHORT:
        weeks = sorted({int(r["week"]) for r in rows})
        series: dict[str, dict[int, float]] = defaultdict(dict)
        for r in rows:
            series[str(r["cohort_week"])][int(r["week"])] = _percent(
                int(r["active_users"]), int(r["cohort_size"])
            )
        datasets = [
            {"label": name, "data": [points.get(w) for w in weeks]}
            for name, points in sorted(series.items())
        ]
        return _config("line", [f"Week {w}" for w in weeks], datasets, y_title="% of cohort active")
    if dataset.chart is ChartKind.LINE:
        weeks = sorted({str(r["week"]) for r in rows})
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        for r in rows:
            counts[str(r["event"])][str(r["week"])] = int(r["count"])
        datasets = [
            {"label": event, "data": [values.get(w, 0) for w in weeks]} for event, values in counts.items()
        ]
        return _config("line", weeks, datasets, y_title="events per week")
    return None


def _config(kind: str, labels: list[str], datasets: list[dict[str, Any]], *, y_title: str) -> dict[str, Any]:
    return {
        "type": kind,
        "data": {"labels": labels, "datasets": datasets},
        "options": {"scales": {"y": {"beginAtZero": True, "title": {"display": True, "text": y_title}}}},
    }
