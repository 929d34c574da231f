"""The find-triggers stage: event triggers and the cues that cancel them, as spans.

``find_triggers`` and ``find_cues`` are the *match* half: what the rule lexicon of
``data/events.json`` finds in folded text. ``tag_triggers`` sets them on the document, with
the triggers and casualty figures no cue cancels in their sentence ("would attack", "attacks
have increased") and the sentences that report something; deciding what is an incident is
left to the later stages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from processors.extract.document import Cue, Document, Trigger
from processors.text.dates import find_dates
from processors.text.indexed import Indexed, holding, holds_any, within
from processors.text.matcher import Matcher
from processors.text.numbers import Casualty
from processors.text.rules import compile_alternation, compile_keyed, load_rules

_SMALL_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "2": 2, "3": 3, "4": 4, "5": 5,
                 "twin": 2, "double": 2, "triple": 3}
_WORDS_BEFORE = re.compile(r"[\w,-]+")
_APPROX = frozenset({"almost", "nearly", "least", "than", "over", "about", "around", "some", "to",
                     "another"})
_COUNT_OBJECT = re.compile(
    r"\s*(?:on|against|targeting|at|hitting|that (?:hit|targeted|struck))\s+(?P<n>two|three|four|"
    r"five|2|3|4|5)\s+(?:[a-z-]+\s+){0,2}?(?:bases|targets|sites|positions|facilities|"
    r"installations|outposts|convoys|camps|locations|military bases|compounds|checkpoints)\b",
    re.IGNORECASE)
# How many words may stand between a cue and the trigger it cancels.
_CUE_GAPS = {"modality": 3, "aggregate_np": 4, "aggregate_plural": 3}
_CUE_REACH = 90
_IDIOM_REACH = 60
_CLAUSE_REACH = 200
_MONTHS = frozenset({"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                     "dec"})
_NOT_ADJ = frozenset({"dozen", "hundred", "thousand", "of", "and", "or", "to", "the", "a"})
_VERB_FIRST = re.compile(r"\w+ed\b|(?:shot|blew|fought|opened|threw|set|took|taking|came|struck|"
                         r"hit|"
                         r"burned|burnt|gunned|knocked|seized|found)\b", re.IGNORECASE)
# "the deadliest attack", "the latest strike", "the first bombing" introduce, not refer back.
_NEW_EVENT_ADJ = re.compile(r"\b(?:\w+est|latest|most|biggest|worst|largest|new|recent)\b",
                            re.IGNORECASE)
_PLURAL_EXEMPT = ("ss", "us", "is", "ous")
# "..., the deadliest attack in its history": an apposition names the event just told
_APPOSITIVE = re.compile(r",\s+(?:the|its|their)\s+(?:[\w-]+\s+)?"
                         r"(?:\w+est|worst|biggest|most\s+\w+)\s+(?:[\w-]+\s+)?$", re.IGNORECASE)
_PAIRED = re.compile(r"\b(?:twin|double|triple|simultaneous|coordinated)\s+(?:[\w-]+\s+)?$",
                     re.IGNORECASE)
_DAY_KINDS = frozenset({"weekday", "yesterday", "today"})
_FIGURE_BEFORE = re.compile(r"(?<![\w,.])\d{1,3}\s+(?:[a-z-]+\s+){0,2}$")  # "19 air strikes"






@dataclass(frozen=True, slots=True)
class _Lexicon:
    triggers: Matcher
    entries: list[dict[str, Any]]
    keys: dict[str, int]
    suppress: Matcher
    cues: Matcher
    gaps: dict[str, re.Pattern[str]]
    base_forms: frozenset[str]
    determiners: re.Pattern[str]
    multiplying: re.Pattern[str]
    accident: Matcher


@cache
def _lexicon() -> _Lexicon:
    data = load_rules("events")
    entries: list[dict[str, Any]] = data["triggers"]
    keyed = [(i, p) for i, entry in enumerate(entries) for p in entry["patterns"]]
    regex, keys = compile_keyed(keyed)
    word_gap = r"(?:(?!(?:and|after|when|before|as|because|but|while|since|until|following)\b)" \
               r"[\w'.-]+\s+)"
    # One matcher for every cue kind (one pass over the text); its group names give the kind,
    # and modality comes first because it cancels verbs as well as nouns.
    parts = [f"(?P<{kind}_{i}>{p})"
             for kind in ("modality", "aggregate_np", "aggregate_plural", "aggregate_clause")
             for i, p in enumerate(sorted(data[kind], key=len, reverse=True))]
    cues = Matcher(parts, flags=re.IGNORECASE, prefix=r"(?<![\w-])", suffix=r"(?![\w-])",
                   windowed=True)
    gaps = {kind: re.compile(rf"\s+{word_gap}{{0,{gap}}}", re.IGNORECASE)
            for kind, gap in _CUE_GAPS.items()}
    dets = "|".join(data["anaphoric_determiners"])
    return _Lexicon(
        triggers=regex, entries=entries, keys=keys,
        suppress=compile_alternation(data["suppress"], windowed=True),
        cues=cues, gaps=gaps,
        base_forms=frozenset(data["modality_base_forms"]),
        determiners=re.compile(rf"(?<![\w-])(?:{dets})\s+(?:[a-z-]+\s+){{0,2}}$", re.IGNORECASE),
        multiplying=re.compile(
            rf"(?:{'|'.join(data['multiplying_heads'])})(?:\s+\w+){{0,2}}$", re.IGNORECASE),
        accident=compile_alternation(data["accident_cues"], windowed=True),
    )



def find_triggers(folded: str) -> list[Trigger]:
    """Event triggers in (accent-folded) text, left to right, suppressed idioms removed."""
    lex = _lexicon()
    matches = list(lex.triggers.finditer(folded))
    if not matches:
        return []
    # Idioms ("strike group", "heart attack") are looked for only around trigger matches.
    near = _merge([(max(0, m.start() - _IDIOM_REACH), m.end() + 1) for m in matches])
    blocked = [(m.start(), m.end()) for m in lex.suppress.finditer(folded, ranges=near)]
    found: list[Trigger] = []
    for match in matches:
        start, end = match.start(), match.end()
        if any(s < end and start < e for s, e in blocked):
            continue
        entry = lex.entries[lex.keys[match.lastgroup or ""]]
        text = match.group(0)
        form = entry["form"]
        plural = form == "noun" and _is_plural(text)
        count, approx = _count(folded, start, end) if form != "verb" else (None, False)
        counted = count is not None
        if count is not None and (not lex.multiplying.search(text) or _PAIRED.search(
                folded, max(0, start - 20), start)):
            # "twin bombings" at one market are one event; "two attacks" are two
            count = None
        hits = _object_count(folded, end) if form != "verb" else None
        if hits is not None:
            count, counted = hits, True
        window = folded[max(0, start - 40) : start]
        det = lex.determiners.search(window)
        definite = (count is None and not _VERB_FIRST.match(text) and det is not None
                    and not _NEW_EVENT_ADJ.search(det.group(0))) or (
            _APPOSITIVE.search(window) is not None)
        found.append(Trigger(start, end, text, entry["type"], int(entry["weight"]), form,
                             plural, count, approx, definite, counted))
    return found


def _is_plural(text: str) -> bool:
    words = re.findall(r"[a-z]+", text.lower())
    return any(w.endswith("s") and not w.endswith(_PLURAL_EXEMPT) and len(w) > 3 for w in words
               if w not in ("was", "has", "its", "his", "this", "gas", "arms", "against", "hits"))


def _count(folded: str, start: int, end: int) -> tuple[int | None, bool]:
    """A small cardinal before an event noun ("two further attacks"), and if it is vague."""
    words = _WORDS_BEFORE.findall(folded[max(0, start - 60) : start])[-4:]
    for back in range(1, min(3, len(words)) + 1):
        word = words[-back].lower()
        between = [w.lower() for w in words[len(words) - back + 1 :]]
        if any(w in _NOT_ADJ or w[:1].isdigit() for w in between):
            break
        approx = back < len(words) and words[-back - 1].lower() in _APPROX
        if word in _SMALL_COUNTS:
            return _SMALL_COUNTS[word], approx
        after_month = back < len(words) and words[-back - 1][:3].lower() in _MONTHS
        if word in ("dozen", "dozens", "hundreds", "scores") or (
            word.isdigit() and int(word) > 5 and not after_month
        ):
            return None, True
    return None, False


def _object_count(folded: str, end: int) -> int | None:
    """A count of distinct things hit ("drone strikes on two military bases")."""
    obj = _COUNT_OBJECT.match(folded, end)
    return None if obj is None else _SMALL_COUNTS[obj.group("n").lower()]


def find_cues(folded: str, anchors: list[tuple[int, int]]) -> list[Cue]:
    """Cues near ``anchors`` (trigger and casualty spans): modality, aggregates, clause-wide."""
    near = _merge([(max(0, s - _CLAUSE_REACH), e + _CLAUSE_REACH) for s, e in anchors])
    cues = []
    for m in _lexicon().cues.finditer(folded, ranges=near):
        kind = (m.lastgroup or "").rsplit("_", 1)[0]
        cues.append(Cue(m.start(), m.end(), "clause" if kind == "aggregate_clause" else kind))
    return cues


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


_SUBCLAUSE = re.compile(r"[;:!?]|--|\u2014|\u2013|,\s|\b(?:when|after|before|while|because|whereas|"
                        r"although|though|but)\b", re.IGNORECASE)


def clause_cancelled(start: int, end: int, cues: list[Cue], folded: str) -> bool:
    """Whether an aggregate cue ("repeatedly", "have increased") shares the span's sub-clause."""
    for cue in cues:
        lo, hi = (cue.end, start) if cue.end <= start else (end, cue.start)
        if cue.start < end and start < cue.end:
            return True
        if hi - lo < 200 and _SUBCLAUSE.search(folded, lo, max(lo, hi)) is None:
            return True
    return False


