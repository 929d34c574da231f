"""The merge-into-drafts stage: mentions of one event within an article become one draft.

Each mention's day is resolved against the publication date (or the day of the mention
before), and the mention becomes a draft per day it names.

A headline, its lede and the body often tell the same event two or three times, each time
with a different detail (the place, the toll, who claimed it). A later mention merges into an
earlier draft when nothing in them disagrees: same country, compatible province, place, day
and type. Clauses deliberately cut apart (two events in one sentence, a date list) never merge
with each other.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from processors.extract.document import Document, Draft, Mention, PlaceMatch
from processors.identity import likeness
from processors.models import DatePrecision
from processors.text.dates import ANAPHORIC_KINDS, UNKNOWN, DateMention, ResolvedDate, resolve_date
from processors.text.indexed import within
from processors.text.rules import load_rules


@cache
def umbrella_actors() -> frozenset[str]:
    """Actors a named member group replaces ("Iran-backed militias" by a claiming faction)."""
    return frozenset(load_rules("actors")["umbrella"])


_PRECISION_RANK = {"day": 0, "week": 1, "month": 2, "unknown": 3}
_KIND_RANK = {"facility": 0, "city": 1, "province": 2, "region": 3, "country": 4}
_ANAPHORA_REACH = 3  # sentences back that "the attack" or "no one was hurt" may refer to
_BACKGROUND_DAYS = 365
_RECENT_MONTH_DAYS = 62  # the first of last month, seen from the end of this one
_MAX_MULTIPLICITY = 5
_WORD = re.compile(r"[A-Za-z]+|\d+")
_DATE_LINE_WORDS = 2
_DATE_LINE_DAYS = 7
_BOMBS = frozenset({"remote_explosive_ied", "suicide_bomb"})
_ASSAULTS = frozenset({"attack", "armed_clash"})


def _burning(a: Draft, b: Draft) -> bool:
    """Whether ``b`` is the destruction an assault told as ``a`` wrought on its way."""
    return a.event_type in _ASSAULTS and b.event_type == "property_destruction"




def compatible(a: Draft, b: Draft) -> bool:
    """Whether ``b`` can be another mention of the event drafted as ``a``."""
    if a.group == b.group or a.segment == b.segment or (b.sentence in a.sentences and (
        a.segment != b.segment
    )):
        return False
    if a.background != b.background or a.country != b.country or a.country is None:
        return False
    if b.separate and not a.separate and (b.place is not None or _own_toll(b)):
        # "Elsewhere, ...", "Another bomb in Karrada ...", "A second bomb killed two": told
        # apart, at a place or with a toll of its own
        return False
    if a.admin1 and b.admin1 and a.admin1 != b.admin1:
        return False
    same_named_place = bool(a.place and b.place and a.place.lower() == b.place.lower())
    if a.geo_precision == 1 and b.geo_precision == 1 and not same_named_place:
        return False
    if not _days_agree(a, b):
        return False
    if a.event_type == b.event_type or a.generic_type or b.generic_type:
        return True
    if {a.event_type, b.event_type} == _BOMBS and (b.place is None or a.place is None):
        return True  # "A car bomb exploded ... The driver was a suicide bomber."
    if _burning(a, b) and (b.place is None or same_named_place):
        return True  # "Gunmen attacked a church ... They also set fire to a health centre."
    return same_named_place and a.day is not None and a.day == b.day


def _own_toll(draft: Draft) -> bool:
    """Whether a draft counts its own dead or wounded."""
    return bool(draft.killed or draft.injured)


def _days_agree(a: Draft, b: Draft) -> bool:
    if a.day is None or b.day is None:
        return True
    if a.day == b.day:
        return True
    gap = (b.day - a.day).days  # a week-precision day is the Monday of its week
    return (a.precision == "week" and 0 <= gap <= 6) or (b.precision == "week" and -6 <= gap <= 0)



def affinity(a: Draft, b: Draft) -> int:
    """How much two compatible drafts look alike (to pick which draft a mention joins)."""
    return likeness((a.day, b.day), (a.place, b.place), (a.admin1, b.admin1),
                    (a.event_type, b.event_type))


def absorb(a: Draft, b: Draft, *, detail_only: bool = False) -> None:
    """Fold mention ``b`` into draft ``a``: the more precise or more specific value wins."""
    a.evidence.extend(span for span in b.evidence if span not in a.evidence)
    a.sentences |= b.sentences
    a.mentions += 1
    a.quoted = a.quoted and b.quoted
    for kind in ("killed", "injured", "kidnapped"):
        mine, theirs = getattr(a, kind), getattr(b, kind)
        if theirs is not None and (mine is None or theirs > mine):
            setattr(a, kind, theirs)
    if a.target is None:
        a.target = b.target
    if b.perpetrator and (a.perpetrator is None or (a.pronoun and not b.pronoun)
                          or (a.perpetrator in umbrella_actors() and b.perpetrator not in
                              umbrella_actors() and b.attribution in ("stated", "claimed"))):
        a.perpetrator, a.attribution = b.perpetrator, b.attribution
        a.generic_attacker, a.pronoun = b.generic_attacker, b.pronoun
    elif a.perpetrator is None and b.generic_attacker:
        a.generic_attacker = True
    if detail_only:
        return
    if b.day is not None and (
        a.day is None or _PRECISION_RANK[b.precision] < _PRECISION_RANK[a.precision]
    ):
        a.day, a.precision, a.own_date = b.day, b.precision, b.own_date
    if b.country == a.country and _KIND_RANK.get(b.place_kind, 5) < _KIND_RANK.get(
        a.place_kind, 5
    ):
        a.place, a.place_kind, a.admin1 = b.place, b.place_kind, b.admin1 or a.admin1
        a.latitude, a.longitude, a.geo_precision = b.latitude, b.longitude, b.geo_precision
    if {a.event_type, b.event_type} == _BOMBS:
        a.event_type, a.generic_type = "suicide_bomb", False  # the bomb had a bomber
    elif _burning(a, b):
        pass  # the attack's arson is part of the attack
    elif b.type_weight > a.type_weight or (a.generic_type and not b.generic_type):
        a.event_type, a.type_weight, a.generic_type = b.event_type, b.type_weight, b.generic_type
        a.inherit_type = b.inherit_type


def best_match(drafts: list[Draft], new: Draft, taken: set[int]) -> Draft | None:
    """The existing draft ``new`` most likely repeats, or None when it is a new event."""
    best: tuple[int, int] | None = None
    chosen: Draft | None = None
    for index, draft in enumerate(drafts):
        if index in taken or not compatible(draft, new):
            continue
        key = (affinity(draft, new), index)
        if best is None or key > best:
            best, chosen = key, draft
    return chosen


# -- the stage ------------------------------------------------------------------------------------


def merge_drafts(doc: Document) -> None:
    """Set ``drafts``: one per event the article reports (background ones only if asked)."""
    drafts = _draft_all(doc)
    if doc.published is None and doc.looks_back:
        # An undated article about a trial or an anniversary: the events it dates itself
        # ("on September 21, 2013") are the past it looks back on.
        for draft in drafts:
            draft.background = draft.background or draft.own_date
    doc.drafts = [d for d in drafts if _keep(d, doc.published, doc.include_background,
                                             undated_lede=_undated_lede(doc, d))]


def _resolve(
    doc: Document, mention: DateMention, anchor: ResolvedDate | None
) -> list[ResolvedDate]:
    return resolve_date(mention, doc.base, base_is_fallback=doc.base_is_fallback, anchor=anchor)


def _draft_all(doc: Document) -> list[Draft]:
    drafts: list[Draft] = []
    headlines: list[Draft] = []
    last: Draft | None = None
    for group, mention in enumerate(doc.mentions):
        if mention.generic:
            continue
        days = _days(doc, mention, last)
        new = [_draft(doc, mention, group, day) for day in days]
        if len(new) > 1 and len({d.day for d in new}) == 1:
            for draft in new:  # "two attacks killed five": a total, no one attack's toll
                draft.killed = draft.injured = draft.kidnapped = None
        if mention.sentence in doc.headlines:
            headlines.extend(new[:1])
            continue
        if mention.anaphoric or (mention.quoted and not new[0].own_date):
            host = _antecedent_draft(drafts, new[0], mention.sentence)
            if host is not None:
                absorb(host, new[0], detail_only=True)
                continue
            if _opens_story(doc, mention, new[0]):
                headlines.extend(new[:1])  # stands for the story only if nothing else does
            continue
        taken: set[int] = set()
        for draft in new:
            target = best_match(drafts, draft, taken)
            if target is None and mention.merge_only and not _dated_past(draft, doc.base):
                continue  # a reference to an event the article does not report itself
            if target is None:
                drafts.append(draft)
                last = draft
            else:
                taken.add(drafts.index(target))
                absorb(target, draft)
                last = target
    return _place_headlines(doc, drafts, headlines)


def _opens_story(doc: Document, mention: Mention, draft: Draft) -> bool:
    """Whether a referring mention with nothing before it to refer to tells the article's
    first event ("At least 40 people have been killed in an attack by rebels" as the lede)."""
    return (mention.sentence in doc.lede and not mention.merge_only and not mention.quoted
            and _own_toll(draft))


def _dated_past(draft: Draft, base: dt.date | None) -> bool:
    """Whether a draft is background by its date (kept only if asked for)."""
    return _is_background(draft, base)


def _antecedent_draft(drafts: list[Draft], detail: Draft, sentence: int) -> Draft | None:
    """The event a referring mention adds to: a recent draft, one hit the same way if any."""
    recent = [d for d in drafts if sentence - max(d.sentences) <= _ANAPHORA_REACH
              and (detail.place is None or detail.country is None
                   or d.country in (None, detail.country))]  # its own place abroad: not this
    if not recent:
        return None
    if not detail.generic_type:
        # "IS claimed the bombing": the bombing told before, not the rocket told since
        kind = [d for d in recent if _same_family(d.event_type, detail.event_type)]
        recent = kind or recent
    if detail.target is not None:
        same = [d for d in recent if d.target in (None, detail.target)]
        if same:
            return max(same, key=lambda d: max(d.sentences))
    return max(recent, key=lambda d: max(d.sentences))


_FAMILIES = ({"attack", "armed_clash"}, {"remote_explosive_ied", "suicide_bomb", "grenade"},
             {"air_drone_strike", "shelling_artillery_missile"})


def _same_family(a: str, b: str) -> bool:
    return a == b or any(a in family and b in family for family in _FAMILIES)


def _place_headlines(doc: Document, drafts: list[Draft], headlines: list[Draft]) -> list[Draft]:
    """A headline retells an event of the body; alone, it is an event of the publication day."""
    body = list(drafts)
    for headline in headlines:
        target = best_match(body, headline, set())
        if target is not None:
            if target.generic_attacker:
                headline.perpetrator = None
            absorb(target, headline, detail_only=True)
        elif not body:
            if headline.day is None and doc.base is not None:
                headline.day = doc.base
                headline.precision = "week" if doc.base_is_fallback else "day"
            drafts.append(headline)
    return drafts


def _days(doc: Document, mention: Mention, last: Draft | None) -> list[ResolvedDate]:
    """The day(s) of a mention: its own date, else the sentence's or previous one's, else none."""
    anchor = None if last is None or last.day is None else ResolvedDate(last.day, last.precision)
    if mention.date is not None:
        days = _resolve(doc, mention.date, anchor)
    else:
        days = [_inherited(doc, mention, anchor)]
    count = max((t.count or 1 for t in mention.triggers), default=1)
    if len(days) == 1 and count > 1:
        days = days * min(count, _MAX_MULTIPLICITY)
    return days


def _inherited(doc: Document, mention: Mention, anchor: ResolvedDate | None) -> ResolvedDate:
    sentence = doc.sentence_of[mention.sentence]
    first = min(t.start for t in mention.triggers)
    here = within(doc.dates, sentence.start, sentence.end)
    if here:
        nearest = min(here, key=lambda d: abs(d.start - first))
        return _resolve(doc, nearest, anchor)[0]
    previous = doc.previous.get(mention.sentence)
    if previous is not None:
        before = [d for d in within(doc.dates, previous.start, previous.end)
                  if d.kind not in ANAPHORIC_KINDS]
        if before and _date_line(doc, previous.start, previous.end, before) and _far_off(
                doc, _resolve(doc, before[-1], anchor)[0]):
            before = []  # a page's date line ("Wed | May 27, 2020") dates no event
        if before:
            return _resolve(doc, before[-1], anchor)[0]
    if mention.sentence in doc.headlines:
        return UNKNOWN
    if mention.sentence in doc.lede and doc.base is not None and not mention.anaphoric:
        precision: DatePrecision = "week" if doc.base_is_fallback else "day"
        return ResolvedDate(doc.base, precision)
    if mention.separate and anchor is not None:
        return anchor  # "A second bomb went off nearby": the day of the story told so far
    return UNKNOWN


def _far_off(doc: Document, day: ResolvedDate) -> bool:
    """Whether a day lies more than a week from the publication day (a page's, not the
    article's date)."""
    return (doc.published is not None and day.day is not None
            and abs((doc.published - day.day).days) > _DATE_LINE_DAYS)


def _date_line(doc: Document, start: int, end: int, dates: list[DateMention]) -> bool:
    """Whether a sentence is little but its dates (a page header or a byline's date)."""
    words = len(_WORD.findall(doc.folded, start, end))
    dated = sum(len(_WORD.findall(d.text)) for d in dates)
    return words - dated <= _DATE_LINE_WORDS


def _draft(doc: Document, mention: Mention, group: int, day: ResolvedDate) -> Draft:
    resolved = mention.resolution
    assert resolved is not None  # generic mentions never become drafts
    place, agent, top = resolved.place, resolved.agent, resolved.top
    sentence = doc.sentence_of[mention.sentence]
    return Draft(
        sentence=mention.sentence, segment=mention.segment, group=group,
        day=day.day, precision=day.precision, country=resolved.country,
        admin1=resolved.admin1, place=place.place if place else None,
        place_kind=place.kind if place else "country",
        latitude=place.latitude if place else None, longitude=place.longitude if place else None,
        geo_precision=_geo_precision(place), event_type=resolved.event_type,
        type_weight=top.weight, generic_type=top.weight <= 1,
        inherit_type=top.weight <= 1 and top.form != "casualty",
        perpetrator=agent.actor.name if agent else None,
        attribution=agent.attribution if agent and agent.actor.name else None,
        generic_attacker=mention.generic_attacker, pronoun=mention.pronoun,
        target=resolved.target, killed=resolved.killed, injured=resolved.injured,
        kidnapped=resolved.kidnapped,
        background=mention.background, quoted=mention.quoted, separate=mention.separate,
        own_date=mention.date is not None and day.day is not None,
        evidence=[(sentence.start, sentence.end)], sentences={mention.sentence},
    )


def _geo_precision(place: PlaceMatch | None) -> int:
    return 3 if place is None else max(1, min(3, place.geo_precision))


def _is_background(draft: Draft, published: dt.date | None) -> bool:
    """"In January", "in December 2019", "in 2014", "since last year" allude to the past;
    "earlier this month" and "last month" still report news."""
    age = (published - draft.day).days if draft.day is not None and published else None
    distant_month = draft.precision == "month" and (age is None or age > _RECENT_MONTH_DAYS)
    return draft.background or distant_month or (
        draft.precision == "unknown" and draft.day is not None) or (
        age is not None and age > _BACKGROUND_DAYS)


def _undated_lede(doc: Document, draft: Draft) -> bool:
    """Whether a draft is the lede's event of an article with no date to count days from: no
    day can be resolved, and the lede's own act and toll say enough."""
    return (doc.base is None and draft.sentence in doc.lede and _own_toll(draft)
            and not draft.generic_type)


def _keep(
    draft: Draft, published: dt.date | None, include_background: bool, *,
    undated_lede: bool = False,
) -> bool:
    """Whether a draft is reported: placed somewhere (or the lede's event of an undated
    article), not only quoted, not background."""
    if draft.country is None:
        return False
    if draft.day is None and draft.geo_precision == 3 and draft.precision != "week" and (
        draft.admin1 is None or draft.generic_type  # "Ninewa followed with 36 killed"
    ) and not undated_lede:
        return False
    if draft.quoted and not draft.own_date:
        return False
    if _is_background(draft, published):
        draft.background = True
    return include_background or not draft.background
