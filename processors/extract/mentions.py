"""The match step: every span an article holds, and the event mentions they form.

``match_article`` finds all spans once (sentences, triggers, cues, dates, places, actors,
target cues, casualty figures); ``find_mentions`` cuts sentences into clauses that each
report one event and bundles the spans of each clause into a ``Mention``. Turning mentions
into incidents (dates resolved, mentions of one event merged) is ``processors.extract.pipeline``.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache

from processors.extract.actors import (
    ActorMention,
    TargetCue,
    find_actors,
    find_targets,
    state_sides,
)
from processors.extract.events import (
    Cue,
    Trigger,
    cancelled_by,
    clause_cancelled,
    continuation_regex,
    find_cues,
    find_triggers,
    separate_regex,
)
from processors.extract.place_context import resolve_places
from processors.extract.places import PlaceMatch, find_places
from processors.extract.roles import Agent, attacker_of, pronoun_subject
from processors.text.dates import ANAPHORIC_KINDS, DateMention, find_dates
from processors.text.fold import fold
from processors.text.indexed import Indexed, holding, within
from processors.text.numbers import Casualty, find_casualties
from processors.text.rules import load_rules
from processors.text.sentences import Sentence, quoted_spans, split_sentences

_BOUNDARY = re.compile(r";\s+|,?\s+(?:and|while|whereas|but|meanwhile)\s+|,\s+(?=in\s+[A-Z])")
_SINCE_START = re.compile(r"^\W*(?:ever\s+)?since\b", re.IGNORECASE)
_SINCE = re.compile(r"\b(?:ever\s+)?since\s+(?:[\w'.,-]+\s+){0,8}$", re.IGNORECASE)
_PERFECT = re.compile(r"\b(?:have|has)\s+(?:been\s+)?(?:\w+\s+)?$", re.IGNORECASE)
_PERFECT_IN = re.compile(r"\b(?:have|has)\s+been\b", re.IGNORECASE)
_DATE_AFTER = re.compile(r"\s+(?:(?:late|early|on|in|at|of|overnight|last)\s+){0,2}", re.IGNORECASE)
_DATE_BEFORE = re.compile(r"(?:'s)?\s+(?:[\w-]+\s+){0,2}", re.IGNORECASE)
_COREFERENT = re.compile(r"\b(?:the|this|that)\s+(?:group|militia|faction|organi[sz]ation|movement|"
                         r"network)$", re.IGNORECASE)
_COREFERENCE_REACH = 400
_BETWEEN = re.compile(r"\bbetween\b[^,;]*$", re.IGNORECASE)
_TIME_LINK = re.compile(r"\b(?:after|before|following|preceded|followed|since)\b", re.IGNORECASE)
_WHOLE_BODY = 0.6  # above this share of busy paragraphs, one gazetteer pass over the body
_PASSIVE_CASUALTY = re.compile(r"\b(?:were|was|have been|has been|had been|died|dead)\b",
                               re.IGNORECASE)

_SPEECH = re.compile(r"\b(?:said|says|told|announced|stated|added|reported|confirmed|noted|"
                     r"explained)\b[^.;]{0,80}$", re.IGNORECASE)
_BEFORE_TRIGGER = re.compile(r"(?:'s)?\s*(?:[\w-]+\s+){0,2}$")
_AFTER_TRIGGER = re.compile(r"\s+(?:in|at|near|on|outside|inside|against|targeting)\s+"
                            r"(?:the\s+)?(?:[\w'-]+\s+){0,4}$", re.IGNORECASE)

@dataclass(frozen=True, slots=True)
class ArticleSpans:
    """Everything the match step found in one body, offsets into the body."""

    body: str
    folded: str
    sentences: list[Sentence]
    triggers: Indexed[Trigger]
    cues: Indexed[Cue]
    dates: Indexed[DateMention]
    places: Indexed[PlaceMatch]
    actors: Indexed[ActorMention]
    targets: Indexed[TargetCue]
    casualties: Indexed[Casualty]
    quotes: list[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class Mention:
    """One clause that reports one event (or one per date of a date list)."""

    sentence: int
    segment: int
    start: int
    end: int
    triggers: tuple[Trigger, ...]
    date: DateMention | None
    places: tuple[PlaceMatch, ...]
    agent: Agent | None
    pronoun: bool
    generic_attacker: bool
    casualties: tuple[Casualty, ...]
    quoted: bool
    anaphoric: bool
    merge_only: bool
    background: bool
    generic: bool
    separate: bool


def match_article(body: str) -> ArticleSpans:
    """Run every matcher once over ``body``."""
    folded = fold(body)
    sentences = split_sentences(body, folded=folded)
    triggers = find_triggers(folded)
    casualties = find_casualties(folded)
    anchors = [(t.start, t.end) for t in triggers] + [(c.start, c.end) for c in casualties]
    # Target cues matter only in sentences that report something, places only in paragraphs.
    starts = sorted(a for a, _ in anchors)
    busy = [(s.start, s.end) for s in sentences if _holds_any(s.start, s.end, starts)]
    return ArticleSpans(
        body=body, folded=folded, sentences=sentences,
        triggers=Indexed(triggers), cues=Indexed(find_cues(folded, anchors)),
        dates=Indexed(find_dates(folded)),
        places=Indexed(resolve_places(_places(body, sentences, busy))),
        actors=Indexed(find_actors(folded)), targets=Indexed(find_targets(folded, busy)),
        casualties=Indexed(casualties), quotes=quoted_spans(folded),
    )


def _holds_any(lo: int, hi: int, positions: list[int]) -> bool:
    """Whether one of ``positions`` (sorted) lies in ``[lo, hi)``."""
    i = bisect_left(positions, lo)
    return i < len(positions) and positions[i] < hi


def _places(
    body: str, sentences: list[Sentence], busy: list[tuple[int, int]]
) -> list[PlaceMatch]:
    """Places of the paragraphs that report something (the only ones mentions or the
    article's dominant country are read from); the gazetteer never sees the rest."""
    if not busy:
        return []
    paragraphs: dict[int, tuple[int, int]] = {}
    for s in sentences:
        lo, hi = paragraphs.get(s.paragraph, (s.start, s.end))
        paragraphs[s.paragraph] = (min(lo, s.start), max(hi, s.end))
    busy_starts = sorted(a for a, _ in busy)
    wanted = sorted({paragraphs[s.paragraph] for s in sentences
                     if _holds_any(s.start, s.end, busy_starts)})
    if sum(hi - lo for lo, hi in wanted) > _WHOLE_BODY * len(body):
        return find_places(body)
    found: list[PlaceMatch] = []
    for lo, hi in wanted:
        found.extend(find_places(body[lo:hi], offset=lo))
    return found


def find_mentions(spans: ArticleSpans) -> list[Mention]:
    """The event mentions of an article, in text order."""
    mentions: list[Mention] = []
    folded = spans.folded
    segment_id = 0
    # Only sentences where a trigger or casualty figure starts can hold a mention.
    anchors = sorted(spans.triggers.starts + spans.casualties.starts)
    for sentence in holding(spans.sentences, anchors):
        if sentence.boilerplate or sentence.question:
            continue
        s, e = sentence.start, sentence.end
        if _SINCE_START.match(folded, s, e):
            continue
        triggers = within(spans.triggers, s, e)
        casualties = within(spans.casualties, s, e)
        if not triggers and not casualties:
            continue  # most sentences: nothing to cancel
        cues = [c for c in within(spans.cues, s, e) if c.kind == "clause"]
        triggers = [t for t in triggers
                    if cancelled_by(t, folded, spans.cues, s) is None
                    and not clause_cancelled(t.start, t.end, cues, folded)]
        casualties = [c for c in casualties
                      if not clause_cancelled(c.start, c.end, cues, folded)]
        if not triggers and not casualties:
            continue
        for lo, hi in _segments(spans, s, e, triggers, casualties):
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
            for group, mode in groups:
                own = _casualties_of(group, groups, seg_casualties)
                for sub, date in _by_date(group, within(spans.dates, lo, hi)):
                    mentions.append(_mention(spans, sentence, segment_id, lo, hi, sub, date,
                                             own, mode, forced))
            segment_id += 1
    return mentions


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
    group: list[Trigger], groups: list[tuple[list[Trigger], str]], casualties: list[Casualty]
) -> list[Casualty]:
    """The casualty figures of one group: those whose nearest trigger before them is its own."""
    if len(groups) == 1:
        return casualties
    mine = []
    for casualty in casualties:
        before = [(t.start, g is group) for g, _ in groups for t in g if t.start <= casualty.start]
        if before and max(before)[1]:
            mine.append(casualty)
    return mine