def cancelled_by(
    trigger: Trigger, folded: str, cues: Indexed[Cue], lo: int = 0, *, dated: bool = False
) -> str | None:
    """Why a trigger is not a concrete event ("modality", "aggregate"), or None if it is.

    ``lo`` is where the trigger's sentence starts: cues never reach across sentences.
    ``dated``: the sentence names a day, so "19 air strikes on Monday" are that day's event
    (ACLED codes one event per day and place) rather than a tally.
    """
    lex = _lexicon()
    for cue in within(cues, max(lo, trigger.start - _CUE_REACH), trigger.start):
        if cue.kind == "clause" or cue.end > trigger.start:
            continue
        if lex.gaps[cue.kind].fullmatch(folded, cue.end, trigger.start) is None:
            continue
        if cue.kind == "modality":
            cue_word = folded[cue.start : cue.end].lower()
            if cue_word != "to" or trigger.text.split()[0].lower() in lex.base_forms:
                return "modality"
        elif (cue.kind == "aggregate_np" and trigger.form in ("noun", "clash")) or (
            cue.kind == "aggregate_plural" and trigger.plural and trigger.count is None
        ):
            return "aggregate"
    if trigger.approx_count and not (
        dated and _FIGURE_BEFORE.search(folded, max(0, trigger.start - 30), trigger.start)
    ):
        return "aggregate"
    return None


