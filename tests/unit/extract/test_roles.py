"""The resolve-roles stage: which clauses stand for an event, and the type a weapon gives."""

from __future__ import annotations

import datetime as dt

import pytest

from processors.extract.actors import find_actors
from processors.extract.events import find_triggers
from processors.extract.phrases import instrument_of
from processors.extract.pipeline import extract_incidents
from processors.extract.roles import attacker_of
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
    ("US forces were attacked with drones at a base near Erbil on Tuesday.", "air_drone_strike"),
    ("Gunmen killed two shepherds near Kirkuk on Tuesday and fled with their sheep.", "attack"),
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


def _places(body: str) -> list[str | None]:
    article = Article(id="t", published_at=PUBLISHED, title=None, body=body)
    return [i.place for i in extract_incidents(article)]


@pytest.mark.parametrize(("body", "places"), [
    # the place of the event an aside names is not the venue
    ("On Monday the army struck Tal Afar with air strikes following claims that a shell hit "
     "Kirkuk.", ["Tal Afar"]),
    ("A car bomb exploded in Kirkuk on Monday, a day after a rocket attack in Mosul.",
     ["Kirkuk"]),
    ("On Monday the army shelled Tal Afar in retaliation for an attack in Erbil.", ["Tal Afar"]),
    # with no other place, the aside's place is all there is
    ("A car bomb exploded near a market on Monday, after gunmen had left Mosul.", ["Mosul"]),
])
def test_roles_venue_is_not_the_place_of_an_aside(body: str, places: list[str]) -> None:
    assert _places(body) == places


@pytest.mark.parametrize(("body", "expected"), [
    # a cause told as an act at a town of its own is reported too
    ("Turkish jets struck a depot in Sinjar on Thursday, killing two. The raid came a few hours "
     "after rockets slammed into the city of Erbil.", ["Sinjar", "Erbil"]),
    # a cause told as a generic attack, or at no town, only explains
    ("Israeli jets struck a tunnel in Rafah on Thursday, killing two, in response to rocket "
     "attacks on Israel.", ["Rafah"]),
    ("Israeli jets struck a tunnel in Rafah on Thursday, killing two. The strike came after "
     "rockets were fired at Israel.", ["Rafah"]),
])
def test_roles_a_cause_told_as_an_act_is_an_event(body: str, expected: list[str]) -> None:
    assert _places(body) == expected


@pytest.mark.parametrize(("body", "event_type"), [
    ("Gunmen attacked an army checkpoint near Kirkuk on Tuesday; soldiers returned fire and "
     "killed three of the attackers.", "armed_clash"),
    ("Gunmen attacked an army checkpoint near Kirkuk on Tuesday, killing two soldiers. A gun "
     "battle followed.", "armed_clash"),
    # the armed fought back only when the text says so
    ("Gunmen shot dead two policemen at a checkpoint in Kirkuk on Tuesday and fled.", "attack"),
    # civilians do not fight back: a one-sided attack whatever follows
    ("Gunmen attacked a wedding party in Diyala on Tuesday, killing nine guests. A gun battle "
     "followed.", "attack"),
])
def test_roles_an_attack_on_armed_men_who_fight_back_is_a_clash(
    body: str, event_type: str
) -> None:
    assert _types(body)[0] == event_type


@pytest.mark.parametrize(("body", "event_type"), [
    ("A car bomb driven by a suicide attacker exploded at a checkpoint in Kirkuk on Tuesday, "
     "killing four.", "suicide_bomb"),
    ("A bomber detonated his explosives at a mosque in Kirkuk on Tuesday, killing four.",
     "suicide_bomb"),
    ("A car bomb exploded at a checkpoint in Kirkuk on Tuesday, killing four. The driver was a "
     "suicide bomber, police said.", "suicide_bomb"),
    ("A remotely detonated bomb exploded at a market in Kirkuk on Tuesday, killing four.",
     "remote_explosive_ied"),
    ("An attempted suicide attack was foiled at a checkpoint in Samarra on Thursday.",
     "disrupted_weapons_use"),
])
def test_roles_suicide_and_remote_bombs(body: str, event_type: str) -> None:
    assert _types(body) == [event_type]


def test_roles_a_suicide_bombing_elsewhere_does_not_retype_a_car_bomb() -> None:
    body = ("A car bomb exploded at a checkpoint in Kirkuk on Monday, killing four. On Tuesday a "
            "suicide bomber struck a mosque in Mosul, killing two.")
    assert _types(body) == ["remote_explosive_ied", "suicide_bomb"]


