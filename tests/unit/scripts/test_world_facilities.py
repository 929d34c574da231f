"""Tests for scripts/world_facilities.py: which airports are kept, their names and units."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))

import world_facilities as wf


def _airport(**kw: Any) -> dict[str, Any]:
    base = {"icao": "XXXX", "iata": "", "name": "", "city": "", "subd": "", "country": "NG",
            "lat": 10.0, "lon": 10.0}
    return {**base, **kw}


@pytest.mark.parametrize(
    ("airport", "kept"),
    [
        (_airport(iata="ABC", name="Tumbaro Airport"), True),
        (_airport(name="Tumbaro Air Base"), True),
        (_airport(name="Tumbaro Army Airfield"), True),
        (_airport(name="Tumbaro Ranch Strip"), False),
    ],
)
def test_world_facilities_keeps_named_and_military_airports(airport: dict[str, Any],
                                                            kept: bool) -> None:
    assert wf.keep(airport) is kept


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Tumbaro International Airport", ["Tumbaro International Airport", "Tumbaro Airport"]),
        ("Sani Bello (Tumbaro) International Airport",
         ["Sani Bello (Tumbaro) International Airport", "Sani Bello International Airport",
          "Tumbaro International Airport", "Sani Bello Airport", "Tumbaro Airport"]),
        ("Aeroparque Tumbaro", []),  # no facility word: it would take a town's key
    ],
)
def test_world_facilities_official_names(name: str, expected: list[str]) -> None:
    assert wf.official_names(name) == expected


@pytest.mark.parametrize(
    ("name", "stem"),
    [("Tumbaro Air Base", "Tumbaro"), ("Al Kuwayr Airbase", "Al Kuwayr"),
     ("Tumbaro Army Air Field", "Tumbaro"), ("Tumbaro", None)],
)
def test_world_facilities_stem_of_a_base(name: str, stem: str | None) -> None:
    assert wf.stem(name) == stem


def _subs() -> dict[str, list[Any]]:
    return {"NG": [SimpleNamespace(code="NG-BO", name="Borno", parent_code=None),
                   SimpleNamespace(code="NG-YO", name="Yobe", parent_code=None)]}


def _match(name: str, subs: list[Any], *, taken: set[str]) -> str | None:
    return next((s.code for s in subs if s.name == name), None)


def test_world_facilities_unit_from_subdivision_name_then_nearest_town() -> None:
    towns = [{"cc": "NG", "lat": 11.75, "lon": 11.96, "a1": "NG-YO"}]
    airports = {
        "A": _airport(icao="A", iata="AAA", name="Tumbaro Airport", subd="Borno",
                      lat=11.8, lon=12.0),
        "B": _airport(icao="B", iata="BBB", name="Gashua Airport", lat=11.8, lon=12.0),
        "C": _airport(icao="C", iata="CCC", name="Far Airport", lat=5.0, lon=5.0),
    }
    records, how = wf.build_airports(airports, towns, _subs(), {"NG": {"NG-BO", "NG-YO"}},
                                     _match)
    units = {r["icao"]: r["a1"] for r in records}
    assert units == {"A": "NG-BO", "B": "NG-YO", "C": None}
    assert how == {"subdivision name": 1, "nearest town": 1, "none": 1}


def test_world_facilities_city_names_go_to_the_main_civil_airport() -> None:
    airports = {
        "A": _airport(icao="A", iata="AAA", name="Tumbaro International Airport",
                      city="Tumbaro"),
        "B": _airport(icao="B", iata="BBB", name="Tumbaro Air Force Base", city="Tumbaro"),
    }
    records, _ = wf.build_airports(airports, [], _subs(), {}, _match)
    names = {r["icao"]: r["names"] for r in records}
    assert "Tumbaro airport" in names["A"] and "Tumbaro's airport" in names["A"]
    assert not any(n.startswith("Tumbaro airport") for n in names["B"])
    assert next(r for r in records if r["icao"] == "B")["stems"] == ["Tumbaro"]