def names_a_day(folded: str, start: int, end: int) -> bool:
    """Whether ``folded[start:end]`` names a day ("on Monday", "yesterday", "March 3")."""
    return any(d.kind in _DAY_KINDS or (d.kind == "calendar" and all(i[2] for i in d.items))
               for d in find_dates(folded, start, end))


def find_accidents(folded: str, ranges: list[tuple[int, int]]) -> list[int]:
    """Where accident and disaster words start ("a fire broke out", "the earthquake"), inside
    the sorted, disjoint ``ranges``."""
    return [m.start() for m in _lexicon().accident.finditer(folded, ranges=ranges)]


def accidental(folded: str, start: int, end: int, triggers: list[Trigger],
               accidents: list[int] | None = None) -> bool:
    """Whether a sentence tells an accident or a disaster ("died when a fire broke out"), so its
    casualty figures and generic triggers ("exploded") report no violence; a trigger that names
    a weapon or an act (weight 2 and up) still does. ``accidents``: ``find_accidents`` of the
    text, when the caller has it."""
    if any(t.weight >= 2 for t in triggers):
        return False
    hits = find_accidents(folded, [(start, end)]) if accidents is None else accidents
    return holds_any(start, end, hits)


def tag_triggers(doc: Document) -> None:
    """Set ``triggers``, ``cues``, the ``standing_`` triggers and figures, and ``busy``."""
    folded = doc.folded
    triggers = find_triggers(folded)
    casualties = doc.casualties
    anchors = [(t.start, t.end) for t in triggers] + [(c.start, c.end) for c in casualties]
    doc.triggers = Indexed(triggers)
    doc.cues = cues = Indexed(find_cues(folded, anchors))
    # Target cues matter only in sentences that report something, places only in paragraphs.
    starts = sorted(a for a, _ in anchors)
    doc.busy = [(s.start, s.end) for s in doc.sentences if holds_any(s.start, s.end, starts)]
    standing: list[Trigger] = []
    figures: list[Casualty] = []
    accidents = find_accidents(folded, doc.busy)
    for sentence in holding(doc.sentences, sorted(doc.triggers.starts + casualties.starts)):
        s, e = sentence.start, sentence.end
        here = within(doc.triggers, s, e)
        counted = within(casualties, s, e)
        if not here and not counted:
            continue
        clause_cues = [c for c in within(cues, s, e) if c.kind == "clause"]
        accident = accidental(folded, s, e, here, accidents)
        dated = any(t.approx_count for t in here) and names_a_day(folded, s, e)
        standing.extend(t for t in here if cancelled_by(t, folded, cues, s, dated=dated) is None
                        and not clause_cancelled(t.start, t.end, clause_cues, folded)
                        and not (accident and t.weight <= 1))
        if not accident:
            figures.extend(c for c in counted
                           if not clause_cancelled(c.start, c.end, clause_cues, folded))
    doc.standing_triggers = Indexed(standing)
    doc.standing_casualties = Indexed(figures)
