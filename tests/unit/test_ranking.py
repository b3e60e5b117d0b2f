"""Ranking arithmetic: plain ranks, moves and their explanations, overlapping intervals."""

from __future__ import annotations

import pytest

from assess.domain.calibration import Calibration, CandidateEstimate, RaterEstimate, Rating, calibrate
from assess.domain.ranking import (
    ScoredCard,
    calibration_ratings,
    chance_ahead,
    close_to_next,
    explain_move,
    flags_for,
    overlap,
    place,
    rated_dimension,
    rater_shares,
    raw_ranks,
)

NAMES = {"1": "Ada", "2": "Ben", "3": "Cleo"}


def estimate(candidate: str, score: float, low: float, high: float, *, raw: float | None = None,
             raters: int = 2, group: int = 1) -> CandidateEstimate:
    return CandidateEstimate(candidate=candidate, score=score, low=low, high=high, se=(high - low) / 2.6,
                             raw_mean=score if raw is None else raw, ratings=4, raters=raters, group=group)


def card(card_id: int, candidate: int, interviewer: int, **scores: int | None) -> ScoredCard:
    return ScoredCard(card_id=card_id, candidate_id=candidate, attempt_id=candidate * 10, exercise_key="a",
                      interviewer_id=interviewer, scores=dict(scores))


def fit_of(*estimates: CandidateEstimate, leniency: dict[str, float] | None = None) -> Calibration:
    raters = [RaterEstimate(rater, value, value - 0.2, value + 0.2, 0.1, 4)
              for rater, value in (leniency or {}).items()]
    return Calibration(candidates=list(estimates), raters=raters, dimensions=[], variances={}, iterations=1)


# -- the calibrated dimension's name ---------------------------------------------------------------


def test_a_dimension_is_calibrated_within_its_exercise() -> None:
    assert rated_dimension("a-mini-prd", "communication") == "a-mini-prd:communication"


def test_only_given_scores_become_ratings_and_one_interviewer_can_be_left_out() -> None:
    cards = [card(1, 7, 1, framing=4, analytics=None), card(2, 7, 2, framing=2)]
    assert calibration_ratings(cards) == [Rating("7", "1", "a:framing", 4.0), Rating("7", "2", "a:framing", 2.0)]
    assert calibration_ratings(cards, exclude=1) == [Rating("7", "2", "a:framing", 2.0)]


# -- overlapping intervals -------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b", "shared"), [
    ((2.0, 4.0), (3.0, 5.0), 0.5),  # half of either
    ((2.0, 4.0), (2.5, 3.0), 1.0),  # the narrower lies inside the wider
    ((1.0, 2.0), (3.0, 4.0), 0.0),  # apart
    ((1.0, 2.0), (2.0, 4.0), 0.0),  # touching at one point
    ((2.0, 4.0), (3.0, 3.0), 1.0),  # a point inside an interval shares all of itself
    ((2.0, 4.0), (5.0, 5.0), 0.0),  # a point outside shares nothing
])
def test_overlap_is_the_share_of_the_narrower_interval(a: tuple[float, float], b: tuple[float, float],
                                                       shared: float) -> None:
    first, second = estimate("1", sum(a) / 2, *a), estimate("2", sum(b) / 2, *b)
    assert overlap(first, second) == pytest.approx(shared)
    assert overlap(second, first) == pytest.approx(shared)


def test_disagreement_and_a_single_interviewer_are_flagged_and_closeness_is_a_chance_not_a_flag() -> None:
    ranked = [estimate("1", 4.0, 3.5, 4.5), estimate("2", 3.8, 3.4, 4.4, raters=1), estimate("3", 2.0, 1.5, 2.5)]
    assert flags_for(0, ranked, 0) == []
    assert flags_for(1, ranked, 2) == ["2 dimension(s) with interviewers two or more apart", "rests on one interviewer"]
    assert flags_for(2, ranked, 0) == []
    assert 0.5 < close_to_next(0, ranked) < 0.8 and close_to_next(1, ranked) is None


# -- plain ranks -----------------------------------------------------------------------------------


def test_plain_ranks_order_by_raw_mean_and_ties_keep_the_calibrated_order() -> None:
    ranked = [estimate("10", 4.0, 3, 5, raw=3.0), estimate("9", 3.5, 3, 4, raw=3.0), estimate("2", 3.0, 2, 4, raw=4.5)]
    assert raw_ranks(ranked) == {"2": 1, "10": 2, "9": 3}


def test_each_interviewers_share_counts_only_the_scores_they_gave() -> None:
    cards = [card(1, 7, 1, framing=4, analytics=None, empathy=None), card(2, 7, 2, framing=2)]
    assert rater_shares(cards) == {"7": {"1": 0.5, "2": 0.5}}
    assert rater_shares(cards, exclude=2) == {"7": {"1": 1.0}}


