"""The rater-effects model: separate a candidate's level from an interviewer's severity.

Each rating is read as

    score = dimension mean + candidate level + rater leniency + noise

with candidate levels and rater leniencies as random effects whose variances
are estimated from the data (so a candidate seen by one harsh interviewer is
pulled towards the middle only as far as the evidence allows), and dimension
means as fixed effects. Variances come from EM-REML iterations on Henderson's
mixed-model equations; each iteration is solved through the small block of
fixed effects and raters, because the candidate block is diagonal. Standard
errors are the square roots of the prediction error variances.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

Z_80 = 1.2815515655446004  # two-sided 80% interval


@dataclass(frozen=True)
class Rating:
    candidate: str
    rater: str
    dimension: str
    score: float


@dataclass(frozen=True)
class CandidateEstimate:
    candidate: str
    score: float
    low: float
    high: float
    se: float
    raw_mean: float
    ratings: int
    raters: int


@dataclass(frozen=True)
class RaterEstimate:
    rater: str
    severity: float  # positive: scores higher than others would (lenient)
    low: float
    high: float
    se: float
    ratings: int


@dataclass(frozen=True)
class DimensionEstimate:
    dimension: str
    difficulty: float  # positive: scored lower than the average dimension
    mean: float


@dataclass(frozen=True)
class Calibration:
    candidates: list[CandidateEstimate]
    raters: list[RaterEstimate]
    dimensions: list[DimensionEstimate]
    variances: dict[str, float]
    iterations: int
    warnings: list[str] = field(default_factory=list)


class DesignError(ValueError):
    """The ratings cannot be calibrated; the message says why and what would help."""


def _codes(values: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    labels, codes = np.unique(np.asarray(values, dtype=object), return_inverse=True)
    return codes.astype(np.int64), [str(label) for label in labels]


def calibrate(
    ratings: Sequence[Rating], *, low: float = 1, high: float = 5, max_iterations: int = 500, tolerance: float = 1e-7
) -> Calibration:
    """Estimate candidate levels, rater severities and dimension difficulties with their uncertainty."""
    if len(ratings) < 3:
        raise DesignError("At least three ratings are needed to calibrate.")
    c, candidates = _codes([r.candidate for r in ratings])
    j, raters = _codes([r.rater for r in ratings])
    d, dimensions = _codes([r.dimension for r in ratings])
    if len(raters) < 2:
        raise DesignError("Only one rater: severity cannot be told apart from level. Ratings from at least two raters are needed.")
    y = np.asarray([r.score for r in ratings], dtype=float)
    n, n_c, n_r, n_d = len(y), len(candidates), len(raters), len(dimensions)
    warnings = _design_warnings(c, j, candidates, raters)

    ones = np.ones(n)
    X = sp.csr_matrix((ones, (np.arange(n), d)), shape=(n, n_d))
    Zr = sp.csr_matrix((ones, (np.arange(n), j)), shape=(n, n_r))
    Zc = sp.csr_matrix((ones, (np.arange(n), c)), shape=(n, n_c))
    W = sp.hstack([X, Zr]).tocsr()  # fixed effects and raters: the small block
    WtW = (W.T @ W).toarray()
    B = (W.T @ Zc).tocsr()  # m x n_c
    counts_c = np.asarray(Zc.sum(axis=0)).ravel()
    Wty = W.T @ y
    Zty = Zc.T @ y

    total = float(np.var(y)) or 1.0
    var_c, var_r, var_e = total / 3, total / 3, total / 3
    iterations = 0
    for iterations in range(1, max_iterations + 1):
        solution = _solve(WtW, B, counts_c, Wty, Zty, n_d, var_c, var_r, var_e)
        beta, u_r, u_c, S_inv, diag_cc = solution
        fitted = X @ beta + Zr @ u_r + Zc @ u_c
        new_e = float(y @ (y - fitted)) / (n - n_d)  # REML: the dimension means use n_d degrees of freedom
        new_c = float(u_c @ u_c + var_e * diag_cc.sum()) / n_c
        new_r = float(u_r @ u_r + var_e * np.trace(S_inv[n_d:, n_d:])) / n_r
        new_e, new_c, new_r = max(new_e, 1e-8), max(new_c, 1e-8), max(new_r, 1e-8)
        change = max(abs(new_c - var_c), abs(new_r - var_r), abs(new_e - var_e)) / total
        var_c, var_r, var_e = new_c, new_r, new_e
        if change < tolerance:
            break
    beta, u_r, u_c, S_inv, diag_cc = _solve(WtW, B, counts_c, Wty, Zty, n_d, var_c, var_r, var_e)
    if var_r < 1e-6 * total:
        warnings.append("The raters hardly differ in severity here, so the calibrated scores are close to the raw means.")

    grand = float(beta.mean())
    se_c = np.sqrt(np.maximum(var_e * diag_cc, 0.0))
    se_r = np.sqrt(np.maximum(var_e * np.diag(S_inv)[n_d:], 0.0))
    raw = np.bincount(c, weights=y, minlength=n_c) / counts_c
    raters_per = _raters_per_candidate(c, j, n_c)
    ratings_r = np.bincount(j, minlength=n_r)

    def clip(value: float) -> float:
        return float(min(high, max(low, value)))

    candidate_rows = [
        CandidateEstimate(
            candidate=candidates[i], score=clip(grand + u_c[i]), low=clip(grand + u_c[i] - Z_80 * se_c[i]),
            high=clip(grand + u_c[i] + Z_80 * se_c[i]), se=float(se_c[i]), raw_mean=float(raw[i]),
            ratings=int(counts_c[i]), raters=int(raters_per[i]),
        )
        for i in range(n_c)
    ]
    rater_rows = [
        RaterEstimate(rater=raters[k], severity=float(u_r[k]), low=float(u_r[k] - Z_80 * se_r[k]),
                      high=float(u_r[k] + Z_80 * se_r[k]), se=float(se_r[k]), ratings=int(ratings_r[k]))
        for k in range(n_r)
    ]
    dimension_rows = [
        DimensionEstimate(dimension=dimensions[k], difficulty=float(grand - beta[k]), mean=float(beta[k]))
        for k in range(n_d)
    ]
    return Calibration(
        candidates=sorted(candidate_rows, key=lambda e: (-e.score, e.candidate)),
        raters=sorted(rater_rows, key=lambda e: e.rater),
        dimensions=dimension_rows,
        variances={"candidate": var_c, "rater": var_r, "residual": var_e},
        iterations=iterations,
        warnings=warnings,
    )


def _solve(
    WtW: np.ndarray, B: sp.csr_matrix, counts_c: np.ndarray, Wty: np.ndarray, Zty: np.ndarray, n_d: int,
    var_c: float, var_r: float, var_e: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Henderson's equations through the Schur complement of the diagonal candidate block."""
    A = WtW.copy()
    A[n_d:, n_d:] += np.eye(A.shape[0] - n_d) * (var_e / var_r)
    D = counts_c + var_e / var_c  # the candidate block is diagonal
    V = B.multiply(1.0 / D).tocsr()  # B D^-1
    S = A - (V @ B.T).toarray()
    S_inv = np.linalg.inv(S)
    a = S_inv @ (Wty - V @ Zty)
    u_c = (Zty - B.T @ a) / D
    # diag of the candidate block of C^-1: D^-1 + diag(D^-1 B' S^-1 B D^-1)
    Vd = V.toarray() if V.shape[1] <= 4000 else None
    if Vd is not None:
        diag_cc = 1.0 / D + np.einsum("ij,ij->j", S_inv @ Vd, Vd)
    else:
        MV = (V.T @ S_inv).T  # m x n_c, dense
        diag_cc = 1.0 / D + np.asarray(V.multiply(MV).sum(axis=0)).ravel()
    return a[:n_d], a[n_d:], u_c, S_inv, diag_cc


