"""One page shape for every list: the API's, the audit log's, the work lists'."""

import pytest

from assess.domain.paging import Page, clamped, offset_of, page_count


@pytest.mark.parametrize(("total", "per_page", "pages"), [(0, 50, 1), (1, 50, 1), (50, 50, 1), (51, 50, 2),
                                                          (7, 3, 3)])
def test_an_empty_list_still_has_one_page_and_a_partial_page_counts(total: int, per_page: int, pages: int) -> None:
    assert page_count(total, per_page) == pages == Page([], total, 1, per_page).pages


def test_a_page_knows_its_offset_and_neighbours() -> None:
    middle = Page(["d", "e", "f"], total=7, page=2, per_page=3)
    assert (middle.offset, middle.has_previous, middle.has_next) == (3, True, True)
    first, last = Page(["a"], 7, 1, 3), Page(["g"], 7, 3, 3)
    assert (first.has_previous, first.has_next, last.has_previous, last.has_next) == (False, True, True, False)
    assert offset_of(1, 100) == 0 and offset_of(4, 25) == 75


def test_a_page_past_the_end_is_kept_as_asked_but_clamped_for_people() -> None:
    beyond = Page([], total=7, page=4, per_page=3)
    assert beyond.items == [] and beyond.page == 4 and beyond.has_next is False
    assert clamped(4, 7, 3) == 3 and clamped(0, 7, 3) == 1 and clamped(9, 0, 50) == 1


def test_mapping_a_page_shapes_its_items_and_keeps_its_place() -> None:
    shaped = Page([1, 2], total=5, page=2, per_page=2).map(str)
    assert shaped == Page(["1", "2"], 5, 2, 2)
