"""Benchmark the calibration fit; prints `name: value` lines, each beside a baseline from the same run.

    make bench
"""

from __future__ import annotations

import time
import warnings

from scipy.stats import spearmanr

from assess.domain.calibration import Rating, calibrate
from assess.domain.simulation import simulate as simulated


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
    import pandas as pd
    import statsmodels.formula.api as smf

    frame = pd.DataFrame([r.__dict__ for r in ratings])
    frame["all"] = 1
    model = smf.mixedlm("score ~ 0 + C(dimension)", frame, groups="all",
                        vc_formula={"candidate": "0 + C(candidate)", "rater": "0 + C(rater)"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = model.fit(reml=True)
    effects = fit.random_effects[1]
    return {name.rsplit("[", 1)[1].rstrip("]"): float(value) for name, value in effects.items()
            if name.startswith("candidate")}


def main() -> None:
    large = simulate(candidates=5000, raters=60, per_candidate=3, dimensions=8)
    baseline, _ = timed(lambda: raw_means(large))
    fit_time, fit = timed(lambda: calibrate(large))
    print(f"ratings_large: {len(large)}")
    print(f"raw_mean_seconds_large: {baseline:.3f}")
    print(f"calibration_fit_seconds_large: {fit_time:.3f}")
    print(f"calibration_vs_raw_mean_time_ratio: {fit_time / baseline:.1f}")
    print(f"calibration_iterations_large: {fit.iterations}")  # type: ignore[attr-defined]

    small = simulate(candidates=120, raters=10, per_candidate=2, dimensions=5, seed=2)
    ours_time, ours = timed(lambda: calibrate(small))
    peer_time, peer = timed(lambda: mixedlm_levels(small), repeat=1)
    levels = {e.candidate: e.score for e in ours.candidates}  # type: ignore[attr-defined]
    shared = sorted(set(levels) & set(peer))
    rho = spearmanr([levels[c] for c in shared], [peer[c] for c in shared]).statistic
    print(f"ratings_small: {len(small)}")
    print(f"calibration_fit_seconds_small: {ours_time:.4f}")
    print(f"statsmodels_mixedlm_fit_seconds_small: {peer_time:.3f}")
    print(f"mixedlm_vs_calibration_time_ratio: {peer_time / ours_time:.0f}")
    print(f"candidate_level_spearman_vs_mixedlm: {rho:.4f}")


if __name__ == "__main__":
    main()
