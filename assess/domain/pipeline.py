"""The pipeline: the stage each candidate has reached, the funnel those stages make, and how long scoring takes."""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta


class Stage(enum.StrEnum):
    """How far a candidate has come, furthest first in the order below: each stage includes the ones before."""

    INVITED = "invited"
    OPENED = "opened"
    STARTED = "started"
    SUBMITTED = "submitted"
    SCORED = "scored"
    DECIDED = "decided"


ORDER = list(Stage)
# The way through the assessment, which a decision does not move anyone along: the funnel's steps.
PATH = ORDER[:-1]

LABELS = {
    Stage.INVITED: "Invited",
    Stage.OPENED: "Opened the link",
    Stage.STARTED: "Started",
    Stage.SUBMITTED: "Handed in",
    Stage.SCORED: "Scored",
    Stage.DECIDED: "Decided",
}

# What each stage means, in the words the pages use beside the counts.
MEANINGS = {
    Stage.INVITED: "sent a link, not opened yet",
    Stage.OPENED: "opened their link, no exercise started",
    Stage.STARTED: "started an exercise, nothing handed in yet",
    Stage.SUBMITTED: "handed in work, with some still to be scored (a live stage included) or an exercise under way",
    Stage.SCORED: "all their work so far has its scorecards, a live stage included, and nothing is under way",
    Stage.DECIDED: "advanced, held or rejected",
}


@dataclass(frozen=True)
class Facts:
    """What a candidate's stage is read from."""

    opened: bool = False  # opened a link
    started: bool = False  # started an exercise
    handed_in: bool = False  # handed in at least one exercise
    under_way: bool = False  # an exercise started and not handed in
    unscored: bool = False  # work to score (handed in, or a live stage) short of interviewers or scorecards
    decided: bool = False  # a decision stands


def stage_of(facts: Facts) -> Stage:
    """The stage the facts show: decided once a decision stands, else how far along the way they are."""
    return Stage.DECIDED if facts.decided else progress_of(facts)


def progress_of(facts: Facts) -> Stage:
    """How far along the way through the assessment the facts show, whatever was decided."""
    if facts.handed_in and not facts.under_way and not facts.unscored:
        return Stage.SCORED
    if facts.handed_in:
        return Stage.SUBMITTED
    if facts.started:
        return Stage.STARTED
    if facts.opened:
        return Stage.OPENED
    return Stage.INVITED


@dataclass(frozen=True)
class Step:
    """One bar of the funnel: who is at this step of the way now, and who is at it or further along."""

    stage: Stage
    here: int
    reached: int
    of_invited: float | None  # share of everyone invited who reached it; None when nobody was invited
    of_previous: float | None  # share of those who reached the stage before; None for the first, or if none did

    @property
    def label(self) -> str:
        return LABELS[self.stage]

    @property
    def meaning(self) -> str:
        return MEANINGS[self.stage]


def funnel(here: Mapping[Stage, int]) -> list[Step]:
    """The funnel from the count of candidates at each step of the way (see PATH): a step is reached by those at
    it or further along. Decided candidates are counted where their work stands, since a decision on someone
    who never opened the link is no sign they opened it."""
    counts = [here.get(stage, 0) for stage in PATH]
    reached = [sum(counts[i:]) for i in range(len(PATH))]
    total = reached[0]
    steps = []
    for i, stage in enumerate(PATH):
        before = reached[i - 1] if i else None
        steps.append(Step(stage, counts[i], reached[i],
                          of_invited=reached[i] / total if total else None,
                          of_previous=reached[i] / before if before else None))
    return steps


@dataclass(frozen=True)
class Turnaround:
    """How long a set of waits took: how many, the median and the 90th percentile."""

    count: int
    median: timedelta | None
    p90: timedelta | None


def turnaround(waits: Iterable[timedelta]) -> Turnaround:
    """The median and 90th percentile of the waits (nearest rank, so each is a wait that happened)."""
    ordered = sorted(waits)
    if not ordered:
        return Turnaround(0, None, None)
    return Turnaround(len(ordered), _nearest_rank(ordered, 0.5), _nearest_rank(ordered, 0.9))


def _nearest_rank(ordered: Sequence[timedelta], share: float) -> timedelta:
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def duration_words(wait: timedelta | None) -> str:
    """A wait in the unit a person reads it in: minutes under two hours, hours under two days, then days."""
    if wait is None:
        return "none yet"
    minutes = wait.total_seconds() / 60
    if minutes < 120:
        return _unit(round(minutes), "minute")
    if minutes < 48 * 60:
        return _unit(round(minutes / 60), "hour")
    return _unit(round(minutes / (24 * 60)), "day")


def _unit(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"
