"""One event, many reports: give every incident the id of the real-world event it reports.

``EventIndex`` is a pure object with three verbs: create it (or restore it from a table's
JSON state), ``assign`` an incident, and ``to_state``. Candidate events are bucketed by
(country, day) so a lookup touches a handful of buckets whatever the history's size. Ids are
hashes of the first report, so replaying the same reports in the same order yields the same
ids. A later, more precise report updates its event (a new version), never opens a second one;
incidents of one article are never merged with each other here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from processors.models import Incident

STATE_VERSION = 1
_PRECISION_RANK = {"day": 0, "week": 1, "month": 2, "unknown": 3}
_FAMILIES = ({"attack", "armed_clash"}, {"remote_explosive_ied", "suicide_bomb", "grenade"},
             {"air_drone_strike", "shelling_artillery_missile"})
_SEARCH_DAYS = 7


def first_event_id(incident: Incident) -> str:
    """The id an incident's event gets when this incident is its first report."""
    return event_key(incident.country, incident.admin1, incident.event_date,
                     incident.event_type, incident.incident_id)


def event_key(
    country: str | None, admin1: str | None, day: dt.date | None, event_type: str,
    incident_id: str,
) -> str:
    """A deterministic event id from the first report's country, province, day, type and id."""
    key = "|".join((country or "-", admin1 or "-", day.isoformat() if day else "-", event_type,
                    incident_id))
    return "ev-" + hashlib.sha256(key.encode()).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class Assignment:
    """What ``EventIndex.assign`` decided for one incident."""

    event_id: str
    version: int
    is_new: bool
    sources: tuple[str, ...]
    corroboration: int


@dataclass(slots=True)
class _Event:
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

    def to_json(self) -> dict[str, Any]:
        return {"event_id": self.event_id, "country": self.country, "admin1": self.admin1,
                "place": self.place, "geo_precision": self.geo_precision,
                "day": self.day.isoformat() if self.day else None, "precision": self.precision,
                "event_type": self.event_type, "version": self.version,
                "sources": list(self.sources)}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> _Event:
        day = raw.get("day")
        return cls(raw["event_id"], raw.get("country"), raw.get("admin1"), raw.get("place"),
                   raw.get("geo_precision"), dt.date.fromisoformat(day) if day else None,
                   raw.get("precision", "unknown"), raw["event_type"],
                   int(raw.get("version", 1)), list(raw.get("sources", [])))


def _types_agree(a: str, b: str) -> bool:
    if a == b or "attack" in (a, b):
        return True
    return any(a in family and b in family for family in _FAMILIES)


def _days_agree(event: _Event, incident: Incident) -> bool:
    a, b = event.day, incident.event_date
    if a is None or b is None:
        return a is None and b is None
    if abs((a - b).days) <= 1:
        return True
    if event.precision == "week" and 0 <= (b - a).days <= 6:
        return True
    return incident.date_precision == "week" and 0 <= (a - b).days <= 6


class EventIndex:
    """Cross-article event identity: create, ``assign`` incidents, ``to_state``."""

    def __init__(self) -> None:
        self._events: dict[str, _Event] = {}
        self._buckets: dict[tuple[str | None, str | None], list[str]] = {}

    def assign(self, incident: Incident) -> Assignment:
        """The event ``incident`` reports: a known one (updated) or a new one."""
        event = self._find(incident)
        if event is None:
            event = _Event(first_event_id(incident), incident.country, incident.admin1,
                           incident.place, incident.geo_precision, incident.event_date,
                           incident.date_precision, incident.event_type,
                           sources=[incident.article_id])
            self._add(event)
            return Assignment(event.event_id, 1, True, (incident.article_id,), 1)
        self._update(event, incident)
        sources = tuple(event.sources)
        return Assignment(event.event_id, event.version, False, sources, len(set(sources)))

    def _find(self, incident: Incident) -> _Event | None:
        best: tuple[int, str] | None = None
        chosen: _Event | None = None
        for event in self._candidates(incident):
            if not self._same(event, incident):
                continue
            key = (self._affinity(event, incident), event.event_id)
            if best is None or key > best:
                best, chosen = key, event
        return chosen

    def _candidates(self, incident: Incident) -> list[_Event]:
        day = incident.event_date
        keys: list[tuple[str | None, str | None]]
        if day is None:
            keys = [(incident.country, None)]
        else:
            keys = [(incident.country, (day + dt.timedelta(days=d)).isoformat())
                    for d in range(-_SEARCH_DAYS, _SEARCH_DAYS + 1)]
        return [self._events[i] for k in keys for i in self._buckets.get(k, ())]

    @staticmethod
    def _same(event: _Event, incident: Incident) -> bool:
        if incident.article_id in event.sources or event.country != incident.country:
            return False
        if event.admin1 and incident.admin1 and event.admin1 != incident.admin1:
            return False
        if (event.geo_precision == 1 and incident.geo_precision == 1 and event.place
                and incident.place and event.place.lower() != incident.place.lower()):
            return False
        return _days_agree(event, incident) and _types_agree(event.event_type,
                                                             incident.event_type)

    @staticmethod
    def _affinity(event: _Event, incident: Incident) -> int:
        score = 0
        if event.day is not None and event.day == incident.event_date:
            score += 2
        if event.place and incident.place and event.place.lower() == incident.place.lower():
            score += 2
        if event.admin1 and event.admin1 == incident.admin1:
            score += 1
        if event.event_type == incident.event_type:
            score += 1
        return score

    def _update(self, event: _Event, incident: Incident) -> None:
        """Count the report; take its day, place or type when they are more precise."""
        event.version += 1
        event.sources.append(incident.article_id)
        if incident.event_date is not None and (
            event.day is None
            or _PRECISION_RANK[incident.date_precision] < _PRECISION_RANK[event.precision]
        ):
            self._remove(event)
            event.day, event.precision = incident.event_date, incident.date_precision
            self._add(event)
        if incident.admin1 and not event.admin1:
            event.admin1 = incident.admin1
        if incident.geo_precision is not None and (
            event.geo_precision is None or incident.geo_precision < event.geo_precision
        ):
            event.place, event.geo_precision = incident.place, incident.geo_precision
        if event.event_type == "attack" and incident.event_type != "attack":
            event.event_type = incident.event_type

    def _key(self, event: _Event) -> tuple[str | None, str | None]:
        return (event.country, event.day.isoformat() if event.day else None)

    def _add(self, event: _Event) -> None:
        self._events[event.event_id] = event
        self._buckets.setdefault(self._key(event), []).append(event.event_id)

    def _remove(self, event: _Event) -> None:
        bucket = self._buckets.get(self._key(event), [])
        if event.event_id in bucket:
            bucket.remove(event.event_id)

    def prune(self, before: dt.date) -> int:
        """Forget dated events before ``before`` (a day passed in, never the clock)."""
        old = [e for e in self._events.values() if e.day is not None and e.day < before]
        for event in old:
            self._remove(event)
            del self._events[event.event_id]
        return len(old)

    def __len__(self) -> int:
        return len(self._events)

    def event_state(self, event_id: str) -> dict[str, Any]:
        """One event as JSON (a value of a per-event table; ``from_state`` takes a list)."""
        return self._events[event_id].to_json()

    def to_state(self) -> dict[str, Any]:
        """A JSON-able snapshot (for a faust table); ``from_state`` restores it."""
        return {"state_version": STATE_VERSION,
                "events": [e.to_json() for e in self._events.values()]}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> EventIndex:
        """An index restored from ``to_state`` output."""
        index = cls()
        for raw in state.get("events", []):
            index._add(_Event.from_json(raw))
        return index
