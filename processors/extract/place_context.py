"""Settle what an ambiguous place name means from the rest of the article.

A name can mean towns or units in several countries (Paris, Georgia, a village name shared by
ten countries). The article's other places vote for countries: country and first-level unit
mentions, towns whose names are unambiguous, and the dateline (the first place of the text)
most. Each ambiguous match then takes the reading in the best-supported country among its
own; a small town that the evidence places in no candidate country, while the article is
plainly about another one, is dropped rather than guessed, so the incident keeps the
article's country only (country-only precision, never a guessed town). So is a small town,
or a unit named bare, whose country nothing else in such an article points to (a person's
or an outlet's name that is also a village somewhere: "Bloomberg", "Abbah").

A dateline ("ERBIL, Kurdistan Region -", "BAMAKO, Mali (AP) --") says where the story was
filed: it votes for the article's country, but where its sentence names another place, it
is not the venue of what the sentence reports (``without_datelines``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from typing import Final

from processors.extract.document import PlaceMatch
from processors.extract.gazetteer import Entry, gazetteer
from processors.text.fold import name_key

_WEIGHTS: Final = {"country": 2.0, "province": 2.0, "region": 1.0, "city": 1.0, "facility": 1.0}
_DATELINE_CHARS: Final = 120  # a first place this close to the start is the dateline
_DATELINE: Final = 2.0
_CLEAR: Final = 2.0  # evidence a country needs before an unsupported small town is dropped
# After a dateline's place: its region, date or agency, then a dash ("BAGHDAD, Feb 15 (KUNA) --").
_DATELINE_TAIL: Final = re.compile(r"[^\n]{0,60}?(?:\s-{1,2}\s|\s?[\u2013\u2014]\s?)")
_LOWER_WORD: Final = re.compile(r"\b[a-z][a-z]{2,}\b")
_OPENING: Final = " \t\n\"'([«\u201c\u201e\u2018\u2039"


def country_evidence(places: list[PlaceMatch]) -> Counter[str]:
    """Votes for each country from the places whose meaning does not depend on context."""
    votes: Counter[str] = Counter()
    for i, place in enumerate(places):
        if place.kind == "blocked":
            continue
        if _stopped(place):
            continue  # "Kazan" may be a person: it needs the article's other places
        weight: float = _WEIGHTS.get(place.kind, 1.0)
        if place.alternatives and not place.curated:
            weight = 0.0  # an ambiguous small place proves nothing on its own
        if i == 0 and place.start < _DATELINE_CHARS:
            weight += _DATELINE
        votes[place.country] += weight  # type: ignore[assignment]
    return votes


def resolve_places(places: list[PlaceMatch]) -> list[PlaceMatch]:
    """The article's places with ambiguous names read in the best-supported country."""
    if not places:
        return places
    votes = country_evidence(places)
    leader, lead = votes.most_common(1)[0]
    out: list[PlaceMatch] = []
    for place in places:
        if place.alternatives:
            place = _reread(place, votes)
        if _unsupported(place, votes, leader, lead) or _stray(place, places, votes, leader, lead):
            continue
        if _stopped(place) and votes[place.country] <= 0:
            continue  # "Kazan", "Beni" where nothing else in the article is Russian or Congolese
        out.append(place)
    return out


def _stopped(place: PlaceMatch) -> bool:
    """A town whose name is on the stop-list (a given name, a word, a name elsewhere)."""
    return place.kind == "city" and name_key(place.text) in gazetteer().stopped


def _stray(place: PlaceMatch, places: list[PlaceMatch], votes: Counter[str], leader: str,
           lead: float) -> bool:
    """A small town or a bare unit name in a country no other place of the article supports,
    while the article is plainly about another country."""
    if place.country == leader or lead < _CLEAR:
        return False
    if place.kind == "city" and (place.curated or not place.weak):
        return False
    if place.kind == "province":  # every unit is "curated": its bare name is what is judged
        words = gazetteer().words["province"]
        if any(w.lower() in words for w in place.text.split()):
            return False  # "Diffa region": the writer says it is a unit
    elif place.kind != "city":
        return False
    name = place.text.lower()
    return not any(p.country == place.country and p.text.lower() != name for p in places
                   if p.kind != "blocked")


def _reread(place: PlaceMatch, votes: Counter[str]) -> PlaceMatch:
    own = votes[place.country]
    best: Entry | None = None
    for alt in place.alternatives:
        if votes[alt.country] > own and (best is None or votes[alt.country] > votes[best.country]):
            best = alt
    if best is None:
        return place
    return replace(place, country=best.country, admin1=best.admin1, latitude=best.latitude,
                   longitude=best.longitude, kind=best.kind,
                   geo_precision=best.precision if place.geo_precision == 1 else
                   max(place.geo_precision, best.precision),
                   place=place.place if best.kind != "province" else None,
                   alternatives=(), curated=False)


def without_datelines(places: list[PlaceMatch], folded: str,
                      sentences: list[tuple[int, int]], *,
                      found: list[PlaceMatch] | None = None) -> list[PlaceMatch]:
    """The places less each dateline ("ERBIL, Kurdistan Region -") whose sentence names
    another place after it ("BAMAKO, Mali (AP) -- ... in a northern Mali village").

    ``found``: the places as matched, before ``resolve_places`` dropped any: a name that could
    not be placed still says the dateline is not the venue (the incident keeps the country).
    """
    dropped: set[int] = set()
    resolved, places = places, found if found is not None else places
    for lo, hi in sentences:
        inside = [p for p in places if lo <= p.start < hi]
        end = _dateline_end(inside[0], folded, lo) if inside else None
        if end is None:
            continue
        head = [p for p in inside if p.start < end]
        # "ISLAMABAD, Pakistan (AP) -- ... in Pakistan": its own country is no other venue.
        if any(p.kind != "blocked" and not (p.kind == "country" and p.country == inside[0].country)
               for p in inside if p.start >= end):
            dropped.update(p.start for p in head)
    return [p for p in resolved if p.start not in dropped]


def _dateline_end(place: PlaceMatch, folded: str, sentence_start: int) -> int | None:
    """Where the dateline that starts with ``place`` ends (after its dash), if it is one."""
    if folded[sentence_start : place.start].strip(_OPENING):
        return None  # not the first words of its sentence
    tail = _DATELINE_TAIL.match(folded, place.end)
    if tail is None or _LOWER_WORD.search(tail.group()):
        return None
    return tail.end()


def _unsupported(place: PlaceMatch, votes: Counter[str], leader: str, lead: float) -> bool:
    """A small, ambiguous town in a country nothing else in the article points to."""
    if place.curated or place.kind != "city" or not place.alternatives:
        return False
    return place.country != leader and lead >= _CLEAR and votes[place.country] == 0
