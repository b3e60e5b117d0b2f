"""The named warnings a calibration carries: what in the design or the fit limits what its numbers mean."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FEW_RATERS = 5  # below this many interviewers their spread of leniency is itself poorly known
FEW_RATINGS = 30
PILED_UP = 0.3  # this share of ratings at one end of the scale is a floor or ceiling


@dataclass(frozen=True)
class Notice:
    code: str
    message: str

    def __str__(self) -> str:
        return self.message


def _named(members: list[str]) -> str:
    return " + ".join(members[:4]) + (" …" if len(members) > 4 else "")


def design_notices(raters_per_candidate: np.ndarray, y: np.ndarray, group_r: np.ndarray, raters: list[str], *,
                   low: float, high: float) -> list[Notice]:
    notices = []
    groups = int(group_r.max())
    if groups > 1:
        described = "; ".join(_named([raters[k] for k in np.flatnonzero(group_r == g)]) for g in range(1, groups + 1))
        notices.append(Notice("disconnected", (
            f"The design is not connected: {groups} groups of candidates and raters share no ratings ({described}). "
            "Candidates are ranked within their group, not across groups, because a group's harshness cannot be "
            "told apart from its candidates' level. Have one interviewer from each group score some candidates "
            "of another.")))
    single = int((raters_per_candidate < 2).sum())
    if single:
        notices.append(Notice("one_rater", f"{single} candidate(s) were scored by only one rater; their intervals are wide."))
    if len(raters) < FEW_RATERS:
        notices.append(Notice("few_raters", (
            f"Only {len(raters)} interviewers: how much interviewers differ in leniency is itself uncertain with so "
            "few, and the intervals are widened for it.")))
    if len(y) < FEW_RATINGS:
        notices.append(Notice("few_ratings", (
            f"Only {len(y)} ratings: the variances behind the intervals rest on little evidence; read the scores "
            "as rough.")))
    if np.ptp(y) == 0:
        notices.append(Notice("constant_ratings", (
            f"Every rating is {y[0]:g}: the ratings do not tell candidates or interviewers apart. Read the ranking "
            "as a tie; the intervals count only what rounding to whole points hides.")))
    else:
        for end, name, word in ((low, "floor", "lowest"), (high, "ceiling", "highest")):
            share = float(np.mean(y == end))
            if share >= PILED_UP:
                notices.append(Notice(name, (
                    f"{share:.0%} of ratings are the {word} score, {end:g}: the scale cannot show differences "
                    f"beyond it. Each such rating is read as '{'at least' if name == 'ceiling' else 'at most'} {end:g}', "
                    f"so candidates there are told apart less surely and their intervals are wider; a scale with "
                    f"more room at that end, or anchors that keep the {word} score for rare work, would tell them "
                    f"apart.")))
    return notices


def ends_as_ratings(low: float, high: float) -> Notice:
    """The censored reading of the ends could not settle, so the ends were read as ordinary ratings."""
    return Notice("ends_as_ratings", (
        f"Too few ratings lie between {low:g} and {high:g} to read those at the ends as 'at least {high:g}' or "
        f"'at most {low:g}', so they are read as ordinary ratings: candidates at an end may be further apart "
        "than their scores say. More candidates, or a dimension that is not scored only at one end, help."))


def fit_notices(converged: bool, iterations: int, penalty_only: list[str]) -> list[Notice]:
    notices = []
    if not converged:
        notices.append(Notice("not_converged", (
            f"The variance estimates did not settle after {iterations} iterations; the scores are usable but "
            "their intervals less sure. More ratings per candidate usually help.")))
    readable = {"rater": "interviewers' leniency", "pair": "interviewers' overall impressions of a candidate (halo)"}
    for name in penalty_only:
        notices.append(Notice(f"boundary_{name}", (
            f"These ratings alone cannot tell the variation in {readable[name]} from none: the likelihood is as "
            "high without it. The figure shown leans on a mild prior that keeps it off zero, and the intervals "
            "allow for its uncertainty.")))
    return notices


def reliability_notices(reliability: float | None, candidates: int) -> list[Notice]:
    """Whether the ratings tell the candidates apart well enough to rank them."""
    if candidates < 2 or (reliability is not None and reliability >= 0.5):
        return []
    if not reliability:
        text = ("The ratings do not tell the candidates apart: their scores differ no more than noise and "
                "leniency would make them. Read the ranking as a tie.")
    else:
        text = (f"The ratings tell the candidates apart only roughly: {reliability:.0%} of the spread of the scores "
                "is real difference, the rest noise and leniency. Read close neighbours as ties.")
    return [Notice("candidates_indistinct", text + " More interviewers per candidate, or more dimensions, would "
                   "sharpen it.")]
