"""The world data file: every country, its first-level units and towns mapped to ISO 3166-2."""

from __future__ import annotations

import pycountry
import pytest

from processors.extract.places import find_places
from processors.extract.world import admin1_level, demonyms, state_name, world


def test_world_holds_every_iso_country() -> None:
    assert {c.alpha_2 for c in pycountry.countries} <= set(world().countries)


def test_world_towns_admin1_codes_are_iso_and_of_their_country() -> None:
    valid = {s.code for s in pycountry.subdivisions}
    bad = [(p["name"], p["a1"]) for p in world().places
           if p["a1"] is not None and (p["a1"] not in valid or not p["a1"].startswith(p["cc"]))]
    assert not bad


def test_world_admin1_mapping_covers_most_towns() -> None:
    places = world().places
    mapped = sum(1 for p in places if p["a1"])
    assert mapped / len(places) > 0.9


@pytest.mark.parametrize(
    ("code", "name"),
    [("RU", "Russia"), ("CD", "DR Congo"), ("IR", "Iran"), ("SY", "Syria"), ("US", "United States"),
     ("TR", "Turkey"), ("MM", "Myanmar"), ("NG", "Nigeria"), ("CI", "Ivory Coast")],
)
def test_world_state_short_names(code: str, name: str) -> None:
    assert state_name(code) == name


@pytest.mark.parametrize(
    ("adjective", "code"),
    [("nigerian", "NG"), ("malian", "ML"), ("burkinabe", "BF"), ("filipino", "PH"),
     ("burmese", "MM"), ("afghan", "AF"), ("somali", "SO"), ("nigerien", "NE")],
)
def test_world_demonyms_name_their_country(adjective: str, code: str) -> None:
    assert demonyms()[adjective] == code


def test_world_admin1_level_of_a_lower_unit_is_its_first_level_parent() -> None:
    assert admin1_level("FR-75C") == "FR-IDF"  # Paris, a unit of Ile-de-France
    assert admin1_level("IQ-AR") == "IQ-AR"  # Erbil is Iraq's first level, not IQ-KR


@pytest.mark.parametrize(
    ("text", "country", "admin1"),
    [
        ("Clashes were reported in Kismayo on Friday.", "SO", "SO-JH"),
        ("An attack hit Bunia on Friday.", "CD", "CD-IT"),
        ("Drones struck Kharkiv on Friday.", "UA", "UA-63"),
        ("A bomb went off in Quetta on Friday.", "PK", "PK-BA"),
        ("Gunmen opened fire in Culiacan on Friday.", "MX", "MX-SIN"),
        ("Fighting spread to Kandahar province on Friday.", "AF", "AF-KAN"),
        ("Troops moved into Borno state on Friday.", "NG", "NG-BO"),
        ("Shelling hit the Donetsk region on Friday.", "UA", "UA-14"),
    ],
)
def test_world_towns_and_units_get_their_iso_3166_2_code(text: str, country: str,
                                                         admin1: str) -> None:
    found = [(p.country, p.admin1) for p in find_places(text)]
    assert (country, admin1) in found


@pytest.mark.parametrize("text", ["Some officials said nothing.", "Police said the road was shut.",
                                  "Most of them left.", "Orange smoke rose over the hill."])
def test_world_english_words_are_not_small_towns(text: str) -> None:
    assert find_places(text) == []
