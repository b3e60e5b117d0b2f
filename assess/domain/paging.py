"""One page of a longer list: what it holds, how many there are in all, and where it sits."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
U = TypeVar("U")


def page_count(total: int, per_page: int) -> int:
    """How many pages total items fill, at least one so an empty list still has a page to show."""
    return max(1, -(-total // per_page))


def offset_of(page: int, per_page: int) -> int:
    """How many items come before the first one on this page (pages count from 1)."""
    return (page - 1) * per_page


def clamped(page: int, total: int, per_page: int) -> int:
    """The page asked for, moved into the pages that exist (for lists people click through)."""
    return max(1, min(page, page_count(total, per_page)))


@dataclass(frozen=True)
class Page(Generic[T]):
    """Items page by page: `items` is this page, `total` counts every page's items."""

    items: Sequence[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)

    @property
    def offset(self) -> int:
        return offset_of(self.page, self.per_page)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def map(self, shape: Callable[[T], U]) -> Page[U]:
        """The same page with each item shaped by shape."""
        return Page([shape(item) for item in self.items], self.total, self.page, self.per_page)
