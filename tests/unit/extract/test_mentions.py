"""The form-mentions stage: sentences that look back (trials, anniversaries) tell background."""

from __future__ import annotations

import datetime as dt

import pytest

from processors.extract.mentions import looks_back
from processors.extract.pipeline import extract_incidents
from processors.models import Article
from processors.text.fold import fold

PUBLISHED = dt.date(2023, 5, 10)


def _incidents(
    body: str, published: dt.date | None = PUBLISHED
) -> list[tuple[str | None, int | None]]:
    article = Article(id="t", published_at=published, title=None, body=body)
    return [(str(i.event_date) if i.event_date else None, i.killed)
            for i in extract_incidents(article)]


@pytest.mark.parametrize(("text", "expected"), [
    ("A court in Baghdad on Monday convicted three men of helping the gunmen who killed 21 people.",
     True),
    ("The rally marks 20 years since the bombing of the embassy.", True),
    ("Relatives gathered on the anniversary of the massacre in Halabja.", True),
    ("The town marked the 10th anniversary of the schoolgirls' abduction on Sunday.", True),
    ("Rebels attacked a camp on Thursday, days ahead of the anniversary of independence.", False),
    ("A court on Thursday awarded a death sentence to the facilitator of the attack.", True),
    ("The two men were sentenced to death for the attack.", True),
    ("Gunmen killed 21 people at a checkpoint near Kirkuk on Monday.", False),
    ("The police chief said the attackers had fled.", False),
    # charges tell of a past crime, not of a new event
    ("The gang leader is wanted on several charges, including murder and kidnapping.", True),
    ("Two men were charged with the bombing of a bus in Kano.", True),
])
def test_mentions_looks_back(text: str, expected: bool) -> None:
    folded = fold(text)
    assert looks_back(folded, 0, len(folded)) is expected


@pytest.mark.parametrize("body", [
    "A court in Baghdad on Monday convicted three men of planting the car bomb that killed 21 "
    "people in Karrada.",
    "Thousands gathered in Erbil on Saturday to commemorate the victims of the bombing that "
    "killed 40 people in the city.",
])
def test_mentions_trial_and_anniversary_sentences_report_no_incident(body: str) -> None:
    assert _incidents(body) == []


@pytest.mark.parametrize("body", [
    # no publication date: the dated attack is what a trial or a memorial looks back on
    "The trial of the accused opened in Baghdad.\n\nOn March 3, 2014, gunmen stormed a hotel in "
    "Baghdad and killed 21 people.",
    "The memorial ceremony drew hundreds in Mosul.\n\nA car bomb killed 30 people at the Mosul "
    "market on June 5, 2009.",
])
def test_mentions_undated_article_looking_back_keeps_its_dated_events_as_background(
    body: str,
) -> None:
    assert _incidents(body, published=None) == []


def test_mentions_undated_article_without_looking_back_keeps_its_event() -> None:
    body = "On March 3, 2014, gunmen stormed a hotel in Baghdad and killed 21 people."
    assert _incidents(body, published=None) == [("2014-03-03", 21)]


def _events(body: str) -> list[tuple[str | None, int | None, int | None]]:
    article = Article(id="t", published_at=PUBLISHED, title=None, body=body)
    return [(i.place, i.killed, i.injured) for i in extract_incidents(article)]


@pytest.mark.parametrize(("body", "expected"), [
    # one toll whose cause is told after "and": one event, even behind a foreign dateline
    ("AMMAN (Reuters) - At least six people were killed and 14 wounded by a rocket fired at "
     "the Iraqi city of Mosul on Wednesday, officials said.", [("Mosul", 6, 14)]),
    ("Four people were killed and nine wounded when a bomb exploded in Kirkuk on Tuesday.",
     [("Kirkuk", 4, 9)]),
    # two tolls, each with its own place and day, stay two events
    ("Two people were killed in Mosul on Monday and four were wounded in Basra on Tuesday.",
     [("Mosul", 2, None), ("Basra", None, 4)]),
])
def test_mentions_a_toll_and_its_cause_are_one_clause(
    body: str, expected: list[tuple[str | None, int | None, int | None]]
) -> None:
    assert _events(body) == expected


@pytest.mark.parametrize(("body", "day"), [
    # a bare year far behind the trigger describes a place, not the event
    ("On Monday evening, the army targeted the town of Tal Afar with 19 air strikes, to the "
     "west of the territories it occupied in 2014.", "2023-05-08"),
    ("On Monday evening, the army targeted the town of Tal Afar with 19 air strikes, west of "
     "the hills the group had held from 2014.", "2023-05-08"),
])
def test_mentions_a_far_year_does_not_date_the_trigger(body: str, day: str) -> None:
    article = Article(id="t", published_at=PUBLISHED, title=None, body=body)
    assert [(str(i.event_date), i.event_type) for i in extract_incidents(article)] == [
        (day, "air_drone_strike")]


@pytest.mark.parametrize(("body", "expected"), [
    ("A car bomb killed five people in Kirkuk on Monday. Elsewhere, gunmen shot dead two "
     "policemen in Mosul.", [("Kirkuk", 5, None), ("Mosul", 2, None)]),
    ("Islamic State militants attacked a village near Kirkuk on Monday, killing six civilians. "
     "The group also attacked an army post in Hawija, killing two soldiers.",
     [("Kirkuk", 6, None), ("Hawija", 2, None)]),
    ("Two people were killed in Baghdad on Monday when a bomb exploded at a market. Another "
     "bomb in the Karrada district killed three.", [("Baghdad", 2, None), ("Karrada", 3, None)]),
    ("A roadside bomb killed two soldiers in Baghdad on Monday. Also on Monday, gunmen killed a "
     "shopkeeper in Mosul.", [("Baghdad", 2, None), ("Mosul", 1, None)]),
    # "also" of a detail, or of a speaker, adds to the event told before
    ("A car bomb exploded in Kirkuk on Monday, killing five. The attack also wounded 12 people.",
     [("Kirkuk", 5, 12)]),
    ("A car bomb exploded in Kirkuk on Monday, killing five. Police also said the bomb wounded "
     "12 people in Kirkuk.", [("Kirkuk", 5, 12)]),
])
def test_mentions_attacks_told_apart_are_events_of_their_own(
    body: str, expected: list[tuple[str | None, int | None, int | None]]
) -> None:
    assert _events(body) == expected


@pytest.mark.parametrize(("body", "expected"), [
    # the dateline is not a place of the left clause's own: one ambush, one toll
    ("HERAT: Taliban fighters killed six soldiers and wounded four others in an ambush in "
     "Shindand, officials said on Monday.", [("Shindand", 6, 4)]),
    ("SAMARRA, Iraq (AP) -- Gunmen shot dead two policemen and wounded three others in an attack "
     "on a checkpoint in Tikrit on Monday.", [("checkpoint in Tikrit", 2, 3)]),
])
def test_mentions_a_dateline_does_not_cut_a_sentence(
    body: str, expected: list[tuple[str | None, int | None, int | None]],
) -> None:
    article = Article(id="t", published_at=PUBLISHED, title=None, body=body)
    assert [(i.place, i.killed, i.injured) for i in extract_incidents(article)] == expected
