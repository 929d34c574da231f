"""Target classes: what a mention's event hit, from the cues and attacked actors of its clause.

Part of the resolve-roles stage (``processors.extract.roles`` calls ``target_of``). A cue
(``data/targets.json``) counts by how clearly it sits in a victim position: the object of
"on", "against", "killing", the subject of "were killed", the people "including" names. Who a
cue belongs to can change its class: "a checkpoint of the Syrian Democratic Forces" or "an SDF
post" is a non-state group's (``militants``), "five of its members" the members of the group
the sentence is about; a state's forces are ``security_forces`` at home and ``foreign_forces``
abroad, but soldiers and police that the article never gives a nationality are the forces of
wherever it happened. "Gunmen ambushed them" hits the subject told before; a clause that tells
another event after "hours after" keeps that event's victims to it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from processors.extract.document import ActorMention, TargetCue, Trigger
from processors.extract.phrases import (
    speech_after,
    state_sides,
    target_before,
    victim_after,
    victims_named_before,
)
from processors.text.numbers import Casualty

_WORDS_ONLY = re.compile(r"[\w\s'-]*")
_REACH = 100  # a cue farther than this from every trigger names something else
# "a checkpoint of the SDF", "posts held by the rebels": the actor after owns the cue.
_OWNED_BY = re.compile(r"\s+(?:of|belonging to|held by|manned by|run by|used by|operated by)\s+"
                       r"(?:the\s+)?(?:[\w'-]+\s+){0,2}?", re.IGNORECASE)
_OWNER_BEFORE = re.compile(r"(?:'s?)?\s*(?:-\s*)?")  # "an SDF checkpoint", "Hamas's posts"
# "five of its members", "their fighters": a group's people, owned by the group told before.
_ITS_PEOPLE = re.compile(r"\b(?:its|their)\s+(?:own\s+)?(?:members|fighters|men|personnel|"
                         r"soldiers|troops|militants|commanders|guards|positions|posts|"
                         r"checkpoints|bases)\b", re.IGNORECASE)
# "gunmen ambushed them": the object pronoun stands for someone told before the verb.
_OBJECT_PRONOUN = re.compile(r"\s+(?:them|him|her)\b", re.IGNORECASE)
# "..., hours after a police chief was shot dead": what comes after tells another event.
_OTHER_EVENT = re.compile(r"\b(?:(?:hours?|days?|weeks?|months?|a day|a week|shortly|moments|"
                          r"minutes)\s+(?:after|before)|a day after|the day after)\b",
                          re.IGNORECASE)
# "four workers - an American, a Briton and a German - were abducted": the aside is skipped.
_APPOSITION = re.compile(r"\s*(?:--?|\u2014|\u2013|\()[^-\u2014\u2013()\n]{1,80}"
                         r"(?:--?|\u2014|\u2013|\))", re.IGNORECASE)
# "antenna towers of all the networks were torched": so is the head noun's "of" complement.
_OF = re.compile(r"\s+of(?=\s)", re.IGNORECASE)
_NEXT_WORD = re.compile(r"\s+[\w'-]+")
_COMPLEMENT_WORDS = 4
_FORCES = frozenset({"security_forces", "foreign_forces"})


def target_of(
    folded: str, triggers: Sequence[Trigger], cues: Sequence[TargetCue],
    actors: Sequence[ActorMention], casualties: Sequence[Casualty], *, country: str | None,
    exclude: ActorMention | None, lo: int, hi: int,
) -> str | None:
    """The target class of a mention: the best-placed cue or attacked actor in its span."""
    if not triggers:
        return None
    first = min(t.start for t in triggers)
    anchors = [t.start for t in triggers]
    other = _OTHER_EVENT.search(folded, lo, first)
    floor = other.end() if other is not None else lo  # cues before it are another event's
    subject = _pronoun_subject(folded, triggers, cues, lo)
    best: tuple[int, int, str | None] | None = None
    for cue in cues:
        if cue.end <= floor or cue.start >= hi:
            continue
        if cue.countries is not None and country not in cue.countries:
            continue
        if exclude is not None and cue.start < exclude.end and exclude.start < cue.end:
            continue
        score = _placement(folded, cue.start, cue.end, first, casualties, lo)
        if cue is subject:
            score = (score or 0) + 3  # the verb's own object
        if score is None:
            continue
        distance = min(abs(cue.start - a) for a in anchors)
        if distance > _REACH and score < 2:
            continue
        candidate: tuple[int, int, str | None] = (cue.weight + score, -distance,
                                                  _cue_class(folded, cue, actors, exclude,
                                                             country))
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    for actor in actors:
        if actor.target is None or actor is exclude or actor.end <= lo or actor.start >= hi:
            continue
        if actor.countries is not None and country not in actor.countries:
            continue
        if not (target_before(folded, actor.start, lo) or victim_after(folded, actor.end)):
            continue
        distance = min(abs(actor.start - a) for a in anchors)
        candidate = (5, -distance, target_class(actor, exclude, country=country))
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    owned = _group_people(folded, actors, exclude, first, casualties, lo=floor, hi=hi)
    if owned is not None:
        score, start, owner = owned
        candidate = (3 + score, -min(abs(start - a) for a in anchors),
                     target_class(owner, exclude, country=country))
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return None if best is None else best[2]


def _cue_class(folded: str, cue: TargetCue, actors: Sequence[ActorMention],
               exclude: ActorMention | None, country: str | None) -> str:
    """The class a cue names here: its owner's when an actor owns it, else its own."""
    if cue.target == "security_forces":
        owner = _owner(folded, cue, actors, exclude)
        if owner is not None:
            return target_class(owner, exclude, country=country) or cue.target
    return _abroad(cue, actors, country)


