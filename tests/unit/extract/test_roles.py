"""The resolve-roles stage: which clauses stand for an event."""

from __future__ import annotations

import datetime as dt

import pytest

from processors.extract.pipeline import extract_incidents
from processors.models import Article

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
