"""The world's actors (``data/world_actors.json``), matched as literal phrases.

Three families, beside the first region's hand-tuned ``actors.json``:

- groups: SCHEMA v2's canonical non-state groups with their aliases and transliterations;
  a branch is its own entry, so its longer name beats its parent's;
- states: every country's forces, from its demonyms and short name followed by a force noun
  ("Nigerian troops", "Pakistan Army") and from named institutions ("the Tatmadaw"), each
  named by the state's short English name, the target ``security_forces`` at home and
  ``foreign_forces`` abroad;
- place forces: "soldiers", "police" without a nationality, bound by ``bind_place_forces``
  to the state where the article's events happen ("police in Sinaloa": Mexico);
- local attackers ("bandits", "herders"): generic, never attributed.

The phrases (thousands: every demonym times every force noun) go into two Aho-Corasick
automata (``processors.text.phrases``), case-folded and case-sensitive.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Final

from processors.extract.world import state_name, world
from processors.text.fold import fold
from processors.text.phrases import PhraseMatcher
from processors.text.rules import load_rules

PLACE_FORCES: Final = "$place"  # the name of soldiers and police until they are bound


@dataclass(frozen=True, slots=True)
class WorldActor:
    """What a world phrase names."""

    name: str | None
    side: str | None
    target: str | None
    state: str | None = None  # the ISO code of the state whose forces these are


@dataclass(frozen=True, slots=True)
class _Matchers:
    folded: PhraseMatcher[WorldActor]
    exact: PhraseMatcher[WorldActor]
    sides: dict[str, str]


def _state_phrases(data: dict[str, Any], curated: dict[str, str]
                   ) -> Iterable[tuple[str, WorldActor]]:
    skip = set(data["skip_states"])
    nouns = data["force_nouns"]
    w = world()
    for code, country in sorted(w.countries.items()):
        if code in skip:
            continue
        actor = WorldActor(country.short, curated.get(country.short, "state"),
                           "security_forces", code)
        stems = [*country.adjectives, country.short]
        for stem in stems:
            for noun in nouns:
                yield f"{stem} {noun}", actor
                yield f"{stem}'s {noun}", actor
        for name in data["institutions"].get(code, ()):
            yield name, actor


@cache
def _matchers() -> _Matchers:
    data = load_rules("world_actors")
    curated = {a["name"]: a["side"] for a in load_rules("actors")["actors"]}
    folded: list[tuple[str, WorldActor]] = []
    exact: list[tuple[str, WorldActor]] = []
    sides: dict[str, str] = {}
    for group in data["groups"]:
        actor = WorldActor(group["name"], group["side"], group.get("target"))
        sides[group["name"]] = group["side"]
        folded.extend((fold(p), actor) for p in group["phrases"])
        exact.extend((p, actor) for p in group.get("exact", ()))
    for phrase, actor in _state_phrases(data, curated):
        folded.append((fold(phrase), actor))
        sides.setdefault(actor.name or "", actor.side or "state")
        if phrase in data["exact_institutions"]:
            exact.append((phrase, actor))
    place = WorldActor(PLACE_FORCES, "state", "security_forces")
    folded.extend((p, place) for p in data["place_forces"])
    local = WorldActor(None, None, None)
    folded.extend((p, local) for p in data["local_attackers"])
    exact_names = set(data["exact_institutions"])
    folded = [(p, a) for p, a in folded if p not in exact_names]
    return _Matchers(PhraseMatcher(folded), PhraseMatcher(exact, case_sensitive=True), sides)


def find_world_actors(folded: str) -> list[tuple[int, int, WorldActor]]:
    """World actor phrases in folded text: (start, end, actor), case-folded ones first."""
    m = _matchers()
    return m.folded.find(folded) + m.exact.find(folded)


def world_sides() -> dict[str, str]:
    """Canonical name -> side for the world's groups and states."""
    return _matchers().sides


@cache
def _all_sides() -> dict[str, str]:
    """World sides with the hand-tuned table's on top (Iraq's forces are "iraqi_state")."""
    return {**world_sides(), **{a["name"]: a["side"] for a in load_rules("actors")["actors"]}}


def phrase_count() -> int:
    """How many phrases the two automata hold (for the benchmark's report)."""
    m = _matchers()
    return len(m.folded) + len(m.exact)


def bind_place_forces(mentions: list[Any], country: str | None) -> list[Any]:
    """Soldiers and police without a nationality become the forces of ``country``'s state
    (named by its short name, limited to events there); with no country they name no one."""
    name = state_name(country) if country else None
    sides = _all_sides()
    if not any(m.name == PLACE_FORCES for m in mentions):
        return mentions
    out = []
    for mention in mentions:
        if mention.name != PLACE_FORCES:
            out.append(mention)
        elif name is not None and country is not None:
            side = sides.get(name, "state")
            out.append(replace(mention, name=name, side=side,
                               countries=frozenset({country}), state=country))
    return out
