"""Who did it and to whom: perpetrator and target of a mention, from word order around triggers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from processors.extract.actors import (
    ActorMention,
    TargetCue,
    attribution_before,
    claims_after,
    speech_after,
    state_sides,
    target_before,
    target_noun_after,
    victim_after,
)
from processors.extract.events import Trigger
from processors.text.numbers import Casualty

# Between an agent and an event noun: "carried out an attack", "took credit for the strikes".
_AGENT_VERB = re.compile(
    r"^\W*(?:[\w'.-]+\s+){0,4}?(?:carried out|launched|conducted|staged|claimed|mounted|"
    r"executed|perpetrated|took credit for|claimed responsibility for|(?:was|were) behind|"
    r"behind|responsible for|involved in|took part in|killed|struck|hit|targeted|bombed|shelled|"
    r"fired|destroyed)\s+(?:(?!(?:after|before|in|on|at|for|since|during|following|against|near|"
    r"by|with|from)\b)[\w'-]+\s+){0,5}$", re.IGNORECASE)
_POSSESSIVE = re.compile(r"^\s*(?:[\w-]+\s+){0,3}$")
_ADJACENT = re.compile(r"^[\s-]*(?:[\w-]+\s+){0,1}$")
_STOP = re.compile(r"[;:]|\b(?:said|says|told|according)\b", re.IGNORECASE)
_WORDS_ONLY = re.compile(r"[\w\s'-]*")
_REACH = 100  # a cue farther than this from every trigger names something else
_SAID_THEY = re.compile(r"^\s+(?:said|announced|reported|stated|claimed)\s+(?:that\s+)?"
                        r"(?:they|it)\s+"
                        r"(?:had\s+|have\s+|has\s+)?(?:\w+ly\s+)?$", re.IGNORECASE)
# An infinitive or a relative clause between actor and verb gives the verb another subject:
# "sent forces to find the launchers that targeted diplomats".
_OTHER_VERB = re.compile(r"\bto\s+(?!the\b|a\b|an\b)\w+|\s(?:that|which|who)\s+(?:\w+\s+){0,2}$",
                         re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[,;:]|--|\b(?:where|which|who|that|when|while)\b", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(?:they|it|he|she)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Agent:
    """An actor in the attacker role of a mention, with how the text attributes it."""

    actor: ActorMention
    attribution: str


def attacker_of(
    folded: str, trigger: Trigger, actors: Sequence[ActorMention], *, lo: int, hi: int
) -> Agent | None:
    """The actor that did what ``trigger`` names, within ``folded[lo:hi]``, if the text says."""
    best: Agent | None = None
    for actor in actors:
        if actor.end <= lo or actor.start >= hi:
            continue
        role = _attacker_role(folded, trigger, actor, lo)
        if role is None:
            continue
        agent = Agent(actor, role)
        if best is None or _rank(agent) > _rank(best):
            best = agent
    return best


def _rank(agent: Agent) -> tuple[int, int]:
    return (agent.actor.name is not None, -agent.actor.start)


def _attacker_role(folded: str, trigger: Trigger, actor: ActorMention, lo: int) -> str | None:
    if claims_after(folded, actor.end):
        return "claimed"
    if actor.start >= trigger.end:
        attribution = attribution_before(folded, actor.start, lo)
        if attribution == "suspected" and target_noun_after(folded, actor.end):
            return None  # "struck suspected PKK positions": the target, not the attacker
        if attribution is not None and actor.start - trigger.end < 120:
            return attribution
        return None
    if actor.end > trigger.start:
        # "Turkish warplanes struck", "a US air strike": the actor is part of the trigger.
        inside = (trigger.form == "noun" and trigger.start <= actor.start
                  and actor.end <= trigger.end)
        runs_in = actor.start < trigger.start and trigger.form in ("verb", "noun")
        return "stated" if inside or runs_in else None
    gap = folded[actor.end : trigger.start]
    if trigger.form == "noun":
        possessive = actor.text.endswith(("'s", "'")) or gap.startswith("'")
        if _ADJACENT.match(gap) or (possessive and _POSSESSIVE.match(gap.lstrip("'s"))):
            return "stated"  # "an Islamic State attack", "Hamas's October 7 attack"
    if target_before(folded, actor.start, lo) or victim_after(folded, actor.end):
        return None
    attribution = attribution_before(folded, actor.start, lo)
    if attribution in ("blamed", "suspected"):
        return attribution
    if trigger.form == "noun":
        return "stated" if _AGENT_VERB.match(gap) else None
    if _SAID_THEY.match(gap):
        return "stated"  # "security forces said they had uncovered a stash"
    if len(gap) > 150 or _STOP.search(gap) or _OTHER_VERB.search(gap):
        return None
    return "stated"


def pronoun_subject(folded: str, lo: int, trigger_start: int) -> bool:
    """Whether a pronoun is the subject just before the trigger ("they announced killing")."""
    start = max(lo, trigger_start - 60)
    found = list(_PRONOUN.finditer(folded, start, trigger_start))
    return bool(found) and _CLAUSE_BREAK.search(folded, found[-1].end(), trigger_start) is None


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
    best: tuple[int, int, str | None] | None = None
    for cue in cues:
        if cue.end <= lo or cue.start >= hi:
            continue
        if cue.countries is not None and country not in cue.countries:
            continue
        if exclude is not None and cue.start < exclude.end and exclude.start < cue.end:
            continue
        score = _placement(folded, cue.start, cue.end, first, casualties, lo)
        if score is None:
            continue
        distance = min(abs(cue.start - a) for a in anchors)
        if distance > _REACH and score < 2:
            continue
        candidate: tuple[int, int, str | None] = (cue.weight + score, -distance,
                                                  _abroad(cue, actors, country))
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
    return None if best is None else best[2]


def _abroad(cue: TargetCue, actors: Sequence[ActorMention], country: str | None) -> str:
    """A security-forces cue that is another state's forces ("Russian troops" in Mali)."""
    if cue.target != "security_forces" or country is None:
        return cue.target
    for actor in actors:
        if (actor.state is not None and actor.state != country and actor.start < cue.end
                and cue.start < actor.end):
            return "foreign_forces"
    return cue.target


def target_class(actor: ActorMention, attacker: ActorMention | None, *,
                 country: str | None = None) -> str | None:
    """The target class of an attacked actor, which can depend on who attacked it and where:
    a state's forces are ``security_forces`` at home and ``foreign_forces`` abroad."""
    if attacker is not None and attacker.side in state_sides() and actor.target_if_state:
        return actor.target_if_state
    if (actor.target == "security_forces" and actor.state is not None and country is not None
            and actor.state != country):
        return "foreign_forces"
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
    if in_casualty or after_casualty or victim_after(folded, end):
        score += 2
    if target_before(folded, start, lo):
        score += 2
    if start >= first_trigger:
        score += 1
    elif score == 0:
        return None
    return score
