"""The resolve-roles stage: which clauses stand for an event, and the type a weapon gives."""

from __future__ import annotations

import datetime as dt

import pytest

from processors.extract.events import find_triggers
from processors.extract.pipeline import extract_incidents
from processors.extract.roles import instrument_of
from processors.models import Article
from processors.text.fold import fold

PUBLISHED = dt.date(2023, 5, 10)


def _killed(body: str) -> list[int | None]:
    article = Article(id="t", published_at=PUBLISHED, title=None, body=body)
    return [i.killed for i in extract_incidents(article)]


@pytest.mark.parametrize("body", [
    "At least 412 civilians were killed by acts of violence in Iraq in April, the United Nations "
    "said on Sunday.",
    "Over 400 Iraqis killed by violence in April",
    "A total of 1,366 civilians were killed and 2,446 injured in Iraq in the first half of 2023, "
    "the UN mission said.",
    "At least 300 people have been killed in Iraq in the past month, according to casualty "
    "figures.",
])
def test_roles_casualty_tallies_over_a_period_are_no_incident(body: str) -> None:
    assert _killed(body) == []


@pytest.mark.parametrize(("body", "killed"), [
    ("A car bomb killed 120 people at a market in Baghdad in April, police said.", [120]),
    ("At least 12 people were killed in Baghdad on Tuesday, police said.", [12]),
])
def test_roles_an_event_with_a_toll_stays(body: str, killed: list[int]) -> None:
    assert _killed(body) == killed


def _types(body: str) -> list[str]:
    article = Article(id="t", published_at=PUBLISHED, title=None, body=body)
    return [i.event_type for i in extract_incidents(article)]


@pytest.mark.parametrize(("body", "event_type"), [
    ("A commander was killed in an attack by a Turkish drone near Mosul on Tuesday.",
     "air_drone_strike"),
    ("Three people were killed after their car was hit by a suspected drone in Kirkuk on "
     "Tuesday.", "air_drone_strike"),
    ("Two soldiers were killed by a rocket near Mosul on Tuesday.",
     "shelling_artillery_missile"),
    ("Two policemen were killed by a bomb hidden in a cart in Basra on Tuesday.",
     "remote_explosive_ied"),
    # the weapon of another phrase does not type this one
    ("Gunmen killed two men near Mosul on Tuesday, police said, adding that the area was later "
     "hit by mortars.", "attack"),
    # a trigger that names its own act keeps its type
    ("A suicide bomber killed six people at a market in Kirkuk on Tuesday, hit by a drone "
     "days before.", "suicide_bomb"),
])
def test_roles_weapon_after_by_types_a_generic_attack(body: str, event_type: str) -> None:
    assert _types(body) == [event_type]


@pytest.mark.parametrize(("text", "expected"), [
    ("killed in an attack by two drones", "air_drone_strike"),
    ("killed in an attack by gunmen", None),
    ("killed in an attack, then hit by a missile", None),
])
def test_roles_instrument_of(text: str, expected: str | None) -> None:
    folded = fold(text)
    assert instrument_of(folded, find_triggers(folded), len(folded)) == expected