def _raters_per_candidate(c: np.ndarray, j: np.ndarray, n_c: int) -> np.ndarray:
    pairs = np.unique(np.stack([c, j], axis=1), axis=0)
    return np.bincount(pairs[:, 0], minlength=n_c)


def _design_warnings(c: np.ndarray, j: np.ndarray, candidates: list[str], raters: list[str]) -> list[str]:
    warnings = []
    n_c, n_r = len(candidates), len(raters)
    graph = sp.coo_matrix((np.ones(len(c)), (c, n_c + j)), shape=(n_c + n_r, n_c + n_r))
    groups, labels = connected_components(graph, directed=False)
    if groups > 1:
        sizes = np.bincount(labels[n_c:], minlength=groups)
        described = []
        for group in range(groups):
            members = [raters[k] for k in range(n_r) if labels[n_c + k] == group]
            if members:
                described.append(" + ".join(members[:4]) + (" …" if len(members) > 4 else ""))
        warnings.append(
            f"The design is not connected: {groups} groups of candidates and raters share no ratings "
            f"({'; '.join(described)}). Levels can be compared within a group but not across groups, "
            "because a group's harshness cannot be told apart from its candidates' level. "
            "Have one interviewer from each group score some candidates of another."
            if sizes.max() > 0 else "The design is not connected."
        )
    single = int((_raters_per_candidate(c, j, n_c) < 2).sum())
    if single:
        warnings.append(f"{single} candidate(s) were scored by only one rater; their intervals are wide.")
    return warnings
