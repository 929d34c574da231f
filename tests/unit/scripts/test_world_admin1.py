"""Tests for scripts/world_admin1.py: GeoNames admin1 names matched to ISO 3166-2 units."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "scripts"))

import world_admin1 as wa


def _sub(code: str, name: str, *, parent: str | None = None,
         kind: str = "Province") -> SimpleNamespace:
    return SimpleNamespace(code=code, name=name, parent_code=parent, type=kind)


@pytest.mark.parametrize(
    ("name", "key"),
    [("Tumbaro State", "tumbaro"), ("Province of Lusenge", "lusenge"),
     ("Kérou-Nord [Kerou Nord]", "kerou nord"), ("Oblast'", "oblast")],
)
def test_world_admin1_compare_key_drops_type_words_and_marks(name: str, key: str) -> None:
    assert wa.compare_key(name) == key


def test_world_admin1_compare_keys_adds_slavic_adjectival_stem() -> None:
    keys = wa.compare_keys("Borodanska oblast")
    assert keys == {"borodanska", "borodan", "borodans", "borodansk"}


_SUBS = [_sub("XX-TU", "Tumbaro"), _sub("XX-LU", "Lusenge Region"),
         _sub("XX-KN", "Kerou-Nord"), _sub("XX-KS", "Kerou-Sud")]


@pytest.mark.parametrize(
    ("name", "code"),
    [("Tumbaro Province", "XX-TU"),     # exact after type words
     ("Lusenge", "XX-LU"),              # type word on the ISO side
     ("Tumbarro", "XX-TU"),             # one close spelling
     ("Kerou", None),                   # two units contain it: not clear
     ("Nowhere", None)],
)
def test_world_admin1_match_subdivision(name: str, code: str | None) -> None:
    assert wa.match_subdivision(name, _SUBS, taken=set()) == code


def test_world_admin1_match_prefers_the_free_top_level_unit() -> None:
    subs = [_sub("XX-01", "Tumbaro", kind="Region"),
            _sub("XX-TB", "Tumbaro", parent="XX-01", kind="Department")]
    assert wa.match_subdivision("Tumbaro", subs, taken=set()) == "XX-01"
    assert wa.match_subdivision("Tumbaro", subs, taken={"XX-01"}) == "XX-TB"


def _town(name: str, population: int, *alternates: str) -> dict[str, Any]:
    return {"name": name, "population": population, "alternatenames": list(alternates)}


def test_world_admin1_vote_by_towns_raises_to_the_mapped_level() -> None:
    subs = [_sub("XX-01", "Northern", kind="Region"),
            _sub("XX-MB", "Mbalo", parent="XX-01", kind="District")]
    towns = [_town("Mbalo", 90_000), _town("Kiwanja", 3_000)]
    assert wa.vote_by_towns(towns, subs, {"Region"}) == "XX-01"
    assert wa.vote_by_towns(towns, subs, {"District"}) == "XX-MB"


def test_world_admin1_vote_by_towns_needs_a_clear_majority() -> None:
    subs = [_sub("XX-MB", "Mbalo"), _sub("XX-KI", "Kiwanja")]
    split = [_town("Mbalo", 50_000), _town("Kiwanja", 45_000)]
    assert wa.vote_by_towns(split, subs, {"Province"}) is None
    assert wa.vote_by_towns([_town("Nowhere", 10)], subs, {"Province"}) is None