def _venues(body: str) -> list[tuple[str | None, str | None, str | None]]:
    article = Article(id="t", published_at=PUBLISHED, title=None, body=body)
    return [(i.place, i.admin1, i.country) for i in extract_incidents(article)]


@pytest.mark.parametrize(("body", "venues"), [
    # the dateline names where the report was filed; the clause's own place is the venue
    ("MOSUL, Iraq (Reuters) - Gunmen killed four farmers in Hawija on Monday, police said.",
     [("Hawija", "IQ-KI", "IQ")]),
    ("KANO, Nigeria (AP) -- Militants stormed the village of Gwoza in the northeast on Monday, "
     "killing nine traders, residents said.", [("Gwoza", "NG-BO", "NG")]),
    ("NAIROBI: A car bomb killed six people at a market in Mogadishu on Monday, police said.",
     [("Mogadishu", "SO-BN", "SO")]),
    # a dateline abroad is no venue even when the clause names no other place
    ("NAIROBI (Reuters) - Al-Shabaab fighters killed seven soldiers on Monday. The militants "
     "overran a base near Baidoa in Somalia's Bay region.", [(None, None, "SO")]),
    # a dateline in the story's country, alone in its clause, still places the event
    ("BASRA, Iraq - A roadside bomb killed three soldiers on Monday, police said.",
     [("Basra", "IQ-BA", "IQ")]),
])
def test_roles_the_dateline_is_a_venue_only_when_nothing_else_is(
    body: str, venues: list[tuple[str | None, str | None, str | None]],
) -> None:
    assert _venues(body) == venues


def _targets(body: str) -> list[str | None]:
    article = Article(id="t", published_at=PUBLISHED, title=None, body=body)
    return [i.target for i in extract_incidents(article)]


@pytest.mark.parametrize(("body", "targets"), [
    # after a passive verb, "by" names the attacker, never the target
    ("Four people were wounded by a Hamas rocket fired at the town of Sderot on Monday, police "
     "said.", ["civilians"]),
    # the one who reveals the news is its source, not its target
    ("Gunmen kidnapped two engineers near Kirkuk on Monday and took them to an unknown place, "
     "the police officer revealed.", [None]),
    # "including three aid workers" says who the people counted were
    ("Gunmen abducted seven people, including three aid workers, near Gao on Sunday.",
     ["aid_workers"]),
    # a strike on a facility that kills people hit the people
    ("Missiles hit a railway station in Kharkiv on Monday, killing 14 people.", ["civilians"]),
    ("Rebels blew up a power line near Aleppo on Monday.", ["infrastructure"]),
])
def test_roles_target_class_by_voice_source_and_victims(
    body: str, targets: list[str | None],
) -> None:
    assert _targets(body) == targets


def _attacker_text(text: str) -> str | None:
    """The attacker ``attacker_of`` names for the text's first trigger, as written."""
    folded = fold(text)
    trigger = find_triggers(folded)[0]
    agent = attacker_of(folded, trigger, find_actors(folded), lo=0, hi=len(folded))
    return agent.actor.text if agent else None


@pytest.mark.parametrize(("text", "attacker"), [
    # the actor right before "who" is the subject of the relative clause's verb
    ("Troops cracked down on militants who had kidnapped a village chief near Dori.",
     "militants"),
    ("Soldiers hunted the gunmen who ambushed a convoy near Dori on Monday.", "gunmen"),
    ("Police said militants who were killed in a raid near Dori had planned it.", None),
])
def test_roles_the_subject_of_a_relative_clause_is_its_attacker(
    text: str, attacker: str | None,
) -> None:
    assert _attacker_text(text) == attacker


@pytest.mark.parametrize(("body", "expected"), [
    # the forces that fight back at their own post are the ones attacked, not the attackers
    ("Soldiers at an army checkpoint near Arish exchanged fire with the attackers on Saturday, "
     "killing four of them.", [(None, "security_forces")]),
    # a state's forces striking militants stay the attackers
    ("Egyptian warplanes struck militant hideouts near Arish on Saturday, killing nine "
     "militants.", [("Egypt", "militants")]),
])
def test_roles_a_state_never_attacks_its_own_forces(
    body: str, expected: list[tuple[str | None, str | None]],
) -> None:
    article = Article(id="t", published_at=PUBLISHED, title=None, body=body)
    assert [(i.perpetrator, i.target) for i in extract_incidents(article)] == expected


