"""One event, many reports: give every incident the id of the real-world event it reports.

``EventIndex`` is a pure object with three verbs: create it (or restore it from a table's
JSON state), ``assign`` an incident, and ``to_state``. Candidate events are bucketed by
(country, day) so a lookup touches a handful of buckets whatever the history's size. Ids are
hashes of the first report, so replaying the same reports in the same order yields the same
ids. A later, more precise report updates its event (a new version), never opens a second one;
incidents of one article are never merged with each other here, except across versions of the
article: an incident of a changed body (same article id, another ``article_digest``) updates
the event its previous version reported instead of opening a second one.

Idempotency: an event keeps the ids of the incidents that reported it, in order, so a
redelivered incident gets back the very assignment it got the first time (same version,
sources and corroboration) and changes nothing.

Retention, in event time: the index keeps a watermark (the newest event date it was given)
and, with ``retention_days``, ``expire()`` drops every event whose day (for an undated event,
the watermark when it was last reported) lies more than ``retention_days`` before it, with
its reports. The clock never enters, so a replay of the same reports expires the same events
at the same point. A report of an expired event opens a new event, except a *redelivered*
one: an expired event leaves a tombstone (its id and its reports' ids, a few dozen bytes),
and an incident assigned before that comes back after its event expired is recognised
(``Assignment.expired``) rather than counted again. That happens after a crash when the
extracting stage ran far ahead of correlation in event time (a replay of an archive). The
newest ``max_tombstones`` tombstones are kept, in expiry order, so the state stays bounded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from processors.correlate.agreement import (
    KnownEvent,
    corroborated,
    days_agree,
    newer_version,
    rival_attackers,
    same_place,
    types_agree,
)
from processors.identity import event_key, likeness
from processors.models import Incident

STATE_VERSION = 2
_PRECISION_RANK = {"day": 0, "week": 1, "month": 2, "unknown": 3}
_SEARCH_DAYS = 7


def first_event_id(incident: Incident) -> str:
    """The id an incident's event gets when this incident is its first report."""
    return event_key(incident.country, incident.admin1, incident.event_date,
                     incident.event_type, incident.incident_id)



@dataclass(frozen=True, slots=True)
class Assignment:
    """What ``EventIndex.assign`` decided for one incident."""

    event_id: str
    version: int
    is_new: bool
    sources: tuple[str, ...]
    corroboration: int
    repeated: bool = False  # the incident was assigned before: nothing changed
    expired: bool = False  # ... and its event has expired since: nothing to re-send


