"""How far ratings moved towards the AI draft: the counting rules, by example and by generated cases."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from assess.domain.ai_influence import (
    NONE,
    DimensionChange,
    Influence,
    influence,
    moved_towards,
    of_draft,
    taken_as_drafted,
)

scores = st.integers(min_value=1, max_value=5)
maybe = st.none() | scores
changes = st.builds(DimensionChange, before=maybe, draft=maybe, final=maybe)
drafts = st.lists(st.lists(changes, max_size=8), max_size=6)


def mirrored(change: DimensionChange) -> DimensionChange:
    """The same change read on the scale turned upside down (1 is 5, 2 is 4)."""
    def flip(value: int | None) -> int | None:
        return None if value is None else 6 - value

    return DimensionChange(flip(change.before), flip(change.draft), flip(change.final))


def test_a_rating_moved_part_way_or_all_the_way_to_the_draft_counts() -> None:
    assert moved_towards(DimensionChange(before=2, draft=5, final=4))
    assert moved_towards(DimensionChange(before=2, draft=5, final=5))
    assert not moved_towards(DimensionChange(before=2, draft=5, final=2))  # kept
    assert not moved_towards(DimensionChange(before=4, draft=3, final=2))  # crossed over, as far as before
    assert not moved_towards(DimensionChange(before=4, draft=3, final=5))  # away
    assert not moved_towards(DimensionChange(before=None, draft=3, final=3))  # nothing rated before


def test_one_draft_counts_differing_moved_and_taken_dimensions() -> None:
    figures = of_draft([
        DimensionChange(2, 4, 4),  # differed, moved, taken
        DimensionChange(3, 4, 3),  # differed, kept
        DimensionChange(4, 4, 4),  # agreed already: not counted, not taken
        DimensionChange(None, 2, 2),  # not rated before: taken, not counted
        DimensionChange(5, 2, 4),  # differed, moved part way
    ])
    assert figures == Influence(drafts=1, differed=3, moved=2, taken=2)
    assert figures.share == 2 / 3


def test_no_draft_seen_has_no_share() -> None:
    assert influence([]) == NONE and NONE.share is None
    assert of_draft([DimensionChange(3, 3, 4)]).share is None


@given(drafts)
def test_the_share_is_a_proportion_of_the_dimensions_that_differed(seen: list[list[DimensionChange]]) -> None:
    figures = influence(seen)
    assert figures.drafts == len(seen)
    assert 0 <= figures.moved <= figures.differed
    assert figures.share is None if figures.differed == 0 else 0 <= figures.share <= 1


@given(changes)
def test_moving_away_or_staying_never_counts(change: DimensionChange) -> None:
    if change.before is not None and change.draft is not None and change.final is not None:
        if abs(change.final - change.draft) >= abs(change.before - change.draft):
            assert not moved_towards(change)
    if change.final == change.before:
        assert not moved_towards(change)
        assert not taken_as_drafted(change)


@given(changes)
def test_the_rule_is_the_same_at_both_ends_of_the_scale(change: DimensionChange) -> None:
    assert moved_towards(mirrored(change)) == moved_towards(change)
    assert taken_as_drafted(mirrored(change)) == taken_as_drafted(change)


@given(drafts)
def test_adding_up_drafts_does_not_depend_on_their_order(seen: list[list[DimensionChange]]) -> None:
    assert influence(list(reversed(seen))) == influence(seen)
    assert influence(seen) == sum((of_draft(d) for d in seen), NONE)


@given(st.lists(changes, min_size=1, max_size=8))
def test_a_draft_taken_wholesale_counts_every_differing_dimension_as_moved(some: list[DimensionChange]) -> None:
    taken = [DimensionChange(c.before, c.draft, c.draft) for c in some]
    figures = of_draft(taken)
    assert figures.moved == figures.differed
