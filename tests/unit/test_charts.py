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
