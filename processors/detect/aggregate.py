"""Event-time counting of distinct events per region, dimension and week.

An incident is *placed* by its newest version: on its event day, in its province (``admin1``)
and its country total, under the dimensions "all", "perpetrator:<name>" and "target:<class>".
A region keeps sparse weekly counts (weeks without events are implicit zeros, which is the
zero-filling) and, for recent weeks, the ids of the events behind them. Weeks are numbered
from a fixed Monday so week arithmetic never depends on when the engine started.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from processors.detect.alerting import EarlyAlert, Episode
from processors.detect.detector import DetectorConfig
from processors.models import Incident

_EPOCH = dt.date(1970, 1, 5).toordinal()  # a Monday
_DAY = dt.timedelta(days=1)


def week_of(day: dt.date, week_start: int = 0) -> int:
    """The absolute number of the week (starting on weekday ``week_start``) holding ``day``."""
    return (day.toordinal() - _EPOCH - week_start) // 7


def week_start_date(week: int, week_start: int = 0) -> dt.date:
    """The first day of absolute week ``week``."""
    return dt.date.fromordinal(_EPOCH + week_start + 7 * week)


def week_end_date(week: int, week_start: int = 0) -> dt.date:
    """The last day of absolute week ``week``."""
    return week_start_date(week, week_start) + 6 * _DAY


def last_closed_week(watermark: dt.date, *, grace_days: int, week_start: int = 0) -> int:
    """The newest week whose last day plus the grace period lies before ``watermark``."""
    return week_of(watermark - dt.timedelta(days=grace_days), week_start) - 1


def closing_day(week: int, *, grace_days: int, week_start: int = 0) -> dt.date:
    """The first watermark at which ``week`` is closed: the ``as_of`` of its final verdict."""
    return week_end_date(week, week_start) + dt.timedelta(days=grace_days + 1)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where and when one event counts."""

    day: dt.date
    regions: tuple[str, ...]
    dimensions: tuple[str, ...]
    perpetrator: str | None

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict of this placement."""
        return {"day": self.day.isoformat(), "regions": list(self.regions),
                "dimensions": list(self.dimensions), "perpetrator": self.perpetrator}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Placement:
        """The placement ``to_json`` wrote."""
        return cls(dt.date.fromisoformat(data["day"]), tuple(data["regions"]),
                   tuple(data["dimensions"]), data["perpetrator"])  # fmt: skip


def place(incident: Incident, config: DetectorConfig) -> Placement | str:
    """Where ``incident`` counts, or the reason it does not ("background", "undated", ...)."""
    if incident.background:
        return "background"
    if incident.event_date is None:
        return "undated"
    if incident.date_precision not in config.count_precisions:
        return "imprecise"
    admin1 = (incident.admin1 or "").strip().upper() or None
    country = (incident.country or "").strip().upper() or None
    if country is None and admin1 and "-" in admin1:
        country = admin1.split("-", 1)[0]
    regions: list[str] = []
    if admin1:
        regions.append(admin1)
    if country and (config.country_totals or not admin1) and country not in regions:
        regions.append(country)
    if not regions:
        return "unplaced"
    dims = ["all"]
    if incident.perpetrator:
        dims.append(f"perpetrator:{incident.perpetrator}")
    if incident.target:
        dims.append(f"target:{incident.target}")
    return Placement(incident.event_date, tuple(regions), tuple(dims), incident.perpetrator)


@dataclass(frozen=True, slots=True)
class EngineReport:
    """A snapshot of the engine: event time, what it tracks, and every counter."""

    watermark: dt.date | None
    closed_through: dt.date | None
    origin: dt.date | None
    regions: int
    events: int
    open_alerts: int
    counters: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """The newest known version of an event and where it counts (or why it does not)."""

    version: int
    incident_id: str
    placement: Placement | None
    reason: str | None
    week: int | None  # for pruning: the week of its date (None until known)

    def newer_than(self, incident: Incident) -> bool:
        """Whether this entry wins over ``incident`` (same or higher version, then id)."""
        return (self.version, self.incident_id) >= (incident.version, incident.incident_id)

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict of this entry."""
        return {"version": self.version, "incident_id": self.incident_id,
                "placement": self.placement.to_json() if self.placement else None,
                "reason": self.reason, "week": self.week}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> IndexEntry:
        """The entry ``to_json`` wrote."""
        raw = data.get("placement")
        return cls(int(data["version"]), str(data["incident_id"]),
                   Placement.from_json(raw) if raw else None, data.get("reason"),
                   data.get("week"))  # fmt: skip