class EventIndex:
    """Cross-article event identity: create, ``assign`` incidents, ``expire``, ``to_state``."""

    def __init__(self, *, retention_days: int | None = None,
                 max_tombstones: int = 50_000) -> None:
        self.retention_days = retention_days
        self.max_tombstones = max_tombstones
        self._tombstones: dict[str, list[str]] = {}  # expired event id -> its report ids
        self._buried: dict[str, str] = {}  # report id -> expired event id
        self._forgotten: list[str] = []  # tombstones evicted since the last take_forgotten
        self._burials = 0  # how many events were ever buried: orders tombstones after restore
        self._order: dict[str, int] = {}
        self._events: dict[str, KnownEvent] = {}
        self._buckets: dict[tuple[str | None, str | None], list[str]] = {}
        self._by_incident: dict[str, str] = {}
        self._watermark: dt.date | None = None
        self._expired_before: dt.date | None = None
        self._late: list[str] = []  # ids of events already past the last expiry's horizon

    @property
    def watermark(self) -> dt.date | None:
        """The newest event date assigned so far (event time, never the clock)."""
        return self._watermark

    def assign(self, incident: Incident) -> Assignment:
        """The event ``incident`` reports: a known one (updated) or a new one; for an incident
        assigned before, the same answer as then, with nothing changed."""
        known = self._by_incident.get(incident.incident_id)
        if known is not None:
            return self._repeat(self._events[known], incident.incident_id)
        buried = self._buried.get(incident.incident_id)
        if buried is not None:
            return Assignment(buried, 0, False, (), 0, repeated=True, expired=True)
        day = incident.event_date
        if day is not None and (self._watermark is None or day > self._watermark):
            self._watermark = day
        event = self._find(incident)
        if event is None:
            event = KnownEvent(first_event_id(incident), incident.country, incident.admin1,
                           incident.place, incident.geo_precision, incident.event_date,
                           incident.date_precision, incident.event_type,
                           sources=[incident.article_id], reports=[incident.incident_id],
                           bodies=[incident.article_digest],
                           seen=self._watermark, latitude=incident.latitude,
                           longitude=incident.longitude,
                           perpetrators=[incident.perpetrator] if incident.perpetrator else [],
                           killed=incident.killed, injured=incident.injured)
            self._add(event)
            self._note_late(event)
            return Assignment(event.event_id, 1, True, (incident.article_id,), 1)
        self._update(event, incident)
        event.seen = self._watermark
        self._note_late(event)
        sources = tuple(event.sources)
        return Assignment(event.event_id, event.version, False, sources, len(set(sources)))

    @staticmethod
    def _repeat(event: KnownEvent, incident_id: str) -> Assignment:
        # Every report adds one version and one source, so report k saw version k + 1.
        k = event.reports.index(incident_id)
        sources = tuple(event.sources[: k + 1])
        return Assignment(event.event_id, k + 1, k == 0, sources, len(set(sources)),
                          repeated=True)

    def _note_late(self, event: KnownEvent) -> None:
        kept = event.retained_by()
        if self._expired_before is not None and kept is not None and kept < self._expired_before:
            self._late.append(event.event_id)

    def expire(self) -> list[str]:
        """Drop the events older than the watermark minus ``retention_days``; their ids.

        Cheap when nothing can have expired: the events are scanned once per watermark day,
        and in between only the late reports that opened events already past the horizon.
        """
        if self.retention_days is None or self._watermark is None:
            return []
        before = self._watermark - dt.timedelta(days=self.retention_days)
        if self._expired_before is not None and before <= self._expired_before:
            late = [self._events[i] for i in dict.fromkeys(self._late) if i in self._events
                    and (self._events[i].retained_by() or before) < before]
            self._late.clear()
            self._drop(late)
            return [event.event_id for event in late]
        self._expired_before = before
        self._late.clear()
        old = []
        for event in self._events.values():
            kept = event.retained_by()
            if kept is None:
                event.seen = self._watermark  # undated, reported before any dated incident
            elif kept < before:
                old.append(event)
        self._drop(old)
        return [event.event_id for event in old]

    def _find(self, incident: Incident) -> KnownEvent | None:
        best: tuple[int, str] | None = None
        chosen: KnownEvent | None = None
        for event in self._candidates(incident):
            if not self._same(event, incident):
                continue
            key = (self._affinity(event, incident), event.event_id)
            if best is None or key > best:
                best, chosen = key, event
        return chosen

    def _candidates(self, incident: Incident) -> list[KnownEvent]:
        # undated reports are of recent news: matched around the watermark
        day = incident.event_date or self._watermark
        keys: list[tuple[str | None, str | None]] = [(incident.country, None)]
        if day is not None:
            keys += [(incident.country, (day + dt.timedelta(days=d)).isoformat())
                     for d in range(-_SEARCH_DAYS, _SEARCH_DAYS + 1)]
        return [self._events[i] for k in keys for i in self._buckets.get(k, ())]

    @staticmethod
    def _same(event: KnownEvent, incident: Incident) -> bool:
        if event.country != incident.country:
            return False
        if incident.article_id in event.sources and not newer_version(event, incident):
            return False
        if event.admin1 and incident.admin1 and event.admin1 != incident.admin1:
            return False
        if (event.geo_precision == 1 and incident.geo_precision == 1 and event.place
                and incident.place and not same_place(event, incident)):
            return False  # two towns; a neighbourhood and its town are one place
        if rival_attackers(event, incident):
            return False  # one city, one day, two attackers: two attacks
        return days_agree(event, incident) and (
            types_agree(event.event_type, incident.event_type) or corroborated(event, incident))

    @staticmethod
    def _affinity(event: KnownEvent, incident: Incident) -> int:
        return likeness((event.day, incident.event_date), (event.place, incident.place),
                        (event.admin1, incident.admin1), (event.event_type, incident.event_type))

    def _update(self, event: KnownEvent, incident: Incident) -> None:
        """Count the report; take its day, place or type when they are more precise."""
        event.version += 1
        event.sources.append(incident.article_id)
        event.reports.append(incident.incident_id)
        event.bodies.append(incident.article_digest)
        self._by_incident[incident.incident_id] = event.event_id
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
            event.latitude, event.longitude = incident.latitude, incident.longitude
        if incident.perpetrator and incident.perpetrator not in event.perpetrators:
            event.perpetrators.append(incident.perpetrator)
        if event.event_type == "attack" and incident.event_type != "attack":
            event.event_type = incident.event_type

    def _key(self, event: KnownEvent) -> tuple[str | None, str | None]:
        return (event.country, event.day.isoformat() if event.day else None)

    def _add(self, event: KnownEvent) -> None:
        self._events[event.event_id] = event
        self._buckets.setdefault(self._key(event), []).append(event.event_id)
        for incident_id in event.reports:
            self._by_incident[incident_id] = event.event_id

    def _remove(self, event: KnownEvent) -> None:
        key = self._key(event)
        bucket = self._buckets.get(key, [])
        if event.event_id in bucket:
            bucket.remove(event.event_id)
        if not bucket:
            self._buckets.pop(key, None)  # one bucket a day would otherwise pile up

    def prune(self, before: dt.date) -> int:
        """Forget dated events before ``before`` (a day passed in, never the clock)."""
        old = [e for e in self._events.values() if e.day is not None and e.day < before]
        self._drop(old)
        return len(old)

    def _drop(self, events: list[KnownEvent]) -> None:
        for event in events:
            self._remove(event)
            del self._events[event.event_id]
            for incident_id in event.reports:
                self._by_incident.pop(incident_id, None)
            self._bury(event.event_id, list(event.reports))

    def _bury(self, event_id: str, reports: list[str], order: int | None = None) -> None:
        self._burials = max(self._burials + 1, (order or 0) + 1)
        self._order[event_id] = self._burials - 1 if order is None else order
        self._tombstones[event_id] = reports
        for incident_id in reports:
            self._buried[incident_id] = event_id
        while len(self._tombstones) > self.max_tombstones:
            oldest = next(iter(self._tombstones))
            self._order.pop(oldest, None)
            for incident_id in self._tombstones.pop(oldest):
                if self._buried.get(incident_id) == oldest:
                    del self._buried[incident_id]
            self._forgotten.append(oldest)

    def tombstone_state(self, event_id: str) -> dict[str, Any]:
        """The table value an expired event leaves behind (``from_state`` reads it back)."""
        return {"tombstone": event_id, "reports": list(self._tombstones[event_id]),
                "order": self._order[event_id]}

    def take_forgotten(self) -> list[str]:
        """The expired events whose tombstones were evicted since the last call."""
        forgotten, self._forgotten = self._forgotten, []
        return [event_id for event_id in forgotten if event_id not in self._tombstones]

    @property
    def tombstones(self) -> int:
        """How many expired events are remembered for recognising redeliveries."""
        return len(self._tombstones)

    def __len__(self) -> int:
        return len(self._events)

    def event_state(self, event_id: str) -> dict[str, Any]:
        """One event as JSON (a value of a per-event table; ``from_state`` takes a list)."""
        return self._events[event_id].to_json()

    def to_state(self) -> dict[str, Any]:
        """A JSON-able snapshot (for a faust table); ``from_state`` restores it."""
        return {"state_version": STATE_VERSION,
                "watermark": self._watermark.isoformat() if self._watermark else None,
                "events": [e.to_json() for e in self._events.values()],
                "tombstones": [self.tombstone_state(e) for e in self._tombstones]}

    @classmethod
    def from_state(cls, state: dict[str, Any], *, retention_days: int | None = None,
                   max_tombstones: int = 50_000) -> EventIndex:
        """An index restored from ``to_state`` output (or a table's events and watermark).

        Tombstones may come in ``tombstones`` or mixed into ``events`` (a table's values).
        """
        index = cls(retention_days=retention_days, max_tombstones=max_tombstones)
        buried = []
        for raw in [*state.get("events", []), *state.get("tombstones", [])]:
            if "tombstone" in raw:
                buried.append(raw)
            else:
                index._add(KnownEvent.from_json(raw))
        for raw in sorted(buried, key=lambda r: int(r.get("order", 0))):
            index._bury(raw["tombstone"], list(raw.get("reports", [])), int(raw.get("order", 0)))
        index._forgotten.clear()
        mark = state.get("watermark")
        if mark:
            index._watermark = dt.date.fromisoformat(mark)
        else:  # per-event table entries: the newest event was stamped with the watermark
            index._watermark = max((e.seen for e in index._events.values() if e.seen),
                                   default=None)
        return index
