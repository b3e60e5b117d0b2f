"""The rater-effects model on data with a known truth, and its warnings."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from assess.domain.calibration import DesignError, Rating, calibrate
from assess.domain.simulation import simulate as simulated


def simulate(seed: int, **sizes: int) -> tuple[list[Rating], np.ndarray, np.ndarray, np.ndarray]:
    data = simulated(seed, **sizes)
    return data.ratings, data.level, data.severity, data.difficulty


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_calibrated_scores_track_the_truth_clearly_better_than_raw_means(seed: int) -> None:
    ratings, level, severity, _ = simulate(seed)
    result = calibrate(ratings)
    by_candidate = {e.candidate: e for e in result.candidates}
    calibrated = [by_candidate[f"c{c}"].score for c in range(len(level))]
    raw = [by_candidate[f"c{c}"].raw_mean for c in range(len(level))]
    calibrated_rho = spearmanr(calibrated, level).statistic
    raw_rho = spearmanr(raw, level).statistic
    assert calibrated_rho > raw_rho + 0.05
    assert calibrated_rho > 0.9
    by_rater = {e.rater: e.severity for e in result.raters}
    assert np.corrcoef([by_rater[f"r{r}"] for r in range(len(severity))], severity)[0, 1] > 0.95


def test_a_lenient_rater_gets_a_positive_severity_and_intervals_hold_the_estimate() -> None:
    ratings, _, severity, _ = simulate(5)
    result = calibrate(ratings)
    most_lenient = f"r{int(np.argmax(severity))}"
    assert max(result.raters, key=lambda e: e.severity).rater == most_lenient
    for estimate in result.candidates:
        assert estimate.low <= estimate.score <= estimate.high
        assert 1 <= estimate.low and estimate.high <= 5


def test_harder_dimensions_get_a_positive_difficulty() -> None:
    ratings, _, _, difficulty = simulate(7)
    result = calibrate(ratings)
    by_dimension = {e.dimension: e.difficulty for e in result.dimensions}
    hardest = f"d{int(np.argmax(difficulty))}"
    assert max(by_dimension, key=by_dimension.get) == hardest  # type: ignore[arg-type]


def test_a_design_in_two_unconnected_groups_is_flagged() -> None:
    ratings = [
        Rating(candidate, rater, "framing", score)
        for candidate, rater, score in [
            ("a", "ann", 4), ("a", "bob", 3), ("b", "ann", 2), ("b", "bob", 2),
            ("c", "cy", 5), ("c", "dee", 4), ("d", "cy", 3), ("d", "dee", 4),
        ]
    ]
    result = calibrate(ratings)
    assert any("not connected" in w and "2 groups" in w for w in result.warnings)


def test_one_rater_cannot_be_calibrated() -> None:
    with pytest.raises(DesignError, match="Only one rater"):
        calibrate([Rating("a", "ann", "x", 3), Rating("b", "ann", "x", 4), Rating("c", "ann", "x", 2)])


def test_a_candidate_seen_by_one_rater_has_a_wider_interval_and_a_warning() -> None:
    ratings, _, _, _ = simulate(9, candidates=60)
    ratings = [r for r in ratings if not (r.candidate == "c0" and r.rater != ratings[0].rater)]
    result = calibrate(ratings)
    by_candidate = {e.candidate: e for e in result.candidates}
    width = {name: e.high - e.low for name, e in by_candidate.items()}
    assert width["c0"] > np.median(list(width.values()))
    assert any("only one rater" in w for w in result.warnings)
