"""How a report agrees with an event already known: the record and the tests on a report.

``KnownEvent`` is what ``EventIndex`` keeps of an event; the functions are the tests it runs on
a new report (the same day, types, place, attacker, toll).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from processors.models import Incident
from processors.text.rules import load_rules

_FAMILIES = ({"attack", "armed_clash"}, {"remote_explosive_ied", "suicide_bomb", "grenade"},
             {"air_drone_strike", "shelling_artillery_missile"})
_NEAR_KM = 15.0


@dataclass(slots=True)
class KnownEvent:
    event_id: str
    country: str | None
    admin1: str | None
    place: str | None
    geo_precision: int | None
    day: dt.date | None
    precision: str
    event_type: str
    version: int = 1
    sources: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)  # incident ids, parallel to sources
    bodies: list[str | None] = field(default_factory=list)  # article digests, parallel too
    seen: dt.date | None = None  # the index's watermark when last reported
    latitude: float | None = None
    longitude: float | None = None
    perpetrators: list[str] = field(default_factory=list)  # every one a report named
    killed: int | None = None  # the first toll reported
    injured: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "country": self.country, "admin1": self.admin1,
                "place": self.place, "geo_precision": self.geo_precision,
                "day": self.day.isoformat() if self.day else None, "precision": self.precision,
                "event_type": self.event_type, "version": self.version,
                "sources": list(self.sources), "reports": list(self.reports),
                "bodies": list(self.bodies),
                "seen": self.seen.isoformat() if self.seen else None,
                "latitude": self.latitude, "longitude": self.longitude,
                "perpetrators": list(self.perpetrators), "killed": self.killed,
                "injured": self.injured}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> KnownEvent:
        day, seen = raw.get("day"), raw.get("seen")
        return cls(raw["event_id"], raw.get("country"), raw.get("admin1"), raw.get("place"),
                   raw.get("geo_precision"), dt.date.fromisoformat(day) if day else None,
                   raw.get("precision", "unknown"), raw["event_type"],
                   int(raw.get("version", 1)), list(raw.get("sources", [])),
                   reports=list(raw.get("reports", [])), bodies=list(raw.get("bodies", [])),
                   seen=dt.date.fromisoformat(seen) if seen else None,
                   latitude=raw.get("latitude"), longitude=raw.get("longitude"),
                   perpetrators=list(raw.get("perpetrators", [])), killed=raw.get("killed"),
                   injured=raw.get("injured"))

    def retained_by(self) -> dt.date | None:
        """The day retention counts from: the event's day, else when it was last reported."""
        return self.day or self.seen


def newer_version(event: KnownEvent, incident: Incident) -> bool:
    """Whether ``incident`` comes from another version of an article that reported ``event``
    (never from the version that did: one article's incidents stay distinct events)."""
    if incident.article_digest is None:
        return False
    bodies = event.bodies + [None] * (len(event.sources) - len(event.bodies))
    return all(body is not None and body != incident.article_digest
               for source, body in zip(event.sources, bodies, strict=True)
               if source == incident.article_id)


def types_agree(a: str, b: str) -> bool:
    if a == b or "attack" in (a, b):
        return True
    return any(a in family and b in family for family in _FAMILIES)


@cache
def _umbrellas() -> frozenset[str]:
    return frozenset(load_rules("actors")["umbrella"])


def rival_attackers(event: KnownEvent, incident: Incident) -> bool:
    """Whether the reports name different attackers ("Iran-backed militias" and a member
    faction of theirs are not rivals: one outlet names the umbrella, another the faction)."""
    named = incident.perpetrator
    if not named or not event.perpetrators or named in event.perpetrators:
        return False
    umbrellas = _umbrellas()
    return named not in umbrellas and not any(p in umbrellas for p in event.perpetrators)


def near(event: KnownEvent, incident: Incident) -> bool:
    """Whether two named places lie within ``_NEAR_KM`` of each other (a district, a village
    on a town's edge, a neighbourhood: outlets name one event's place at different detail)."""
    a_lat, a_lon, b_lat, b_lon = (event.latitude, event.longitude, incident.latitude,
                                  incident.longitude)
    if a_lat is None or a_lon is None or b_lat is None or b_lon is None:
        return False
    dy = (a_lat - b_lat) * 111.2
    dx = (a_lon - b_lon) * 111.2 * math.cos(math.radians((a_lat + b_lat) / 2))
    return math.hypot(dx, dy) <= _NEAR_KM


def _same_dead(event: KnownEvent, incident: Incident) -> bool:
    return bool(event.killed) and event.killed == incident.killed


def same_toll(event: KnownEvent, incident: Incident) -> bool:
    """Whether two reports give one toll (the same dead, else the same wounded, not none)."""
    return _same_dead(event, incident) or (
        bool(event.injured) and event.injured == incident.injured)


def same_place(event: KnownEvent, incident: Incident) -> bool:
    """Whether two reports name one place (the same name, or places a few km apart)."""
    return bool(event.place and incident.place
                and event.place.lower() == incident.place.lower()) or near(event, incident)


def same_attacker(event: KnownEvent, incident: Incident) -> bool:
    return bool(incident.perpetrator) and incident.perpetrator in event.perpetrators


def corroborated(event: KnownEvent, incident: Incident) -> bool:
    """Whether two reports typed apart ("an IED ambush" as a bombing and as a clash) agree on
    the toll and on the place or the attacker: one event told two ways."""
    return _same_dead(event, incident) and (
        same_place(event, incident) or same_attacker(event, incident))


def days_agree(event: KnownEvent, incident: Incident) -> bool:
    a, b = event.day, incident.event_date
    if a is None or b is None:
        # an undated report (an undated page) is the dated one only with the same toll at the
        # same named place ("three killed by a drone in Qamishli" twice), or by the same
        # attacker the same way
        return (a is None and b is None) or (same_toll(event, incident) and (
            (event.geo_precision == 1 and incident.geo_precision == 1)
            or same_place(event, incident)
            or (same_attacker(event, incident) and event.event_type == incident.event_type)))
    if abs((a - b).days) <= 1:
        return True
    if event.precision == "week" and 0 <= (b - a).days <= 6:
        return True
    return incident.date_precision == "week" and 0 <= (a - b).days <= 6
