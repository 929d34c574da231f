"""One event, many reports: cross-article event identity."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from processors.correlate.dedup import EventIndex, first_event_id
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


def test_dedup_redelivered_incident_gets_its_first_assignment_back() -> None:
    index = EventIndex()
    first = index.assign(_incident("a"))
    second = index.assign(_incident("b"))
    third = index.assign(_incident("c"))
    state = index.to_state()
    again = index.assign(_incident("b"))
    assert again.repeated and not second.repeated
    assert (again.event_id, again.version, again.sources, again.corroboration) == (
        second.event_id, second.version, second.sources, second.corroboration)
    assert index.assign(_incident("a")).is_new == first.is_new
    assert index.to_state() == state  # nothing changed, no version bumped
    assert third.version == 3


def test_dedup_redelivery_is_recognised_after_a_restore() -> None:
    index = EventIndex()
    index.assign(_incident("a"))
    second = index.assign(_incident("b"))
    restored = EventIndex.from_state(json.loads(json.dumps(index.to_state())))
    again = restored.assign(_incident("b"))
    assert again.repeated and again.version == second.version == 2


def _dated(article: str, day: dt.date, **fields: Any) -> Incident:
    return _incident(article, event_date=day, place=f"p-{article}", **fields)


@pytest.mark.parametrize(("days_later", "expired"), [(29, False), (30, False), (31, True)])
def test_dedup_expire_drops_events_past_retention_in_event_time(
    days_later: int, expired: bool,
) -> None:
    index = EventIndex(retention_days=30)
    old = index.assign(_dated("a", DAY))
    index.assign(_dated("b", DAY + dt.timedelta(days=days_later), admin1="IQ-BG"))
    assert index.expire() == ([old.event_id] if expired else [])
    assert len(index) == (1 if expired else 2)


def test_dedup_redelivery_after_expiry_is_recognised_not_counted_again() -> None:
    # Regression (kill fault at 3000 articles): an incident re-extracted after a crash reached
    # correlation after its event had expired and opened a second event.
    index = EventIndex(retention_days=10)
    old = index.assign(_dated("a", DAY))
    index.assign(_dated("b", DAY + dt.timedelta(days=40), admin1="IQ-BG"))
    assert index.expire() == [old.event_id]
    again = index.assign(_dated("a", DAY))  # the same incident, redelivered after expiry
    assert again.expired and again.repeated and again.event_id == old.event_id
    assert len(index) == 1


def test_dedup_new_report_of_an_expired_event_opens_a_new_event() -> None:
    index = EventIndex(retention_days=10)
    old = index.assign(_incident("a"))
    assert index.assign(_incident("b")).event_id == old.event_id  # the same event, within
    index.assign(_dated("x", DAY + dt.timedelta(days=40), admin1="IQ-BG"))
    index.expire()
    late = index.assign(_incident("c"))
    assert late.is_new and not late.expired and late.event_id != old.event_id


def test_dedup_tombstones_are_bounded_and_survive_a_restore_in_order() -> None:
    index = EventIndex(retention_days=1, max_tombstones=3)
    expired: list[str] = []
    for n in range(6):
        index.assign(_dated(f"a{n}", DAY + dt.timedelta(days=5 * n)))
        expired += index.expire()
    assert len(expired) == 5 and index.tombstones == 3
    assert index.take_forgotten() == expired[:2]
    assert index.take_forgotten() == []
    restored = EventIndex.from_state(orjson.loads(orjson.dumps(index.to_state())),
                                     retention_days=1, max_tombstones=3)  # fmt: skip
    assert [t["tombstone"] for t in restored.to_state()["tombstones"]] == expired[2:]
    assert restored.assign(_dated("a4", DAY + dt.timedelta(days=20))).expired
    assert not restored.assign(_dated("a0", DAY)).expired  # forgotten: a new event again


def test_dedup_undated_event_expires_after_retention_of_later_news() -> None:
    index = EventIndex(retention_days=10)
    undated = index.assign(_incident("u", event_date=None, date_precision="unknown"))
    index.assign(_dated("b", DAY, admin1="IQ-BG"))
    assert index.expire() == []  # stamped with the watermark when it was reported
    index.assign(_dated("c", DAY + dt.timedelta(days=11), admin1="IQ-NI"))
    assert undated.event_id in index.expire()


def test_dedup_expire_without_retention_keeps_everything() -> None:
    index = EventIndex()
    for n in range(5):
        index.assign(_dated(f"a{n}", DAY + dt.timedelta(days=400 * n)))
    assert index.expire() == [] and len(index) == 5


def test_dedup_watermark_survives_a_restore_from_event_entries() -> None:
    index = EventIndex(retention_days=30)
    index.assign(_dated("a", DAY))
    newest = index.assign(_dated("b", DAY + dt.timedelta(days=20), admin1="IQ-BG"))
    entries = [index.event_state(e["event_id"]) for e in index.to_state()["events"]]
    restored = EventIndex.from_state({"events": entries}, retention_days=30)
    assert restored.watermark == index.watermark == DAY + dt.timedelta(days=20)
    assert restored.assign(_dated("b", DAY + dt.timedelta(days=20))).event_id == newest.event_id


@given(st.lists(st.integers(0, 365), min_size=1, max_size=60))
def test_dedup_state_stays_within_retention(days: list[int]) -> None:
    index = EventIndex(retention_days=14)
    for n, day in enumerate(days):
        index.assign(_dated(f"a{n}", DAY + dt.timedelta(days=day)))
        index.expire()
    assert index.watermark is not None
    horizon = index.watermark - dt.timedelta(days=14)
    for event in index.to_state()["events"]:
        assert dt.date.fromisoformat(event["day"]) >= horizon


@given(st.lists(st.tuples(st.integers(0, 60), st.booleans()), min_size=1, max_size=40))
def test_dedup_replay_with_expiry_gives_the_same_ids(reports: list[tuple[int, bool]]) -> None:
    incidents = [_incident(f"r{n}", event_date=DAY + dt.timedelta(days=d),
                           admin1="IQ-BG" if b else "IQ-AR", place=None, geo_precision=3)
                 for n, (d, b) in enumerate(reports)]  # fmt: skip

    def ids() -> list[str]:
        index = EventIndex(retention_days=7)
        out = []
        for incident in incidents + incidents[: len(incidents) // 2]:  # with redeliveries
            out.append(index.assign(incident).event_id)
            index.expire()
        return out

    first = ids()
    assert first == ids()
    n = len(incidents)
    assert first[n:] == first[: n // 2]  # a redelivery, expired or not, keeps its event id


def test_dedup_expire_leaves_no_empty_day_buckets() -> None:
    index = EventIndex(retention_days=5)
    for n in range(40):
        index.assign(_dated(f"art{n}", DAY + dt.timedelta(days=n)))
        index.expire()
    assert len(index) <= 6 and len(index._buckets) == len(index)


def test_dedup_changed_body_updates_the_events_of_the_previous_version() -> None:
    index = EventIndex()
    first = index.assign(_incident("a", 0, article_digest="v1"))
    other = index.assign(_incident("a", 1, article_digest="v1"))  # same article: kept apart
    assert other.event_id != first.event_id
    corrected = index.assign(_incident("a", 0, article_digest="v2", incident_id="a-v2-0"))
    assert corrected.event_id in {first.event_id, other.event_id} and not corrected.is_new
    assert corrected.corroboration == 1  # still one source
    again = index.assign(_incident("a", 1, article_digest="v2", incident_id="a-v2-1"))
    assert {corrected.event_id, again.event_id} == {first.event_id, other.event_id}
    assert len(index) == 2


def test_dedup_same_version_of_an_article_never_merges_with_itself() -> None:
    index = EventIndex()
    first = index.assign(_incident("a", 0, article_digest="v1"))
    second = index.assign(_incident("a", 1, article_digest="v1"))
    legacy = index.assign(_incident("a", 2))  # no digest: treated as the same version
    assert len({first.event_id, second.event_id, legacy.event_id}) == 3


QAMISHLI = {"place": "Qamishli", "latitude": 37.05, "longitude": 41.22, "country": "SY",
            "admin1": "SY-HA", "geo_precision": 1}


@pytest.mark.parametrize(("second", "same"), [
    # a neighbourhood of the town, named by another outlet, with another toll: one event
    ({**QAMISHLI, "place": "al-Hilaliye", "latitude": 37.06, "longitude": 41.24, "killed": 3},
     True),
    # a town 60 km off is another place
    ({**QAMISHLI, "place": "Amuda", "latitude": 37.10, "longitude": 40.55}, False),
    # different names and no coordinates: kept apart, as before
    ({**QAMISHLI, "place": "al-Hilaliye", "latitude": None, "longitude": None}, False),
])
def test_dedup_places_at_different_detail(second: dict[str, Any], same: bool) -> None:
    index = EventIndex()
    first = index.assign(_incident("a", **QAMISHLI, killed=4))
    other = index.assign(_incident("b", **second))
    assert (other.event_id == first.event_id) is same


@pytest.mark.parametrize(("perpetrators", "same"), [
    (("Islamic State", "Islamic State"), True),
    (("Islamic State", None), True),
    ((None, "Islamic State"), True),
    # one city, one day, two named attackers: two attacks
    (("Islamic State", "Turkey"), False),
])
def test_dedup_two_named_attackers_are_two_events(
    perpetrators: tuple[str | None, str | None], same: bool
) -> None:
    index = EventIndex()
    first = index.assign(_incident("a", perpetrator=perpetrators[0]))
    other = index.assign(_incident("b", perpetrator=perpetrators[1]))
    assert (other.event_id == first.event_id) is same


def test_dedup_state_keeps_coordinates_and_attackers() -> None:
    index = EventIndex()
    first = index.assign(_incident("a", **QAMISHLI, perpetrator="Turkey"))
    restored = EventIndex.from_state(json.loads(json.dumps(index.to_state())))
    near = restored.assign(_incident("b", **{**QAMISHLI, "place": "al-Hilaliye",
                                             "latitude": 37.06, "longitude": 41.24}))
    rival = restored.assign(_incident("c", **QAMISHLI, perpetrator="Islamic State"))
    assert near.event_id == first.event_id != rival.event_id


@pytest.mark.parametrize("pair", [
    ("Iran-backed militias", "Kata'ib Hezbollah"), ("Kata'ib Hezbollah", "Iran-backed militias"),
])
def test_dedup_an_umbrella_and_its_faction_are_not_rivals(pair: tuple[str, str]) -> None:
    index = EventIndex()
    first = index.assign(_incident("a", perpetrator=pair[0]))
    assert index.assign(_incident("b", perpetrator=pair[1])).event_id == first.event_id


@pytest.mark.parametrize("dated_first", [True, False])
def test_dedup_an_undated_report_with_the_same_toll_and_place_joins_the_dated_one(
    dated_first: bool,
) -> None:
    index = EventIndex()
    dated = _incident("a", killed=4)
    undated = _incident("b", event_date=None, date_precision="unknown", killed=4)
    first, second = (dated, undated) if dated_first else (undated, dated)
    assert index.assign(first).event_id == index.assign(second).event_id


@pytest.mark.parametrize("change", [
    {"killed": 5},  # another toll
    {"killed": None},  # no toll to agree on
    {"place": None, "geo_precision": 3},  # no named place
])
def test_dedup_an_undated_report_stays_apart_without_toll_and_place(
    change: dict[str, Any],
) -> None:
    index = EventIndex()
    first = index.assign(_incident("a", killed=4))
    undated = {"event_date": None, "date_precision": "unknown", "killed": 4, **change}
    assert index.assign(_incident("b", **undated)).event_id != first.event_id
