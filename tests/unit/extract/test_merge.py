"""The merge and fill stages: a claim reaches the attack it names, not the one told last."""

from __future__ import annotations

import datetime as dt

import pytest

from processors.extract.pipeline import extract_incidents
from processors.models import Article

PUBLISHED = dt.date(2023, 5, 10)


def _perpetrators(body: str) -> list[tuple[str | None, str | None]]:
    article = Article(id="t", published_at=PUBLISHED, title=None, body=body)
    return [(i.place, i.perpetrator) for i in extract_incidents(article)]


@pytest.mark.parametrize(("body", "expected"), [
    # the claim names the bombing: the rocket told in between is not claimed
    ("A car bomb exploded in Baghdad on Monday, killing six. A rocket hit Basra on Monday. "
     "Islamic State claimed the bombing.", [("Baghdad", "Islamic State"), ("Basra", None)]),
    ("Rockets struck Basra on Monday. A car bomb exploded in Baghdad on Monday, killing six. "
     "Islamic State claimed the rocket attack.", [("Basra", "Islamic State"), ("Baghdad", None)]),
    # a claim two sentences after its attack still reaches it
    ("A car bomb exploded in Baghdad on Monday, killing six. Police sealed off the area. "
     "Islamic State claimed the attack.", [("Baghdad", "Islamic State")]),
])
def test_merge_a_claim_reaches_the_attack_it_names(
    body: str, expected: list[tuple[str | None, str | None]]
) -> None:
    assert _perpetrators(body) == expected


@pytest.mark.parametrize(("body", "days"), [
    ("A drone killed a commander near Kirkuk on Friday. This comes a week after a commander "
     "survived a drone attack at Sulaimani airport.", ["2023-05-05", "2023-04-28"]),
    ("A drone killed a commander near Kirkuk on Friday. Two days earlier, a roadside bomb killed "
     "three soldiers in Mosul.", ["2023-05-05", "2023-05-03"]),
])
def test_merge_shifted_days_count_from_the_event_before(body: str, days: list[str]) -> None:
    article = Article(id="t", published_at=PUBLISHED, title=None, body=body)
    assert [str(i.event_date) for i in extract_incidents(article)] == days


def test_merge_an_actor_of_another_country_is_never_the_suspect() -> None:
    # "police" are Iraq's security forces only in Iraq: an Afghan event does not take them
    body = ("Police said they seized weapons in Kirkuk on Monday. An attempted bombing was "
            "foiled at a police station in Kandahar, Afghanistan on Tuesday.")
    article = Article(id="t", published_at=PUBLISHED, title=None, body=body)
    found = {i.country: (i.event_type, i.perpetrator) for i in extract_incidents(article)}
    assert found["AF"] == ("disrupted_weapons_use", None)


def _tolls(body: str) -> list[tuple[str | None, int | None]]:
    article = Article(id="t", published_at=PUBLISHED, title=None, body=body)
    return [(i.event_type, i.killed) for i in extract_incidents(article)]


@pytest.mark.parametrize(("body", "expected"), [
    # twin or simultaneous bombs at one place are one event, with its toll
    ("Twin bomb attacks on government offices in Basra on Friday killed 19.",
     [("remote_explosive_ied", 19)]),
    ("Simultaneous bombings in Baghdad on Monday killed 27.", [("remote_explosive_ied", 27)]),
    # two attacks are two events; the total is neither one's toll
    ("Two bomb attacks in Baghdad on Monday killed five people.",
     [("remote_explosive_ied", None), ("remote_explosive_ied", None)]),
    # an apposition names the event just told
    ("Around 60 people were killed on Monday in Basra when two suicide bombers struck a rally "
     "of students and teachers, the deadliest attack in the history of Iraq.",
     [("suicide_bomb", 60)]),
])
def test_merge_one_toll_per_event(body: str, expected: list[tuple[str | None, int | None]]) -> None:
    assert _tolls(body) == expected


@pytest.mark.parametrize(("body", "expected"), [
    # the arson of an assault is part of it
    ("Gunmen attacked a church in Kirkuk on Sunday, killing six worshippers. The gunmen also "
     "set fire to a health centre.", [("attack", 6)]),
    # sabotage elsewhere on another day is an event of its own
    ("Gunmen attacked a church in Kirkuk on Sunday, killing six worshippers. On Monday, "
     "militants blew up a power line near Mosul.", [("attack", 6), ("property_destruction", None)]),
])
def test_merge_an_assaults_arson_is_part_of_it(
    body: str, expected: list[tuple[str | None, int | None]]
) -> None:
    assert _tolls(body) == expected