@pytest.mark.parametrize(("text", "attacker"), [
    # the subject of a passive verb is the one it was done to, however far back it stands
    ("Three engineers - an American, a Dane and a Pole - were abducted in Gao on Monday.",
     None),
    ("Two Turkish nationals and their Sudanese driver were kidnapped near Gao on Monday.",
     None),
    # an active verb keeps its subject as the attacker
    ("Militants kidnapped an American near Gao on Monday.", "Militants"),
])
def test_roles_the_subject_of_a_passive_verb_is_no_attacker(
    text: str, attacker: str | None,
) -> None:
    assert _attacker_text(text) == attacker


@pytest.mark.parametrize("body", [
    "A roadside bomb killed two rangers near Pattani on Friday.",
    "Gunmen shot dead a police chief and two gendarmes near Dori on Friday.",
    "Twelve personnel of the Border Security Force died in an ambush near Bijapur on Friday.",
])
def test_roles_rangers_gendarmes_and_force_personnel_are_security_forces(body: str) -> None:
    assert _targets(body) == ["security_forces"]


@pytest.mark.parametrize(("text", "attacker"), [
    # the source of the news is not a party to it
    ("A duty police officer confirmed a gun battle took place near Hodan.", None),
    # a subordinate clause has its own subject: the nearer actor did it
    ("The soldiers were on patrol near Dori when gunmen ambushed them.", "gunmen"),
    # "police headquarters" is where it happened, not who did it
    ("An attacker slipped into police headquarters in Gao and opened fire.", "attacker"),
])
def test_roles_sources_subordinate_clauses_and_victims_are_no_attackers(
    text: str, attacker: str | None,
) -> None:
    folded = fold(text)
    trigger = max(find_triggers(folded), key=lambda t: t.weight)
    agent = attacker_of(folded, trigger, find_actors(folded), lo=0, hi=len(folded))
    assert (agent.actor.text if agent else None) == attacker


@pytest.mark.parametrize(("body", "perpetrators"), [
    # "two died": the subject of an intransitive casualty verb is among the dead
    ("Rebels ambushed an army convoy near Dori on Monday. The soldiers left their truck and "
     "two died.", [None]),
    # the subject of an active casualty verb keeps doing it
    ("Islamic State fighters killed two farmers near Dori on Monday.", ["Islamic State"]),
])
def test_roles_a_casualty_verb_names_its_attacker_only_when_active(
    body: str, perpetrators: list[str | None],
) -> None:
    article = Article(id="t", published_at=PUBLISHED, title=None, body=body)
    assert [i.perpetrator for i in extract_incidents(article)] == perpetrators


def test_roles_a_state_never_attacks_its_own_troops_abroad() -> None:
    body = ("Militias have often fired at US troops near Erbil, most of all after the United "
            "States killed a militia commander near Erbil on Monday.")
    article = Article(id="t", published_at=PUBLISHED, title=None, body=body)
    assert all(i.perpetrator != "United States" or i.target != "us_forces"
               for i in extract_incidents(article))


@pytest.mark.parametrize(("body", "types"), [
    # an armed assault on forces that can fight back is a clash (SCHEMA, ACLED)
    ("Armed men staged an attack on a gendarmerie post near Dori on Monday, killing six "
     "gendarmes.", ["armed_clash"]),
    ("A navy patrol came under attack near Jolo on Monday.", ["armed_clash"]),
    # a named act on one man keeps its type, and so does an attack on civilians
    ("Gunmen shot dead a police commander in Gao on Monday.", ["attack"]),
    ("Armed men attacked a market near Dori on Monday, killing six villagers.", ["attack"]),
])
def test_roles_an_assault_on_armed_men_is_an_armed_clash(body: str, types: list[str]) -> None:
    article = Article(id="t", published_at=PUBLISHED, title=None, body=body)
    assert [i.event_type for i in extract_incidents(article)] == types


@pytest.mark.parametrize(("body", "perpetrators"), [
    # a group said to have done such things in the past names no attacker of this event
    ("Unidentified gunmen kidnapped four engineers from a hotel in Agadez on Monday. Gunmen "
     "linked to al-Qaeda have kidnapped foreigners in the region in the past.", [None]),
    # a claim in a generic sentence still names the group behind the campaign
    ("Unidentified gunmen fired rockets at a base in Erbil on Monday. Kata'ib Hezbollah has "
     "claimed dozens of attacks on bases in the region.", ["Kata'ib Hezbollah"]),
])
def test_roles_a_generic_statement_names_no_attacker_unless_it_claims(
    body: str, perpetrators: list[str | None],
) -> None:
    article = Article(id="t", published_at=PUBLISHED, title=None, body=body)
    assert [i.perpetrator for i in extract_incidents(article)] == perpetrators
