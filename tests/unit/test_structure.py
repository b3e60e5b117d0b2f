from assess.config import PROJECT_ROOT
from assess.content import load_library
from assess.domain.structure import structural_checks

LIBRARY = load_library(PROJECT_ROOT)


def checks_of(exercise: str, benchmark: str, numbers: frozenset[int] = frozenset()) -> dict[str, tuple[str, bool | None]]:
    answers = LIBRARY.benchmarks[exercise][benchmark].content.answers
    return {c.label: (c.value, c.ok) for c in structural_checks(exercise, answers, numbers)}


def test_the_strong_prd_has_its_stories_criteria_targets_and_events_counted() -> None:
    checks = checks_of("a-mini-prd", "strong")
    stories = int(checks["User stories written"][0])
    assert 5 <= stories <= 8
    assert checks["Stories with acceptance criteria"] == (f"{stories} of {stories}", True)
    assert checks["Metrics with a number or target"][1] is True
    assert checks["Guardrail metric named"] == ("yes", True)
    assert checks["Events named in the tracking plan"][1] is True


def test_the_weak_prd_shows_what_is_missing() -> None:
    strong, weak = checks_of("a-mini-prd", "strong"), checks_of("a-mini-prd", "weak")
    assert weak["Stories with acceptance criteria"][1] is False or weak["Guardrail metric named"][1] is False
    assert int(weak["Events named in the tracking plan"][0]) <= int(strong["Events named in the tracking plan"][0])


def test_an_analytics_answer_is_checked_for_each_question_and_figures_from_its_data() -> None:
    benchmark = LIBRARY.benchmarks["b-analytics"]["strong"].content
    variant = LIBRARY.exercise("b-analytics").content.variant(benchmark.variant or "")
    numbers = frozenset(cell for table in variant.tables for row in table.rows for cell in row if isinstance(cell, int))
    checks = checks_of("b-analytics", "strong", numbers)
    assert all(ok for label, (_, ok) in checks.items() if label.startswith("Answered"))
    assert checks["Figures from the data cited"][1] is True


def test_a_writing_sample_is_checked_for_both_pieces() -> None:
    checks = structural_checks("d-writing-sample", {"release_notes": "Short.", "support_faq": "word " * 60})
    assert [(c.label, c.ok) for c in checks] == [("Release notes present", False), ("Support faq present", True)]