def test_merge_a_page_date_line_dates_no_headline() -> None:
    body = ("Wed | May 27, 2020\n\nSeven dead in car bombing outside bank in Mosul\n\n"
            "At least seven people were killed in a car bombing outside a bank in Mosul "
            "on Thursday.")
    article = Article(id="t", published_at=dt.date(2019, 1, 17), title=None, body=body)
    assert [(str(i.event_date), i.killed) for i in extract_incidents(article)] == [
        ("2019-01-17", 7)]


def _events(body: str, published: dt.date | None = PUBLISHED) -> list[tuple[str | None, ...]]:
    article = Article(id="t", published_at=published, title=None, body=body)
    return [(str(i.event_date) if i.event_date else None, i.country, i.event_type, i.killed)
            for i in extract_incidents(article)]


@pytest.mark.parametrize(("body", "expected"), [
    # an ordinal event with a toll of its own is a second event, on the story's day, even
    # when its toll follows a referring phrase ("from the first blast, killing two")
    ("A roadside bomb exploded at a checkpoint in Kirkuk on Sunday, wounding three soldiers. "
     "A second bomb exploded 500 metres from the first blast, killing two policemen.",
     [("2023-05-07", "IQ", "remote_explosive_ied", None),
      ("2023-05-07", "IQ", "remote_explosive_ied", 2)]),
    # ... without a toll or a place of its own it is the same story told on
    ("A roadside bomb exploded at a checkpoint in Kirkuk on Sunday, wounding three soldiers. "
     "A second bomb exploded 500 metres from the first blast.",
     [("2023-05-07", "IQ", "remote_explosive_ied", None)]),
    # a separate-marker opening tells a new event apart, even with a definite subject
    ("Gunmen killed four farmers in Hawija on Monday. Later on Monday, the gunmen attacked a "
     "nearby village, where they killed six people.",
     [("2023-05-08", "IQ", "attack", 4), ("2023-05-08", "IQ", "attack", 6)]),
    ("Gunmen killed four farmers in Hawija on Monday. On Monday the gunmen attacked the "
     "farmers, killing four.", [("2023-05-08", "IQ", "attack", 4)]),
])
def test_merge_an_event_told_apart_with_its_own_toll_is_a_new_event(
    body: str, expected: list[tuple[str | None, ...]]
) -> None:
    assert _events(body) == expected


@pytest.mark.parametrize(("body", "published", "expected"), [
    # a lede that refers to an attack no sentence before tells ("in an attack") reports it
    ("At least 31 people have been killed in an attack by rebels in eastern Congo, officials "
     "said.\n\nThe mayor said residents fled.", PUBLISHED,
     [("2023-05-10", "CG", "attack", 31)]),
    # an undated article's lede event is kept without a place or a day to count from
    ("Twelve soldiers were killed in an ambush on Sunday by armed men in Mali.\n\nThe army "
     "said the patrol was hit near the border.", None, [(None, "ML", "armed_clash", 12)]),
    # ... but not a statistic
    ("He said that attacks in Mali have killed 300 people this year.\n\nThe army said the "
     "patrol was hit near the border.", None, []),
    # a referring mention never adds to an event of another country
    ("A bomb killed two people in Kabul on Monday.\n\nAt least 31 people have been killed in "
     "an attack by rebels in eastern Congo, officials said.", PUBLISHED,
     [("2023-05-08", "AF", "attack", 2)]),
])
def test_merge_a_lede_event_stands_when_nothing_else_does(
    body: str, published: dt.date | None, expected: list[tuple[str | None, ...]]
) -> None:
    assert _events(body, published) == expected


def test_merge_a_province_placed_event_without_a_day_is_kept() -> None:
    article = Article(id="t", published_at=None, title=None, body=(
        "Police in the north reported new violence.\n\nA roadside bomb in Kunduz province "
        "killed a police commander as he travelled by car."))
    assert [(i.admin1, i.event_type) for i in extract_incidents(article)] == [
        ("AF-KDZ", "remote_explosive_ied")]
