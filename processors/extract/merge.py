"""Mentions of one event within an article become one draft incident.

A headline, its lede and the body often tell the same event two or three times, each time
with a different detail (the place, the toll, who claimed it). A later mention merges into an
earlier draft when nothing in them disagrees: same country, compatible province, place, day
and type. Clauses deliberately cut apart (two events in one sentence, a date list) never merge
with each other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache

from processors.identity import likeness
from processors.models import DatePrecision
from processors.text.rules import load_rules


@cache
def umbrella_actors() -> frozenset[str]:
    """Actors a named member group replaces ("Iran-backed militias" by a claiming faction)."""
    return frozenset(load_rules("actors")["umbrella"])


_PRECISION_RANK = {"day": 0, "week": 1, "month": 2, "unknown": 3}
_KIND_RANK = {"facility": 0, "city": 1, "province": 2, "region": 3, "country": 4}


@dataclass(slots=True)
class Draft:
    """An incident under construction, with what is needed to merge and score it."""

    sentence: int
    segment: int
    group: int
    day: dt.date | None
    precision: DatePrecision
    country: str | None
    admin1: str | None
    place: str | None
    place_kind: str
    latitude: float | None
    longitude: float | None
    geo_precision: int | None
    event_type: str
    type_weight: int
    generic_type: bool
    inherit_type: bool
    perpetrator: str | None
    attribution: str | None
    generic_attacker: bool
    pronoun: bool
    target: str | None
    killed: int | None
    injured: int | None
    kidnapped: int | None
    background: bool
    quoted: bool
    own_date: bool
    separate: bool = False
    evidence: list[tuple[int, int]] = field(default_factory=list)
    sentences: set[int] = field(default_factory=set)
    mentions: int = 1


def compatible(a: Draft, b: Draft) -> bool:
    """Whether ``b`` can be another mention of the event drafted as ``a``."""
    if a.group == b.group or a.segment == b.segment or (b.sentence in a.sentences and (
        a.segment != b.segment
    )):
        return False
    if a.background != b.background or a.country != b.country or a.country is None:
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
    return same_named_place and a.day is not None and a.day == b.day


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
    if b.type_weight > a.type_weight or (a.generic_type and not b.generic_type):
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
