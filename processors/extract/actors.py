"""The actors stage: actors (canonical perpetrators of SCHEMA.md) and target cues, as spans.

The alias table is ``data/actors.json``, the target cues ``data/targets.json``. Which role a
mention plays (attacker, target, neither) depends on where it sits relative to an event
trigger; the roles stage (``processors.extract.roles``) reads that from the words around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from processors.extract.document import ActorMention, Document, TargetCue
from processors.extract.world import world
from processors.extract.world_actors import bind_place_forces, find_world_actors
from processors.text.indexed import Indexed
from processors.text.matcher import Matcher
from processors.text.rules import compile_alternation, compile_keyed, load_rules


@dataclass(frozen=True, slots=True)
class _Tables:
    actors: list[dict[str, Any]]
    folded_ci: Matcher
    ci_keys: dict[str, int]
    exact: Matcher
    exact_keys: dict[str, int]
    generic: Matcher
    cues: list[dict[str, Any]]
    cue_regex: Matcher
    cue_keys: dict[str, int]


@cache
def _tables() -> _Tables:
    data = load_rules("actors")
    actors: list[dict[str, Any]] = data["actors"]
    ci = [(i, p) for i, a in enumerate(actors) for p in a.get("patterns", [])]
    exact = [(i, p) for i, a in enumerate(actors) for p in a.get("exact", [])]
    ci_regex, ci_keys = compile_keyed(ci)
    exact_regex, exact_keys = compile_keyed(exact, flags=0)
    targets = load_rules("targets")
    cues: list[dict[str, Any]] = targets["cues"]
    cue_regex, cue_keys = compile_keyed(
        [(i, p) for i, c in enumerate(cues)
         for p in [*c["patterns"], *(_demonym_plurals() if c.get("demonym_plurals") else ())]])
    return _Tables(
        actors=actors, folded_ci=ci_regex, ci_keys=ci_keys, exact=exact_regex,
        exact_keys=exact_keys, generic=compile_alternation(data["generic_attackers"]),
        cues=cues, cue_regex=cue_regex, cue_keys=cue_keys,
    )


def _demonym_plurals() -> list[str]:
    """"Nigerians", "Iraqis", "Afghans": the plural nouns of the world's demonym adjectives
    that make one by adding -s (not "British", "Chinese": those are adjectives only)."""
    adjectives = {a for c in world().countries.values() for a in c.adjectives
                  if a.isalpha() and len(a) > 3 and a.lower().endswith(("an", "i"))}
    return sorted(re.escape(f"{a}s") for a in adjectives)


def find_actors(folded: str) -> list[ActorMention]:
    """Named and generic actor mentions, longest first where they overlap, in text order."""
    t = _tables()
    found: list[ActorMention] = []
    for regex, keys in ((t.folded_ci, t.ci_keys), (t.exact, t.exact_keys)):
        for m in regex.finditer(folded):
            actor = t.actors[keys[m.lastgroup or ""]]
            countries = actor.get("countries")
            found.append(ActorMention(m.start(), m.end(), m.group(0), actor["name"],
                                      actor.get("side"), actor.get("target"),
                                      frozenset(countries) if countries else None,
                                      actor.get("target_if_state_attacks")))
    for m in t.generic.finditer(folded):
        found.append(ActorMention(m.start(), m.end(), m.group(0), None, None, None))
    for start, end, world_actor in find_world_actors(folded):
        found.append(ActorMention(start, end, folded[start:end], world_actor.name,
                                  world_actor.side, world_actor.target, state=world_actor.state))
    return _longest_first(found)


def find_targets(folded: str, ranges: list[tuple[int, int]] | None = None) -> list[TargetCue]:
    """Target cues in folded text (only inside ``ranges`` if given), in text order."""
    t = _tables()
    found: list[TargetCue] = []
    for m in t.cue_regex.finditer(folded, ranges=ranges):
        cue = t.cues[t.cue_keys[m.lastgroup or ""]]
        countries = cue.get("countries")
        found.append(TargetCue(m.start(), m.end(), m.group(0), cue["class"], int(cue["weight"]),
                               frozenset(countries) if countries else None))
    return found


def _longest_first(mentions: list[ActorMention]) -> list[ActorMention]:
    """Drop mentions overlapping a longer one (a sweep: where two overlap, the longer stays)."""
    kept: list[ActorMention] = []
    for mention in sorted(mentions, key=lambda m: (m.start, m.start - m.end)):
        if kept and mention.start < kept[-1].end:
            if mention.end - mention.start > kept[-1].end - kept[-1].start:
                kept[-1] = mention
            continue
        kept.append(mention)
    return kept


def tag_actors(doc: Document) -> None:
    """Set ``actors`` (all of the body) and ``targets`` (cues of the sentences that report)."""
    # Soldiers and police without a nationality are the forces of the story's state.
    doc.actors = Indexed(bind_place_forces(find_actors(doc.folded), doc.country))
    doc.targets = Indexed(find_targets(doc.folded, doc.busy))
