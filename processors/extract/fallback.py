"""The fill-from-the-article stage: what an article says once and its events share.

Who is behind unattributed attacks, what a state's air strike hits, which weapon a bare
"attack" used.

An event without a stated perpetrator takes the article's most frequent attacker of the right
kind (``data/actors.json``, ``fallback``), with attribution "suspected"; a pronoun subject
("they announced killing five militants") takes the actor it stands for.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from processors.extract.document import Document, Draft
from processors.extract.world_actors import world_sides
from processors.text.indexed import within
from processors.text.rules import load_rules

_SAID_PRONOUN = re.compile(r"\b(?:said|says|announced|claimed|reported|stated)\b[^.;]{0,30}?\b"
                           r"(?:it|they)\b", re.IGNORECASE)


@cache
def _fallback_rules() -> tuple[frozenset[str], frozenset[str], dict[str, str]]:
    data = load_rules("actors")
    sides = {**world_sides(), **{a["name"]: a["side"] for a in data["actors"]}}
    return (frozenset(data["fallback"]["state_targets"]),
            frozenset(data["fallback"]["state_sides"]), sides)


@cache
def _actor_countries() -> dict[str, frozenset[str]]:
    """The countries an actor acts in, for the actors the data restricts to some."""
    return {a["name"]: frozenset(a["countries"]) for a in load_rules("actors")["actors"]
            if a.get("countries")}


@cache
def _militant_target_sides() -> frozenset[str]:
    return frozenset(load_rules("actors")["fallback"]["default_militant_target_sides"])


def fill_from_article(doc: Document) -> None:
    """Fill the drafts' missing perpetrators and targets, and bare attacks' types."""
    fill_perpetrators(doc)
    default_targets(doc.drafts)
    inherit_types(doc.drafts)


def fill_perpetrators(doc: Document) -> None:
    """Pronoun subjects take the previous sentence's actor; the rest the article's attacker."""
    state_targets, states, sides = _fallback_rules()
    drafts = doc.drafts
    if all(d.perpetrator is not None for d in drafts):
        return
    votes = doc.attacker_votes
    # The roles stage counts votes whenever a mention lacks an attacker; a draft lacks one
    # only if each of its mentions does.
    assert votes is not None, "a draft without a perpetrator, but no attacker votes"
    targets = doc.target_votes
    usual_target = targets.most_common(1)[0][0] if targets else None
    for draft in drafts:
        if draft.perpetrator is None and draft.pronoun:
            subject = _pronoun_antecedent(doc, draft)
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
            if not _does(doc.attacker_types.get(name), draft):
                continue
            where = _actor_countries().get(name)
            if where is not None and draft.country not in where:
                continue  # "police" are Iraq's forces only in Iraq
            draft.perpetrator, draft.attribution = name, "suspected"
            break


_FAMILIES = ({"attack", "armed_clash", "abduction"},
             {"remote_explosive_ied", "suicide_bomb", "grenade"},
             {"air_drone_strike", "shelling_artillery_missile"})


def _does(types: set[str] | None, draft: Draft) -> bool:
    """Whether an actor the article names only for some kind of attack ("IS claimed the
    bombing") may be behind this draft: a draft of another kind (a rocket) is someone else's
    as far as the article says."""
    if not types or draft.generic_type:
        return True
    return any(draft.event_type in family and types & family for family in _FAMILIES) or (
        draft.event_type in types)


def default_targets(drafts: list[Draft]) -> None:
    """A state's air strike with no stated target hits militants (ACLED's usual reading)."""
    sides = _fallback_rules()[2]
    for draft in drafts:
        if (draft.target is None and draft.event_type == "air_drone_strike"
                and sides.get(draft.perpetrator or "") in _militant_target_sides()):
            draft.target = "militants"


def _pronoun_antecedent(doc: Document, draft: Draft) -> str | None:
    """What "they"/"it" stands for: a named actor opening the sentence ("The army said it had
    killed ...") or else the first named actor of the sentence before."""
    sentence = next(s for s in doc.sentences if s.index == min(draft.sentences))
    opening = doc.folded[sentence.start : sentence.end]
    cut = _SAID_PRONOUN.search(opening)
    if cut is not None:
        named = [a for a in within(doc.actors, sentence.start, sentence.start + cut.start())
                 if a.name]
        if named:
            return named[0].name
    before = doc.previous.get(sentence.index)
    if before is not None:
        named = [a for a in within(doc.actors, before.start, before.end) if a.name]
        if named:
            return named[0].name
    return None


def inherit_types(drafts: list[Draft]) -> None:
    """A generic "attack" (or the clash an assault on armed men reads as) takes the weapon of
    the article's other attacks on the same target."""
    for draft in drafts:
        if not draft.inherit_type or draft.event_type not in ("attack", "armed_clash"):
            continue
        peers = Counter(d.event_type for d in drafts
                        if not d.generic_type and d.target == draft.target and d is not draft)
        if peers:
            draft.event_type = peers.most_common(1)[0][0]