@dataclass(slots=True)
class RegionState:
    """Weekly counts, recent event ids and alert state of one region (one table entry)."""

    counts: dict[int, dict[str, int]] = field(default_factory=dict)
    events: dict[int, list[str]] = field(default_factory=dict)
    episodes: dict[str, Episode] = field(default_factory=dict)
    last_alarm: dict[str, int] = field(default_factory=dict)
    early: dict[str, EarlyAlert] = field(default_factory=dict)

    def add(self, week: int, dims: tuple[str, ...], event_id: str, *, keep_ids: bool) -> None:
        """Count one event in ``week`` under ``dims``."""
        bucket = self.counts.setdefault(week, {})
        for dim in dims:
            bucket[dim] = bucket.get(dim, 0) + 1
        if keep_ids:
            ids = self.events.setdefault(week, [])
            if event_id not in ids:
                ids.append(event_id)
                ids.sort()

    def remove(self, week: int, dims: tuple[str, ...], event_id: str) -> None:
        """Take one event back out of ``week``."""
        bucket = self.counts.get(week)
        if bucket is not None:
            for dim in dims:
                left = bucket.get(dim, 0) - 1
                if left > 0:
                    bucket[dim] = left
                else:
                    bucket.pop(dim, None)
            if not bucket:
                del self.counts[week]
        ids = self.events.get(week)
        if ids is not None and event_id in ids:
            ids.remove(event_id)
            if not ids:
                del self.events[week]

    def series(self, dim: str, *, first: int, last: int) -> list[int]:
        """Weekly counts of ``dim`` from week ``first`` to ``last`` inclusive, zeros filled."""
        counts = self.counts
        return [counts[w].get(dim, 0) if w in counts else 0 for w in range(first, last + 1)]

    def prune(self, *, counts_before: int, ids_before: int) -> None:
        """Forget counts and event ids of weeks no baseline or alert will read again."""
        for week in [w for w in self.counts if w < counts_before]:
            del self.counts[week]
        for week in [w for w in self.events if w < ids_before]:
            del self.events[week]
        for dim in [d for d, w in self.last_alarm.items() if w < ids_before]:
            del self.last_alarm[dim]

    def to_json(self, week_start: int) -> dict[str, Any]:
        """A JSON-able dict of this region (weeks named by their first day)."""
        def day(week: int) -> str:
            return week_start_date(week, week_start).isoformat()

        return {
            "counts": {day(w): dict(sorted(c.items())) for w, c in sorted(self.counts.items())},
            "events": {day(w): list(ids) for w, ids in sorted(self.events.items())},
            "episodes": {d: e.to_json() for d, e in sorted(self.episodes.items())},
            "last_alarm": {d: day(w) for d, w in sorted(self.last_alarm.items())},
            "early": {d: e.to_json() for d, e in sorted(self.early.items())},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], week_start: int) -> RegionState:
        """The region ``to_json`` wrote."""
        def week(day: str) -> int:
            return week_of(dt.date.fromisoformat(day), week_start)

        return cls(
            counts={week(d): {k: int(v) for k, v in c.items()} for d, c in data["counts"].items()},
            events={week(d): list(ids) for d, ids in data["events"].items()},
            episodes={k: Episode.from_json(v) for k, v in data["episodes"].items()},
            last_alarm={k: week(d) for k, d in data["last_alarm"].items()},
            early={k: EarlyAlert.from_json(v) for k, v in data.get("early", {}).items()},
        )
