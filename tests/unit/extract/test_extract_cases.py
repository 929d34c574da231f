"""One-paragraph reports in the styles of the wires: what a coder would record, or nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from processors.extract.pipeline import extract_incidents
from processors.models import Article

WED = dt.date(2023, 5, 10)  # a Wednesday

# (body, [(day, type, admin1, perpetrator, target, killed, injured)])
CASES = [
    (
        "An Iraqi soldier was killed and two others wounded when Islamic State militants attacked "
        "an army post in the Tarmiyah district north of Baghdad late on Saturday, security "
        "sources said.",
        # SCHEMA: `attack` is on people who do not fight back; an army post is armed_clash
        [("2023-05-06", "armed_clash", "IQ-BG", "Islamic State", "security_forces", 1, 2)],
    ),
    (
        "A US-led coalition air strike killed 11 Islamic State fighters in the Hamrin mountains on "
        "Sunday, the Security Media Cell said.",
        [("2023-05-07", "air_drone_strike", None, "United States", "militants", 11, None)],
    ),
    (
        "Three rockets struck near the US embassy in Baghdad's Green Zone late on Wednesday, the "
        "third "
        "such attack this month, security sources said. No casualties were reported.",
        [("2023-05-10", "shelling_artillery_missile", "IQ-BG", None, "diplomatic", 0, 0)],
    ),
    (
        "Gunmen killed a prominent activist outside his home in the city of Karbala early on "
        "Sunday, "
        "police said.",
        [("2023-05-07", "attack", "IQ-KA", None, "civilians", 1, None)],
    ),
    (
        "Five members of the Popular Mobilization Forces were killed in an Islamic State attack in "
        "Salahuddin province on Thursday.",
        [("2023-05-04", "armed_clash", "IQ-SD", "Islamic State", "security_forces", 5, None)],
    ),
    (
        "Turkish warplanes struck suspected PKK positions in the Qandil mountains in northern "
        "Iraq on "
        "Monday, the Turkish defence ministry said, adding that 12 militants were neutralised.",
        [("2023-05-08", "air_drone_strike", None, "Turkey", "militants", 12, None)],
    ),
    (
        "Clashes between the army and Kurdish Peshmerga fighters near Makhmour on Sunday left "
        "three dead.",
        [("2023-05-07", "armed_clash", "IQ-AR", None, "security_forces", 3, None)],
    ),
    (
        "A bomb planted in a motorcycle exploded in Basra's Zubair district on Friday, killing one "
        "person and wounding six.",
        [("2023-05-05", "remote_explosive_ied", "IQ-BA", None, "civilians", 1, 6)],
    ),
    (
        "Two police officers were wounded when a sticky bomb attached to their car exploded in "
        "the Amil "
        "neighbourhood of Baghdad on Thursday morning.",
        [("2023-05-04", "remote_explosive_ied", "IQ-BG", None, "security_forces", None, 2)],
    ),
    (
        "The Iraqi army said on Monday it had killed a senior Islamic State leader in an air "
        "strike in "
        "Kirkuk province.",
        [
            (
                "2023-05-08",
                "air_drone_strike",
                "IQ-KI",
                "Iraq",
                "militants",
                None,
                None,
            )
        ],
    ),
]

NOTHING = [
    "The attack on the US embassy in December 2019 marked a turning point for the factions.",
    "If militias attack US forces again, Washington will respond, a senior official warned on "
    "Tuesday.",
    "Since 2019, more than 600 protesters have been killed in Baghdad and the south.",
    "Rocket attacks on the Green Zone are common in the summer.",
    "The group is blamed for dozens of kidnappings in Basra.",
    "Analysts say Islamic State could exploit the vacuum to launch new attacks in Anbar.",
    "A court in Baghdad on Monday sentenced five men to death for a 2016 bombing in Karrada.",
    "Police arrested three suspects on Sunday in connection with last month's bombing in Basra.",
    "Parliament held a minute of silence on Wednesday for the victims of the attack in Baghdad.",
    "The prime minister visited the site of the bombing in Sadr City on Saturday.",
    "Militia leaders threatened on Monday to target US bases in Anbar if the troops do not leave.",
    "The governor of Kirkuk was fired on Thursday after protests over power cuts.",
    "Kataib Hezbollah announced on Tuesday that it would suspend attacks on US forces.",
    "The US carried out 24 airstrikes in Iraq and Syria last year, according to a Pentagon report.",
]


@pytest.mark.parametrize(("body", "expected"), CASES, ids=lambda v: str(v)[:40])
def test_extract_cases_wire_reports(body: str, expected: list[tuple[object, ...]]) -> None:
    incidents = extract_incidents(Article(id="case", published_at=WED, body=body))
    got = [
        (str(i.event_date), i.event_type, i.admin1, i.perpetrator, i.target, i.killed, i.injured)
        for i in incidents
    ]
    assert got == expected


@pytest.mark.parametrize("body", NOTHING, ids=lambda v: v[:40])
def test_extract_cases_no_concrete_event(body: str) -> None:
    assert extract_incidents(Article(id="case", published_at=WED, body=body)) == []
