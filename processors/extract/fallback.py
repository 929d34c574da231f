"""What an article says once and its events share: who is behind unattributed attacks,
what a state's air strike hits, which weapon a bare "attack" used.

An event without a stated perpetrator takes the article's most frequent attacker of the right
kind (``data/actors.json``, ``fallback``), with attribution "suspected"; a pronoun subject
("they announced killing five militants") takes the actor it stands for.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from processors.extract.actors import attribution_before, claims_after
from processors.extract.mentions import ArticleSpans
from processors.extract.merge import Draft
from processors.extract.roles import attacker_of, target_of
from processors.extract.world_actors import world_sides
from processors.text.indexed import holding, within
from processors.text.rules import load_rules
from processors.text.sentences import Sentence

_SAID_PRONOUN = re.compile(r"\b(?:said|says|announced|claimed|reported|stated)\b[^.;]{0,30}?\b"
                           r"(?:it|they)\b", re.IGNORECASE)


@cache
def _fallback_rules() -> tuple[frozenset[str], frozenset[str], dict[str, str]]:
    data = load_rules("actors")
    sides = {**world_sides(), **{a["name"]: a["side"] for a in data["actors"]}}
    return (frozenset(data["fallback"]["state_targets"]),
            frozenset(data["fallback"]["state_sides"]), sides)


@cache
def _militant_target_sides() -> frozenset[str]:
    return frozenset(load_rules("actors")["fallback"]["default_militant_target_sides"])


def fill_perpetrators(
    spans: ArticleSpans, drafts: list[Draft], *, previous: dict[int, Sentence | None],
    country: str | None,
) -> None:
    """Pronoun subjects take the previous sentence's actor; the rest the article's attacker."""
    state_targets, states, sides = _fallback_rules()
    if all(d.perpetrator is not None for d in drafts):
        return
    votes = attacker_votes(spans)
    targets = target_votes(spans, country) if votes else Counter()
    usual_target = targets.most_common(1)[0][0] if targets else None
    for draft in drafts:
        if draft.perpetrator is None and draft.pronoun:
            subject = _pronoun_antecedent(spans, draft, previous)
            if subject is not None:
                draft.perpetrator, draft.attribution = subject, "stated"
                continue
        if draft.perpetrator is not None or draft.separate:
            continue
        target = draft.target or usual_target
        want_state = target in state_targets and not draft.generic_attacker
        for name, _ in votes.most_common():
            if (sides.get(name) in states) != want_state:
                continue
            draft.perpetrator, draft.attribution = name, "suspected"
            break


def default_targets(drafts: list[Draft]) -> None:
    """A state's air strike with no stated target hits militants (ACLED's usual reading)."""
    sides = _fallback_rules()[2]
    for draft in drafts:
        if (draft.target is None and draft.event_type == "air_drone_strike"
                and sides.get(draft.perpetrator or "") in _militant_target_sides()):
            draft.target = "militants"


def _pronoun_antecedent(
    spans: ArticleSpans, draft: Draft, previous: dict[int, Sentence | None]
) -> str | None:
    """What "they"/"it" stands for: a named actor opening the sentence ("The army said it had
    killed ...") or else the first named actor of the sentence before."""
    sentence = next(s for s in spans.sentences if s.index == min(draft.sentences))
    opening = spans.folded[sentence.start : sentence.end]
    cut = _SAID_PRONOUN.search(opening)
    if cut is not None:
        named = [a for a in within(spans.actors, sentence.start, sentence.start + cut.start())
                 if a.name]
        if named:
            return named[0].name
    before = previous.get(sentence.index)
    if before is not None:
        named = [a for a in within(spans.actors, before.start, before.end) if a.name]
        if named:
            return named[0].name
    return None


def inherit_types(drafts: list[Draft]) -> None:
    """A generic "attack" takes the weapon of the article's other attacks on the same target."""
    for draft in drafts:
        if not draft.inherit_type or draft.event_type != "attack":
            continue
        peers = Counter(d.event_type for d in drafts
                        if not d.generic_type and d.target == draft.target and d is not draft)
        if peers:
            draft.event_type = peers.most_common(1)[0][0]


def target_votes(spans: ArticleSpans, country: str | None) -> Counter[str]:
    """How often each target class is what some trigger of the article hits."""
    votes: Counter[str] = Counter()
    for sentence in holding(spans.sentences, spans.triggers.starts):
        if sentence.boilerplate:
            continue
        s, e = sentence.start, sentence.end
        for trigger in within(spans.triggers, s, e):
            target = target_of(spans.folded, [trigger], within(spans.targets, s, e),
                               within(spans.actors, s, e), within(spans.casualties, s, e),
                               country=country, exclude=None, lo=s, hi=e)
            if target is not None:
                votes[target] += 1
    return votes


def attacker_votes(spans: ArticleSpans) -> Counter[str]:
    """How often each named actor is the attacker of some trigger (generic ones included)."""
    votes: Counter[str] = Counter()
    for sentence in holding(spans.sentences, spans.actors.starts):
        if sentence.boilerplate:
            continue
        s, e = sentence.start, sentence.end
        actors = within(spans.actors, s, e)
        if not actors:
            continue
        for trigger in within(spans.triggers, s, e):
            agent = attacker_of(spans.folded, trigger, actors, lo=s, hi=e)
            if agent is not None and agent.actor.name is not None:
                votes[agent.actor.name] += 1
        for actor in actors:
            # "Officials blamed Kata'ib Hezbollah": blame counts even without an event word.
            if actor.name is not None and (
                attribution_before(spans.folded, actor.start, s) in ("blamed", "suspected")
                or claims_after(spans.folded, actor.end)
            ):
                votes[actor.name] += 1
    return votes
