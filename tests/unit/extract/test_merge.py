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
