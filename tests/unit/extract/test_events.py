"""Trigger lexicon: ACLED sub-event types, and the cues that cancel a trigger."""

from __future__ import annotations

import datetime as dt

import pytest

from processors.extract.events import (
    accidental,
    cancelled_by,
    find_cues,
    find_triggers,
    names_a_day,
)
from processors.extract.pipeline import extract_incidents
from processors.models import Article
from processors.text.fold import fold
from processors.text.indexed import Indexed


def _top(text: str) -> str:
    triggers = find_triggers(fold(text))
    assert triggers, text
    return max(triggers, key=lambda t: t.weight).type


@pytest.mark.parametrize(
    ("text", "event_type"),
    [
        ("Katyusha rockets were fired at the base", "shelling_artillery_missile"),
        ("militants launched a barrage of mortars at the checkpoint", "shelling_artillery_missile"),
        ("Turkish artillery shelled villages", "shelling_artillery_missile"),
        ("an air strike hit a convoy", "air_drone_strike"),
        ("a drone packed with explosives struck the airport", "air_drone_strike"),
        ("warplanes bombed positions in the desert", "air_drone_strike"),
        ("a suicide bomber blew himself up at a checkpoint", "suicide_bomb"),
        ("a roadside bomb exploded near a patrol", "remote_explosive_ied"),
        ("a car bomb ripped through the market", "remote_explosive_ied"),
        ("men hurled a grenade at the shop", "grenade"),
        ("gunmen stormed the council building", "attack"),
        ("a judge was assassinated in his car", "attack"),
        ("the patrol was ambushed near the border", "armed_clash"),
        ("clashes broke out between the army and militants", "armed_clash"),
        ("two engineers were kidnapped", "abduction"),
        ("saboteurs blew up electricity pylons", "property_destruction"),
        ("the militants torched a wheat field", "property_destruction"),
        ("police seized a cache of weapons and explosives", "disrupted_weapons_use"),
        ("army engineers defused an IED", "disrupted_weapons_use"),
    ],
)
def test_events_trigger_types(text: str, event_type: str) -> None:
    assert _top(text) == event_type


@pytest.mark.parametrize(
    "text",
    [
        "the carrier strike group sailed into the Gulf",
        "the minister suffered a heart attack",
        "teachers began a general strike",
        "the two leaders struck a deal",
        "a cyber attack hit the ministry servers",
        "police wore blast walls and assault rifles",
        "prices exploded after the devaluation",
        "the speaker came under fire from lawmakers",
    ],
)
def test_events_idioms_are_not_triggers(text: str) -> None:
    assert find_triggers(fold(text)) == []


def _cancelled(text: str) -> list[str | None]:
    folded = fold(text)
    triggers = find_triggers(folded)
    cues = Indexed(find_cues(folded, [(t.start, t.end) for t in triggers]))
    return [cancelled_by(t, folded, cues) for t in triggers]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("the militia warned of future attacks", "modality"),
        ("the group could attack the embassy", "modality"),
        ("they vowed to attack US bases", "modality"),
        ("there were no attacks over the holiday", "modality"),
        ("a series of bombings shook the city", "aggregate"),
        ("dozens of attacks since January", "aggregate"),
        ("almost two dozen further attacks", "aggregate"),
        ("Israel stepped up its assault on the city", "aggregate"),
    ],
)
def test_events_cues_cancel_triggers(text: str, reason: str) -> None:
    assert reason in _cancelled(text)


@pytest.mark.parametrize(
    "text",
    [
        "two further attacks on Tuesday targeted bases",
        "a roadside bomb exploded on Monday",
        "in the deadliest attack for months, militants ambushed a patrol",
    ],
)
def test_events_concrete_triggers_stay(text: str) -> None:
    assert all(reason is None for reason in _cancelled(text))


@pytest.mark.parametrize(
    ("text", "count"),
    [("two further attacks", 2), ("drone strikes on two military bases", 2),
     ("twin bombings", None), ("two suicide bombers", None), ("an attack", None)],
)
def test_events_counts_multiply_only_attacks_or_targets(text: str, count: int | None) -> None:
    triggers = find_triggers(fold(text))
    assert max((t.count or 0 for t in triggers), default=0) == (count or 0)


