"""World actors: groups and branches, state forces from demonyms, place forces, local attackers.

Every sentence here was written for these tests.
"""

from __future__ import annotations

import datetime as dt

import pytest

from processors.extract.actors import find_actors
from processors.extract.pipeline import extract_incidents
from processors.extract.world_actors import PLACE_FORCES, bind_place_forces, phrase_count
from processors.models import Article
from processors.text.fold import fold


def _names(text: str) -> list[str | None]:
    return [m.name for m in find_actors(fold(text))]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("ISWAP fighters raided the camp.", "Islamic State West Africa Province"),
        ("Islamic State West Africa claimed it.", "Islamic State West Africa Province"),
        ("Fighters of Jama'at Nusrat al-Islam wal-Muslimin came at dawn.", "JNIM"),
        ("Jamaat Nusrat al-Islam wal-Muslimin denied it.", "JNIM"),
        ("Al-Shabab said it was behind the blast.", "al-Shabaab"),
        ("The TTP claimed the bombing.", "Tehrik-i-Taliban Pakistan"),
        ("The Pakistani Taliban claimed the bombing.", "Tehrik-i-Taliban Pakistan"),
        ("ISIS-K said it sent the bomber.", "Islamic State Khorasan Province"),
        ("The Islamic State group said it sent the bomber.", "Islamic State"),
        ("Boko Haram insurgents burned the market.", "Boko Haram"),
        ("Clan del Golfo gunmen blocked the road.", "Clan del Golfo"),
        ("The CJNG left a message.", "Jalisco New Generation Cartel"),
        ("M23 rebels took the hill.", "M23"),
    ],
)
def test_world_actors_groups_and_branches_named_as_written(text: str, name: str) -> None:
    assert name in _names(text)


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("Nigerian troops repelled the raid.", "Nigeria"),
        ("The Malian army said it lost four men.", "Mali"),
        ("Russian forces shelled the town.", "Russia"),
        ("The Tatmadaw bombed the monastery.", "Myanmar"),
        ("Burkinabe soldiers were ambushed.", "Burkina Faso"),
        ("Congolese troops and FARDC officers fled.", "DR Congo"),
        ("The Pakistan Army said five soldiers died.", "Pakistan"),
        ("Ukrainian drones hit a depot.", "Ukraine"),
        ("Somali National Army units advanced.", "Somalia"),
    ],
)
def test_world_actors_state_forces_from_demonyms_and_institutions(text: str, state: str) -> None:
    assert state in _names(text)


@pytest.mark.parametrize("text", ["Bandits stormed the village.", "Herders attacked farmers.",
                                  "Armed gangs blocked the road."])
def test_world_actors_local_descriptions_name_no_group(text: str) -> None:
    names = _names(text)
    assert names and all(n is None for n in names)


def test_world_actors_place_forces_bound_to_the_story_state() -> None:
    mentions = find_actors(fold("Police said the gunmen fled."))
    police = [m for m in mentions if m.name == PLACE_FORCES]
    assert police
    bound = bind_place_forces(mentions, "MX")
    assert "Mexico" in [m.name for m in bound]
    assert PLACE_FORCES not in [m.name for m in bind_place_forces(mentions, None)]


def test_world_actors_automaton_holds_thousands_of_phrases() -> None:
    assert phrase_count() > 10_000


def _incidents(body: str) -> list[tuple[str | None, str | None, str | None, str | None]]:
    article = Article(id="t", published_at=dt.date(2024, 6, 12), body=body)
    return [(i.country, i.admin1, i.perpetrator, i.target) for i in extract_incidents(article)]


def test_world_actors_a_nigerian_report_gives_a_nigerian_incident() -> None:
    body = ("DAMATURU, Nigeria - Boko Haram fighters killed nine farmers in Geidam in Yobe "
            "State on Tuesday, a local official said.")
    assert ("NG", "NG-YO", "Boko Haram", "civilians") in _incidents(body)


def test_world_actors_state_forces_attacked_abroad_are_foreign_forces() -> None:
    body = ("BAMAKO, Mali - Russian troops were ambushed near Gao on Monday, killing three "
            "of them, Malian officials said.")
    assert any(t == "foreign_forces" for *_, t in _incidents(body))


def test_world_actors_bandits_stay_unattributed() -> None:
    body = ("GUSAU, Nigeria - Bandits killed twelve villagers in Zamfara State on Sunday, "
            "police said.")
    found = _incidents(body)
    assert found and all(p is None for _, _, p, _ in found)


@pytest.mark.parametrize(("text", "name"), [
    ("a Nigerien drone", "Niger"),
    ("Sudanese air strikes", "Sudan"),
    ("Russian shelling", "Russia"),
])
def test_world_actors_a_states_weapon_names_the_state(text: str, name: str) -> None:
    assert [a.name for a in find_actors(fold(text)) if a.name] == [name]
