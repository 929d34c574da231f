"""Ambiguous place names read by the article's other places (processors.extract.place_context).

Every sentence here was written for these tests.
"""

from __future__ import annotations

import pytest

from processors.extract.place_context import country_evidence, resolve_places
from processors.extract.places import find_places


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