def test_events_other_sentences_do_not_cancel() -> None:
    text = "Nobody reported any damage. Rockets were fired at the base on Tuesday."
    folded = fold(text)
    triggers = find_triggers(folded)
    cues = Indexed(find_cues(folded, [(t.start, t.end) for t in triggers]))
    start = text.index("Rockets")
    assert [cancelled_by(t, folded, cues, start) for t in triggers] == [None]


def _article(body: str, published: dt.date | None = dt.date(2023, 5, 10)) -> Article:
    return Article(id="t", published_at=published, title=None, body=body)


@pytest.mark.parametrize("text", [
    "At least 40 people died when a fire broke out at a hospital in Baghdad on Saturday.",
    "Gas cylinders exploded at a restaurant in Mosul on Saturday, killing six people.",
    "Two trains collided near Basra on Friday, killing 32 passengers and injuring 100.",
    "The earthquake killed more than 5,000 people in northern Syria on Monday.",
    "Nine people died when a building collapsed in Erbil on Sunday.",
])
def test_events_accidents_and_disasters_are_no_incident(text: str) -> None:
    assert extract_incidents(_article(text)) == []


@pytest.mark.parametrize(("text", "event_type"), [
    ("A car bomb exploded at a market in Mosul on Saturday, killing six people.",
     "remote_explosive_ied"),
    ("Gunmen killed six people at a market in Mosul on Saturday and set it on fire.", "attack"),
    ("A suicide bomber struck a fuel station in Kirkuk on Saturday, killing six people.",
     "suicide_bomb"),
])
def test_events_violence_beside_a_fire_still_stands(text: str, event_type: str) -> None:
    assert [i.event_type for i in extract_incidents(_article(text))] == [event_type]


@pytest.mark.parametrize(("text", "accident"), [
    ("A fire broke out at the hospital and oxygen tanks exploded.", True),
    ("The plane crashed on landing, killing four.", True),
    ("A car bomb exploded near the hospital, killing four.", False),  # names a weapon
    ("Four were killed when gunmen opened fire on the market.", False),  # no accident word
])
def test_events_accidental_sentence(text: str, accident: bool) -> None:
    folded = fold(text)
    assert accidental(folded, 0, len(folded), find_triggers(folded)) is accident


@pytest.mark.parametrize(("text", "standing"), [
    # a counted salvo on a named day is that day's event (ACLED: one per day and place)
    ("On Monday evening the army struck Mosul with 19 air strikes.", True),
    ("The army carried out 30 airstrikes on Idlib on Tuesday.", True),
    # without a day it is a tally
    ("The army has carried out 19 air strikes on Mosul since January.", False),
    ("The army carried out 30 airstrikes on Idlib.", False),
    # a vague count stays a tally even on a day
    ("The army carried out dozens of airstrikes on Idlib on Tuesday.", False),
])
def test_events_counted_strikes_on_a_day_stand(text: str, standing: bool) -> None:
    article = _article(text, dt.date(2023, 5, 10))
    types = [i.event_type for i in extract_incidents(article)]
    assert (types == ["air_drone_strike"]) is standing


@pytest.mark.parametrize(("text", "expected"), [
    ("Fighting on Monday.", True), ("It happened yesterday.", True),
    ("It happened on March 3, 2021.", True), ("It happened in March 2021.", False),
    ("It happened in 2021.", False),
])
def test_events_names_a_day(text: str, expected: bool) -> None:
    folded = fold(text)
    assert names_a_day(folded, 0, len(folded)) is expected


@pytest.mark.parametrize("text", [
    # a habit, not an event: "frequent" reaches across the weapons it lists
    "Rebels have launched frequent drone and mortar attacks on Kharkiv.",
    "The militia has mounted constant raids on villages near Beni.",
])
def test_events_frequent_attacks_are_no_incident(text: str) -> None:
    assert extract_incidents(_article(text)) == []


def test_events_a_dated_attack_beside_a_habit_stands() -> None:
    body = ("Rebels have launched frequent attacks on the town. On Monday a drone killed two "
            "farmers in Kharkiv.")
    assert [i.killed for i in extract_incidents(_article(body))] == [2]
