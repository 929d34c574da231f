"""processors.detect.aggregate: week arithmetic, where an incident counts, sparse region counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from processors.detect.aggregate import (
    Placement,
    RegionState,
    last_closed_week,
    place,
    week_end_date,
    week_of,
    week_start_date,
)
from processors.detect.alerting import Episode
from processors.detect.detector import DetectorConfig
from processors.models import Incident

CONFIG = DetectorConfig()
days = st.dates(dt.date(1990, 1, 1), dt.date(2060, 12, 31))


def incident(**overrides: Any) -> Incident:
    fields: dict[str, Any] = {
        "incident_id": "i1", "event_id": "e1", "article_id": "a1",
        "event_date": dt.date(2024, 5, 8), "date_precision": "day", "country": "IQ",
        "admin1": "IQ-BG", "event_type": "attack", "confidence": 1.0, "extractor_version": "t",
    }  # fmt: skip
    fields.update(overrides)
    return Incident(**fields)


@given(day=days, start=st.integers(0, 6))
def test_aggregate_week_contains_its_day(day: dt.date, start: int) -> None:
    week = week_of(day, start)
    assert week_start_date(week, start) <= day <= week_end_date(week, start)
    assert week_start_date(week, start).weekday() == start
    assert week_of(week_start_date(week + 1, start), start) == week + 1


@pytest.mark.parametrize(("day", "start", "monday"), [
    (dt.date(2024, 1, 1), 0, dt.date(2024, 1, 1)),
    (dt.date(2024, 1, 7), 0, dt.date(2024, 1, 1)),
    (dt.date(2024, 1, 8), 0, dt.date(2024, 1, 8)),
    (dt.date(2024, 1, 7), 6, dt.date(2024, 1, 7)),
    (dt.date(2024, 1, 6), 6, dt.date(2023, 12, 31)),
])  # fmt: skip
def test_aggregate_week_boundaries(day: dt.date, start: int, monday: dt.date) -> None:
    assert week_start_date(week_of(day, start), start) == monday


@given(mark=days, grace=st.integers(0, 60), start=st.integers(0, 6))
def test_aggregate_closed_week_is_the_newest_past_its_grace(mark: dt.date, grace: int,
                                                            start: int) -> None:  # fmt: skip
    closed = last_closed_week(mark, grace_days=grace, week_start=start)
    assert week_end_date(closed, start) + dt.timedelta(days=grace) < mark
    assert week_end_date(closed + 1, start) + dt.timedelta(days=grace) >= mark


@pytest.mark.parametrize(("overrides", "regions", "dims"), [
    ({}, ("IQ-BG", "IQ"), ("all",)),
    ({"admin1": None}, ("IQ",), ("all",)),
    ({"country": None}, ("IQ-BG", "IQ"), ("all",)),
    ({"admin1": " iq-bg ", "country": "iq"}, ("IQ-BG", "IQ"), ("all",)),
    ({"perpetrator": "PKK", "target": "civilians"}, ("IQ-BG", "IQ"),
     ("all", "perpetrator:PKK", "target:civilians")),
    ({"date_precision": "week"}, ("IQ-BG", "IQ"), ("all",)),
])  # fmt: skip
def test_aggregate_place_names_regions_and_dimensions(overrides: dict[str, Any],
                                                      regions: tuple[str, ...],
                                                      dims: tuple[str, ...]) -> None:  # fmt: skip
    placed = place(incident(**overrides), CONFIG)
    assert isinstance(placed, Placement)
    assert placed.regions == regions
    assert placed.dimensions == dims


def test_aggregate_place_without_country_totals() -> None:
    placed = place(incident(), DetectorConfig(country_totals=False))
    assert isinstance(placed, Placement) and placed.regions == ("IQ-BG",)
    alone = place(incident(admin1=None), DetectorConfig(country_totals=False))
    assert isinstance(alone, Placement) and alone.regions == ("IQ",)


@pytest.mark.parametrize(("overrides", "reason"), [
    ({"background": True}, "background"),
    ({"event_date": None, "date_precision": "unknown"}, "undated"),
    ({"date_precision": "month"}, "imprecise"),
    ({"date_precision": "unknown"}, "imprecise"),
    ({"admin1": None, "country": None}, "unplaced"),
])  # fmt: skip
def test_aggregate_place_gives_the_reason_it_cannot(overrides: dict[str, Any], reason: str) -> None:
    assert place(incident(**overrides), CONFIG) == reason


def test_aggregate_region_counts_add_remove_and_zero_fill() -> None:
    region = RegionState()
    region.add(10, ("all", "perpetrator:PKK"), "e1", keep_ids=True)
    region.add(10, ("all",), "e2", keep_ids=True)
    region.add(12, ("all",), "e3", keep_ids=False)
    assert region.series("all", first=9, last=13) == [0, 2, 0, 1, 0]
    assert region.series("perpetrator:PKK", first=9, last=13) == [0, 1, 0, 0, 0]
    assert region.events == {10: ["e1", "e2"]}
    region.remove(10, ("all", "perpetrator:PKK"), "e1")
    assert region.series("all", first=10, last=10) == [1]
    assert region.counts == {10: {"all": 1}, 12: {"all": 1}}
    region.remove(12, ("all",), "e3")
    assert 12 not in region.counts


def test_aggregate_region_prune_and_json_round_trip() -> None:
    region = RegionState()
    for week in range(2800, 2810):
        region.add(week, ("all",), f"e{week}", keep_ids=True)
    region.episodes["all"] = Episode(dt.date(2023, 9, 4), "medium", 1, 2)
    region.last_alarm["all"] = 2808
    region.prune(counts_before=2803, ids_before=2807)
    assert min(region.counts) == 2803 and min(region.events) == 2807
    for start in (0, 6):
        assert RegionState.from_json(region.to_json(start), start) == region