def _segments(
    spans: ArticleSpans, s: int, e: int, triggers: list[Trigger], casualties: list[Casualty]
) -> list[tuple[int, int]]:
    """Cut a sentence where a new clause reports its own event at its own place or date."""
    if len(triggers) + sum(1 for c in casualties if c.value > 0) < 2:
        return [(s, e)]  # a cut needs an event on each side
    bounds = [(m.start(), m.end()) for m in _BOUNDARY.finditer(spans.folded, s, e)]
    cuts: list[tuple[int, int]] = []
    cur = s
    for i, (bs, be) in enumerate(bounds):
        nxt = bounds[i + 1][0] if i + 1 < len(bounds) else e
        left_event = any(cur <= t.start < bs for t in triggers) or any(
            cur <= c.start < bs and c.value > 0 for c in casualties)
        right_event = any(be <= t.start < nxt and t.weight >= 1 for t in triggers) or any(
            be <= c.start < nxt and _PASSIVE_CASUALTY.search(spans.folded, c.start, c.end)
            for c in casualties)
        right_own = _own_place_or_date(spans, be, nxt)
        left_own = _own_place_or_date(spans, cur, bs)
        between = _BETWEEN.search(spans.folded, cur, bs) is not None  # "clashes between X and Y"
        listed = any(p.start == be for p in within(spans.places, be, be + 1)) or any(
            a.start == be for a in within(spans.actors, be, be + 1))  # "in Iraq and Syria"
        if left_event and right_event and right_own and left_own and not between and not listed:
            cuts.append((cur, bs))
            cur = be
    cuts.append((cur, e))
    return cuts


