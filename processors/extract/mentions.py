"""The form-mentions stage: sentences cut into clauses that each report one event.

A sentence holding a standing trigger or casualty figure is cut where a new clause reports its
own event at its own place or date; a clause's triggers are split into what it tells anew,
what it refers back to ("the strikes") and what it names as a cause ("in response to a rocket
attack"), and by the date each sits nearest to ("July 24, 27 and 30"). Each piece becomes a
``Clause`` with what its own words say (its date, whether it is quoted, background, generic);
who did it and where is the roles stage's.
"""

from __future__ import annotations

import re
from functools import cache

from processors.extract.document import Clause, Document, Trigger
from processors.text.dates import ANAPHORIC_KINDS, DateMention
from processors.text.indexed import holding, holds_any, within
from processors.text.matcher import Matcher
from processors.text.numbers import Casualty
from processors.text.rules import compile_alternation, load_rules
from processors.text.sentences import Sentence

_BOUNDARY = re.compile(r";\s+|,?\s+(?:and|while|whereas|but|meanwhile)\s+|,\s+(?=in\s+[A-Z])")
_SINCE_START = re.compile(r"^\W*(?:ever\s+)?since\b", re.IGNORECASE)
_SINCE = re.compile(r"\b(?:ever\s+)?since\s+(?:[\w'.,-]+\s+){0,8}$", re.IGNORECASE)
_PERFECT = re.compile(r"\b(?:have|has)\s+(?:been\s+)?(?:\w+\s+)?$", re.IGNORECASE)
_PERFECT_IN = re.compile(r"\b(?:have|has)\s+been\b", re.IGNORECASE)
_DATE_AFTER = re.compile(r"\s+(?:(?:late|early|on|in|at|of|overnight|last)\s+){0,2}", re.IGNORECASE)
_DATE_BEFORE = re.compile(r"(?:'s)?\s+(?:[\w-]+\s+){0,2}", re.IGNORECASE)
_BETWEEN = re.compile(r"\bbetween\b[^,;]*$", re.IGNORECASE)
_TIME_LINK = re.compile(r"\b(?:after|before|following|preceded|followed|since)\b", re.IGNORECASE)
_PASSIVE_CASUALTY = re.compile(r"\b(?:were|was|have been|has been|had been|died|dead)\b",
                               re.IGNORECASE)

# What lies between a referring trigger and a toll that is the result of the clause's own act
_RESULT = re.compile(r"[^,;.]{0,60},\s*(?:killing|wounding|injuring|leaving)\b", re.IGNORECASE)

