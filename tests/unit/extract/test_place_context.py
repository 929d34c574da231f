"""Ambiguous place names read by the article's other places (processors.extract.place_context).

Every sentence here was written for these tests.
"""

from __future__ import annotations

import pytest

from processors.extract.place_context import country_evidence, resolve_places, without_datelines
from processors.extract.places import find_places
from processors.text.fold import fold


def _resolved(text: str) -> list[tuple[str, str, str | None]]:
    return [(p.text, p.country, p.admin1) for p in resolve_places(find_places(text))]


@pytest.mark.parametrize(
    ("text", "name", "country"),
    [
        # Paris alone is the French capital; with Texas around it, the Texan town.
        ("Officers in Paris said a man fired at a crowd.", "Paris", "FR"),
        ("Deputies in Lamar County, Texas, said shots were fired in Paris overnight.",
         "Paris", "US"),
        # Georgia the country, or the American state.
        ("Tbilisi said troops in Georgia were on alert.", "Georgia", "GE"),
        ("A gunman opened fire in Atlanta, Georgia, on Sunday.", "Georgia", "US"),
    ],
)
def test_place_context_ambiguous_name_takes_the_story_country(text: str, name: str,
                                                               country: str) -> None:
    found = {t: c for t, c, _ in _resolved(text)}
    assert found[name] == country


def test_place_context_niger_state_in_a_nigerian_story() -> None:
    text = ("MINNA, Nigeria - Gunmen attacked a village in Niger State, police in Nigeria "
            "said.")
    found = [(p.text, p.country, p.admin1, p.kind) for p in resolve_places(find_places(text))]
    assert ("Niger State", "NG", "NG-NI", "province") in found


def test_place_context_dateline_outweighs_a_single_foreign_name() -> None:
    text = "MAIDUGURI, Nigeria - Insurgents who trained in Mali attacked Konduga."
    votes = country_evidence(find_places(text))
    assert votes.most_common(1)[0][0] == "NG"


def test_place_context_unsupported_small_town_is_dropped_not_guessed() -> None:
    # A village name found only abroad, in a story plainly set in Mali: no guessed town.
    places = find_places("BAMAKO, Mali - Soldiers were ambushed in Mopti region near Boni.")
    resolved = resolve_places(places)
    assert all(p.country == "ML" for p in resolved)


def test_place_context_no_places_is_a_no_op() -> None:
    assert resolve_places([]) == []


@pytest.mark.parametrize(
    ("text", "dropped"),
    [
        # A village known only abroad (a Yemeni Tawila), in a story plainly set in Sudan.
        ("KHARTOUM, Sudan - Shells hit Omdurman and Tawila on Monday.", "Tawila"),
        # A unit named bare, of a country nothing else in the story points to.
        ("KHARTOUM, Sudan - Shells hit Omdurman and El Fasher, a source in Wasit said.",
         "Wasit"),
    ],
)
def test_place_context_stray_foreign_name_is_dropped(text: str, dropped: str) -> None:
    resolved = resolve_places(find_places(text))
    assert dropped not in {p.text for p in resolved}
    assert {p.country for p in resolved} == {"SD"}


def test_place_context_foreign_unit_named_as_a_unit_is_kept() -> None:
    text = "KHARTOUM, Sudan - Shells hit Omdurman and El Fasher, a source in Wasit province said."
    assert ("Wasit province", "IQ", "IQ-WA") in _resolved(text)


def _venues(text: str) -> list[str]:
    places = resolve_places(find_places(text))
    return [p.text for p in without_datelines(places, fold(text), [(0, len(text))])]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # The dateline says where the story was filed; the sentence names where it happened.
        ("NIAMEY, Niger (AP) -- Gunmen seized six aid workers in Dakoro on Sunday.", ["Dakoro"]),
        ("GAROWE, Puntland - A roadside bomb hit a convoy in northern Mudug on Friday.",
         ["northern Mudug"]),
        ("NIAMEY, Feb 3 (Reuters) - Gunmen seized aid workers in Dakoro.", ["Dakoro"]),
        # A dateline alone in its sentence stays the only place it has.
        ("NIAMEY, Niger (AP) -- Gunmen seized six aid workers on Sunday.", ["NIAMEY", "Niger"]),
        # Not a dateline: the place is not the sentence's first words, or words follow it.
        ("Officials in Niamey -- the capital -- said gunmen struck Dakoro.",
         ["Niamey", "Dakoro"]),
        ("Niamey said on Sunday - as gunmen struck Dakoro - that it would act.",
         ["Niamey", "Dakoro"]),
    ],
)
def test_place_context_dateline_is_no_venue_where_the_sentence_names_one(
        text: str, kept: list[str]) -> None:
    assert _venues(text) == kept
