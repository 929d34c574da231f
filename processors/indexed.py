"""Spans sorted by start with their starts kept, for cheap range lookups."""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from typing import Generic, Protocol, TypeVar


class _HasStart(Protocol):
    @property
    def start(self) -> int: ...


S = TypeVar("S", bound=_HasStart)


class Indexed(Generic[S]):
    """Spans sorted by start, with their starts kept for range lookups."""

    __slots__ = ("items", "starts")

    def __init__(self, items: Sequence[S]) -> None:
        self.items = list(items)
        self.starts = [i.start for i in self.items]

    def __iter__(self) -> Iterator[S]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def within(items: Indexed[S] | Sequence[S], lo: int, hi: int) -> list[S]:
    """The items (sorted by start) that start inside ``[lo, hi)``."""
    if isinstance(items, Indexed):
        starts, seq = items.starts, items.items
    else:
        starts, seq = [i.start for i in items], list(items)
    return seq[bisect.bisect_left(starts, lo) : bisect.bisect_left(starts, hi)]
