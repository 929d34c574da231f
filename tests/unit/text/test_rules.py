"""The versioned rule files load, carry a version, and stay general."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest

from processors.models import EVENT_TYPES, TARGETS
from processors.text.rules import RULE_FILES, load_rules, rules_version

CANONICAL = {
    "Islamic State",
    "Kata'ib Hezbollah",
    "Islamic Resistance in Iraq",
    "Asa'ib Ahl al-Haq",
    "Harakat al-Nujaba",
    "Popular Mobilization Forces",
    "Iran-backed militias",
    "Iran",
    "United States",
    "Iraq",
    "Houthis",
    "Hamas",
    "Israel",
    "Turkey",
    "PKK",
}


@pytest.mark.parametrize("name", RULE_FILES)
def test_rules_file_has_a_version_and_compiles(name: str) -> None:
    data = load_rules(name)
    assert isinstance(data["version"], str) and data["version"]

    def patterns(node: object) -> list[str]:
        if isinstance(node, str):
            return [node]
        if isinstance(node, list):
            return [p for item in node for p in patterns(item)]
        if isinstance(node, dict):
            return [
                p for k, v in node.items() if k not in ("about", "version") for p in patterns(v)
            ]
        return []

    for pattern in patterns(data):
        re.compile(pattern)


def test_rules_vocabularies_are_closed() -> None:
    assert {t["type"] for t in load_rules("events")["triggers"]} <= set(EVENT_TYPES)
    assert {c["class"] for c in load_rules("targets")["cues"]} <= set(TARGETS)
    assert {a["name"] for a in load_rules("actors")["actors"]} == CANONICAL


def test_rules_version_names_every_file() -> None:
    version = rules_version()
    assert all(f"{name}@" in version for name in RULE_FILES)


def test_rules_files_are_plain_json() -> None:
    for name in RULE_FILES:
        text = resources.files("processors.data").joinpath(f"{name}.json").read_text("utf-8")
        assert json.loads(text)["version"] == load_rules(name)["version"]
