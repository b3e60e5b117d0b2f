from collections import Counter, defaultdict
from datetime import UTC, date, datetime

import pytest

from assess.config import PROJECT_ROOT
from assess.content import load_library
from assess.domain.assignment import WorkItem, plan_assignments
from assess.domain.scoring import (
    RatingInput,
    ScorecardInput,
    disagreements,
    due_at_end_of,
    problems_before_submitting,
)

SCORECARD = load_library(PROJECT_ROOT).scorecard("a-mini-prd").content
DIMENSIONS = SCORECARD.dimension_keys


def complete(**changes: RatingInput) -> ScorecardInput:
    ratings = {key: RatingInput(3, "") for key in DIMENSIONS} | changes
    return ScorecardInput(ratings=ratings, recommendation="yes")


def test_a_complete_scorecard_can_be_submitted() -> None:
    assert problems_before_submitting(SCORECARD, complete()) == []


def test_every_dimension_must_be_rated() -> None:
    given = complete()
    missing = ScorecardInput({k: v for k, v in given.ratings.items() if k != "communication"}, "yes")
    [problem] = problems_before_submitting(SCORECARD, missing)
    assert problem.field == "communication"
    assert "Rate Communication" in problem.message


@pytest.mark.parametrize("score", [1, 5])
def test_the_ends_of_the_scale_need_evidence(score: int) -> None:
    [problem] = problems_before_submitting(SCORECARD, complete(problem_framing=RatingInput(score, "  ")))
    assert problem.field == "problem_framing"
    assert "needs an evidence note" in problem.message
    assert problems_before_submitting(SCORECARD, complete(problem_framing=RatingInput(score, "Cites #48213."))) == []


def test_a_recommendation_is_required_and_signals_must_belong_to_the_dimension() -> None:
    given = ScorecardInput(complete().ratings | {"communication": RatingInput(3, "", ("testable_criteria",))}, None)
    fields = {p.field for p in problems_before_submitting(SCORECARD, given)}
    assert fields == {"recommendation", "communication"}


def test_scores_two_apart_are_flagged_for_debrief() -> None:
    found = disagreements({
        "priya": {"problem_framing": 4, "communication": 3},
        "tom": {"problem_framing": 2, "communication": 4},
        "lena": {"problem_framing": 3, "communication": None},
    })
    assert [(d.dimension, d.low, d.high, set(d.raters)) for d in found] == [("problem_framing", 2, 4, {"priya", "tom"})]


def test_one_rater_alone_is_never_a_disagreement() -> None:
    assert disagreements({"priya": {"problem_framing": 1}}) == []


def test_assignment_gives_each_item_enough_interviewers_and_balances_load() -> None:
    items = [WorkItem(item_id=10 * c + e, candidate_id=c) for c in range(6) for e in range(3)]
    plan = plan_assignments(items, interviewers=[1, 2, 3, 4], per_item=2)
    assert plan.short == []
    per_item = Counter(item for item, _ in plan.pairs)
    assert set(per_item.values()) == {2}
    load = Counter(interviewer for _, interviewer in plan.pairs)
    assert max(load.values()) - min(load.values()) <= 1


def test_nobody_gets_all_of_one_candidates_work_when_others_can_help() -> None:
    items = [WorkItem(item_id=e, candidate_id=7) for e in range(4)]
    plan = plan_assignments(items, interviewers=[1, 2, 3], per_item=2)
    seen: dict[int, set[int]] = defaultdict(set)
    for item, interviewer in plan.pairs:
        seen[interviewer].add(item)
    assert all(len(items_seen) < 4 for items_seen in seen.values())


def test_existing_assignments_count_and_are_not_repeated() -> None:
    items = [WorkItem(item_id=1, candidate_id=1, assigned=frozenset({2}))]
    plan = plan_assignments(items, interviewers=[1, 2, 3], per_item=2, load={1: 5, 3: 0})
    assert plan.pairs == [(1, 3)]


def test_too_few_interviewers_is_reported() -> None:
    plan = plan_assignments([WorkItem(item_id=1, candidate_id=1)], interviewers=[1], per_item=2)
    assert plan.pairs == [(1, 1)]
    assert plan.short == [1]


def test_a_scorecard_due_on_a_day_is_due_at_five_in_the_afternoon_utc_that_day() -> None:
    assert due_at_end_of(date(2026, 12, 3)) == datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
    assert due_at_end_of(None) is None
