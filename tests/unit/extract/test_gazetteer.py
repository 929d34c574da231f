"""Tests for processors.extract.gazetteer: the place data files and the index built from them."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pycountry
import pytest

from processors.errors import RulesError
from processors.extract.gazetteer import _FILES, _compile, gazetteer
from processors.extract.places import find_places
from processors.extract.world import world
from processors.text.fold import name_key
from processors.text.rules import read_data_file


def _raw() -> dict[str, dict[str, Any]]:
    return {name: read_data_file(name) for name in _FILES}


def _data(name: str) -> dict[str, Any]:
    text = resources.files("processors.data").joinpath(f"{name}.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@pytest.mark.parametrize("name", _FILES)
def test_gazetteer_every_data_file_has_a_version(name: str) -> None:
    assert isinstance(_data(name)["version"], str) and _data(name)["version"]


@pytest.mark.parametrize(
    ("name", "mutate"),
    [
        ("places_extra", lambda d: d["places"][0].pop("lat")),
        ("places_extra", lambda d: d["places"][0].update(kind="castle")),
        ("places_extra", lambda d: d["places"][0].update(admin1="IQ-ZZ")),
        ("places_extra", lambda d: d["places"][0].update(suffixes="bridge")),
        ("provinces", lambda d: d["provinces"].update({"US-TX": {"names": ["Texas"]}})),
        ("places_rules", lambda d: d.pop("words")),
        ("places_countries", lambda d: d.pop("weights")),
    ],
)
def test_gazetteer_malformed_data_raises_rules_error(name: str, mutate: Any) -> None:
    raw = copy.deepcopy(_raw())
    mutate(raw[name])
    with pytest.raises(RulesError):
        _compile(raw)


def test_gazetteer_missing_file_raises_rules_error() -> None:
    with pytest.raises(RulesError):
        read_data_file("no_such_file")


def _valid_codes() -> set[str]:
    return {s.code for s in pycountry.subdivisions}


def test_gazetteer_every_admin1_is_an_iso_3166_2_code() -> None:
    valid = _valid_codes()
    bad = {
        (key, e.admin1)
        for key, entries in gazetteer().index.items()
        for e in entries
        if e.admin1 is not None and e.admin1 not in valid
    }
    assert not bad


def test_gazetteer_admin1_codes_belong_to_their_country() -> None:
    bad = {
        (key, e.country, e.admin1)
        for key, entries in gazetteer().index.items()
        for e in entries
        if e.admin1 is not None and not e.admin1.startswith(e.country + "-")
    }
    assert not bad


def _country_boxes() -> dict[str, tuple[float, float, float, float]]:
    boxes: dict[str, list[float]] = {}
    for rec in world().places:
        box = boxes.setdefault(rec["cc"], [90.0, -90.0, 180.0, -180.0])
        box[0], box[1] = min(box[0], rec["lat"]), max(box[1], rec["lat"])
        box[2], box[3] = min(box[2], rec["lon"]), max(box[3], rec["lon"])
    # Towns stop short of the borders, where bases and crossings lie: allow 1.5 degrees.
    return {cc: (b[0] - 1.5, b[1] + 1.5, b[2] - 1.5, b[3] + 1.5) for cc, b in boxes.items()}


@pytest.mark.parametrize("entry", _data("places_extra")["places"], ids=lambda e: e["name"])
def test_gazetteer_extra_coordinates_lie_in_their_country(entry: dict[str, Any]) -> None:
    south, north, west, east = _country_boxes()[entry["country"]]
    assert south <= entry["lat"] <= north and west <= entry["lon"] <= east


@pytest.mark.parametrize(
    ("code", "capital"),
    [
        (code, name)
        for code, raw in _data("provinces")["provinces"].items()
        for name in raw.get("capital_names", [])
    ],
)
def test_gazetteer_capital_names_alone_mean_the_city(code: str, capital: str) -> None:
    candidates = gazetteer().index[name_key(capital)]
    assert candidates[0].kind == "city"
    assert any(e.kind == "province" and e.admin1 == code for e in candidates)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Mosul", "IQ-NI"),
        ("Ramadi", "IQ-AN"),
        ("Tikrit", "IQ-SD"),
        ("Baquba", "IQ-DI"),
        ("Samarra", "IQ-SD"),
        ("Tal Afar", "IQ-NI"),
        ("Qayyarah", "IQ-NI"),
        ("Rutba", "IQ-AN"),
        ("Haditha", "IQ-AN"),
        ("Sinjar", "IQ-NI"),
        ("Khanaqin", "IQ-DI"),
        ("Zakho", "IQ-DA"),
        ("Halabja", "IQ-SU"),
        ("Nasiriyah", "IQ-DQ"),
        ("Kut", "IQ-WA"),
        ("Hilla", "IQ-BB"),
        ("Qamishli", "SY-HA"),
        ("Manbij", "SY-HL"),
        ("Kobani", "SY-HL"),
        ("Palmyra", "SY-HI"),
        ("Mayadin", "SY-DY"),
        ("Douma", "SY-RD"),
        ("Ras al-Ain", "SY-HA"),
        ("Tabqa", "SY-RA"),
        ("Tyre", "LB-JA"),
        ("Baalbek", "LB-BH"),
        ("Eilat", "IL-D"),
        ("Sderot", "IL-D"),
        ("Khan Younis", "PS-KYS"),
        ("Jenin", "PS-JEN"),
        ("Hodeidah", "YE-HU"),
        ("Marib", "YE-MA"),
    ],
)
def test_gazetteer_conflict_towns_resolve_to_their_province(name: str, code: str) -> None:
    found = find_places(f"Fighting was reported in {name} on Friday.")
    assert [(m.kind, m.admin1) for m in found] == [("city", code)]


@pytest.mark.parametrize(
    ("name", "country", "admin1"),
    [("United States", "US", None), ("Washington", "US", "US-DC"), ("Russia", "RU", None),
     ("Moscow", "RU", "RU-MOW"), ("London", "GB", "GB-ENG"), ("Paris", "FR", "FR-IDF"),
     ("China", "CN", None), ("Maiduguri", "NG", "NG-BO"), ("Mogadishu", "SO", "SO-BN"),
     ("Kandahar", "AF", "AF-KAN"), ("Culiacan", "MX", "MX-SIN"), ("Bamako", "ML", "ML-BKO")],
)
def test_gazetteer_holds_the_whole_world(name: str, country: str, admin1: str | None) -> None:
    top = gazetteer().index[name_key(name)][0]
    assert (top.country, top.admin1) == (country, admin1)


@pytest.mark.parametrize("group", ["never", "ambiguous", "blocked"])
def test_gazetteer_stop_list_entries_are_unique(group: str) -> None:
    names = _data("places_rules")[group]
    assert len(names) == len(set(names))


# -- airports and air bases (airportsdata, through the world file) ---------------------------


@pytest.mark.parametrize(
    ("text", "country", "admin1"),
    [
        ("Gunmen fired at a plane on the runway of Maiduguri International Airport.", "NG",
         "NG-BO"),
        ("Flights were cancelled after shells hit Kano airport.", "NG", "NG-KN"),
        ("A mortar round landed on Aden Adde International Airport.", "SO", "SO-BN"),
        ("Rockets struck Bagram airbase overnight.", "AF", "AF-PAR"),
        ("Drones were shot down over Kabul's airport.", "AF", "AF-KAB"),
        ("A car bomb exploded at the gate of Jinnah International Airport.", "PK", "PK-SD"),
        ("Passengers were evacuated from Yangon International Airport.", "MM", "MM-06"),
    ],
)
def test_gazetteer_airports_from_package_resolve_to_their_unit(text: str, country: str,
                                                               admin1: str) -> None:
    facilities = [p for p in find_places(text) if p.kind == "facility"]
    assert len(facilities) == 1, facilities
    assert (facilities[0].country, facilities[0].admin1, facilities[0].geo_precision) == (
        country, admin1, 1)


def test_gazetteer_airport_name_never_takes_a_town_key() -> None:
    # Every generated airport name holds a facility word, so "Maiduguri" stays the town.
    match = [p for p in find_places("Gunmen attacked Maiduguri on Monday.") if p.kind != "country"]
    assert [(m.kind, m.place) for m in match] == [("city", "Maiduguri")]


def test_gazetteer_hand_written_facility_outranks_the_package() -> None:
    # The hand-checked Ain al-Asad entry names the base as analysts know it.
    match = next(p for p in find_places("Rockets hit Al Asad air base.") if p.kind == "facility")
    assert match.place == "Ain al-Asad air base"


def test_gazetteer_airports_carry_iso_units_of_their_country() -> None:
    valid = {s.code for s in pycountry.subdivisions}
    facilities = world().facilities
    assert len(facilities) > 5000
    bad = [(f["name"], f["a1"]) for f in facilities
           if f["a1"] is not None and (f["a1"] not in valid or not f["a1"].startswith(f["cc"]))]
    assert not bad
    assert sum(1 for f in facilities if f["a1"]) / len(facilities) > 0.85