_DATE_AFTER_REACH = 40
_ANOTHER = re.compile(r"\b(?:another|(?:a|the) (?:second|third|fourth|fifth|further|separate))\s+"
                      r"(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
_ANOTHER_OPENING = re.compile(r"\W*(?:another|(?:a|the) (?:second|third|fourth|fifth|further))\b",
                              re.IGNORECASE)
_ALSO = re.compile(r"\balso\s+(?:[\w-]+\s+)?$", re.IGNORECASE)  # "the group also attacked"
_ALSO_REACH = 20
_FAR = 10**6  # farther than any date in the sentence

# A dateline: where the story was filed, not where it happened ("KABUL, Afghanistan (AP) --",
# "Lagos, May 3 -", "SRINAGAR:"), at a sentence's start after at most a date stamp.
_DATELINE_BEFORE = re.compile(r"\W*(?:(?:date|posted|updated|published)\W+)?(?:[\d/.-]{6,10}\s+)?",
                              re.IGNORECASE)
_DATELINE_AFTER = re.compile(r"(?:,\s*[\w .'-]{2,30}?){0,3}\s*(?:\([^()]{1,40}\))?\s*[-:]+\s")

_SPEECH = re.compile(r"\b(?:said|says|told|announced|stated|added|reported|confirmed|noted|"
                     r"explained)\b[^.;]{0,80}$", re.IGNORECASE)


@cache
def continuation_regex() -> re.Pattern[str]:
    """Sentence openings that continue the event told before ("The attackers ...", "It ...")."""
    alts = "|".join(load_rules("events")["continuation_subjects"])
    return re.compile(rf"\W*(?:{alts})\b", re.IGNORECASE)


@cache
def background_matcher() -> Matcher:
    """Words that make a sentence look back: a trial, a verdict, an anniversary, "years ago"."""
    return compile_alternation(load_rules("events")["background_cues"], windowed=True)


def looks_back(folded: str, start: int, end: int) -> bool:
    """Whether the sentence ``folded[start:end]`` tells its events as the past it looks back on
    ("a court convicted two men of the 2013 attack", "the rally marked 18 years since")."""
    return next(background_matcher().finditer(folded, ranges=[(start, end)]), None) is not None


@cache
def separate_regex() -> re.Pattern[str]:
    """Sentence openings that tell an event apart from the main story ("Separately, ...")."""
    alts = "|".join(load_rules("events")["separate_markers"])
    return re.compile(rf"\W*(?:{alts})\b", re.IGNORECASE)


def _lead_and_busy(doc: Document) -> list[tuple[int, int]]:
    """The spans of the headline, the lede and the sentences that report, sorted and apart."""
    lead = [(x.start, x.end) for x in doc.sentences
            if x.index in doc.headlines or x.index in doc.lede]
    spans = sorted(set(lead) | set(doc.busy))
    merged: list[tuple[int, int]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def form_mentions(doc: Document) -> None:
    """Set ``clauses``: the clauses of the article that report an event, in text order."""
    clauses: list[Clause] = []
    folded = doc.folded
    segment_id = 0
    # Only sentences where a trigger or casualty figure starts can hold a mention.
    anchors = sorted(doc.triggers.starts + doc.casualties.starts)
    # A trial or an anniversary shows in the headline, the lede or the sentences that report
    back = [m.start() for m in background_matcher().finditer(folded, ranges=_lead_and_busy(doc))]
    doc.looks_back = bool(back)
    doc.datelines = dateline_places(doc)
    for sentence in holding(doc.sentences, anchors):
        if sentence.boilerplate or sentence.question:
            continue
        s, e = sentence.start, sentence.end
        if _SINCE_START.match(folded, s, e):
            continue
        triggers = within(doc.standing_triggers, s, e)
        casualties = within(doc.standing_casualties, s, e)
        if not triggers and not casualties:
            continue
        for lo, hi in _segments(doc, s, e, triggers, casualties):
            seg_triggers = [t for t in triggers if lo <= t.start < hi]
            seg_casualties = [c for c in casualties if lo <= c.start < hi]
            forced = False
            if not seg_triggers:
                seg_triggers = _casualty_triggers(folded, seg_casualties)
                if not seg_triggers:
                    continue
                # "No one was hurt": a detail of the event told before, never a new one.
                forced = all(c.value == 0 for c in seg_casualties)
            groups = _by_reference(folded, lo, seg_triggers)
            dates = [d for d in within(doc.dates, lo, hi) if d.start not in doc.datelines]
            for group, mode in groups:
                own = _casualties_of(folded, group, groups, seg_casualties)
                for sub, date in _by_date(group, dates):
                    clauses.append(_clause(doc, sentence, segment_id, lo, hi, sub, date,
                                           own, mode, forced,
                                           looking_back=holds_any(s, e, back)))
            segment_id += 1
    doc.clauses = clauses


def dateline_places(doc: Document) -> frozenset[int]:
    """The starts of the places and dates that make a dateline: where and when a report was
    filed ("KABUL, Afghanistan, May 3 (AP) --"), not where or when its events happened."""
    out: set[int] = set()
    for sentence in holding(doc.sentences, doc.places.starts):
        for place in within(doc.places, sentence.start, min(sentence.end, sentence.start + 60)):
            if not _DATELINE_BEFORE.fullmatch(doc.folded, sentence.start, place.start):
                continue
            tail = _DATELINE_AFTER.match(doc.folded, place.end, sentence.end)
            if tail is not None:  # "ERBIL, Kurdistan Region -": the region is the dateline's
                out.update(p.start for p in within(doc.places, place.start, tail.end()))
                out.update(d.start for d in within(doc.dates, sentence.start, tail.end()))
            break
    return frozenset(out)


def _clause(
    doc: Document, sentence: Sentence, segment: int, lo: int, hi: int,
    triggers: list[Trigger], date: DateMention | None, casualties: list[Casualty],
    mode: str, forced: bool, *, looking_back: bool = False,
) -> Clause:
    folded = doc.folded
    own_date = date is not None and date.kind not in ANAPHORIC_KINDS
    definite = all(t.definite or t.form == "casualty" for t in triggers) and any(
        t.definite for t in triggers)
    # "Later on Monday, the gunmen attacked ...": an opening that tells the event apart
    marked = separate_regex().match(folded, sentence.start) is not None
    if definite and own_date and not marked and date is not None and (
        _SPEECH.search(folded, max(lo, date.start - 90), date.start)
        or not any(_date_attached(folded, date, t) for t in triggers)
    ):
        own_date = False  # "claimed the bombing in a statement late on Thursday"
    # A new event told after an opening that refers back ("The attack came a day after an
    # Israeli strike ...") is not itself a continuation.
    first = min(t.start for t in triggers)
    # "Another bomb killed three", "The group also attacked a post": a new event of the story
    another = marked or any(
        _ANOTHER.search(folded, max(lo, t.start - 30), t.start) for t in triggers) or (
        _ALSO.search(folded, max(sentence.start, first - _ALSO_REACH), first) is not None
        or _ANOTHER_OPENING.match(folded, sentence.start) is not None)
    continues = not another and (mode == "refer" or (
        mode == "new" and _continues(folded, sentence.start, first)))
    perfect = not own_date and all(
        _PERFECT.search(folded, max(lo, t.start - 30), t.start)
        or (t.form == "casualty" and _PERFECT_IN.search(t.text)) for t in triggers)
    return Clause(
        sentence=sentence.index, segment=segment, start=lo, end=hi, triggers=tuple(triggers),
        date=date, casualties=tuple(casualties), mode=mode, forced=forced, own_date=own_date,
        definite=definite and not another, weak=all(t.weight <= 1 for t in triggers),
        continues=continues,
        perfect=perfect, plural_only=all(t.plural and t.count is None for t in triggers),
        toll=all(t.form == "casualty" for t in triggers) and any(
            c.value >= 100 or c.vague for c in casualties),
        quoted=all(any(qs <= t.start < qe for qs, qe in doc.quotes) for t in triggers),
        background=any(_SINCE.search(folded, max(lo, t.start - 80), t.start) for t in triggers)
        or looking_back,
        separate=another or marked,
    )


def _by_reference(
    folded: str, lo: int, triggers: list[Trigger]
) -> list[tuple[list[Trigger], str]]:
    """Split what a clause tells anew from what it refers to: "the strikes ..." ("refer"), and
    the events it names as causes or antecedents: "in response to a rocket attack", "The
    attack came a day after an Israeli strike" ("cause")."""
    opening = continuation_regex().match(folded, lo)
    cause = [t for t in triggers
             if _cause().search(folded, max(lo, t.start - 70), t.start)
             or (opening is not None and opening.end() <= t.start
                 and _TIME_LINK.search(folded, opening.end(), t.start) is not None)]
    refer = [t for t in triggers if t.definite and t.form != "casualty" and t not in cause]
    new = [t for t in triggers if t not in cause and t not in refer]
    groups = [(g, mode) for g, mode in ((new, "new"), (refer, "refer"), (cause, "cause")) if g]
    if len(groups) == 1:
        return [(triggers, "cause" if cause else "new")]
    return groups


def _casualties_of(
    folded: str, group: list[Trigger], groups: list[tuple[list[Trigger], str]],
    casualties: list[Casualty],
) -> list[Casualty]:
    """The casualty figures of one group: those whose nearest trigger before them is its own."""
    if len(groups) == 1:
        return casualties
    mine = []
    for casualty in casualties:
        before = [(t.start, t.end, g) for g, _ in groups for t in g if t.start <= casualty.start]
        if not before:
            continue
        _, end, owner = max(before, key=lambda b: b[0])
        refers = any(g is owner and mode == "refer" for g, mode in groups)
        if refers and _RESULT.match(folded, end, casualty.end):
            # "A bomb exploded near the first attack, killing two": the toll is the new event's
            owner = next((g for g, mode in groups if mode == "new"), owner)
        if owner is group:
            mine.append(casualty)
    return mine


def _segments(
    doc: Document, s: int, e: int, triggers: list[Trigger], casualties: list[Casualty]
) -> list[tuple[int, int]]:
    """Cut a sentence where a new clause reports its own event at its own place or date."""
    if len(triggers) + sum(1 for c in casualties if c.value > 0) < 2:
        return [(s, e)]  # a cut needs an event on each side
    bounds = [(m.start(), m.end()) for m in _BOUNDARY.finditer(doc.folded, s, e)]
    cuts: list[tuple[int, int]] = []
    cur = s
    for i, (bs, be) in enumerate(bounds):
        nxt = bounds[i + 1][0] if i + 1 < len(bounds) else e
        left_event = any(cur <= t.start < bs for t in triggers) or any(
            cur <= c.start < bs and c.value > 0 for c in casualties)
        right_event = any(be <= t.start < nxt and t.weight >= 1 for t in triggers) or any(
            be <= c.start < nxt and _PASSIVE_CASUALTY.search(doc.folded, c.start, c.end)
            for c in casualties)
        right_own = _own_place_or_date(doc, be, nxt)
        left_own = _own_place_or_date(doc, cur, bs)
        between = _BETWEEN.search(doc.folded, cur, bs) is not None  # "clashes between X and Y"
        listed = any(p.start == be for p in within(doc.places, be, be + 1)) or any(
            a.start == be for a in within(doc.actors, be, be + 1))  # "in Iraq and Syria"
        # "five were killed and 20 wounded by a missile fired at X": one toll whose cause is
        # told on the right is one event
        toll_goes_on = any(c.start == be for c in casualties) and not any(
            cur <= t.start < bs for t in triggers) and any(be <= t.start < nxt for t in triggers)
        if left_event and right_event and right_own and left_own and not between and not listed \
                and not toll_goes_on:
            cuts.append((cur, bs))
            cur = be
    cuts.append((cur, e))
    return cuts


def _own_place_or_date(doc: Document, lo: int, hi: int) -> bool:
    return any(p.start not in doc.datelines for p in within(doc.places, lo, hi)) or any(
        d.kind not in ANAPHORIC_KINDS and d.start not in doc.datelines
        for d in within(doc.dates, lo, hi))


def _casualty_triggers(folded: str, casualties: list[Casualty]) -> list[Trigger]:
    """A clause with deaths or injuries but no event word is an attack ("two were killed")."""
    out = []
    for c in sorted(casualties, key=lambda c: c.value == 0):
        if c.subset:
            continue
        kind = "abduction" if c.kind == "kidnapped" else "attack"
        text = folded[c.start : c.end]
        out.append(Trigger(c.start, c.end, text, kind, 1, "casualty", False, None, False, False))
    return out[:1]


def _by_date(
    triggers: list[Trigger], dates: list[DateMention]
) -> list[tuple[list[Trigger], DateMention | None]]:
    """Group a clause's triggers by the date each sits nearest to (date lists stay apart)."""
    if len(dates) <= 1:
        return [(triggers, dates[0] if dates else None)]
    groups: dict[int, list[Trigger]] = {}
    for trigger in triggers:
        def distance(d: DateMention, t: Trigger = trigger) -> int:
            # "rockets fired on July 24, 27": a date after its trigger binds tighter, but a
            # bare year far behind it describes something else ("... occupied in 1948").
            if d.start >= t.end:
                gap = d.start - t.end
                far_year = d.kind == "year" and gap > _DATE_AFTER_REACH
                return _FAR + gap if far_year else gap
            return 3 * (t.start - d.end) + 10
        nearest = min(range(len(dates)), key=lambda i: distance(dates[i]))
        groups.setdefault(nearest, []).append(trigger)
    return [(groups[i], dates[i]) for i in sorted(groups)]


def _date_attached(folded: str, date: DateMention, trigger: Trigger) -> bool:
    """Whether a date belongs to the trigger ("the attack on Thursday", "Tuesday's bombing")."""
    if date.start >= trigger.end:
        return _DATE_AFTER.fullmatch(folded, trigger.end, date.start) is not None
    return _DATE_BEFORE.fullmatch(folded, date.end, trigger.start) is not None


def _continues(folded: str, sentence_start: int, first_trigger: int) -> bool:
    """Whether the sentence opens on the event told before ("The attackers withdrew ...")."""
    match = continuation_regex().match(folded, sentence_start)
    return match is not None and match.start() <= first_trigger


@cache
def _cause() -> re.Pattern[str]:
    """Phrases naming an earlier event as the cause of this one ("in response to ...")."""
    alts = "|".join(load_rules("actors")["cause_markers"])
    return re.compile(rf"\b(?:{alts})\b[^.;]*$", re.IGNORECASE)
