"""Range lookups over spans sorted by start."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from processors.text.indexed import Indexed, holding, within


@dataclass(frozen=True)
class _Span:
    start: int
    end: int


def _disjoint(cuts: list[int]) -> list[_Span]:
    points = sorted(set(cuts))
    return [_Span(a, b) for a, b in zip(points[0::2], points[1::2], strict=False)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=300), max_size=20),
       st.lists(st.integers(min_value=0, max_value=300), max_size=20))
def test_indexed_holding_keeps_the_spans_within_finds_something_in(
    cuts: list[int], positions: list[int]
) -> None:
    spans = _disjoint(cuts)
    items = Indexed([_Span(p, p + 1) for p in sorted(positions)])
    expected = [s for s in spans if within(items, s.start, s.end)]
    assert holding(spans, items.starts) == expected


def test_indexed_holding_with_no_positions_is_empty() -> None:
    assert holding([_Span(0, 10)], []) == []
