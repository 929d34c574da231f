"""Settle what an ambiguous place name means from the rest of the article.

A name can mean towns or units in several countries (Paris, Georgia, a village name shared by
ten countries). The article's other places vote for countries: country and first-level unit
mentions, towns whose names are unambiguous, and the dateline (the first place of the text)
most. Each ambiguous match then takes the reading in the best-supported country among its
own; a small town that the evidence places in no candidate country, while the article is
plainly about another one, is dropped rather than guessed, so the incident keeps the
article's country only (country-only precision, never a guessed town).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Final

from processors.extract.document import PlaceMatch
from processors.extract.gazetteer import Entry

_WEIGHTS: Final = {"country": 2.0, "province": 2.0, "region": 1.0, "city": 1.0, "facility": 1.0}
_DATELINE_CHARS: Final = 120  # a first place this close to the start is the dateline
_DATELINE: Final = 2.0
_CLEAR: Final = 2.0  # evidence a country needs before an unsupported small town is dropped


def country_evidence(places: list[PlaceMatch]) -> Counter[str]:
    """Votes for each country from the places whose meaning does not depend on context."""
    votes: Counter[str] = Counter()
    for i, place in enumerate(places):
        if place.kind == "blocked":
            continue
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
        if _unsupported(place, votes, leader, lead):
            continue
        out.append(place)
    return out


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


def _unsupported(place: PlaceMatch, votes: Counter[str], leader: str, lead: float) -> bool:
    """A small, ambiguous town in a country nothing else in the article points to."""
    if place.curated or place.kind != "city" or not place.alternatives:
        return False
    return place.country != leader and lead >= _CLEAR and votes[place.country] == 0