# -- why a candidate moves -------------------------------------------------------------------------


def test_no_move_needs_no_explanation() -> None:
    assert explain_move(2, 2, {"1": -0.8}, {"1": 1.0}, NAMES) == ""


def test_a_move_up_is_explained_by_the_harsh_interviewer_who_held_the_average_down() -> None:
    why = explain_move(1, 3, {"1": -0.6, "2": 0.2}, {"1": 0.75, "2": 0.25}, NAMES)
    assert why == ("Moves up from #3 by plain average: 75% of the ratings came from Ada, who scores 0.60 points "
                   "harsher than the others.")


def test_a_move_down_is_explained_by_the_lenient_interviewer_who_held_the_average_up() -> None:
    why = explain_move(3, 1, {"1": -0.1, "2": 0.5}, {"1": 0.5, "2": 0.5}, NAMES)
    assert why == ("Moves down from #1 by plain average: 50% of the ratings came from Ben, who scores 0.50 points "
                   "more lenient than the others.")


def test_a_move_up_is_never_blamed_on_a_lenient_interviewer_however_much_they_rated() -> None:
    # Ben is lenient and gave most of the ratings; a lenient rater lifts the plain average, so cannot be why
    # calibration moves the candidate up. Cleo, harsh, is the reason.
    why = explain_move(1, 2, {"2": 0.9, "3": -0.4}, {"2": 0.8, "3": 0.2}, NAMES)
    assert "Cleo" in why and "harsher" in why and "Ben" not in why


def test_a_move_with_nobody_pulling_that_way_goes_unexplained() -> None:
    assert explain_move(1, 2, {"2": 0.9}, {"2": 1.0}, NAMES) == ""
    assert explain_move(1, 2, {"2": -0.05}, {"2": 1.0}, NAMES) == ""  # too close to the middle to matter


# -- placing a whole fit ---------------------------------------------------------------------------


def test_place_gives_rank_plain_rank_move_means_and_flags() -> None:
    cards = [card(1, 1, 1, framing=5, analytics=5), card(2, 1, 2, framing=3, analytics=1),
             card(3, 2, 1, framing=4, analytics=4), card(4, 2, 2, framing=4, analytics=4)]
    full = fit_of(estimate("2", 4.0, 3.8, 4.2, raw=4.0), estimate("1", 3.0, 2.9, 3.1, raw=3.5),
                  leniency={"1": 0.0, "2": 0.0})
    without = fit_of(estimate("1", 4.5, 4.4, 4.6, raw=5.0), estimate("2", 4.0, 3.9, 4.1, raw=4.0),
                     leniency={"1": 0.0})
    placed = place(without, full, cards, NAMES, exclude=2)
    assert [(p.candidate, p.rank, p.raw_rank, p.moved, p.scorecards) for p in placed] == [
        ("1", 1, 1, 1, 1), ("2", 2, 2, -1, 1)]
    assert placed[0].by_dimension == {"framing": 5.0, "analytics": 5.0}
    both = place(full, full, cards, NAMES)
    assert both[1].by_dimension == {"framing": 4.0, "analytics": 3.0}
    assert both[1].flags == ["2 dimension(s) with interviewers two or more apart"]


def test_place_on_a_real_fit_names_who_bent_each_moved_candidates_plain_average() -> None:
    cards = []

    def add(candidate: int, interviewer: int, framing: int, analytics: int) -> None:
        cards.append(card(len(cards) + 1, candidate, interviewer, framing=framing, analytics=analytics))

    # Tom (3) scores a point below Ada (1) and Ben (2) on the three candidates they all scored.
    for candidate in (1, 2, 3):
        lift = candidate == 1
        add(candidate, 1, 4, 3 + lift)
        add(candidate, 2, 4, 3 + lift)
        add(candidate, 3, 3, 2 + lift)
    add(4, 3, 4, 3)  # only Tom: a plain 3.5 from a harsh interviewer
    add(5, 1, 4, 4)  # only Ada and Ben: a plain 3.75 from the lenient ones
    add(5, 2, 4, 3)
    fit = calibrate(calibration_ratings(cards))
    placed = {p.candidate: p for p in place(fit, fit, cards, {"1": "Ada", "2": "Ben", "3": "Tom"})}
    assert (placed["4"].rank, placed["4"].raw_rank) == (1, 3)
    assert placed["4"].why.startswith("Moves up from #3 by plain average: 100% of the ratings came from Tom")
    assert "harsher" in placed["4"].why
    assert (placed["5"].rank, placed["5"].raw_rank) == (3, 1)
    assert placed["5"].why.startswith("Moves down from #1 by plain average: 50% of the ratings came from Ada")
    assert "more lenient" in placed["5"].why
    assert all(p.why == "" for p in placed.values() if p.rank == p.raw_rank)


