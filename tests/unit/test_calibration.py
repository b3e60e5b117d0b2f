"""The rater-effects model on data with a known truth: ranking, honest intervals, flags and warnings."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from assess.domain.calibration import DesignError, Rating, calibrate
from assess.domain.simulation import SETTINGS, held, simulate

SEEDS = range(5)  # five seeds of 60 candidates each keep the whole grid near a second
CANDIDATES = 60


@pytest.fixture(scope="module")
def grid() -> dict[str, tuple[float, float]]:
    found = {}
    for name, setting in SETTINGS.items():
        held_c, held_r = [], []
        for seed in SEEDS:
            data = simulate(seed, candidates=CANDIDATES, **setting)
            c, r = held(data, calibrate(data.ratings))
            held_c.append(c)
            held_r.append(r)
        found[name] = (float(np.concatenate(held_c).mean()), float(np.concatenate(held_r).mean()))
    return found


def test_nominal_80_percent_intervals_hold_the_true_level_75_to_85_percent_of_the_time(grid) -> None:
    candidates = {name: c for name, (c, _) in grid.items()}
    assert 0.75 <= np.mean(list(candidates.values())) <= 0.85, candidates
    assert all(0.72 <= c <= 0.88 for c in candidates.values()), candidates  # each setting, 300 intervals
    assert len(candidates) == len(SETTINGS) == 12


def test_interviewer_intervals_hold_their_true_leniency_75_to_85_percent_of_the_time(grid) -> None:
    raters = {name: r for name, (_, r) in grid.items()}
    assert 0.75 <= np.mean(list(raters.values())) <= 0.85, raters
    # Each setting has 4 to 15 interviewers in five panels, whose intervals hold or miss together (each panel's
    # variance estimate is shared), so a setting's share varies by about 0.07 between sets of seeds. Where who
    # meets whom depends on the interviewers' leniency itself (confounded), the model's reading of leniencies as
    # independent of the assignment is broken, and their intervals run narrow: about 0.55-0.75 there.
    for name, share in raters.items():
        assert (0.5 if "confounded" in name else 0.65) <= share <= 0.95, raters


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_calibrated_scores_track_the_truth_better_than_raw_means_under_confounded_assignment(seed: int) -> None:
    data = simulate(seed, halo=0.4, confounded=1.0)
    fit = calibrate(data.ratings)
    by_c = {e.candidate: e for e in fit.candidates}
    calibrated = [by_c[f"c{c}"].score for c in range(len(data.level))]
    raw = [by_c[f"c{c}"].raw_mean for c in range(len(data.level))]
    assert spearmanr(calibrated, data.level).statistic > spearmanr(raw, data.level).statistic + 0.05
    by_r = {e.rater: e.leniency for e in fit.raters}
    assert np.corrcoef([by_r[f"r{k}"] for k in range(10)], data.leniency)[0, 1] > 0.95


def test_few_interviewers_get_wide_interviewer_intervals_a_warning_and_a_reported_convergence() -> None:
    data = simulate(4, candidates=40, raters=4, per_candidate=2, halo=0.4)
    fit = calibrate(data.ratings)
    assert fit.converged and 1 <= fit.iterations < 200
    assert "few_raters" in {w.code for w in fit.warnings}
    assert min(e.high - e.low for e in fit.raters) > 0.1


def test_an_interviewer_who_gives_only_3s_and_one_who_gives_only_1s_and_5s_are_flagged() -> None:
    data = simulate(2, candidates=80, raters=8, per_candidate=2, halo=0.4, central=1, extreme=1)
    fit = calibrate(data.ratings)
    by_r = {e.rater: e for e in fit.raters}
    assert by_r["r0"].flags == ("central_tendency",) and by_r["r0"].outfit < 0.5
    assert by_r["r1"].flags == ("extreme_scale_use",) and by_r["r1"].outfit > 1.5
    assert all(not by_r[f"r{k}"].flags and 0.5 <= by_r[f"r{k}"].outfit <= 1.5 for k in range(2, 8))


def test_an_interviewer_who_gives_one_score_across_the_dimensions_is_read_as_halo() -> None:
    data = simulate(5, candidates=80, raters=8, per_candidate=2, halo=0.3)
    impression: dict[str, list[float]] = {}
    for r in data.ratings:
        if r.rater == "r0":
            impression.setdefault(r.candidate, []).append(r.score)
    ratings = [Rating(r.candidate, r.rater, r.dimension, float(round(np.mean(impression[r.candidate]))))
               if r.rater == "r0" else r for r in data.ratings]
    by_r = {e.rater: e for e in calibrate(ratings).raters}
    assert by_r["r0"].flags == ("halo",)
    assert all(not by_r[f"r{k}"].flags for k in range(1, 8))


def test_six_identical_ratings_get_a_warning_and_an_interval_no_narrower_than_rounding_allows() -> None:
    ratings = [Rating(c, r, "d", 3.0) for c in "abc" for r in ("x", "y")]
    fit = calibrate(ratings)
    assert "constant_ratings" in {w.code for w in fit.warnings}
    assert all(e.se >= np.sqrt(1 / 12 / 2) - 1e-9 for e in fit.candidates)  # two ratings, rounding noise alone
    assert all(e.infit is None for e in fit.raters)  # nothing to fit


def test_a_pile_of_top_scores_is_named_a_ceiling() -> None:
    data = simulate(6, candidates=60)
    ratings = [Rating(r.candidate, r.rater, r.dimension, min(5.0, r.score + 2)) for r in data.ratings]
    fit = calibrate(ratings)
    [ceiling] = [w for w in fit.warnings if w.code == "ceiling"]
    assert ceiling.message.startswith(f"{np.mean([r.score == 5 for r in ratings]):.0%} of ratings are the highest")


def test_a_candidate_rated_at_the_top_by_everyone_is_placed_first_with_an_interval_open_upwards() -> None:
    data = simulate(6, candidates=60, centre=4.0, halo=0.4)
    ratings = [r for r in data.ratings if r.candidate != "c0"]
    ratings += [Rating("c0", r.rater, r.dimension, 5.0) for r in data.ratings if r.candidate == "c0"]
    fit = calibrate(ratings)
    plain = calibrate(ratings, censor=False)
    by, flat = {e.candidate: e for e in fit.candidates}, {e.candidate: e for e in plain.candidates}
    top = by["c0"]
    # Read as 'at least 5' ten times, the ratings bound the level from below only: the score sits above what
    # the scale shows and the interval is wider than for a candidate whose ratings are not at the end.
    assert np.isfinite(top.score) and top.score > 5
    assert top.score > flat["c0"].score + 0.3 and top.se > 1.5 * flat["c0"].se
    assert all(e.score > 5 for e in fit.candidates if e.raw_mean == 5)
    assert fit.candidates[0].raw_mean == 5 and fit.candidates[0].score >= top.score - 0.1
    assert "all_top" in top.flags and not any("all_top" in e.flags for e in fit.candidates if e.raw_mean < 5)
    inside = [e for e in fit.candidates if e.raw_mean < 4]
    assert top.se > 1.5 * max(e.se for e in inside)
    assert fit.converged and fit.iterations > plain.iterations


def test_a_dimension_rated_5_by_everyone_is_read_as_ordinary_ratings_with_a_warning_saying_so() -> None:
    data = simulate(3, candidates=60, halo=0.4)
    ratings = [r if r.dimension != "d2" else Rating(r.candidate, r.rater, r.dimension, 5.0) for r in data.ratings]
    fit = calibrate(ratings)
    # Its difficulty is bounded on one side only, so the censored reading cannot place it and does not try.
    assert not fit.censored and fit.converged
    [notice] = [w for w in fit.warnings if w.code == "ends_as_ratings"]
    assert "read as ordinary ratings" in notice.message
    plain = calibrate(ratings, censor=False)
    assert [e.score for e in fit.candidates] == [e.score for e in plain.candidates]


def test_a_disconnected_design_is_ranked_within_each_group_and_says_which() -> None:
    left = simulate(1, candidates=20, raters=3).ratings
    right = [Rating("s" + r.candidate, "t" + r.rater, r.dimension, r.score) for r in simulate(2, candidates=12, raters=3).ratings]
    fit = calibrate(left + right)
    assert fit.groups == 2 and "disconnected" in {w.code for w in fit.warnings}
    groups = [e.group for e in fit.candidates]
    assert groups == sorted(groups)  # group by group, each in its own order
    assert {e.group for e in fit.candidates if e.candidate.startswith("s")} == {2}
    for group in (1, 2):
        scores = [e.score for e in fit.candidates if e.group == group]
        assert scores == sorted(scores, reverse=True)
        assert sum(e.leniency for e in fit.raters if e.group == group) == pytest.approx(0, abs=1e-9)


def test_a_candidate_seen_by_one_rater_has_a_wider_interval_a_flag_and_a_warning() -> None:
    ratings = simulate(9, candidates=60, halo=0.4).ratings
    ratings = [r for r in ratings if not (r.candidate == "c0" and r.rater != ratings[0].rater)]
    fit = calibrate(ratings)
    width = {e.candidate: e.high - e.low for e in fit.candidates}
    assert width["c0"] > np.median(list(width.values()))
    assert next(e for e in fit.candidates if e.candidate == "c0").flags == ("one_rater",)
    assert "one_rater" in {w.code for w in fit.warnings}


def test_the_fair_average_is_on_the_scale_and_in_the_order_of_the_scores() -> None:
    fit = calibrate(simulate(3, candidates=60, halo=0.4).ratings)
    fair = [e.fair_average for e in fit.candidates]
    assert all(1 <= f <= 5 for f in fair)
    assert spearmanr(fair, [e.score for e in fit.candidates]).statistic > 0.99
    facets = fit.diagnostics.facets  # type: ignore[union-attr]
    assert 0 < facets["candidates"].reliability < 1 and facets["candidates"].separation > 1
    assert 0 < fit.diagnostics.generalizability < 1  # type: ignore[union-attr, operator]


def test_an_interviewer_harsh_on_one_dimension_only_is_in_the_bias_table() -> None:
    data = simulate(7, candidates=80, raters=8, per_candidate=2)
    ratings = [Rating(r.candidate, r.rater, r.dimension, max(1.0, r.score - 2)) if (r.rater, r.dimension) == ("r3", "d2")
               else r for r in data.ratings]
    bias = calibrate(ratings).diagnostics.bias  # type: ignore[union-attr]
    assert (bias[0].rater, bias[0].dimension) == ("r3", "d2") and bias[0].t <= -2 and bias[0].bias < -1
    assert all(abs(b.t) < 3 for b in bias[1:])


def test_candidates_scored_on_different_exercises_so_far_are_placed_with_a_warning_not_a_crash() -> None:
    first = [r for r in simulate(3, candidates=20, raters=4).ratings if r.dimension in ("d0", "d1")]
    second = [Rating("b" + r.candidate, r.rater, "e" + r.dimension, r.score)
              for r in simulate(4, candidates=20, raters=4).ratings if r.dimension in ("d2", "d3")]
    fit = calibrate(first + second)
    assert "dimensions_apart" in {w.code for w in fit.warnings}
    assert fit.groups == 1 and all(np.isfinite(e.se) and e.se > 0 for e in fit.candidates)


def test_a_panel_with_one_rating_per_candidate_is_refused_saying_what_would_help() -> None:
    with pytest.raises(DesignError, match="Have some candidates scored by two interviewers"):
        calibrate([Rating("a", "x", "d", 3), Rating("b", "y", "d", 4), Rating("c", "x", "d", 2)])


def test_ratings_of_pure_noise_are_said_not_to_tell_the_candidates_apart() -> None:
    rng = np.random.default_rng(3)
    ratings = [Rating(f"c{c}", f"r{r}", f"d{d}", float(rng.integers(1, 6)))
               for c in range(20) for r in rng.choice(5, 2, replace=False) for d in range(3)]
    fit = calibrate(ratings)
    [notice] = [w for w in fit.warnings if w.code == "candidates_indistinct"]
    assert "as a tie" in notice.message
    clear = calibrate(simulate(3, candidates=60).ratings)
    assert "candidates_indistinct" not in {w.code for w in clear.warnings}


def test_a_variance_the_likelihood_cannot_tell_from_zero_is_named_without_claiming_it_is_small() -> None:
    fit = calibrate(simulate(4, candidates=60).ratings)  # no halo in the truth
    [notice] = [w for w in fit.warnings if w.code == "boundary_pair"]
    assert "cannot tell" in notice.message and "prior" in notice.message
