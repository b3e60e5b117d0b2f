"""When a hiring manager may decide, and what the decision email says."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from assess.domain.decisions import (
    DEFAULT_EMAILS,
    PLACEHOLDERS,
    EmailTemplate,
    WorkState,
    filled,
    readiness,
    template_problem,
)

works = st.lists(st.builds(WorkState, handed_in=st.booleans(), live=st.booleans(),
                           assigned=st.integers(0, 4), unfinished=st.integers(0, 4))
                 .filter(lambda w: w.unfinished <= w.assigned), max_size=6)


def test_a_candidate_with_every_take_home_in_and_every_scorecard_submitted_is_ready() -> None:
    done = [WorkState(handed_in=True, live=False, assigned=2, unfinished=0)] * 3
    assert readiness(done, take_homes=3, interviewers_per_submission=2).ready


def test_what_is_missing_is_said_in_words() -> None:
    work = [WorkState(handed_in=True, live=False, assigned=2, unfinished=1),
            WorkState(handed_in=True, live=False, assigned=1, unfinished=0),
            WorkState(handed_in=False, live=False, assigned=0, unfinished=0)]
    ready = readiness(work, take_homes=3, interviewers_per_submission=2)
    assert not ready.ready
    assert ready.missing() == ["2 of 3 exercises handed in", "1 exercise waiting for interviewers",
                               "1 scorecard not yet submitted"]
    still_able = readiness([], take_homes=3, interviewers_per_submission=2)
    assert not still_able.ready and still_able.missing() == ["0 of 3 exercises handed in"]


def test_a_candidate_who_can_hand_in_nothing_more_is_decided_on_what_they_did_hand_in() -> None:
    no_show = readiness([], take_homes=3, interviewers_per_submission=2, finished=True)
    assert no_show.ready and no_show.missing() == []
    part = [WorkState(handed_in=True, live=False, assigned=2, unfinished=1)]
    partly = readiness(part, take_homes=3, interviewers_per_submission=2, finished=True)
    assert partly.missing() == ["1 scorecard not yet submitted"]


def test_a_live_stage_with_open_scorecards_holds_the_decision_and_counts_no_take_home() -> None:
    work = [WorkState(handed_in=True, live=False, assigned=2, unfinished=0),
            WorkState(handed_in=True, live=True, assigned=2, unfinished=2)]
    ready = readiness(work, take_homes=1, interviewers_per_submission=2)
    assert ready.handed_in == 1 and not ready.ready and ready.missing() == ["2 scorecards not yet submitted"]


@given(works, st.integers(0, 4), st.integers(1, 3), st.booleans())
def test_ready_exactly_when_nothing_is_missing(work: list[WorkState], take_homes: int, needed: int,
                                              finished: bool) -> None:
    ready = readiness(work, take_homes=take_homes, interviewers_per_submission=needed, finished=finished)
    assert ready.ready == (ready.missing() == [])
    # Work still being written never counts: handing it in can only add what is missing or what is done.
    scored = [w for w in work if w.handed_in]
    assert ready.submitted == sum(w.assigned - w.unfinished for w in scored)
    if ready.ready:
        assert all(w.unfinished == 0 and w.assigned >= needed for w in scored)
        assert finished or sum(1 for w in scored if not w.live) >= take_homes


def test_every_default_email_is_one_the_checks_accept() -> None:
    assert set(DEFAULT_EMAILS) == {"advance", "hold", "reject"}
    for template in DEFAULT_EMAILS.values():
        assert template_problem(template.subject, longest=200) is None
        assert template_problem(template.body, longest=5000) is None
        assert "{name}" in template.body and "{opening}" in template.subject


def test_a_placeholder_the_email_cannot_fill_is_named_in_the_problem() -> None:
    assert template_problem("Dear {first_name}", longest=100) == (
        "{first_name} is not something the email can fill in; use {name}, {opening}, or remove the braces.")
    assert template_problem("Braces {} and { name } stay as written", longest=100) is None
    assert template_problem("x" * 101, longest=100) == "Keep it under 100 characters."


@given(st.text(max_size=40), st.text(max_size=40), st.text(max_size=80).filter(lambda t: "{" not in t))
def test_filling_in_puts_each_value_where_its_placeholder_was_and_nothing_else_changes(
    name: str, opening: str, around: str
) -> None:
    made = filled(EmailTemplate("{opening}: {name}", around + "{name}" + around), name=name, opening=opening)
    # Filled in one pass: a value that itself reads like a placeholder is kept as written.
    assert made.subject == f"{opening}: {name}"
    assert made.body == around + name + around


def test_a_name_that_reads_like_a_placeholder_is_kept_as_written() -> None:
    made = filled(EmailTemplate("{name}", "Hello {name}, about {opening}"), name="{opening}", opening="APM")
    assert made == EmailTemplate("{opening}", "Hello {opening}, about APM")
    assert set(PLACEHOLDERS) == {"name", "opening"}
