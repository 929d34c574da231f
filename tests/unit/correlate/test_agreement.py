"""How a report agrees with a known event: the tests the event index runs on each report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from processors.correlate.agreement import (
    KnownEvent,
    corroborated,
    days_agree,
    near,
    same_toll,
    types_agree,
)
from processors.models import Incident

DAY = dt.date(2019, 9, 3)


def _event(**fields: Any) -> KnownEvent:
    base: dict[str, Any] = dict(event_id="e1", country="KE", admin1="KE-13", place="Garissa",
                                geo_precision=1, day=DAY, precision="day",
                                event_type="remote_explosive_ied", killed=4,
                                latitude=-0.45, longitude=39.65, perpetrators=["al-Shabaab"])
    base.update(fields)
    return KnownEvent(**base)


def _incident(**fields: Any) -> Incident:
    base: dict[str, Any] = dict(incident_id="b-0", event_id="", article_id="b", event_date=DAY,
                                date_precision="day", country="KE", admin1="KE-13",
                                place="Garissa", geo_precision=1, event_type="armed_clash",
                                killed=4, confidence=0.8, extractor_version="t")
    base.update(fields)
    return Incident(**base)


def test_corroborated_one_toll_at_one_place_is_one_event_told_two_ways() -> None:
    assert corroborated(_event(), _incident())
    assert corroborated(_event(place="Madogo", latitude=None), _incident(perpetrator="al-Shabaab"))


def test_corroborated_needs_the_same_toll_and_a_shared_place_or_attacker() -> None:
    assert not corroborated(_event(), _incident(killed=7))
    assert not corroborated(_event(killed=None), _incident(killed=None))
    assert not corroborated(_event(place="Madogo", latitude=None), _incident(place="Bura"))


def test_near_places_within_a_few_kilometres_only() -> None:
    assert near(_event(), _incident(latitude=-0.47, longitude=39.66))
    assert not near(_event(), _incident(latitude=-1.2, longitude=39.65))
    assert not near(_event(), _incident())  # a report without coordinates is near nothing


def test_same_toll_by_wounded_when_no_dead_given() -> None:
    assert same_toll(_event(killed=None, injured=9), _incident(killed=None, injured=9))
    assert not same_toll(_event(killed=None, injured=None), _incident(killed=None, injured=None))


def test_days_agree_joins_an_undated_report_only_with_the_same_toll() -> None:
    undated = _incident(event_date=None, date_precision="unknown")
    assert days_agree(_event(), undated)
    assert not days_agree(_event(), _incident(event_date=None, date_precision="unknown",
                                              killed=2))


@given(st.integers(min_value=-30, max_value=30))
def test_days_agree_dated_reports_within_a_day(offset: int) -> None:
    report = _incident(event_date=DAY + dt.timedelta(days=offset))
    assert days_agree(_event(), report) == (abs(offset) <= 1)


@given(st.sampled_from(["attack", "armed_clash", "suicide_bomb", "grenade", "air_drone_strike",
                        "remote_explosive_ied", "shelling_artillery_missile"]),
       st.sampled_from(["attack", "armed_clash", "suicide_bomb", "grenade", "air_drone_strike",
                        "remote_explosive_ied", "shelling_artillery_missile"]))
def test_types_agree_is_symmetric_and_attack_agrees_with_all(a: str, b: str) -> None:
    assert types_agree(a, b) == types_agree(b, a)
    assert types_agree("attack", b)
