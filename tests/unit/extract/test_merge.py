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
