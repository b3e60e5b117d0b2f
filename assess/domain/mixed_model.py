"""The linear mixed model under calibration, solved through its mixed-model equations.

    score = dimension effect + candidate + rater + candidate-by-rater + residual

Candidates and dimensions are fixed effects: a candidate's estimate rests on their own ratings only,
so it is neither pulled towards the average nor bent when weaker candidates tend to meet lenient
interviewers (random candidate effects are, under such confounded assignment). The first dimension is
the reference, so a candidate's effect is their level on it. Raters and the candidate-by-rater
("pair") term are random, with variances sigma_r^2 and sigma_p^2 beside the residual sigma_e^2. The
pair term is what one interviewer thinks of one candidate across every dimension, the halo: without it
the ratings of one pair would count as independent evidence.

Everything is computed for given variance ratios gamma = (sigma_r^2, sigma_p^2) / sigma_e^2.
Henderson's equations are solved by absorbing the diagonal pair block first, then the candidate
block (still diagonal: each pair belongs to one candidate), leaving a dense block of the dimension
effects and raters only. The same factorisation gives the log-determinant the REML criterion needs;
the criterion is profiled over sigma_e^2 and has an exact gradient.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.linalg
import scipy.sparse as sp

COMPONENTS = ("rater", "pair")


@dataclass(frozen=True)
class Design:
    """The ratings as index arrays, and the sums the equations are built from, per pair and per level."""

    y: np.ndarray
    dimension: np.ndarray
    rater: np.ndarray
    candidate: np.ndarray
    pair: np.ndarray
    sizes: tuple[int, int, int, int]  # dimensions, raters, candidates, pairs
    pair_candidate: np.ndarray
    pair_rater: np.ndarray
    pair_count: np.ndarray
    pair_sum: np.ndarray
    pair_dimensions: np.ndarray  # pairs x dimensions: how often each pair rated each dimension
    pairs_of_rater: sp.csr_matrix  # raters x pairs indicator
    pairs_of_candidate: sp.csr_matrix  # candidates x pairs indicator
    dimension_count: np.ndarray
    rater_count: np.ndarray
    candidate_count: np.ndarray
    dimension_rater: np.ndarray  # X'Zr
    dimension_candidate: np.ndarray  # X'Zc
    dimension_sum: np.ndarray
    rater_sum: np.ndarray
    candidate_sum: np.ndarray
    yty: float
    ridge: float = 0.0  # a vague prior on the dimension effects, for designs where they are not identified

    @property
    def degrees_of_freedom(self) -> int:
        """n - p: the fixed effects are the candidates and every dimension but the reference."""
        return len(self.y) - self.sizes[0] - self.sizes[2]


def design(y: np.ndarray, dimension: np.ndarray, rater: np.ndarray, candidate: np.ndarray,
           sizes: tuple[int, int, int], *, ridge: float = 0.0) -> Design:
    """The design of the ratings; the fixed dimension effects are each dimension's difference from the first.

    ridge > 0 adds that much to the dimension block: where some candidates share no dimension with the
    others, their dimensions' difficulty cannot be told from their level, and it is then taken as equal."""
    n_d, n_r, n_c = sizes
    pairs, pair = np.unique(candidate * n_r + rater, return_inverse=True)
    pair = pair.astype(np.int64)
    n_p = len(pairs)
    pair_candidate, pair_rater = (pairs // n_r).astype(np.int64), (pairs % n_r).astype(np.int64)
    ones = np.ones(n_p)
    empty = np.zeros(0)
    frame = Design(
        y=y, dimension=dimension, rater=rater, candidate=candidate, pair=pair, sizes=(n_d - 1, n_r, n_c, n_p),
        pair_candidate=pair_candidate, pair_rater=pair_rater, pair_count=empty, pair_sum=empty,
        pair_dimensions=empty, dimension_count=empty, rater_count=empty, candidate_count=empty,
        pairs_of_rater=sp.csr_matrix((ones, (pair_rater, np.arange(n_p))), shape=(n_r, n_p)),
        pairs_of_candidate=sp.csr_matrix((ones, (pair_candidate, np.arange(n_p))), shape=(n_c, n_p)),
        dimension_rater=empty, dimension_candidate=empty, dimension_sum=empty, rater_sum=empty, candidate_sum=empty,
        yty=0.0, ridge=ridge,
    )
    return reweighted(frame, np.ones(len(y)), y)


def reweighted(m: Design, weight: np.ndarray, response: np.ndarray, anchor: tuple[float, float] = (0.0, 0.0)
               ) -> Design:
    """The same design with each rating replaced, in the equations, by a working value of the given weight (a
    rating of weight w carries the noise of 1/w ratings); y stays the ratings as given.

    anchor (value, weight) gives each candidate one more pseudo-rating of that value and weight that bears on
    their level alone: a weak prior that keeps a level finite where every rating only bounds it."""
    n_d, n_r, n_c, n_p = m.sizes
    full = n_d + 1  # the reference dimension's column is dropped below
    w, z = weight, response
    wz = w * z
    centre, held = anchor

    def table(rows: np.ndarray, size: int) -> np.ndarray:
        return np.bincount(rows * full + m.dimension, weights=w, minlength=size * full).reshape(size, full)[:, 1:]

    return replace(
        m, pair_count=np.bincount(m.pair, weights=w, minlength=n_p), pair_sum=np.bincount(m.pair, weights=wz, minlength=n_p),
        pair_dimensions=table(m.pair, n_p), dimension_rater=table(m.rater, n_r).T.copy(),
        dimension_candidate=table(m.candidate, n_c).T.copy(),
        dimension_count=np.bincount(m.dimension, weights=w, minlength=full)[1:],
        rater_count=np.bincount(m.rater, weights=w, minlength=n_r),
        candidate_count=np.bincount(m.candidate, weights=w, minlength=n_c) + held,
        dimension_sum=np.bincount(m.dimension, weights=wz, minlength=full)[1:],
        rater_sum=np.bincount(m.rater, weights=wz, minlength=n_r),
        candidate_sum=np.bincount(m.candidate, weights=wz, minlength=n_c) + held * centre,
        yty=float(wz @ z) + n_c * held * centre**2,
    )


def fitted(m: Design, s: Solution) -> np.ndarray:
    """Each rating's fitted value: dimension effect + candidate + rater + pair."""
    return dimension_effects(m, s)[m.dimension] + s.u_rater[m.rater] + s.u_candidate[m.candidate] + s.u_pair[m.pair]


@dataclass(frozen=True)
class Solution:
    """The equations solved at one set of variance ratios."""

    gamma: np.ndarray
    beta: np.ndarray
    u_rater: np.ndarray
    u_candidate: np.ndarray
    u_pair: np.ndarray
    ssr: float  # y'y - solution'rhs: sigma_e^2 times y'Py
    logdet: float  # log|C| of the coefficient matrix
    small_inverse: np.ndarray  # the (dimension, rater) block of C^-1
    candidate_diag: np.ndarray  # the diagonal of the candidate block of C^-1
    small_by_candidate: np.ndarray  # minus the (dimension, rater) x candidate block of C^-1
    spread_alone: float  # sum(1 / Dc): the candidates' error variance were the small block known
    pulled: np.ndarray  # V1 = B Dc^-1 1: how the small block moves the sum of the candidates
    traces: np.ndarray  # the trace of each random block of C^-1 (rater, pair)


def solve(m: Design, gamma: np.ndarray) -> Solution:
    """Henderson's equations at variance ratios gamma (rater, pair), through two absorptions.

    Absorbing the pairs leaves the candidate block diagonal; absorbing the candidates leaves the dense
    block S of the dimension means and raters, factorised once.
    """
    n_d, n_r, n_c, _ = m.sizes
    g_r, g_p = gamma
    n_p, s_p, Qd = m.pair_count, m.pair_sum, m.pair_dimensions
    w = 1.0 / (n_p + 1.0 / g_p)  # the inverse of the diagonal pair block
    wn = w * n_p
    small = n_d + n_r
    A = np.zeros((small, small))
    A[:n_d, :n_d] = np.diag(m.dimension_count + m.ridge) - (Qd.T * w) @ Qd
    A[n_d:, :n_d] = m.dimension_rater.T - m.pairs_of_rater @ (Qd * wn[:, None])
    A[:n_d, n_d:] = A[n_d:, :n_d].T
    A[n_d:, n_d:] = np.diag(m.rater_count - m.pairs_of_rater @ (wn * n_p) + 1.0 / g_r)
    j, c = m.pair_rater, m.pair_candidate
    B_d = m.dimension_candidate - (m.pairs_of_candidate @ (Qd * wn[:, None])).T  # dense: dimensions x candidates
    b_r = n_p * (1.0 - wn)  # the rater rows of B, one entry per pair: sparse
    Dc = m.candidate_count - m.pairs_of_candidate @ (wn * n_p)  # diagonal: a pair has one candidate
    V_d, v_r = B_d / Dc, b_r / Dc[c]
    V_r = sp.csr_matrix((v_r, (j, c)), shape=(n_r, n_c))
    B_r = sp.csr_matrix((b_r, (j, c)), shape=(n_r, n_c))
    r_small = np.concatenate([m.dimension_sum - Qd.T @ (w * s_p), m.rater_sum - m.pairs_of_rater @ (wn * s_p)])
    r_c = m.candidate_sum - m.pairs_of_candidate @ (wn * s_p)
    S = A.copy()
    S[:n_d, :n_d] -= V_d @ B_d.T
    S[n_d:, :n_d] -= (B_r @ V_d.T)
    S[:n_d, n_d:] = S[n_d:, :n_d].T
    S[n_d:, n_d:] -= (V_r @ B_r.T).toarray()
    factor = scipy.linalg.cho_factor(S, check_finite=False)
    a = scipy.linalg.cho_solve(factor, r_small - np.concatenate([V_d @ r_c, V_r @ r_c]), check_finite=False)
    u_c = (r_c - B_d.T @ a[:n_d] - B_r.T @ a[n_d:]) / Dc
    u_p = w * (s_p - Qd @ a[:n_d] - n_p * a[n_d + j] - n_p * u_c[c])
    ssr = m.yty - float(a[:n_d] @ m.dimension_sum + a[n_d:] @ m.rater_sum + u_c @ m.candidate_sum + u_p @ s_p)
    logdet = float(np.log(1.0 / w).sum() + np.log(Dc).sum() + 2 * np.log(np.diag(factor[0])).sum())
    S_inv = scipy.linalg.cho_solve(factor, np.eye(small), check_finite=False)
    SV = S_inv[:, :n_d] @ V_d + (V_r.T @ S_inv[:, n_d:].T).T  # S^-1 V, V = B Dc^-1
    diag_cc = (1.0 / Dc + np.einsum("ij,ij->j", SV[:n_d], V_d)
               + np.bincount(c, weights=SV[n_d + j, c] * v_r, minlength=n_c))
    # The pair block of C^-1 is W + W q' C1^-1 q W, q a pair's row of Zp'[X Zr Zc]; only its trace is needed.
    S_dj = S_inv[:n_d, n_d + j].T  # pairs x dimensions
    quad = (np.einsum("pd,pd->p", Qd @ S_inv[:n_d, :n_d], Qd) + 2 * n_p * np.einsum("pd,pd->p", Qd, S_dj)
            + n_p**2 * S_inv[n_d + j, n_d + j])
    cross = np.einsum("pd,dp->p", Qd, SV[:n_d, c]) + n_p * SV[n_d + j, c]
    quad += -2 * n_p * cross + n_p**2 * diag_cc[c]
    traces = np.array([np.trace(S_inv[n_d:, n_d:]), float(w.sum() + (w**2 * quad).sum())])
    return Solution(np.asarray(gamma, dtype=float), a[:n_d], a[n_d:], u_c, u_p, max(ssr, 0.0), logdet, S_inv,
                    diag_cc, SV, float((1.0 / Dc).sum()),
                    np.concatenate([V_d.sum(axis=1), np.asarray(V_r.sum(axis=1)).ravel()]), traces)


def residual_variance(m: Design, ssr: float, floor: float) -> float:
    """The REML residual variance, never below the floor (the variance whole-point rounding alone adds)."""
    return max(ssr / m.degrees_of_freedom, floor)


def criterion(m: Design, log_gamma: np.ndarray, floor: float, prior: float, active: np.ndarray
              ) -> tuple[float, np.ndarray]:
    """-2 x the restricted log-likelihood at log ratios, sigma_e^2 profiled out, plus the boundary penalty,
    and its gradient in the active log ratios.

    -2 l_R = (n - p) log s2 + ssr / s2 + sum_k q_k log gamma_k + log|C|, with s2 the REML residual
    variance (floored). The penalty -prior * sum_k log gamma_k is a Gamma(1 + prior, rate 0) prior on
    each random effect's standard deviation (Chung et al., 2013): it keeps a variance off zero when the
    data cannot tell it from zero, and changes little otherwise. The gradient uses
    d ssr / d log gamma_k = -|u_k|^2 / gamma_k and d log|C| / d log gamma_k = -tr(C^-1_kk) / gamma_k.
    """
    gamma = np.exp(log_gamma)
    s = solve(m, gamma)
    _, n_r, _, n_p = m.sizes
    s2 = residual_variance(m, s.ssr, floor)
    levels = np.array([n_r, n_p], dtype=float)
    value = float(m.degrees_of_freedom * np.log(s2) + s.ssr / s2 + levels @ log_gamma + s.logdet
                  - prior * log_gamma[active].sum())
    squares = np.array([s.u_rater @ s.u_rater, s.u_pair @ s.u_pair])
    gradient = -squares / gamma / s2 + levels - s.traces / gamma - prior
    return value, gradient[active]


def dimension_effects(m: Design, s: Solution) -> np.ndarray:
    """Every dimension's fixed effect, the reference dimension's 0."""
    return np.concatenate([[0.0], s.beta])


def _panel_weights(m: Design, rater_group: np.ndarray) -> np.ndarray:
    """Per connected group, g such that g'(beta, u_rater) is the mean dimension effect plus the mean
    leniency of that group's raters."""
    n_d, n_r = m.sizes[0], m.sizes[1]
    groups = int(rater_group.max()) + 1
    members = np.zeros((groups, n_r))
    members[rater_group, np.arange(n_r)] = 1.0
    return np.hstack([np.full((groups, n_d), 1.0 / (n_d + 1)), members / members.sum(axis=1, keepdims=True)])


def candidate_scores(m: Design, s: Solution, rater_group: np.ndarray, candidate_group: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Each candidate's expected rating, averaged over the dimensions, from an interviewer of their group's
    average leniency; and its prediction error variance in units of sigma_e^2.

    Read against the group's own average, a shift shared by every interviewer (which the ratings cannot
    tell from a shift of every candidate) drops out, as it does when candidates are compared."""
    G = _panel_weights(m, rater_group)[candidate_group]  # candidates x (dimensions + raters)
    scores = s.u_candidate + G @ np.concatenate([s.beta, s.u_rater])
    error = (s.candidate_diag - 2 * np.einsum("ck,kc->c", G, s.small_by_candidate)
             + np.einsum("ck,kl,cl->c", G, s.small_inverse, G))
    return scores, error


def shared_error(m: Design, s: Solution, rater_group: np.ndarray, candidate_group: np.ndarray) -> float:
    """The error variance of the sum of every candidate's score / sigma_e^2: the part of their errors that
    cancels when candidates are compared. For scores u + G a it is sum(1 / Dc) + (V1 - G'1)' S^-1 (V1 - G'1)."""
    G = _panel_weights(m, rater_group)[candidate_group]
    gap = s.pulled - G.sum(axis=0)
    return float(s.spread_alone + gap @ s.small_inverse @ gap)


def leniencies(m: Design, s: Solution, rater_group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each rater's leniency against their group's average, and its prediction error variance / sigma_e^2."""
    n_d = m.sizes[0]
    same = (rater_group[:, None] == rater_group[None, :]).astype(float)
    centre = np.eye(len(rater_group)) - same / same.sum(axis=1, keepdims=True)
    P = s.small_inverse[n_d:, n_d:]
    return centre @ s.u_rater, np.einsum("ij,jk,ik->i", centre, P, centre)


def dimension_means(m: Design, s: Solution) -> np.ndarray:
    """Each dimension's expected rating for the average candidate from an interviewer of average leniency."""
    return dimension_effects(m, s) + float(s.u_candidate.mean()) + float(s.u_rater.mean())
