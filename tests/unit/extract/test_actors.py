"""Actor aliases, target cues and who-did-what-to-whom roles."""

from __future__ import annotations

import pytest

from processors.extract.actors import find_actors, find_targets
from processors.extract.events import find_triggers
from processors.extract.roles import attacker_of
from processors.extract.targets import target_of
from processors.text.fold import fold


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("ISIS", "Islamic State"),
        ("Daesh", "Islamic State"),
        ("ISIL", "Islamic State"),
        ("Islamic State sleeper cells", "Islamic State"),
        ("Kataib Hezbollah", "Kata'ib Hezbollah"),
        ("Kata’ib Hizbollah", "Kata'ib Hezbollah"),
        ("Kata'ib Hizballah", "Kata'ib Hezbollah"),
        ("the Islamic Resistance of Iraq", "Islamic Resistance in Iraq"),
        ("Asa’ib Ahl al-Haq", "Asa'ib Ahl al-Haq"),
        ("Harakat al-Nujaba", "Harakat al-Nujaba"),
        ("Hashd al-Shaabi", "Popular Mobilization Forces"),
        ("PMU", "Popular Mobilization Forces"),
        ("Iran-backed militias", "Iran-backed militias"),
        ("pro-Iranian factions", "Iran-backed militias"),
        ("groups allied with Iran", "Iran-backed militias"),
        ("the Quds Force", "Iran"),
        ("IRGC", "Iran"),
        ("US", "United States"),
        ("American warplanes", "United States"),
        ("Iraqi security forces", "Iraq"),
        ("the counter-terrorism service", "Iraq"),
        ("Houthi rebels", "Houthis"),
        ("Hamas", "Hamas"),
        ("the IDF", "Israel"),
        ("Turkish drones", "Turkey"),
        ("PKK fighters", "PKK"),
    ],
)
def test_actors_aliases_are_canonical(text: str, name: str) -> None:
    assert [a.name for a in find_actors(fold(text)) if a.name] == [name]


@pytest.mark.parametrize("text", ["this is it", "tell us more", "an American teacher"])
def test_actors_common_words_are_not_actors(text: str) -> None:
    named = [a.name for a in find_actors(fold(text)) if a.name]
    assert "Islamic State" not in named and (named == [] or text.startswith("an American"))


def _roles(text: str) -> tuple[str | None, str | None, str | None]:
    folded = fold(text)
    triggers = find_triggers(folded)
    trigger = max(triggers, key=lambda t: t.weight)
    actors = find_actors(folded)
    agent = attacker_of(folded, trigger, actors, lo=0, hi=len(folded))
    target = target_of(
        folded,
        triggers,
        find_targets(folded),
        actors,
        [],
        country="IQ",
        exclude=agent.actor if agent else None,
        lo=0,
        hi=len(folded),
    )
    if agent is None or agent.actor.name is None:
        return None, None, target
    return agent.actor.name, agent.attribution, target


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Islamic State militants ambushed an army patrol",
            ("Islamic State", "stated", "security_forces"),
        ),
        (
            "a roadside bomb claimed by Islamic State hit a police convoy",
            ("Islamic State", "claimed", "security_forces"),
        ),
        (
            "the rocket attack on the US embassy was blamed on Kata'ib Hezbollah",
            ("Kata'ib Hezbollah", "blamed", "diplomatic"),
        ),
        (
            "a US air strike hit a Kata'ib Hezbollah weapons depot",
            ("United States", "stated", "militants"),
        ),
        ("police said gunmen shot dead a shopkeeper in his store", (None, None, "civilians")),
        ("US forces came under attack", (None, None, "us_forces")),
        ("militants blew up power lines", (None, None, "infrastructure")),
        ("gunmen stormed the provincial council building", (None, None, "government")),
    ],
)
def test_actors_roles_from_word_order(text: str, expected: tuple[str | None, ...]) -> None:
    assert _roles(text) == expected


@pytest.mark.parametrize("country", ["IQ", "SY", "NG", "ML"])
def test_actors_soldiers_are_security_forces_wherever_it_happened(country: str) -> None:
    # SCHEMA v2: the army and police of the state where it happened, in any country.
    folded = fold("a roadside bomb killed two soldiers")
    triggers = find_triggers(folded)
    cues = find_targets(folded)
    args = dict(exclude=None, lo=0, hi=len(folded))
    assert (
        target_of(folded, triggers, cues, [], [], country=country, **args) == "security_forces"
    )  # type: ignore[arg-type]




@pytest.mark.parametrize(("text", "target"), [
    # people named by nationality, from the world gazetteer's demonyms and a few irregulars
    ("three Kenyans", "civilians"),
    ("two Bangladeshis", "civilians"),
    ("four Danes", "civilians"),
    # crowds and the places they gather
    ("the worshipers", "civilians"),
    ("a concert hall", "civilians"),
    ("the bus station", "civilians"),
    ("dozens of commuters", "civilians"),
    # units of an army, and the armed groups they fight
    ("the 5th Infantry Division", "security_forces"),
    ("the brigade headquarters", "security_forces"),
    ("rebel positions", "militants"),
    # telecoms masts are infrastructure
    ("a mobile phone antenna tower", "infrastructure"),
])
def test_actors_target_cues_name_their_class(text: str, target: str) -> None:
    assert [c.target for c in find_targets(fold(text))] == [target]
