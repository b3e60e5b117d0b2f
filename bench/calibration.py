"""Benchmark the calibration fit; prints `name: value` lines, each beside a baseline from the same run.

    make bench
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from scipy.stats import spearmanr

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assess.domain.calibration import Rating, calibrate  # noqa: E402
from assess.domain.simulation import SETTINGS, held  # noqa: E402
from assess.domain.simulation import simulate as simulated  # noqa: E402
from tests.support.peer_models import mixedlm_fit  # noqa: E402


def simulate(candidates: int, raters: int, per_candidate: int, dimensions: int, seed: int = 1) -> list[Rating]:
    return simulated(seed, candidates=candidates, raters=raters, per_candidate=per_candidate, dimensions=dimensions,
                     rater_spread=0.6).ratings


def timed(work, repeat: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def raw_means(ratings: list[Rating]) -> dict[str, float]:
    """The trivial baseline: a plain average per candidate, as other products show."""
    sums: dict[str, list[float]] = {}
    for r in ratings:
        sums.setdefault(r.candidate, []).append(r.score)
    return {c: sum(v) / len(v) for c, v in sums.items()}


def mixedlm_levels(ratings: list[Rating]) -> dict[str, float]:
    """statsmodels' MixedLM on the same model: each candidate's fixed effect."""
    _, fit = mixedlm_fit(ratings)
    return {name.split("[", 1)[1].rstrip("]"): float(value) for name, value in fit.fe_params.items()
            if name.startswith("C(candidate)")}


def coverage(setting: dict, replications: int = 20, candidates: int = 80) -> tuple[float, float, float]:
    """Shares of candidates' and raters' 80% intervals holding the truth; the mean gain in Spearman correlation
    with the truth over raw means."""
    import numpy as np

    held_c, held_r, gain = [], [], []
    for seed in range(replications):
        data = simulated(100 + seed, candidates=candidates, **setting)
        fit = calibrate(data.ratings)
        c, r = held(data, fit)
        held_c.append(c)
        held_r.append(r)
        by_c = {e.candidate: e for e in fit.candidates}
        score = [by_c[f"c{i}"].score for i in range(candidates)]
        raw = [by_c[f"c{i}"].raw_mean for i in range(candidates)]
        gain.append(spearmanr(score, data.level).statistic - spearmanr(raw, data.level).statistic)
    return float(np.concatenate(held_c).mean()), float(np.concatenate(held_r).mean()), float(np.mean(gain))


def main() -> None:
    large = simulate(candidates=5000, raters=60, per_candidate=3, dimensions=8)
    baseline, _ = timed(lambda: raw_means(large))
    fit_time, fit = timed(lambda: calibrate(large))
    print(f"ratings_large: {len(large)}")
    print(f"raw_mean_seconds_large: {baseline:.3f}")
    print(f"calibration_fit_seconds_large: {fit_time:.3f}")
    print(f"calibration_vs_raw_mean_time_ratio: {fit_time / baseline:.1f}")
    print(f"calibration_iterations_large: {fit.iterations}")  # type: ignore[attr-defined]
    print(f"calibration_converged_large: {fit.converged}")  # type: ignore[attr-defined]

    small = simulate(candidates=120, raters=10, per_candidate=2, dimensions=5, seed=2)
    ours_time, _ = timed(lambda: calibrate(small))
    peer_time, peer = timed(lambda: mixedlm_levels(small), repeat=1)
    plain = calibrate(small, censor=False, prior=0.0)  # the model MixedLM fits: linear, plain REML
    levels = {e.candidate: e.score for e in plain.candidates}
    shared = sorted(set(levels) & set(peer))
    rho = spearmanr([levels[c] for c in shared], [peer[c] for c in shared]).statistic
    print(f"ratings_small: {len(small)}")
    print(f"calibration_fit_seconds_small: {ours_time:.4f}")
    print(f"statsmodels_mixedlm_fit_seconds_small: {peer_time:.3f}")
    print(f"mixedlm_vs_calibration_time_ratio: {peer_time / ours_time:.0f}")
    print(f"candidate_level_spearman_vs_mixedlm: {rho:.4f}")

    for name, setting in SETTINGS.items():
        candidates, raters, gain = coverage(setting)
        print(f"coverage_80_candidates_{name}: {candidates:.3f}    coverage_80_raters_{name}: {raters:.3f}    "
              f"spearman_gain_over_raw_mean_{name}: {gain:+.3f}")


if __name__ == "__main__":
    main()
