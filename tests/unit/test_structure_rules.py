"""The counting rules behind the structural checks, on answers written to sit on each boundary."""

from __future__ import annotations

from assess.config import PROJECT_ROOT
from assess.content import load_library
from assess.content.schema import DataVariant, Table
from assess.domain.structure import Check, structural_checks, words

LIBRARY = load_library(PROJECT_ROOT)
NONE: frozenset[int] = frozenset()


def _declared(key: str, answers: dict[str, str], numbers: frozenset[int]) -> list[Check]:
    """The checks exercise key declares, on these answers, with a data variant holding just these numbers."""
    exercise = LIBRARY.exercise(key).content
    if numbers:
        variant = DataVariant(key="given", tables=(Table(dataset=exercise.datasets[0].key,
                                                         rows=tuple((n,) for n in sorted(numbers))),))
        exercise = exercise.model_copy(update={"variants": (variant,)})
    return structural_checks(exercise, answers, "given" if numbers else None)


def _mini_prd(answers: dict[str, str], numbers: frozenset[int]) -> list[Check]:
    return _declared("a-mini-prd", answers, numbers)


def _analytics(answers: dict[str, str], numbers: frozenset[int]) -> list[Check]:
    return _declared("b-analytics", answers, numbers)


def _writing(answers: dict[str, str], numbers: frozenset[int]) -> list[Check]:
    return _declared("d-writing-sample", answers, numbers)


def _lengths(answers: dict[str, str], numbers: frozenset[int]) -> list[Check]:
    """What an exercise that declares no checks gets: the words of each section."""
    exercise = LIBRARY.exercise("d-writing-sample").content.model_copy(update={"checks": ()})
    return structural_checks(exercise, answers)


def stories(count: int, *, with_criteria: int | None = None) -> str:
    with_criteria = count if with_criteria is None else with_criteria
    return "\n".join(
        f"As a returning user {i}, I want saved carts.\n" + ("Given a cart, it is kept.\n" if i < with_criteria else "")
        for i in range(count)
    )


def prd(**answers: str) -> dict[str, Check]:
    return {c.label: c for c in _mini_prd(answers, NONE)}


def test_five_to_eight_stories_are_asked_for() -> None:
    for count, ok in [(4, False), (5, True), (8, True), (9, False)]:
        assert prd(user_stories=stories(count))["User stories written"] == Check(
            "User stories written", str(count), ok, "The brief asks for 5 to 8."
        )


def test_every_story_needs_its_acceptance_criteria() -> None:
    assert prd(user_stories=stories(6))["Stories with acceptance criteria"] == Check(
        "Stories with acceptance criteria", "6 of 6", True
    )
    assert prd(user_stories=stories(6, with_criteria=5))["Stories with acceptance criteria"] == Check(
        "Stories with acceptance criteria", "5 of 6", False
    )
    assert prd(user_stories="No stories here.")["Stories with acceptance criteria"] == Check(
        "Stories with acceptance criteria", "0 of 0", False
    )


def test_a_story_is_counted_once_however_its_wording_varies() -> None:
    text = "as an admin, i need exports. AC: csv.\nAs a buyer I would like refunds. AC1 works.\nAs a guest I can browse."
    assert prd(user_stories=text)["User stories written"].value == "3"
    assert prd(user_stories=text)["Stories with acceptance criteria"].value == "2 of 3"


def test_metrics_need_a_number_or_target_and_a_named_guardrail() -> None:
    checks = prd(success_metrics="Raise activation from 20% to 30%. GUARDRAIL: refunds stay flat.")
    assert checks["Metrics with a number or target"] == Check("Metrics with a number or target", "2", True)
    assert checks["Guardrail metric named"] == Check("Guardrail metric named", "yes", True)
    checks = prd(success_metrics="More people activate.")
    assert checks["Metrics with a number or target"] == Check("Metrics with a number or target", "0", False)
    assert checks["Guardrail metric named"] == Check("Guardrail metric named", "no", False)
    assert prd(success_metrics="Our goal is 3 in a row.")["Metrics with a number or target"].value == "1"


def test_at_least_three_events_are_named_and_listed_up_to_eight() -> None:
    label = "Events named in the tracking plan"
    assert prd(tracking_plan="`signup_started` and checkout_paid")[label] == Check(
        label, "2", False, "checkout_paid, signup_started"
    )
    assert prd(tracking_plan="`tour.completed`, `signup_started`, checkout_paid, signup_started")[label] == Check(
        label, "3", True, "checkout_paid, signup_started, tour.completed"
    )
    eight = " ".join(f"event_{i}" for i in range(8))
    assert prd(tracking_plan=eight)[label].detail == ", ".join(f"event_{i}" for i in range(8))
    nine = " ".join(f"event_{i}" for i in range(9))
    assert prd(tracking_plan=nine)[label] == Check(label, "9", True, ", ".join(f"event_{i}" for i in range(8)) + " …")


def test_the_checks_come_in_the_order_the_brief_asks_for_them() -> None:
    assert [c.label for c in _mini_prd({}, NONE)] == [
        "User stories written", "Stories with acceptance criteria", "Metrics with a number or target",
        "Guardrail metric named", "Events named in the tracking plan",
    ]


def test_an_analytics_answer_needs_twenty_five_words_per_question() -> None:
    checks = _analytics({"drop_off": "word " * 25, "next_step": "word " * 24}, NONE)
    assert checks[:2] == [
        Check("Answered: drop off", "25 words", True),
        Check("Answered: next step", "24 words", False),
    ]


def test_figures_cited_are_quoted_numbers_of_ten_or_more_found_in_the_data() -> None:
    answers = {"q": "Of 1,234 visits 9 left, 10 stayed and 1,234 again; 55.5% and 77 too.", "r": "x2 and 4000"}
    checks = _analytics(answers, frozenset({1234, 9, 10, 4000, 55}))
    assert checks[-1] == Check(
        "Figures from the data cited", "4 of 5 numbers quoted", True, "1,234, 10, 55, 4,000"
    )
    none_cited = _analytics({"q": "About 99 people."}, frozenset({100}))[-1]
    assert none_cited == Check("Figures from the data cited", "0 of 1 numbers quoted", False, "")


def test_more_than_twelve_cited_figures_are_cut_short() -> None:
    numbers = list(range(10, 23))
    cited = _analytics({"q": " ".join(map(str, numbers))}, frozenset(numbers))[-1]
    assert cited.value == "13 of 13 numbers quoted"
    assert cited.detail == ", ".join(map(str, numbers[:12])) + " …"
    twelve = _analytics({"q": " ".join(map(str, numbers[:12]))}, frozenset(numbers))[-1]
    assert twelve.detail == ", ".join(map(str, numbers[:12]))


def test_a_writing_sample_needs_forty_words_a_piece() -> None:
    assert _writing({"release_notes": "w " * 40, "support_faq": "w " * 39}, NONE) == [
        Check("Release notes present", "40 words", True),
        Check("Support faq present", "39 words", False),
    ]


def test_other_exercises_get_word_counts_only() -> None:
    assert _lengths({"long_answer": "one two three"}, NONE) == [Check("Long answer", "3 words")]
    assert structural_checks(LIBRARY.exercise("c-stakeholder-roleplay").content,
                             {"long_answer": "one two"}) == [Check("Long answer", "2 words")]
    assert _writing({"release_notes": "w " * 40}, NONE)[0].ok is True
    assert _analytics({"q": "12"}, frozenset({12}))[-1].ok is True
    assert words("  a  b\nc ") == 3