def _own_place_or_date(spans: ArticleSpans, lo: int, hi: int) -> bool:
    return bool(within(spans.places, lo, hi)) or any(
        d.kind not in ANAPHORIC_KINDS for d in within(spans.dates, lo, hi))


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
            # "rockets fired on July 24, 27": a date after its trigger binds tighter.
            return d.start - t.end if d.start >= t.end else 3 * (t.start - d.end) + 10
        nearest = min(range(len(dates)), key=lambda i: distance(dates[i]))
        groups.setdefault(nearest, []).append(trigger)
    return [(groups[i], dates[i]) for i in sorted(groups)]


def _mention(
    spans: ArticleSpans, sentence: Sentence, segment: int, lo: int, hi: int,
    triggers: list[Trigger], date: DateMention | None, casualties: list[Casualty],
    mode: str, forced: bool,
) -> Mention:
    folded = spans.folded
    actors = within(spans.actors, lo, hi)
    agent: Agent | None = None
    for trigger in sorted(triggers, key=lambda t: -t.weight):
        found = attacker_of(folded, trigger, actors, lo=lo, hi=hi)
        if found is not None and (agent is None or (agent.actor.name is None and found.actor.name)):
            agent = found
    if (agent is not None and agent.actor.name is None
            and _COREFERENT.search(folded, max(0, agent.actor.start - 6), agent.actor.end)):
        agent = _antecedent(spans, agent) or agent
    first = min(t.start for t in triggers)
    places = tuple(p for p in within(spans.places, lo, hi) if not _hidden(p, actors, agent))
    own_date = date is not None and date.kind not in ANAPHORIC_KINDS
    definite = all(t.definite or t.form == "casualty" for t in triggers) and any(
        t.definite for t in triggers)
    if definite and own_date and date is not None and (
        _SPEECH.search(folded, max(lo, date.start - 90), date.start)
        or not any(_date_attached(folded, date, t) for t in triggers)
    ):
        own_date = False  # "claimed the bombing in a statement late on Thursday"
    weak = all(t.weight <= 1 for t in triggers)
    attached = [p for p in places if any(_attached(folded, p, t) for t in triggers)]
    # A new event told after an opening that refers back ("The attack came a day after an
    # Israeli strike ...") is not itself a continuation.
    continues = mode == "refer" or (
        mode == "new" and _continues(folded, sentence.start, min(t.start for t in triggers)))
    anaphoric = forced or mode == "refer" or (not own_date and (
        ((definite or weak) and not attached) or continues))
    # "the bombing in Sadr City" names an event the reader is assumed to know, and a cause
    # ("in response to a rocket attack") one told elsewhere: they can add to an event of the
    # article, never stand for a new one.
    merge_only = (definite and not own_date) or mode == "cause"
    quoted = all(any(qs <= t.start < qe for qs, qe in spans.quotes) for t in triggers)
    background = any(_SINCE.search(folded, max(lo, t.start - 80), t.start) for t in triggers)
    perfect = not own_date and all(
        _PERFECT.search(folded, max(lo, t.start - 30), t.start)
        or (t.form == "casualty" and _PERFECT_IN.search(t.text)) for t in triggers)
    plural_only = all(t.plural and t.count is None for t in triggers)
    specific_place = any(p.kind in ("city", "facility") for p in places)
    toll = all(t.form == "casualty" for t in triggers) and any(
        c.value >= 100 or c.vague for c in casualties)
    generic = not own_date and (plural_only or toll or (perfect and not specific_place))
    return Mention(
        sentence=sentence.index, segment=segment, start=lo, end=hi, triggers=tuple(triggers),
        date=date, places=places, agent=agent,
        pronoun=agent is None and pronoun_subject(folded, lo, first),
        generic_attacker=agent is not None and agent.actor.name is None,
        casualties=tuple(c for c in casualties if not c.subset), quoted=quoted,
        anaphoric=anaphoric, merge_only=merge_only, background=background, generic=generic,
        separate=separate_regex().match(folded, sentence.start) is not None,
    )


