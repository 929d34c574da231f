"""The committed dev set (eval/devset) is well-formed: facts only, gold to SCHEMA.md v2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pycountry
import pytest

DEVSET = Path(__file__).resolve().parents[3] / "eval" / "devset"
EVENT_TYPES = {"armed_clash", "air_drone_strike", "suicide_bomb", "shelling_artillery_missile",
               "remote_explosive_ied", "grenade", "attack", "abduction", "property_destruction",
               "disrupted_weapons_use"}
TARGETS = {"security_forces", "iraqi_security_forces", "us_forces", "coalition_forces",
           "foreign_forces", "peacekeepers", "civilians", "aid_workers", "journalists",
           "government", "diplomatic", "infrastructure", "militants"}
FIELDS = {"event_date", "date_precision", "country", "admin1", "place", "event_type",
          "perpetrator", "target", "killed", "injured", "unscored", "required", "cluster"}


def _lines(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (DEVSET / name).read_text("utf-8").splitlines()
            if line.strip()]


def _incidents() -> list[dict[str, Any]]:
    return [i for name in ("gold.jsonl", "gold-second.jsonl") for g in _lines(name)
            for i in g["incidents"]]


def test_devset_every_source_has_one_gold_line_and_a_part() -> None:
    sources = _lines("sources.jsonl")
    gold = [g["article"] for g in _lines("gold.jsonl")]
    assert sorted(gold) == sorted(s["id"] for s in sources)
    assert len(set(gold)) == len(gold)
    assert {s["part"] for s in sources} == {"dev", "heldout"}
    second = {g["article"] for g in _lines("gold-second.jsonl")}
    assert second <= set(gold)


def test_devset_sources_hold_facts_not_text() -> None:
    allowed = {"id", "url", "source", "published_at", "country", "kind", "query", "year",
               "batch", "part"}
    for source in _lines("sources.jsonl"):
        assert set(source) <= allowed, source["id"]


@pytest.mark.parametrize("incident", _incidents(), ids=lambda i: str(i.get("cluster")))
def test_devset_gold_incident_follows_the_schema(incident: dict[str, Any]) -> None:
    assert set(incident) >= FIELDS
    assert incident["event_type"] in EVENT_TYPES
    assert incident["target"] is None or incident["target"] in TARGETS
    assert pycountry.countries.get(alpha_2=incident["country"]) is not None
    if incident["admin1"] is not None:
        unit = pycountry.subdivisions.get(code=incident["admin1"])
        assert unit is not None and unit.country_code == incident["country"]
    assert set(incident["unscored"]) <= FIELDS
