"""Spans sorted by start with their starts kept, for cheap range lookups."""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from typing import Generic, Protocol, TypeVar


class _HasStart(Protocol):
    @property
    def start(self) -> int: ...


class _HasSpan(_HasStart, Protocol):
    @property
    def end(self) -> int: ...


S = TypeVar("S", bound=_HasStart)
T = TypeVar("T", bound=_HasSpan)


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


def holding(spans: Sequence[T], positions: Sequence[int]) -> list[T]:
    """The spans (sorted, disjoint) with one of ``positions`` (sorted) in ``[start, end)``.

    Cheaper than asking ``within`` of every span when most spans hold nothing.
    """
    if not positions:
        return []
    last = positions[-1]
    out: list[T] = []
    for span in spans:
        if span.start > last:
            break
        i = bisect.bisect_left(positions, span.start)
        if i < len(positions) and positions[i] < span.end:
            out.append(span)
    return out


def holds_any(lo: int, hi: int, positions: list[int]) -> bool:
    """Whether one of ``positions`` (sorted) lies in ``[lo, hi)``."""
    i = bisect.bisect_left(positions, lo)
    return i < len(positions) and positions[i] < hi
