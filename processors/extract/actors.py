"""Actors (canonical perpetrators of SCHEMA.md) and target cues, as spans in folded text.

The alias table is ``data/actors.json``, the target cues ``data/targets.json``. Which role a
mention plays (attacker, target, neither) depends on where it sits relative to an event
trigger; ``attacker_role`` and ``target_role`` read that from the words around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from processors.extract.world_actors import find_world_actors
from processors.text.matcher import Matcher
from processors.text.rules import compile_alternation, compile_keyed, load_rules

# "by" names the attacker only after a participle or an event noun ("carried out by").
_AGENTIVE_BY = re.compile(
    r"(?:attacked|targeted|hit|struck|killed|wounded|injured|kidnapped|abducted|ambushed|shelled|"
    r"bombed|fired|launched|carried out|claimed|conducted|staged|perpetrated|orchestrated|"
    r"executed|assassinated|shot|stormed|seized|raided|destroyed|planted|detonated|set off|"
    r"attacks?|strikes?|bombings?|raids?|assaults?|ambush(?:es)?|shelling|fire)"
    r"\s+by\s+(?:the\s+)?$", re.IGNORECASE)


# The word-order tests below are asked about the same span for every trigger, mention and
# vote; their caches hold the last article's answers (keys hold the text: keep them small).
_PER_TEXT = 128


@dataclass(frozen=True, slots=True)
class ActorMention:
    """A named actor (``name`` canonical) or a generic attacker (``name`` None: "gunmen")."""

    start: int
    end: int
    text: str
    name: str | None
    side: str | None
    target: str | None
    countries: frozenset[str] | None = None
    target_if_state: str | None = None
    state: str | None = None  # the ISO code of the state whose forces these are


@dataclass(frozen=True, slots=True)
class TargetCue:
    """A phrase naming what was attacked, with its target class and weight."""

    start: int
    end: int
    text: str
    target: str
    weight: int
    countries: frozenset[str] | None


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
    attacker_before: re.Pattern[str]
    claim_after: re.Pattern[str]
    blame_before: re.Pattern[str]
    suspect_before: re.Pattern[str]
    target_before: re.Pattern[str]
    victim_after: re.Pattern[str]
    not_agentive: re.Pattern[str]
    speech_after: re.Pattern[str]
    target_nouns: re.Pattern[str]


def _tail(words: list[str], gap: int) -> re.Pattern[str]:
    """A cue then at most ``gap`` words, up to the end: never across "when", "and", "after"..."""
    alts = "|".join(sorted(words, key=len, reverse=True))
    word = r"(?!(?:when|and|after|as|while|before|because|since|but|who|which|that)\b)[\w'.-]+"
    return re.compile(rf"(?<![\w-])(?:{alts})\s+(?:{word}\s+){{0,{gap}}}$", re.IGNORECASE)


def _head(words: list[str], gap: int) -> re.Pattern[str]:
    alts = "|".join(sorted(words, key=len, reverse=True))
    return re.compile(rf"\W{{0,3}}(?:[\w'.-]+\s+){{0,{gap}}}?(?:{alts})(?![\w-])", re.IGNORECASE)


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
    cue_regex, cue_keys = compile_keyed([(i, p) for i, c in enumerate(cues) for p in c["patterns"]])
    return _Tables(
        actors=actors, folded_ci=ci_regex, ci_keys=ci_keys, exact=exact_regex,
        exact_keys=exact_keys, generic=compile_alternation(data["generic_attackers"]),
        cues=cues, cue_regex=cue_regex, cue_keys=cue_keys,
        attacker_before=_tail(data["attacker_before"], 2),
        claim_after=re.compile(
            rf"(?:\s*,[^,.;]{{1,80}},)?\W{{0,3}}(?:[\w'.-]+\s+){{0,3}}?"
            rf"(?:{'|'.join(sorted(data['claim_after'], key=len, reverse=True))})(?![\w-])",
            re.IGNORECASE),
        blame_before=_tail(data["blame_before"], 3),
        suspect_before=_tail(data["suspect_before"], 2),
        target_before=_tail(data["target_before"], 3),
        victim_after=_head(data["victim_after"], 2),
        speech_after=_head(data["speech_after"], 1),
        target_nouns=re.compile(rf"\s+(?:{'|'.join(data['target_nouns_after'])})\b", re.IGNORECASE),
        not_agentive=re.compile(
            rf"(?<![\w-])(?:{'|'.join(data['not_agentive_before_by'])})\s+by\s+(?:the\s+)?$",
            re.IGNORECASE),
    )


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


def attribution_before(folded: str, start: int, lo: int = 0) -> str | None:
    """How the words just before a mention attribute an event to it, if they do."""
    return _attribution(folded[max(lo, start - 40) : start])


@lru_cache(maxsize=4096)
def _attribution(window: str) -> str | None:
    # Keyed by the 40-character window: the same mention is asked about several times.
    t = _tables()
    if t.blame_before.search(window):
        return "blamed"
    if t.suspect_before.search(window):
        return "suspected"
    match = t.attacker_before.search(window)
    if match is None or t.not_agentive.search(window):
        return None
    if match.group(0).split()[0].lower() == "by" and not _AGENTIVE_BY.search(window):
        return None  # "a tally by the US embassy", "a statement by the ministry"
    return "claimed" if "claimed" in window[-20:].lower() else "stated"


@cache
def state_sides() -> frozenset[str]:
    """Sides that are states (their strikes hit militants; a generic gunman is never one)."""
    return frozenset(load_rules("actors")["fallback"]["state_sides"])


def target_noun_after(folded: str, end: int) -> bool:
    """Whether a target noun follows a span ("PKK positions", "militia headquarters")."""
    return _tables().target_nouns.match(folded, end, min(len(folded), end + 20)) is not None


@lru_cache(maxsize=_PER_TEXT)
def speech_after(folded: str, end: int) -> bool:
    """Whether a span is the source of a statement ("police said"), not a party to the event."""
    return _tables().speech_after.match(folded, end, min(len(folded), end + 30)) is not None


@lru_cache(maxsize=_PER_TEXT)
def claims_after(folded: str, end: int) -> bool:
    """Whether the words just after a mention say it claimed or took credit for an attack."""
    return _tables().claim_after.match(folded, end, min(len(folded), end + 140)) is not None


@lru_cache(maxsize=_PER_TEXT)
def target_before(folded: str, start: int, lo: int = 0) -> bool:
    """Whether the words just before a span introduce what was attacked ("on", "against")."""
    return _tables().target_before.search(folded, max(lo, start - 40), start) is not None


@lru_cache(maxsize=_PER_TEXT)
def victim_after(folded: str, end: int) -> bool:
    """Whether the words just after a span make it the victim ("came under", "were killed")."""
    return _tables().victim_after.match(folded, end, min(len(folded), end + 50)) is not None
