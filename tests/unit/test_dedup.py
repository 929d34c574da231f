"""One event, many reports: cross-article event identity."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from processors.dedup import EventIndex, first_event_id
from processors.models import Incident

DAY = dt.date(2021, 4, 14)


def _incident(article: str, index: int = 0, **fields: Any) -> Incident:
    base: dict[str, Any] = dict(
        incident_id=f"{article}-{index}",
        event_id="",
        article_id=article,
        event_date=DAY,
        date_precision="day",
        country="IQ",
        admin1="IQ-AR",
        place="Erbil airport",
        geo_precision=1,
        event_type="air_drone_strike",
        confidence=0.8,
        extractor_version="t",
    )
    base.update(fields)
    return Incident(**base)


def test_dedup_second_report_joins_the_first_event() -> None:
    index = EventIndex()
    first = index.assign(_incident("a"))
    second = index.assign(
        _incident(
            "b", event_date=DAY + dt.timedelta(days=1), admin1=None, place=None, geo_precision=3
        )
    )
    assert first.is_new and not second.is_new
    assert second.event_id == first.event_id == first_event_id(_incident("a"))
    assert (second.version, second.sources, second.corroboration) == (2, ("a", "b"), 2)


@pytest.mark.parametrize(
    "change",
    [
        {"country": "SY", "admin1": None},
        {"admin1": "IQ-NI", "place": "Mosul"},
        {"event_date": DAY + dt.timedelta(days=3)},
        {"event_type": "remote_explosive_ied"},
        {"place": "Harir air base"},
    ],
)
def test_dedup_different_events_stay_apart(change: dict[str, Any]) -> None:
    index = EventIndex()
    first = index.assign(_incident("a"))
    other = index.assign(_incident("b", **change))
    assert other.is_new and other.event_id != first.event_id


def test_dedup_never_merges_incidents_of_one_article() -> None:
    index = EventIndex()
    one = index.assign(_incident("a", 0))
    two = index.assign(_incident("a", 1))
    assert two.is_new and two.event_id != one.event_id


def test_dedup_week_precision_report_matches_a_day_in_its_week() -> None:
    index = EventIndex()
    first = index.assign(_incident("a", event_date=dt.date(2021, 4, 12), date_precision="week"))
    later = index.assign(_incident("b", event_date=dt.date(2021, 4, 16)))
    assert later.event_id == first.event_id


def test_dedup_precise_report_updates_the_event() -> None:
    index = EventIndex()
    index.assign(
        _incident(
            "a",
            event_date=dt.date(2021, 4, 12),
            date_precision="week",
            admin1=None,
            place=None,
            geo_precision=3,
        )
    )
    index.assign(_incident("b"))
    [event] = index.to_state()["events"]
    assert (event["day"], event["precision"], event["admin1"], event["version"]) == (
        DAY.isoformat(),
        "day",
        "IQ-AR",
        2,
    )


def test_dedup_state_round_trips_through_json() -> None:
    index = EventIndex()
    index.assign(_incident("a"))
    restored = EventIndex.from_state(json.loads(json.dumps(index.to_state())))
    again = restored.assign(_incident("b"))
    assert not again.is_new and again.version == 2


def test_dedup_prune_forgets_old_events() -> None:
    index = EventIndex()
    index.assign(_incident("a"))
    assert index.prune(DAY + dt.timedelta(days=30)) == 1 and len(index) == 0


@given(
    st.lists(
        st.tuples(
            st.integers(0, 20),
            st.sampled_from(["IQ-AR", "IQ-BG", None]),
            st.sampled_from(["air_drone_strike", "attack", "armed_clash"]),
        ),
        max_size=30,
    )
)
def test_dedup_replay_in_order_gives_the_same_ids(
    reports: list[tuple[int, str | None, str]],
) -> None:
    incidents = [
        _incident(
            f"art{i}",
            event_date=DAY + dt.timedelta(days=d),
            admin1=a,
            event_type=t,
            place=None,
            geo_precision=3,
        )
        for i, (d, a, t) in enumerate(reports)
    ]

    def ids() -> list[str]:
        index = EventIndex()
        return [index.assign(i).event_id for i in incidents]

    assert ids() == ids()