def _owner(folded: str, cue: TargetCue, actors: Sequence[ActorMention],
           exclude: ActorMention | None) -> ActorMention | None:
    """The named actor a cue belongs to ("a post of the SDF", "an SDF checkpoint"), if any."""
    for actor in actors:
        if actor is exclude or actor.name is None or actor.target is None:
            continue
        if actor.start >= cue.end:
            if _OWNED_BY.fullmatch(folded, cue.end, actor.start):
                return actor
        elif actor.end <= cue.start and _OWNER_BEFORE.fullmatch(folded, actor.end, cue.start):
            return actor
    return None


def _group_people(
    folded: str, actors: Sequence[ActorMention], exclude: ActorMention | None, first: int,
    casualties: Sequence[Casualty], *, lo: int, hi: int,
) -> tuple[int, int, ActorMention] | None:
    """"Five of its members had been killed": the people of the group told just before, as a
    victim (placement score, start, the group), when they read as the ones hit."""
    for match in _ITS_PEOPLE.finditer(folded, lo, hi):
        named = [a for a in actors if a.end <= match.start() and a.start >= lo and a.name
                 and a.target is not None]
        if not named or named[-1] is exclude or named[-1].side in state_sides():
            continue
        score = _placement(folded, match.start(), match.end(), first, casualties, lo)
        if score is not None and score >= 2:
            return score, match.start(), named[-1]
    return None


def _pronoun_subject(folded: str, triggers: Sequence[Trigger], cues: Sequence[TargetCue],
                     lo: int) -> TargetCue | None:
    """The first cue of the clause when a verb's object is a pronoun ("soldiers were on patrol
    when gunmen ambushed them"): the subject the pronoun stands for."""
    verbs = [t for t in triggers if t.form == "verb" and _OBJECT_PRONOUN.match(folded, t.end)]
    if not verbs:
        return None
    before = [c for c in cues if lo <= c.start and c.end <= verbs[0].start
              and not speech_after(folded, c.end)]
    return before[0] if before else None


def _abroad(cue: TargetCue, actors: Sequence[ActorMention], country: str | None) -> str:
    """A security-forces cue that is another state's forces ("Russian troops" in Mali)."""
    if cue.target != "security_forces" or country is None:
        return cue.target
    for actor in actors:
        if (actor.state is not None and actor.state != country and actor.countries is None
                and actor.start < cue.end and cue.start < actor.end):
            return "foreign_forces"
    return cue.target


def target_class(actor: ActorMention, attacker: ActorMention | None, *,
                 country: str | None = None) -> str | None:
    """The target class of an attacked actor, which can depend on who attacked it and where:
    a state's forces are ``security_forces`` at home and ``foreign_forces`` abroad; soldiers
    and police the text gives no nationality (bound to one country) are those of the place."""
    if attacker is not None and attacker.side in state_sides() and actor.target_if_state:
        return actor.target_if_state
    if (actor.target in _FORCES and actor.state is not None and country is not None
            and actor.countries is None):
        return "foreign_forces" if actor.state != country else "security_forces"
    return actor.target


def _placement(
    folded: str, start: int, end: int, first_trigger: int, casualties: Sequence[Casualty],
    lo: int,
) -> int | None:
    """How clearly a cue sits in a victim position; None when it reads as the subject."""
    if speech_after(folded, end):
        return None  # "police said": the source of the report
    score = 0
    in_casualty = any(c.start <= start and end <= c.end for c in casualties)
    # "wounded four US service members": the cue is the object of the casualty phrase.
    after_casualty = any(0 <= start - c.end <= 30 and _WORDS_ONLY.fullmatch(folded, c.end, start)
                         for c in casualties)
    if in_casualty or after_casualty or victim_after(folded, end) or _victim_behind(folded, end):
        score += 2
    if target_before(folded, start, lo):
        score += 2
    if victims_named_before(folded, start, lo):
        score += 3
    if start >= first_trigger:
        score += 1
    elif score == 0:
        return None
    return score


def _victim_behind(folded: str, end: int) -> bool:
    """Whether a victim phrase follows a cue behind an aside or an "of" complement ("four
    workers - two Danes and a Swede - were abducted", "towers of two networks were torched")."""
    aside = _APPOSITION.match(folded, end)
    if aside is not None and victim_after(folded, aside.end()):
        return True
    of = _OF.match(folded, end)
    if of is None:
        return False
    stop = of.end()
    for _ in range(_COMPLEMENT_WORDS):
        word = _NEXT_WORD.match(folded, stop)
        if word is None:
            return False
        stop = word.end()
        if victim_after(folded, stop):
            return True
    return False
