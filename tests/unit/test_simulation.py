"""The simulated ratings the calibration tests and benchmark rely on: their design and their spread."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from assess.domain.simulation import simulate


def test_the_default_design_is_150_candidates_each_scored_by_two_of_ten_raters_on_five_dimensions() -> None:
    data = simulate(21)
    assert (len(data.level), len(data.leniency), len(data.difficulty)) == (150, 10, 5)
    assert len(data.ratings) == 150 * 2 * 5
    raters_of: dict[str, set[str]] = defaultdict(set)
    dimensions_of: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in data.ratings:
        raters_of[r.candidate].add(r.rater)
        dimensions_of[(r.candidate, r.rater)].append(r.dimension)
    assert sorted(raters_of, key=lambda name: int(name[1:])) == [f"c{c}" for c in range(150)]
    assert all(len(raters) == 2 for raters in raters_of.values())
    assert set().union(*raters_of.values()) <= {f"r{k}" for k in range(10)}
    assert all(dims == [f"d{d}" for d in range(5)] for dims in dimensions_of.values())


def test_scores_are_whole_points_on_the_one_to_five_scale_reaching_both_ends() -> None:
    scores = {r.score for r in simulate(21).ratings}
    assert scores == {1.0, 2.0, 3.0, 4.0, 5.0}


def test_the_spreads_are_as_asked() -> None:
    data = simulate(21, candidates=800, raters=100)
    assert abs(float(np.mean(data.level))) < 0.1 and 0.7 < float(np.std(data.level)) < 0.9
    assert abs(float(np.mean(data.leniency))) < 0.2 and 0.55 < float(np.std(data.leniency)) < 0.85
    assert np.all(np.abs(data.difficulty) < 1.0)
    # away from the ends of the scale, a score is 3 + level + leniency - difficulty + noise, rounded
    index = {f"{p}{i}": i for p in "crd" for i in range(2000)}
    residuals = []
    for r in data.ratings:
        truth = 3 + data.level[index[r.candidate]] + data.leniency[index[r.rater]] - data.difficulty[index[r.dimension]]
        if 2 <= truth <= 4:
            residuals.append(r.score - truth)
    assert abs(float(np.mean(residuals))) < 0.05
    assert 0.55 < float(np.std(residuals)) < 0.8  # noise 0.6, plus rounding


def test_a_seed_gives_the_same_ratings_and_other_sizes_are_followed() -> None:
    assert simulate(5, candidates=10).ratings == simulate(5, candidates=10).ratings
    small = simulate(5, candidates=4, raters=3, per_candidate=3, dimensions=2)
    assert len(small.ratings) == 4 * 3 * 2
    assert {r.rater for r in small.ratings} == {"r0", "r1", "r2"}