def _date_attached(folded: str, date: DateMention, trigger: Trigger) -> bool:
    """Whether a date belongs to the trigger ("the attack on Thursday", "Tuesday's bombing")."""
    if date.start >= trigger.end:
        return _DATE_AFTER.fullmatch(folded, trigger.end, date.start) is not None
    return _DATE_BEFORE.fullmatch(folded, date.end, trigger.start) is not None


def _continues(folded: str, sentence_start: int, first_trigger: int) -> bool:
    """Whether the sentence opens on the event told before ("The attackers withdrew ...")."""
    match = continuation_regex().match(folded, sentence_start)
    return match is not None and match.start() <= first_trigger


def _antecedent(spans: ArticleSpans, agent: Agent) -> Agent | None:
    """"The group" is the named armed group mentioned last before it, in reach."""
    start = agent.actor.start
    for actor in reversed(within(spans.actors, max(0, start - _COREFERENCE_REACH), start)):
        if actor.name is not None and actor.side not in state_sides():
            return Agent(actor, agent.attribution)
    return None


@cache
def _cause() -> re.Pattern[str]:
    """Phrases naming an earlier event as the cause of this one ("in response to ...")."""
    alts = "|".join(load_rules("actors")["cause_markers"])
    return re.compile(rf"\b(?:{alts})\b[^.;]*$", re.IGNORECASE)


def _hidden(place: PlaceMatch, actors: list[ActorMention], agent: Agent | None) -> bool:
    """A place inside an actor's name ("Iran-backed") or naming the attacker is no venue."""
    return any(
        actor.start < place.end and place.start < actor.end and actor.name
        and (len(actor.text) > len(place.text) or (agent is not None and agent.actor is actor))
        for actor in actors)


def _attached(folded: str, place: PlaceMatch, trigger: Trigger) -> bool:
    """Whether a place phrase belongs to the trigger ("the attack in Baquba", "the Basra bomb")."""
    if place.end <= trigger.start:
        return _BEFORE_TRIGGER.match(folded, place.end, trigger.start) is not None
    return _AFTER_TRIGGER.match(folded, trigger.end, place.start) is not None
