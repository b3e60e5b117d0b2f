from typing import get_args

from assess.config import PROJECT_ROOT
from assess.content import load_library
from assess.content.schema import StructuralCheck
from assess.domain.structure import CHECKS, structural_checks

LIBRARY = load_library(PROJECT_ROOT)


def checks_of(exercise: str, benchmark: str, variant: str | None = None) -> dict[str, tuple[str, bool | None]]:
    answers = LIBRARY.benchmarks[exercise][benchmark].content.answers
    return {c.label: (c.value, c.ok) for c in structural_checks(LIBRARY.exercise(exercise).content, answers, variant)}


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
    checks = checks_of("b-analytics", "strong", benchmark.variant)
    assert all(ok for label, (_, ok) in checks.items() if label.startswith("Answered"))
    assert checks["Figures from the data cited"][1] is True


def test_a_writing_sample_is_checked_for_both_pieces() -> None:
    checks = structural_checks(LIBRARY.exercise("d-writing-sample").content, {"release_notes": "Short.", "support_faq": "word " * 60})
    assert [(c.label, c.ok) for c in checks] == [("Release notes present", False), ("Support faq present", True)]


def test_every_check_an_exercise_can_declare_has_its_rule() -> None:
    models = get_args(get_args(StructuralCheck)[0])
    assert {get_args(m.model_fields["check"].annotation)[0] for m in models} == set(CHECKS)
