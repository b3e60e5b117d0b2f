"""Chart configurations carry their colours, all from the web layer's one palette."""

from __future__ import annotations

from assess.config import PROJECT_ROOT
from assess.content.loader import load_library
from assess.web import charts

LIBRARY = load_library(PROJECT_ROOT)


def test_every_series_of_every_exercise_chart_has_a_palette_colour() -> None:
    drawn = 0
    for versioned in LIBRARY.exercises.values():
        exercise = versioned.content
        for variant in exercise.variants:
            for dataset in exercise.datasets:
                config = charts.dataset_chart(dataset, variant.table(dataset.key))
                for index, series in enumerate(config["data"]["datasets"] if config else []):
                    drawn += 1
                    assert series["borderColor"] == charts.PALETTE[index % len(charts.PALETTE)]
                    assert series["backgroundColor"].startswith(series["borderColor"])
    assert drawn > 0


def test_the_results_axis_reaches_past_the_scale_where_a_score_or_interval_does() -> None:
    from types import SimpleNamespace

    from assess.web.charts import results_chart

    def row(name: str, score: float, low: float, high: float, raw: float) -> SimpleNamespace:
        return SimpleNamespace(candidate=SimpleNamespace(name=name),
                               estimate=SimpleNamespace(score=score, low=low, high=high, raw_mean=raw))

    inside = SimpleNamespace(rows=[row("Ada", 3.2, 2.8, 3.6, 3.1), row("Ben", 2.1, 1.7, 2.5, 2.0)])
    assert {k: results_chart(inside)["options"]["scales"]["x"][k] for k in ("min", "max")} == {"min": 1, "max": 5}
    # Rated 5 by everyone: read as at least 5, the level lies above the scale and the bar must show it.
    beyond = SimpleNamespace(rows=[row("Cleo", 5.9, 4.9, 6.8, 5.0), row("Dan", 1.2, 0.4, 2.0, 1.0)])
    x = results_chart(beyond)["options"]["scales"]["x"]
    assert (x["min"], x["max"]) == (0, 7)