def test_the_interviewer_who_bent_the_average_most_is_named_not_merely_the_harshest() -> None:
    # Ada is mildly harsh but gave most ratings (0.9 x 0.2 = 0.18); Ben is harsher but gave few (0.2 x 0.5 = 0.10).
    why = explain_move(1, 4, {"1": -0.2, "2": -0.5}, {"1": 0.9, "2": 0.2}, NAMES)
    assert why == ("Moves up from #4 by plain average: 90% of the ratings came from Ada, who scores 0.20 points "
                   "harsher than the others.")


def test_equal_pulls_name_the_same_interviewer_every_time() -> None:
    assert "Ben" in explain_move(1, 2, {"1": -0.4, "2": -0.4}, {"1": 0.5, "2": 0.5}, NAMES)
    assert "Ben" in explain_move(1, 2, {"2": -0.4, "1": -0.4}, {"2": 0.5, "1": 0.5}, NAMES)


def test_a_leniency_of_exactly_the_notable_size_counts_and_an_unknown_name_shows_its_id() -> None:
    why = explain_move(1, 2, {"1": -0.1}, {"1": 1.0}, NAMES)
    assert why.startswith("Moves up from #2") and "Ada" in why and "0.10 points harsher" in why
    assert "9, who scores" in explain_move(2, 1, {"9": 0.3}, {"9": 1.0}, NAMES)


def test_a_rater_without_a_leniency_or_without_ratings_explains_nothing() -> None:
    assert explain_move(1, 2, {}, {"1": 1.0}, NAMES) == ""
    assert explain_move(1, 2, {"1": -0.8}, {}, NAMES) == ""
    assert explain_move(3, 1, {"1": 0.1}, {"1": 1.0}, NAMES).startswith("Moves down from #1 by plain average: 100%")


# -- like with like, groups, and the chance of being ahead -------------------------------------------------


def test_a_candidate_leaving_the_list_moves_nobody_and_a_real_swap_is_a_move_of_one() -> None:
    cards = [card(k, k, 1, framing=3) for k in (1, 2, 3, 4)]
    full = fit_of(estimate("1", 4.0, 3.9, 4.1), estimate("2", 3.5, 3.4, 3.6), estimate("3", 3.0, 2.9, 3.1),
                  estimate("4", 2.5, 2.4, 2.6))
    without_first = fit_of(estimate("2", 3.5, 3.4, 3.6), estimate("3", 3.0, 2.9, 3.1), estimate("4", 2.5, 2.4, 2.6))
    assert [p.moved for p in place(without_first, full, cards, NAMES)] == [0, 0, 0]
    swapped = fit_of(estimate("3", 3.6, 3.5, 3.7), estimate("2", 3.5, 3.4, 3.6), estimate("4", 2.5, 2.4, 2.6))
    assert [(p.candidate, p.rank, p.moved) for p in place(swapped, full, cards, NAMES)] == [
        ("3", 1, 1), ("2", 2, -1), ("4", 3, 0)]


def test_each_connected_group_is_ranked_on_its_own_and_neighbours_across_groups_are_not_compared() -> None:
    cards = [card(k, k, 1, framing=3) for k in (1, 2, 3)]
    fit = fit_of(estimate("1", 4.0, 3.0, 5.0), estimate("2", 3.9, 2.9, 4.9), estimate("3", 3.95, 2.9, 5.0, group=2))
    placed = place(fit, fit, cards, NAMES)
    assert [(p.candidate, p.rank, p.raw_rank) for p in placed] == [("1", 1, 1), ("2", 2, 2), ("3", 1, 1)]
    assert placed[1].ahead_of_next is None and placed[2].ahead_of_next is None  # no next one in its group
    assert "interval overlaps" not in " ".join(placed[2].flags)
    assert placed[0].ahead_of_next == pytest.approx(chance_ahead(fit.candidates[0], fit.candidates[1]))


def test_the_chance_of_being_ahead_is_a_half_for_equals_and_near_certain_for_a_clear_gap() -> None:
    a, b = estimate("a", 3.0, 2.0, 4.0), estimate("b", 3.0, 2.0, 4.0)
    assert chance_ahead(a, b) == pytest.approx(0.5)
    high, low = estimate("h", 4.0, 3.9, 4.1), estimate("l", 3.0, 2.9, 3.1)
    assert chance_ahead(high, low) > 0.999 and chance_ahead(low, high) < 0.001
    assert close_to_next(0, [high, low]) is None  # intervals apart: no chance to state
    near = estimate("n", 3.8, 3.0, 4.6)
    assert 0.5 < close_to_next(0, [estimate("t", 4.0, 3.2, 4.8), near]) < 0.7
