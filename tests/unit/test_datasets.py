"""An exercise's data as the candidate sees it: the pivoted table and the Chart.js description."""

from __future__ import annotations

from assess.content.schema import ChartKind, Column, ColumnType, Dataset, Table
from assess.domain.datasets import DisplayTable, _number, _percent, chart_config, display_table

TEXT, INTEGER, NUMBER = ColumnType.TEXT, ColumnType.INTEGER, ColumnType.NUMBER


def dataset(chart: ChartKind, *columns: tuple[str, ColumnType]) -> Dataset:
    return Dataset(
        key="data",
        title="Data",
        description="Numbers.",
        chart=chart,
        columns=tuple(Column(name=name, type=kind) for name, kind in columns),
    )


FUNNEL = dataset(
    ChartKind.FUNNEL,
    ("period", TEXT), ("segment", TEXT), ("step_order", INTEGER), ("step", TEXT), ("users", INTEGER),
)
# Steps named so that their alphabetical order is not their funnel order; one row lacks a step.
FUNNEL_ROWS = Table(
    dataset="data",
    rows=(
        ("2024-01", "web", 2, "Sign up", 400),
        ("2024-01", "web", 1, "Visit", 1000),
        ("2024-01", "web", 3, "Activate", 100),
        ("2024-01", "app", 1, "Visit", 3000),
        ("2024-01", "app", 2, "Sign up", 1500),
        ("2024-01", "app", 3, "Activate", 600),
        ("2024-02", "web", 1, "Visit", 2000),
        ("2024-02", "web", 3, "Activate", 50),
    ),
)
COHORT = dataset(
    ChartKind.COHORT, ("cohort_week", TEXT), ("cohort_size", INTEGER), ("week", INTEGER), ("active_users", INTEGER)
)
COHORT_ROWS = Table(
    dataset="data",
    rows=(
        ("2024-01-08", 200, 2, 50),
        ("2024-01-08", 200, 0, 200),
        ("2024-01-08", 200, 1, 90),
        ("2024-01-01", 1000, 0, 1000),
        ("2024-01-01", 1000, 1, 455),
    ),
)
LINE = dataset(ChartKind.LINE, ("week", TEXT), ("event", TEXT), ("count", INTEGER))
LINE_ROWS = Table(
    dataset="data",
    rows=(
        ("2024-01-08", "signup", 12),
        ("2024-01-01", "signup", 1500),
        ("2024-01-01", "purchase", 3),
    ),
)


def test_percent_rounds_to_one_place_and_is_zero_of_nothing() -> None:
    assert _percent(1, 3) == 33.3
    assert _percent(2, 3) == 66.7
    assert _percent(50, 200) == 25.0
    assert _percent(5, 0) == 0.0


def test_numbers_get_thousands_separators_and_other_cells_stay_as_written() -> None:
    assert _number(1234567) == "1,234,567"
    assert _number(12) == "12"
    assert _number(1234.5) == "1234.5"
    assert _number("2024-01") == "2024-01"


def test_a_funnel_is_one_row_per_period_and_segment_with_steps_in_order_and_conversion() -> None:
    assert display_table(FUNNEL, FUNNEL_ROWS) == DisplayTable(
        header=("Period", "Segment", "Visit", "Sign up", "Activate", "Activate ÷ Visit"),
        rows=(
            ("2024-01", "web", "1,000", "400", "100", "10.0%"),
            ("2024-01", "app", "3,000", "1,500", "600", "20.0%"),
            ("2024-02", "web", "2,000", "0", "50", "2.5%"),
        ),
        row_header_columns=2,
    )


def test_a_funnel_without_its_first_step_converts_at_zero() -> None:
    rows = Table(dataset="data", rows=(("2024-01", "web", 1, "Visit", 0), ("2024-01", "web", 2, "Buy", 7)))
    assert display_table(FUNNEL, rows).rows == (("2024-01", "web", "0", "7", "0.0%"),)


