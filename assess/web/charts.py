"""Chart configurations for the pages, and the one place their colours come from."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..content.schema import DataVariant, Dataset, Exercise, Table
from ..domain import datasets
from ..domain.pipeline import Step
from ..services.results import Comparison

# Every chart takes its colours from here (the accent matches --accent in app.css): each dataset the server
# sends carries its colour, so the page's script never chooses one.
COLOURS = {
    "accent": "#2f5bd3",
    "contrast": "#e07a1f",
    "accent_soft": "#c9d6fb",
}
# Series without a meaning of their own (periods, cohorts, events) take these in turn.
PALETTE = ("#2f5bd3", "#e07a1f", "#1f7a4d", "#9b3fb5", "#c0392b", "#0f8b8d", "#7a6f1f", "#5b6576", "#d4a017",
           "#3d8bfd")
FILL_ALPHA = "33"  # a line's area is its colour at a fifth of its strength
MARK_HALF_WIDTH = 0.02


def _mark(value: float) -> list[float]:
    """A thin bar standing for a point on a horizontal bar chart."""
    return [round(value - MARK_HALF_WIDTH, 3), round(value + MARK_HALF_WIDTH, 3)]


def results_chart(comparison: Comparison) -> dict[str, object]:
    """A Chart.js configuration: each candidate's 80% interval as a bar, the score and raw mean as points."""
    rows = comparison.rows
    # The axis shows the 1-5 scale and reaches past it where a score or interval does (a candidate rated at
    # the top by everyone is read as at least 5, so their level lies above it).
    ends = [v for r in rows for v in (r.estimate.low, r.estimate.high, r.estimate.raw_mean)]
    axis = {"min": min([1, *(math.floor(v) for v in ends)]), "max": max([5, *(math.ceil(v) for v in ends)])}
    return {
        "type": "bar",
        "data": {
            "labels": [row.candidate.name for row in rows],
            "datasets": [
                {"label": "80% interval", "data": [[round(r.estimate.low, 2), round(r.estimate.high, 2)] for r in rows],
                 "backgroundColor": COLOURS["accent_soft"], "grouped": False, "order": 3},
                {"label": "Calibrated score", "data": [_mark(r.estimate.score) for r in rows],
                 "backgroundColor": COLOURS["accent"], "grouped": False, "order": 1},
                {"label": "Raw mean", "data": [_mark(r.estimate.raw_mean) for r in rows],
                 "backgroundColor": COLOURS["contrast"], "grouped": False, "order": 2},
            ],
        },
        "options": {"indexAxis": "y", "scales": {"x": {**axis, "title": {
            "display": True, "text": "score on the 1-5 scale"}}}},
    }


@dataclass(frozen=True)
class DataView:
    """One data set of a variant as a page shows it: the table a person reads and its chart, if it has one."""

    spec: Dataset
    shown: datasets.DisplayTable
    chart: dict[str, Any] | None


def data_views(exercise: Exercise, variant: DataVariant | None) -> list[DataView]:
    """Each data set of the variant the candidate was given, ready to draw (none for an exercise without data)."""
    if variant is None:
        return []
    specs = {d.key: d for d in exercise.datasets}
    return [DataView(specs[t.dataset], datasets.display_table(specs[t.dataset], t), dataset_chart(specs[t.dataset], t))
            for t in variant.tables]


def dataset_chart(dataset: Dataset, table: Table) -> dict[str, Any] | None:
    """The exercise data set's Chart.js configuration with each series in its palette colour, or None."""
    config = datasets.chart_config(dataset, table)
    if config is None:
        return None
    bar = config["type"] == "bar"
    for index, series in enumerate(config["data"]["datasets"]):
        colour = PALETTE[index % len(PALETTE)]
        series.update(borderColor=colour, backgroundColor=colour if bar else colour + FILL_ALPHA, borderWidth=2,
                      pointRadius=2, spanGaps=False)
    return config


def funnel_chart(steps: list[Step]) -> dict[str, object]:
    """A Chart.js configuration: how many candidates are at each step of the way or further, as horizontal bars."""
    return {
        "type": "bar",
        "data": {
            "labels": [step.label for step in steps],
            "datasets": [{"label": "At this step or further", "data": [step.reached for step in steps],
                          "backgroundColor": COLOURS["accent"]}],
        },
        "options": {"indexAxis": "y", "plugins": {"legend": {"display": False}},
                    "scales": {"x": {"beginAtZero": True, "ticks": {"precision": 0},
                                     "title": {"display": True, "text": "candidates"}}}},
    }
