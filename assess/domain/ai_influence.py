"""How far interviewers' ratings moved towards the AI draft they saw: plain counting, no judgement.

A dimension counts when the interviewer had rated it before seeing the draft and that rating differed
from the draft's score. It moved towards the draft when the final rating is closer to the draft's score
than the rating before was. A dimension was taken as drafted when the final rating equals the draft's
score and the rating before did not (it was missing or different).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DEFINITION = (
    "Over the dimensions where the interviewer had a rating before seeing the draft and that rating differed "
    "from the draft's score, the share where the first-submitted rating is closer to the draft's score than "
    "the rating before was."
)


@dataclass(frozen=True)
class DimensionChange:
    """One dimension of one seen draft: the rating before it was seen, the draft's score, the final rating."""

    before: int | None
    draft: int | None
    final: int | None


@dataclass(frozen=True)
class Influence:
    drafts: int  # drafts seen
    differed: int  # dimensions rated before the draft was seen, where that rating differed from the draft
    moved: int  # of those, how many ended closer to the draft's score
    taken: int  # dimensions whose final rating is the draft's score though the rating before was not

    @property
    def share(self) -> float | None:
        """moved / differed, in [0, 1]; None when no dimension differed."""
        return self.moved / self.differed if self.differed else None

    def __add__(self, other: Influence) -> Influence:
        return Influence(self.drafts + other.drafts, self.differed + other.differed, self.moved + other.moved,
                         self.taken + other.taken)


NONE = Influence(0, 0, 0, 0)


def differed(change: DimensionChange) -> bool:
    """Rated before the draft was seen, rated at the end, and the rating before was not the draft's score."""
    before, draft, final = change.before, change.draft, change.final
    return before is not None and draft is not None and final is not None and before != draft


def moved_towards(change: DimensionChange) -> bool:
    """The final rating sits strictly closer to the draft's score than the rating before did."""
    before, draft, final = change.before, change.draft, change.final
    if before is None or draft is None or final is None or before == draft:
        return False
    return abs(final - draft) < abs(before - draft)


def taken_as_drafted(change: DimensionChange) -> bool:
    return change.draft is not None and change.final == change.draft and change.before != change.draft


def of_draft(changes: Sequence[DimensionChange]) -> Influence:
    """The figures of one seen draft, one change per dimension."""
    return Influence(
        drafts=1,
        differed=sum(differed(c) for c in changes),
        moved=sum(moved_towards(c) for c in changes),
        taken=sum(taken_as_drafted(c) for c in changes),
    )


def influence(drafts: Iterable[Sequence[DimensionChange]]) -> Influence:
    """The figures over several seen drafts."""
    return sum((of_draft(changes) for changes in drafts), NONE)