def test_a_funnel_chart_sums_segments_per_period_as_a_share_of_the_first_step() -> None:
    assert chart_config(FUNNEL, FUNNEL_ROWS) == {
        "type": "bar",
        "data": {
            "labels": ["Visit", "Sign up", "Activate"],
            "datasets": [
                {"label": "2024-01, all segments", "data": [100.0, 47.5, 17.5]},
                {"label": "2024-02, all segments", "data": [100.0, 0.0, 2.5]},
            ],
        },
        "options": {"scales": {"y": {"beginAtZero": True, "title": {"display": True, "text": "% of visit"}}}},
    }


def test_a_cohort_table_shows_each_week_as_a_share_of_sign_ups_and_a_dash_where_missing() -> None:
    assert display_table(COHORT, COHORT_ROWS) == DisplayTable(
        header=("Cohort (week of sign-up)", "Sign-ups", "Week 0", "Week 1", "Week 2"),
        rows=(
            ("2024-01-01", "1,000", "100.0% (1,000)", "45.5% (455)", "–"),
            ("2024-01-08", "200", "100.0% (200)", "45.0% (90)", "25.0% (50)"),
        ),
        row_header_columns=1,
    )


def test_a_cohort_chart_is_one_line_per_cohort_with_gaps_where_weeks_are_missing() -> None:
    assert chart_config(COHORT, COHORT_ROWS) == {
        "type": "line",
        "data": {
            "labels": ["Week 0", "Week 1", "Week 2"],
            "datasets": [
                {"label": "2024-01-01", "data": [100.0, 45.5, None]},
                {"label": "2024-01-08", "data": [100.0, 45.0, 25.0]},
            ],
        },
        "options": {
            "scales": {"y": {"beginAtZero": True, "title": {"display": True, "text": "% of cohort active"}}}
        },
    }


def test_a_line_table_is_one_row_per_week_with_events_in_the_order_they_first_appear() -> None:
    assert display_table(LINE, LINE_ROWS) == DisplayTable(
        header=("Week of", "signup", "purchase"),
        rows=(("2024-01-01", "1,500", "3"), ("2024-01-08", "12", "0")),
        row_header_columns=1,
    )


def test_a_line_chart_is_one_line_per_event_over_the_sorted_weeks() -> None:
    assert chart_config(LINE, LINE_ROWS) == {
        "type": "line",
        "data": {
            "labels": ["2024-01-01", "2024-01-08"],
            "datasets": [{"label": "signup", "data": [1500, 12]}, {"label": "purchase", "data": [3, 0]}],
        },
        "options": {
            "scales": {"y": {"beginAtZero": True, "title": {"display": True, "text": "events per week"}}}
        },
    }


def test_a_plain_table_is_shown_as_it_is_without_row_headers_or_chart() -> None:
    plain = dataset(ChartKind.TABLE, ("name", TEXT), ("users", INTEGER), ("share", NUMBER))
    rows = Table(dataset="data", rows=(("web", 1234, 0.5), ("app", 7, 0.25)))
    assert display_table(plain, rows) == DisplayTable(
        header=("name", "users", "share"),
        rows=(("web", "1,234", "0.5"), ("app", "7", "0.25")),
        row_header_columns=0,
    )
    assert chart_config(plain, rows) is None


def test_a_funnel_row_missing_its_first_or_last_step_converts_at_zero() -> None:
    rows = Table(dataset="data", rows=(
        ("2024-01", "web", 1, "Visit", 10), ("2024-01", "web", 2, "Sign up", 5), ("2024-01", "web", 3, "Buy", 2),
        ("2024-01", "app", 2, "Sign up", 4), ("2024-01", "app", 3, "Buy", 3),
        ("2024-01", "tv", 1, "Visit", 8), ("2024-01", "tv", 2, "Sign up", 4),
    ))
    assert display_table(FUNNEL, rows).rows == (
        ("2024-01", "web", "10", "5", "2", "20.0%"),
        ("2024-01", "app", "0", "4", "3", "0.0%"),
        ("2024-01", "tv", "8", "4", "0", "0.0%"),
    )
