"""processors.detect.backfill: JSON lines and ACLED CSV rows become Incidents (or say why not)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from processors.detect.backfill import (
    ACLED_SUB_EVENTS,
    Skipped,
    SkipRecord,
    acled_perpetrator,
    acled_target,
    incident_from_acled,
    parse_acled_date,
    read_backfill,
)
from processors.models import EVENT_TYPES, Incident

COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
]


def row(**values: str) -> dict[str, str]:
    base = {c: "" for c in COLUMNS}
    base.update({
        "event_id_cnty": "IRQ1001", "event_date": "2020-07-24", "time_precision": "1",
        "sub_event_type": "Shelling/artillery/missile attack",
        "actor1": "Islamic Resistance in Iraq",
        "actor2": "Military Forces of the United States (2017-2021)", "iso": "368",
        "country": "Iraq", "admin1": "Baghdad", "location": "Baghdad - Green Zone",
        "latitude": "33.31", "longitude": "44.39", "geo_precision": "1",
        "source": "Shafaq News; Rudaw", "fatalities": "2",
    })  # fmt: skip
    base.update(values)
    return base


def csv_lines(*rows: dict[str, str]) -> list[str]:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().splitlines(keepends=True)


def test_backfill_acled_row_becomes_an_incident() -> None:
    inc = incident_from_acled(row())
    assert inc.event_id == "acled-IRQ1001"
    assert inc.event_date == dt.date(2020, 7, 24)
    assert (inc.country, inc.admin1, inc.place) == ("IQ", "IQ-BG", "Baghdad - Green Zone")
    assert inc.event_type == "shelling_artillery_missile"
    assert inc.perpetrator == "Islamic Resistance in Iraq"
    assert inc.target == "us_forces"
    assert inc.killed == 2 and inc.geo_precision == 1
    assert inc.sources == ["Shafaq News", "Rudaw"]
    assert not inc.background


@pytest.mark.parametrize(("sub_event", "event_type"), [
    (k, v) for k, v in ACLED_SUB_EVENTS.items() if v is not None])  # fmt: skip
def test_backfill_acled_sub_events_map_to_event_types(sub_event: str, event_type: str) -> None:
    assert event_type in EVENT_TYPES
    assert incident_from_acled(row(sub_event_type=sub_event.title())).event_type == event_type


@pytest.mark.parametrize(("values", "reason"), [
    ({"sub_event_type": "Peaceful protest"}, "not_violent"),
    ({"sub_event_type": "Arrests"}, "not_violent"),
    ({"sub_event_type": "Alien invasion"}, "unknown_sub_event_type"),
    ({"event_date": "sometime"}, "invalid_incident"),
    ({"event_id_cnty": ""}, "invalid_incident"),
])  # fmt: skip
def test_backfill_acled_rows_that_are_not_incidents(values: dict[str, str], reason: str) -> None:
    with pytest.raises(SkipRecord) as caught:
        incident_from_acled(row(**values))
    assert caught.value.reason == reason


@pytest.mark.parametrize(("precision", "expected"), [("1", "day"), ("2", "week"), ("3", "month")])
def test_backfill_acled_time_precision(precision: str, expected: str) -> None:
    assert incident_from_acled(row(time_precision=precision)).date_precision == expected


@pytest.mark.parametrize(("admin1", "country", "iso", "code", "province"), [
    ("Salah al-Din", "Iraq", "368", "IQ", "IQ-SD"),
    ("Ninewa", "Iraq", "368", "IQ", "IQ-NI"),
    ("Deir-ez-Zor", "Syria", "760", "SY", "SY-DY"),
    ("Deir-ez-Zor", "Iraq", "368", "IQ", None),
    ("Atlantis", "Iraq", "", "IQ", None),
])  # fmt: skip
def test_backfill_acled_places(admin1: str, country: str, iso: str, code: str,
                               province: str | None) -> None:  # fmt: skip
    inc = incident_from_acled(row(admin1=admin1, country=country, iso=iso))
    assert (inc.country, inc.admin1) == (code, province)


@pytest.mark.parametrize(("text", "day"), [
    ("2020-07-24", dt.date(2020, 7, 24)), ("24 July 2020", dt.date(2020, 7, 24)),
    ("24-July-2020", dt.date(2020, 7, 24)), ("4 Jan 2021", dt.date(2021, 1, 4)),
    ("yesterday", None), ("", None),
])  # fmt: skip
def test_backfill_acled_dates(text: str, day: dt.date | None) -> None:
    assert parse_acled_date(text) == day


@pytest.mark.parametrize(("actor", "name"), [
    ("Islamic State (Iraq)", "Islamic State"),
    ("Military Forces of Iraq (2020-)", "Iraq"),
    ("Police Forces of Iraq (2020-)", "Iraq"),
    ("Military Forces of the United States (2021-)", "United States"),
    ("Military Forces of Turkey (2016-)", "Turkey"),
    ("Unidentified Armed Group (Iraq)", None),
    ("Global Coalition Against Daesh", None),
    ("Military Forces of Syria (2000-)", "Syria"),
    ("Military Forces of Nigeria (2015-2023)", "Nigeria"),
    ("Police Forces of Mexico (2018-2024)", "Mexico"),
    ("Military Forces of Russia (2000-)", "Russia"),
    ("", None),
])  # fmt: skip
def test_backfill_acled_perpetrators(actor: str, name: str | None) -> None:
    assert acled_perpetrator(actor) == name


@pytest.mark.parametrize(("actor", "target"), [
    ("Civilians (Iraq)", "civilians"),
    ("Protesters (Iraq)", "civilians"),
    ("Military Forces of Iraq (2020-)", "security_forces"),
    ("Global Coalition Against Daesh", "coalition_forces"),
    ("Military Forces of the United Kingdom (2010-)", "coalition_forces"),
    ("Government of Iraq (2020-)", "government"),
    ("Islamic State (Iraq)", "militants"),
    ("", None),
])  # fmt: skip
def test_backfill_acled_targets(actor: str, target: str | None) -> None:
    assert acled_target(actor) == target


@pytest.mark.parametrize(("actor", "country", "target"), [
    ("Military Forces of Mali (2021-)", "ML", "security_forces"),
    ("Military Forces of Russia (2000-)", "ML", "foreign_forces"),
    ("Military Forces of Russia (2000-)", "UA", "foreign_forces"),
    ("Military Forces of Ukraine (2019-)", "UA", "security_forces"),
    ("Military Forces of the United States (2021-)", "SO", "us_forces"),
])  # fmt: skip
def test_backfill_acled_state_forces_at_home_and_abroad(actor: str, country: str,
                                                        target: str) -> None:
    assert acled_target(actor, country=country) == target


def test_backfill_civilian_targeting_sets_the_target() -> None:
    inc = incident_from_acled(row(actor2="Unidentified Armed Group (Iraq)",
                                  civilian_targeting="Civilian targeting"))  # fmt: skip
    assert inc.target == "civilians"


def test_backfill_reads_an_acled_export_with_skips_and_line_numbers() -> None:
    body = csv_lines(row(), row(event_id_cnty="IRQ1002", sub_event_type="Peaceful protest"),
                     row(event_id_cnty="IRQ1003", event_date="24 July 2020", admin1="Anbar"))
    lines = ["\ufeff" + body[0], *body[1:]]
    out = list(read_backfill(lines))
    assert [type(x).__name__ for x in out] == ["Incident", "Skipped", "Incident"]
    skipped = out[1]
    assert isinstance(skipped, Skipped) and skipped.line == 3 and skipped.reason == "not_violent"
    third = out[2]
    assert isinstance(third, Incident) and third.admin1 == "IQ-AN"


def _incident_line(**overrides: Any) -> str:
    fields: dict[str, Any] = {
        "incident_id": "i1", "event_id": "e1", "article_id": "a1", "event_date": "2024-05-01",
        "date_precision": "day", "country": "IQ", "event_type": "attack", "confidence": 0.8,
        "extractor_version": "x",
    }  # fmt: skip
    fields.update(overrides)
    return Incident(**fields).model_dump_json()


def test_backfill_reads_incident_json_lines_and_reports_bad_ones() -> None:
    lines = ["\n", _incident_line() + "\n", "{not json}\n", "\n",
             _incident_line(event_id="e2", version=2) + "\n",
             '{"event_id": "e3"}\n']  # fmt: skip
    out = list(read_backfill(lines))
    assert [type(x).__name__ for x in out] == ["Incident", "Skipped", "Incident", "Skipped"]
    assert [x.line for x in out if isinstance(x, Skipped)] == [3, 6]
    assert [x.reason for x in out if isinstance(x, Skipped)] == ["not_json", "invalid_incident"]


PREDICTION = ('{"article_id": "a1", "event_id": "e1", "event_date": "2024-03-04", '
              '"date_precision": "day", "country": "IQ", "admin1": "IQ-DI", '
              '"event_type": "attack", "published_at": "2024-03-05", "killed": 2}')  # fmt: skip


def test_backfill_prediction_format_without_sitrep_fields_is_an_incident() -> None:
    (first,) = read_backfill([PREDICTION + "\n"])
    assert isinstance(first, Incident)
    assert (first.event_id, first.admin1, first.killed, first.confidence) == ("e1", "IQ-DI", 2, 1.0)
    assert first.extractor_version == "external"
    # The same line always gets the same id; another line another one.
    (again,) = read_backfill([PREDICTION + "\n"])
    (other,) = read_backfill([PREDICTION.replace("2024-03-04", "2024-03-05") + "\n"])
    assert isinstance(again, Incident) and isinstance(other, Incident)
    assert first.incident_id == again.incident_id != other.incident_id


@pytest.mark.parametrize(("line", "expected"), [
    ('{"event_type": "attack", "event_date": null}', {"date_precision": "unknown",
                                                       "country": None}),
    ('{"event_type": "attack", "event_date": "2024-01-02", "target": "schools"}',
     {"target": None, "date_precision": "day"}),
    ('{"event_type": "attack", "event_date": "2024-01-02", "target": "journalists"}',
     {"target": "journalists", "date_precision": "day"}),  # a SCHEMA v2 class
    ('{"event_type": "attack", "event_date": "2024-01-02", "incident_id": "mine", '
     '"confidence": 0.4}', {"incident_id": "mine", "event_id": "mine", "confidence": 0.4}),
])  # fmt: skip
def test_backfill_prediction_format_defaults(line: str, expected: dict[str, Any]) -> None:
    (item,) = read_backfill([line])
    assert isinstance(item, Incident)
    assert {k: getattr(item, k) for k in expected} == expected


@pytest.mark.parametrize(("line", "reason"), [
    ("[1, 2]", "invalid_incident"),
    ('{"event_type": "picnic", "event_date": "2024-01-02"}', "invalid_incident"),
    ('{"event_type": "attack", "event_date": "yesterday"}', "invalid_incident"),
    ('{"event_type": "attack"', "not_json"),
])  # fmt: skip
def test_backfill_prediction_format_bad_lines_are_skipped_with_reason(line: str,
                                                                      reason: str) -> None:
    out = list(read_backfill(["\n", PREDICTION + "\n", line + "\n"]))
    assert isinstance(out[0], Incident)
    assert isinstance(out[1], Skipped) and (out[1].line, out[1].reason) == (3, reason)


@pytest.mark.parametrize(("lines", "expected"), [
    ([], []),
    (["\n", "  \n"], []),
])  # fmt: skip
def test_backfill_empty_input_yields_nothing(lines: list[str], expected: list[Any]) -> None:
    assert list(read_backfill(lines)) == expected


def test_backfill_unknown_format_is_reported() -> None:
    out = list(read_backfill(["id,date,what\n", "1,2,3\n"]))
    assert len(out) == 1 and isinstance(out[0], Skipped) and out[0].reason == "unknown_format"


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(COLUMNS), st.text(max_size=40), max_size=len(COLUMNS)))
def test_backfill_any_acled_row_is_an_incident_or_a_skip(values: dict[str, str]) -> None:
    try:
        inc = incident_from_acled(row(**values))
    except SkipRecord as skip:
        assert skip.reason
    else:
        assert isinstance(inc, Incident)
