"""Extraction end to end: fixture articles with and without events, options, ids, evidence."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from processors.correlate.corpus import extract_corpus
from processors.evaluate.scoring import SCORED_FIELDS, match_article
from processors.extract.pipeline import extract_incidents, extractor_version
from processors.models import Article

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
NO_EVENT = sorted((FIXTURES / "no_event").glob("*.json"))
EVENTS = sorted((FIXTURES / "events").glob("*.json"))


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _extract(spec: dict[str, Any]) -> list[dict[str, Any]]:
    fallback = spec.get("fallback_date")
    article = Article.model_validate(spec["article"])
    incidents = extract_incidents(
        article, fallback_date=dt.date.fromisoformat(fallback) if fallback else None)
    return [i.model_dump(mode="json") for i in incidents]


def test_extract_fixture_sets_are_big_enough() -> None:
    assert len(NO_EVENT) >= 10
    assert len(EVENTS) >= 10
    for path in NO_EVENT:
        words = len(_load(path)["body"].split())
        assert 300 <= words <= 800, path.name


@pytest.mark.parametrize("path", NO_EVENT, ids=lambda p: p.stem)
def test_extract_no_event_article_yields_no_incident(path: Path) -> None:
    article = Article.model_validate(_load(path))
    assert extract_incidents(article) == []


@pytest.mark.parametrize("path", EVENTS, ids=lambda p: p.stem)
def test_extract_event_article_yields_expected_incidents(path: Path) -> None:
    spec = _load(path)
    predicted = _extract(spec)
    expected = spec["expected"]
    pairs = match_article(predicted, expected)
    assert len(pairs) == len(expected), f"missed: {predicted}"
    assert len(predicted) == len(expected), f"extra: {predicted}"
    for i, j in pairs:
        for name in (*SCORED_FIELDS, "kidnapped"):
            if name in expected[j]:
                assert predicted[i][name] == expected[j][name], (name, predicted[i])


def test_extract_same_event_in_two_articles_shares_event_id() -> None:
    a = Article.model_validate(_load(FIXTURES / "events" / "dedup-a.json")["article"])
    b = Article.model_validate(_load(FIXTURES / "events" / "dedup-b.json")["article"])
    first, second = extract_corpus([a, b])
    assert first.event_id == second.event_id
    assert second.version == 2 and second.corroboration == 2
    assert second.sources == [a.id, b.id]


def test_extract_corpus_replay_gives_the_same_event_ids() -> None:
    articles = [Article.model_validate(_load(p)["article"]) for p in EVENTS]
    assert [i.event_id for i in extract_corpus(articles)] == [
        i.event_id for i in extract_corpus(articles)]


_BACKGROUND = Article(
    id="bg-1", published_at=dt.date(2024, 3, 6), title="Rocket attack on airport",
    body=("Two rockets hit the perimeter of Baghdad airport on Tuesday, police said, causing no "
          "casualties.\n\nThe attack came four years after the United States killed an Iranian "
          "general in a drone strike near the same airport in January 2020."))


def test_extract_background_event_only_with_the_option() -> None:
    default = extract_incidents(_BACKGROUND)
    assert [(i.event_date, i.background) for i in default] == [(dt.date(2024, 3, 5), False)]
    everything = extract_incidents(_BACKGROUND, include_background=True)
    old = [i for i in everything if i.background]
    assert len(old) == 1
    assert old[0].date_precision == "month" and old[0].event_type == "air_drone_strike"


@pytest.mark.parametrize(
    ("published", "fallback", "day", "precision"),
    [
        (dt.date(2022, 5, 12), None, dt.date(2022, 5, 11), "day"),
        (None, dt.date(2022, 5, 12), dt.date(2022, 5, 11), "week"),
        (None, None, None, "unknown"),
    ],
)
def test_extract_fallback_date_lowers_precision(
    published: dt.date | None, fallback: dt.date | None, day: dt.date | None, precision: str
) -> None:
    article = Article(id="fb", published_at=published, body=(
        "A roadside bomb exploded next to an army patrol in Tikrit yesterday, wounding two "
        "soldiers, a police officer said."))
    incidents = extract_incidents(article, fallback_date=fallback)
    assert [(i.event_date, i.date_precision) for i in incidents] == [(day, precision)]


def test_extract_evidence_offsets_point_into_the_body() -> None:
    for path in EVENTS:
        article = Article.model_validate(_load(path)["article"])
        for incident in extract_incidents(article):
            assert incident.evidence
            for evidence in incident.evidence:
                assert article.body[evidence.start : evidence.end] == evidence.text


def test_extract_ids_and_version_are_deterministic() -> None:
    article = Article.model_validate(_load(FIXTURES / "events" / "date-list.json")["article"])
    first, again = extract_incidents(article), extract_incidents(article)
    assert [i.incident_id for i in first] == [i.incident_id for i in again]
    assert len({i.incident_id for i in first}) == len(first) == 3
    assert len({i.event_id for i in first}) == 3
    assert all(i.extractor_version == extractor_version() for i in first)
    assert "gazetteer@" in extractor_version() and "events@" in extractor_version()


def test_extract_max_incidents_caps_the_list() -> None:
    article = Article.model_validate(_load(FIXTURES / "events" / "date-list.json")["article"])
    assert len(extract_incidents(article, max_incidents=2)) == 2


def test_extract_confidence_is_higher_for_a_well_described_event() -> None:
    vague = Article(id="v", published_at=dt.date(2021, 1, 5), body=(
        "Security officials said an attack took place somewhere in Iraq on Monday."))
    clear = Article(id="c", published_at=dt.date(2021, 1, 5), body=(
        "Islamic State militants ambushed an army patrol near Hawija on Monday, killing three "
        "soldiers, officials said."))
    low = extract_incidents(vague)
    high = extract_incidents(clear)
    assert high and (not low or high[0].confidence > low[0].confidence)
