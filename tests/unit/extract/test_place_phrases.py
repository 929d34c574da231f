"""Tests for processors.extract.place_phrases: the phrases that make a town a facility.

Bases, camps and border crossings have no offline data source, so a phrase naming one
("the Mora military base", "the airport in Baidoa") is a facility at the town it names;
a facility at a place the gazetteer does not know gives nothing (country-only precision).
Sentences are written for the project.
"""

from __future__ import annotations

import pytest

from processors.extract.places import PlaceMatch, find_places


def _only(text: str) -> PlaceMatch:
    found = [p for p in find_places(text) if p.kind != "country"]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "written", "admin1"),
    [
        # bases
        ("Insurgents overran the Mora military base at dawn.", "Mora military base", "CM-EN"),
        ("A rocket landed inside the Kaduna army barracks.", "Kaduna army barracks", "NG-KD"),
        ("Gunmen attacked a military base near Mora on Sunday.", "military base near Mora",
         "CM-EN"),
        ("The garrison in Gao came under mortar fire.", "garrison in Gao", "ML-7"),
        # camps
        ("Two aid workers were shot in the Dadaab refugee camp.", "Dadaab refugee camp", "KE-07"),
        ("Attackers set fire to the IDP camp outside Maiduguri.", "IDP camp outside Maiduguri",
         "NG-BO"),
        ("A grenade was thrown into the camp at Bentiu overnight.", "camp at Bentiu", None),
        # crossings
        ("Shelling closed the Chaman border crossing.", "Chaman border crossing", "PK-BA"),
        ("Soldiers at the checkpoint in Baquba were wounded.", "checkpoint in Baquba", "IQ-DI"),
        # airports by phrase, where the town has no airport of its own in the data
        ("Mortars fell on the airport in Dhusamareb.", "airport in Dhusamareb", "SO-GA"),
    ],
)
def test_place_phrases_facility_at_the_named_town(text: str, written: str,
                                                  admin1: str | None) -> None:
    match = _only(text)
    assert match.kind == "facility"
    assert match.place == written
    if admin1 is not None:
        assert match.admin1 == admin1


@pytest.mark.parametrize(
    ("text", "precision"),
    [
        ("Gunmen attacked a military base near Mora.", 2),
        ("Gunmen attacked a military base outside Mora.", 2),
        ("Gunmen attacked the military base in Mora.", 1),
        ("Gunmen attacked the Mora military base.", 1),
    ],
)
def test_place_phrases_facility_near_a_town_is_less_precise(text: str, precision: int) -> None:
    assert _only(text).geo_precision == precision


@pytest.mark.parametrize(
    "text",
    [
        "Trucks waited for days at the Zorbatiya-Qalunta border crossing.",
        "Families fled to the Qoqolo camp for displaced people.",
    ],
)
def test_place_phrases_facility_at_an_unknown_place_gives_no_town(text: str) -> None:
    assert [p for p in find_places(text) if p.kind in ("city", "facility")] == []


def test_place_phrases_town_without_facility_word_stays_a_town() -> None:
    match = _only("Gunmen attacked a market in Mora on Sunday.")
    assert (match.kind, match.place, match.admin1) == ("city", "Mora", "CM-EN")


@pytest.mark.parametrize(
    ("text", "capital", "admin1"),
    [
        ("A car bomb shook a hotel in Kenya's capital on Friday.", "Nairobi", "KE-30"),
        ("Gunmen stormed a restaurant in the Malian capital.", "Bamako", "ML-BKO"),
        ("Two blasts hit a market in the capital of Somalia.", "Mogadishu", "SO-BN"),
        ("Police academy bombed in Colombia capital", "Bogota", "CO-DC"),
    ],
)
def test_place_phrases_a_country_capital_is_its_capital_town(text: str, capital: str,
                                                             admin1: str) -> None:
    match = _only(text)
    assert (match.kind, match.place, match.admin1) == ("city", capital, admin1)


def test_place_phrases_capital_without_a_country_names_no_town() -> None:
    assert find_places("Investors fear a capital gains tax in the capital.") == []


def test_place_phrases_capital_beside_its_own_name_adds_no_place() -> None:
    # Regression: "the Somali capital" after "Mogadishu" refers back; it made a second event.
    text = ("A bomb tore through a market in Mogadishu on Monday, the worst attack in the "
            "Somali capital this year.")
    assert [p.text for p in find_places(text)] == ["Mogadishu"]
