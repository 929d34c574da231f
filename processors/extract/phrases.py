"""Role phrases: the words around a span that make it the attacker, the target or a source.

The phrase lists are ``data/actors.json`` (``attacker_before``, ``claim_after``,
``blame_before``, ``victim_after``, ...); only the roles stage reads them. The weapon a
clause names after "by" (``instruments`` of ``data/events.json``) is read here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from processors.extract.document import Trigger
from processors.text.rules import load_rules
from processors.text.sentences import Sentence

# "by" names the attacker only after a participle or an event noun ("carried out by").
_AGENTIVE_BY = re.compile(
    r"(?:attacked|targeted|hit|struck|killed|wounded|injured|kidnapped|abducted|ambushed|shelled|"
    r"bombed|fired|launched|carried out|claimed|conducted|staged|perpetrated|orchestrated|"
    r"executed|assassinated|shot|stormed|seized|raided|destroyed|planted|detonated|set off|"
    r"attacks?|strikes?|bombings?|raids?|assaults?|ambush(?:es)?|shelling|fire)"
    r"\s+by\s+(?:the\s+)?$", re.IGNORECASE)


_INSTRUMENT_REACH = 80
_BY_OR_WITH = re.compile(r"\b(?:by|with)\s", re.IGNORECASE)
_PHRASE_BREAK = re.compile(r"[,;:]|\s--?\s")


@cache
def _instruments() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((entry["type"], re.compile(rf"(?<![\w-]){entry['pattern']}(?![\w-])",
                                            re.IGNORECASE))
                 for entry in load_rules("events")["instruments"])


@cache
def _fight_back() -> re.Pattern[str]:
    alts = "|".join(load_rules("events")["fight_back_cues"])
    return re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])", re.IGNORECASE)


@cache
def _precedences() -> dict[str, int]:
    order: list[str] = load_rules("events").get("type_precedence", [])
    return {name: len(order) - i for i, name in enumerate(order)}


def type_precedence(event_type: str) -> int:
    """How much an event type prevails over others told by one clause (``type_precedence``)."""
    return _precedences().get(event_type, 0)


@cache
def period_kinds() -> frozenset[str]:
    """Date kinds that span a period ("in October", "in 2019"): a toll dated so is a tally."""
    return frozenset(load_rules("events")["period_kinds"])


def fought_back(folded: str, sentence: int, sentences: dict[int, Sentence], *,
                reach: int = 2) -> bool:
    """Whether the attacked fought back, as the sentence or the next ``reach`` tell ("soldiers
    returned fire", "a gun battle ensued"): an armed clash rather than a one-sided attack."""
    for index in range(sentence, sentence + reach + 1):
        span = sentences.get(index)
        if span is not None and _fight_back().search(folded, span.start, span.end):
            return True
    return False


def instrument_of(
    folded: str, triggers: list[Trigger] | tuple[Trigger, ...], hi: int
) -> str | None:
    """The event type the weapon named after "by" or "with" right behind a trigger gives
    ("killed in an attack by a Turkish drone": an air strike), or None when none is named
    there. The weapon must follow in the trigger's own phrase: no comma or semicolon between."""
    for trigger in triggers:
        end = min(hi, trigger.end + _INSTRUMENT_REACH)
        stop = _PHRASE_BREAK.search(folded, trigger.end, end)
        end = stop.start() if stop else end
        if not _BY_OR_WITH.search(folded, trigger.end, end):
            continue
        for event_type, regex in _instruments():
            if regex.search(folded, trigger.end, end):
                return event_type
    return None



# The word-order tests below are asked about the same span for every trigger, mention and
# vote; their caches hold the last article's answers (keys hold the text: keep them small).
_PER_TEXT = 128


@dataclass(frozen=True, slots=True)
class _Phrases:
    attacker_before: re.Pattern[str]
    claim_after: re.Pattern[str]
    blame_before: re.Pattern[str]
    suspect_before: re.Pattern[str]
    target_before: re.Pattern[str]
    victim_after: re.Pattern[str]
    not_agentive: re.Pattern[str]
    speech_after: re.Pattern[str]
    target_nouns: re.Pattern[str]
    victims_named: re.Pattern[str]


def _tail(words: list[str], gap: int, *, stops: str = "") -> re.Pattern[str]:
    """A cue then at most ``gap`` words, up to the end: never across "when", "and", "after"...
    nor across the extra ``stops``."""
    alts = "|".join(sorted(words, key=len, reverse=True))
    word = (r"(?!(?:when|and|after|as|while|before|because|since|but|who|which|that"
            rf"{stops})\b)[\w'.-]+")
    return re.compile(rf"(?<![\w-])(?:{alts})\s+(?:{word}\s+){{0,{gap}}}$", re.IGNORECASE)


def _head(words: list[str], gap: int) -> re.Pattern[str]:
    alts = "|".join(sorted(words, key=len, reverse=True))
    return re.compile(rf"\W{{0,3}}(?:[\w'.-]+\s+){{0,{gap}}}?(?:{alts})(?![\w-])", re.IGNORECASE)


@cache
def _phrases() -> _Phrases:
    data = load_rules("actors")
    return _Phrases(
        attacker_before=_tail(data["attacker_before"], 2),
        claim_after=re.compile(
            rf"(?:\s*,[^,.;]{{1,80}},)?\W{{0,3}}(?:[\w'.-]+\s+){{0,3}}?"
            rf"(?:{'|'.join(sorted(data['claim_after'], key=len, reverse=True))})(?![\w-])",
            re.IGNORECASE),
        blame_before=_tail(data["blame_before"], 3),
        suspect_before=_tail(data["suspect_before"], 2),
        # "wounded by a Houthi missile": after a passive verb, "by" names the agent
        target_before=_tail(data["target_before"], 3, stops="|by"),
        victim_after=_head(data["victim_after"], 2),
        speech_after=_head(data["speech_after"], 1),
        victims_named=_tail(data["victims_named_after"], 2),
        target_nouns=re.compile(rf"\s+(?:{'|'.join(data['target_nouns_after'])})\b", re.IGNORECASE),
        not_agentive=re.compile(
            rf"(?<![\w-])(?:{'|'.join(data['not_agentive_before_by'])})\s+by\s+(?:the\s+)?$",
            re.IGNORECASE),
    )


def attribution_before(folded: str, start: int, lo: int = 0) -> str | None:
    """How the words just before a mention attribute an event to it, if they do."""
    return _attribution(folded[max(lo, start - 40) : start])


@lru_cache(maxsize=4096)
def _attribution(window: str) -> str | None:
    # Keyed by the 40-character window: the same mention is asked about several times.
    t = _phrases()
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
    return _phrases().target_nouns.match(folded, end, min(len(folded), end + 20)) is not None


@lru_cache(maxsize=_PER_TEXT)
def speech_after(folded: str, end: int) -> bool:
    """Whether a span is the source of a statement ("police said"), not a party to the event."""
    return _phrases().speech_after.match(folded, end, min(len(folded), end + 30)) is not None


@lru_cache(maxsize=_PER_TEXT)
def claims_after(folded: str, end: int) -> bool:
    """Whether the words just after a mention say it claimed or took credit for an attack."""
    return _phrases().claim_after.match(folded, end, min(len(folded), end + 140)) is not None


@lru_cache(maxsize=_PER_TEXT)
def target_before(folded: str, start: int, lo: int = 0) -> bool:
    """Whether the words just before a span introduce what was attacked ("on", "against")."""
    return _phrases().target_before.search(folded, max(lo, start - 40), start) is not None


@lru_cache(maxsize=_PER_TEXT)
def victims_named_before(folded: str, start: int, lo: int = 0) -> bool:
    """Whether a span says who the victims counted just before were ("six people, including
    four aid workers"): the more telling class of the two."""
    return _phrases().victims_named.search(folded, max(lo, start - 30), start) is not None


@lru_cache(maxsize=_PER_TEXT)
def victim_after(folded: str, end: int) -> bool:
    """Whether the words just after a span make it the victim ("came under", "were killed")."""
    return _phrases().victim_after.match(folded, end, min(len(folded), end + 50)) is not None
