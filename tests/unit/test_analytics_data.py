"""Every variant of exercise B's data holds the four lessons the rubric rewards finding."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest

from assess.config import PROJECT_ROOT
from assess.content import load_library
from assess.content.schema import DataVariant, Exercise

RELEASE = date(2026, 4, 14)
LIBRARY = load_library(PROJECT_ROOT)
EXERCISE: Exercise = LIBRARY.exercise("b-analytics").content


def rows(variant: DataVariant, dataset: str) -> list[dict[str, object]]:
    spec = next(d for d in EXERCISE.datasets if d.key == dataset)
    names = [c.name for c in spec.columns]
    return [dict(zip(names, row, strict=True)) for row in variant.table(dataset).rows]


def funnel(variant: DataVariant) -> dict[tuple[str, str], list[int]]:
    """Users at each step, in step order, per (period, segment)."""
    steps: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for r in rows(variant, "funnel"):
        steps[(str(r["period"]), str(r["segment"]))].append((int(r["step_order"]), int(r["users"])))  # type: ignore[call-overload]
    return {key: [users for _, users in sorted(values)] for key, values in steps.items()}


VARIANTS = [pytest.param(v, id=v.key) for v in EXERCISE.variants]


def test_the_brief_names_the_release_date_the_data_breaks_on() -> None:
    assert "14 April 2026" in EXERCISE.brief


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_funnel_never_grows_down_its_steps(variant: DataVariant) -> None:
    for key, users in funnel(variant).items():
        assert users == sorted(users, reverse=True), key


@pytest.mark.parametrize("variant", VARIANTS)
def test_one_step_loses_most_users(variant: DataVariant) -> None:
    losses: dict[int, int] = defaultdict(int)
    for users in funnel(variant).values():
        for step, (before, after) in enumerate(zip(users, users[1:]), start=2):
            losses[step] += before - after
    biggest = max(losses.values())
    assert biggest > 0.5 * sum(losses.values())


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_segment_improves_while_the_total_falls(variant: DataVariant) -> None:
    data = funnel(variant)
    periods = sorted({p for p, _ in data})
    first, second = periods[0], periods[-1]
    segments = {s for _, s in data}
    for segment in segments:
        before, after = data[(first, segment)], data[(second, segment)]
        assert after[-1] / after[0] >= before[-1] / before[0], segment

    def total(period: str) -> float:
        return sum(data[(period, s)][-1] for s in segments) / sum(data[(period, s)][0] for s in segments)

    assert total(second) < total(first)


@pytest.mark.parametrize("variant", VARIANTS)
def test_one_event_stops_being_recorded_after_the_release(variant: DataVariant) -> None:
    weekly: dict[str, dict[date, int]] = defaultdict(dict)
    for r in rows(variant, "events"):
        weekly[str(r["event"])][date.fromisoformat(str(r["week"]))] = int(r["count"])  # type: ignore[call-overload]

    def mean(values: list[int]) -> float:
        return sum(values) / len(values)

    broken = []
    for event, counts in weekly.items():
        before = mean([c for week, c in counts.items() if week < RELEASE])
        after = mean([c for week, c in counts.items() if week > RELEASE + (date(2026, 1, 8) - date(2026, 1, 1))])
        if after < 0.1 * before:
            broken.append(event)
        else:
            assert after > 0.5 * before, f"{event} should carry on after the release"
    assert len(broken) == 1


@pytest.mark.parametrize("variant", VARIANTS)
def test_one_segment_is_too_small_to_trust(variant: DataVariant) -> None:
    largest_period: dict[str, int] = defaultdict(int)
    for (_, segment), users in funnel(variant).items():
        largest_period[segment] = max(largest_period[segment], users[0])
    tiny = [segment for segment, size in largest_period.items() if size < 50]
    assert len(tiny) == 1
    others = [size for segment, size in largest_period.items() if segment not in tiny]
    assert min(others) > 4 * largest_period[tiny[0]]


@pytest.mark.parametrize("variant", VARIANTS)
def test_no_cohort_has_more_active_users_than_sign_ups(variant: DataVariant) -> None:
    for r in rows(variant, "retention"):
        assert 0 <= int(r["active_users"]) <= int(r["cohort_size"])  # type: ignore[call-overload]


def test_the_variants_have_different_numbers() -> None:
    tables = [variant.table("funnel").rows for variant in EXERCISE.variants]
    assert len({tuple(t) for t in tables}) == len(tables)
