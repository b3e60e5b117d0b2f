"""Chart configurations for the pages, and the one place their colours come from."""

from __future__ import annotations

from ..services.results import Comparison

# Every chart takes its colours from here (the accent matches --accent in app.css), so each dataset the server
# draws carries its colour and the page's script never has to choose one.
COLOURS = {
    "accent": "#2f5bd3",
    "contrast": "#e07a1f",
    "accent_soft": "#c9d6fb",
}
MARK_HALF_WIDTH = 0.02


def _mark(value: float) -> list[float]:
    """A thin bar standing for a point on a horizontal bar chart."""
    return [round(value - MARK_HALF_WIDTH, 3), round(value + MARK_HALF_WIDTH, 3)]


def results_chart(comparison: Comparison) -> dict[str, object]:
    """A Chart.js configuration: each candidate's 80% interval as a bar, the score and raw mean as points."""
    rows = comparison.rows
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
        "options": {"indexAxis": "y", "scales": {"x": {"min": 1, "max": 5, "title": {
            "display": True, "text": "score on the 1-5 scale"}}}},
    }
