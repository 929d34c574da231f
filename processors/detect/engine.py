"""The alert engine: incidents in, lifecycle alerts out, in event time, never by the clock.

The stream and the offline ``sitrep alerts`` drive the same object with the same verbs:

* ``add(incident)`` ingests one incident version. Versions of one ``event_id`` count once, the
  newest (``version``, then ``incident_id``) wins, and a newer version that moves the event
  moves its count. Background, undated, month-precision and unplaced incidents never count.
* ``advance(watermark)`` moves event time on. A week is *closed* once its last day plus
  ``grace_days`` lies before the watermark; closed weeks get their *final* verdict for every
  known region, oldest first. Then the open weeks that received events since the last call
  get an *early* verdict (``processors/detect/early.py``). It returns the lifecycle messages.
* ``report()`` says what happened; ``take_dirty()``, ``to_state()``, ``from_state()`` persist.

Why a final verdict waits for the grace period: computed once nothing on time can change it,
it is the same in any arrival order, so the stream and a replay of the log emit identical
final verdicts (``as_of`` = window end + ``grace_days`` + 1); early verdicts come sooner and
depend on arrival order. The default, 14, comes from the seed articles' reporting delays
(``/work/shared/eval``): outside one retrospective timeline, 13 of 16 day- or week-precise
event mentions came within 14 days, and every article's newest event within 4. An incident
that touches a closed week is *late*: counted in ``late`` and in later baselines' history;
an emitted alert never changes.

State: small JSON entries, one faust table entry per key, only changed ones written
(``take_dirty``): ``meta`` (watermark, origin, counters, the dispersion prior pooled over
regions, ``processors/detect/pooling.py``), ``region:<code>`` (a ``RegionState``) and
``event:<event_id>``. One engine sees every incident (moves cross regions, countries sum
provinces): its agent reads ``incidents`` as a single stream.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any, Literal

from processors.detect.aggregate import (
    EngineReport,
    IndexEntry,
    Placement,
    RegionState,
    closing_day,
    last_closed_week,
    place,
    week_end_date,
    week_of,
    week_start_date,
)
from processors.detect.alerting import alert_id, alert_sort_key, step_episode, top_names
from processors.detect.detector import BaselineCache, DetectorConfig, Verdict, assess
from processors.detect.early import early_alerts, settle_early
from processors.detect.pooling import refit_prior
from processors.errors import SitrepError
from processors.models import Alert, AlertStatus, Incident, Severity

AddOutcome = Literal["counted", "moved", "unchanged", "stale", "excluded"]
VerdictObserver = Callable[[str, str, dt.date, Verdict], None]
COUNTERS: tuple[str, ...] = (
    "incidents", "counted", "moved", "unchanged", "stale", "late",
    "background", "undated", "imprecise", "unplaced",
)  # fmt: skip
STATE_FORMAT = 1


class AlertEngine:
    """Distinct-event counting, the escalation test and the alert lifecycle, in event time."""

    def __init__(self, config: DetectorConfig | None = None, *, regions: Iterable[str] = (),
                 observer: VerdictObserver | None = None) -> None:  # fmt: skip
        self.config = config or DetectorConfig()
        self.observer = observer
        self._version = self.config.version
        self._regions: dict[str, RegionState] = {r.strip().upper(): RegionState() for r in regions}
        self._index: dict[str, IndexEntry] = {}
        self._watermark: dt.date | None = None
        self._origin: int | None = None
        self._evaluated: int | None = None
        self._counters: dict[str, int] = dict.fromkeys(COUNTERS, 0)
        self._dirty: set[str] = {"meta", *(f"region:{r}" for r in self._regions)}
        self._undated: set[str] = set()
        self._placed_weeks: dict[int, int] = {}
        self._cache: BaselineCache = {}
        self._touched: set[tuple[str, int]] = set()  # open (region, week)s with new events
        self._prior: tuple[float, ...] | None = None  # pooled dispersion prior (pooling.py)

    # -- the three verbs -------------------------------------------------------------------

    def add(self, incident: Incident) -> AddOutcome:
        """Ingest one incident version; the outcome says what it changed."""
        self._count("incidents")
        entry = self._index.get(incident.event_id)
        if entry is not None and entry.newer_than(incident):
            self._count("stale")
            return "stale"
        placed = place(incident, self.config)
        new = placed if isinstance(placed, Placement) else None
        old = entry.placement if entry is not None else None
        week = week_of(incident.event_date, self.config.week_start) if incident.event_date else None
        self._store(incident, IndexEntry(incident.version, incident.incident_id, new,
                                         None if new else str(placed), week))  # fmt: skip
        if new is None:
            self._count(str(placed))
        if old == new:
            if new is not None:
                self._count("unchanged")
            return "unchanged" if new is not None else "excluded"
        late = False
        if old is not None:
            late |= self._unplace(incident.event_id, old)
        if new is not None:
            late |= self._place(incident.event_id, new)
        if late:
            self._count("late")
        if old is None:
            self._count("counted")
            return "counted"
        self._count("moved")
        return "moved"

    def advance(self, watermark: dt.date) -> list[Alert]:
        """Move event time to ``watermark`` (never back), give every week that closed its final
        verdict, then test the open weeks that received events since the last call early."""
        if self._watermark is None or watermark > self._watermark:
            self._watermark = watermark
            self._dirty.add("meta")
        target = self._closed_through()
        if target is None:
            return self._early(None)
        if self._origin is None:
            # Nothing counted yet: the closed weeks are empty, and stay untested for good.
            self._evaluated = target if self._evaluated is None else max(self._evaluated, target)
            self._touched.clear()
            return []
        first = self._origin if self._evaluated is None else max(self._origin, self._evaluated + 1)
        alerts: list[Alert] = []
        for week in range(first, target + 1):
            if self.config.dispersion_pooling and week % self.config.pooling_every_weeks == 0:
                self._prior = refit_prior(self._regions, week, origin=self._origin,
                                          config=self.config, cache=self._cache)  # fmt: skip
                self._dirty.add("meta")
            found: list[Alert] = []
            for code in sorted(self._regions):
                found.extend(self._evaluate(code, week))
            alerts.extend(sorted(found, key=alert_sort_key))
            alerts.extend(self._settle_early(week))
        if target >= first:
            self._evaluated = target
            self._dirty.add("meta")
            self._prune(target)
        return alerts + self._early(target)

    def report(self) -> EngineReport:
        """What the engine knows now; ``counters["late"]`` counts incidents too late to alert."""
        closed = self._closed_through()
        ws = self.config.week_start
        return EngineReport(
            watermark=self._watermark,
            closed_through=week_end_date(closed, ws) if closed is not None else None,
            origin=week_start_date(self._origin, ws) if self._origin is not None else None,
            regions=len(self._regions),
            events=sum(1 for e in self._index.values() if e.placement is not None),
            open_alerts=sum(len(r.episodes) for r in self._regions.values()),
            counters=dict(self._counters),
        )

    @property
    def watermark(self) -> dt.date | None:
        """The event-time watermark reached so far."""
        return self._watermark

    # -- persistence -----------------------------------------------------------------------

    def take_dirty(self) -> dict[str, dict[str, Any] | None]:
        """The state entries changed since the last call (None: delete the key), then forget."""
        out = {key: self._entry(key) for key in sorted(self._dirty)}
        self._dirty.clear()
        return out

    def to_state(self) -> dict[str, Any]:
        """The whole state as one JSON-able dict."""
        keys = ["meta", *(f"region:{r}" for r in sorted(self._regions)),
                *(f"event:{e}" for e in sorted(self._index))]  # fmt: skip
        return {"entries": {key: self._entry(key) for key in keys}}

    @classmethod
    def from_state(cls, state: Mapping[str, Any], config: DetectorConfig | None = None, *,
                   observer: VerdictObserver | None = None) -> AlertEngine:  # fmt: skip
        """An engine restored from ``to_state()`` (or from table entries, ``{"entries": ...}``)."""
        engine = cls(config, observer=observer)
        entries: Mapping[str, Any] = state["entries"]
        meta = entries.get("meta")
        ws = engine.config.week_start
        if meta is not None:
            if meta.get("format") != STATE_FORMAT or meta.get("week_start") != ws:
                raise SitrepError("alert engine state has another format or week start",
                                  reason="state_mismatch")  # fmt: skip
            mark = meta["watermark"]
            engine._watermark = dt.date.fromisoformat(mark) if mark else None
            engine._origin = meta["origin"]
            engine._evaluated = meta["evaluated"]
            engine._counters.update({k: int(v) for k, v in meta["counters"].items()})
            engine._prior = tuple(meta.get("dispersion_prior") or ()) or None
        for key, value in entries.items():
            if value is None or key == "meta":
                continue
            kind, _, name = key.partition(":")
            if kind == "region":
                engine._regions[name] = RegionState.from_json(value, ws)
            elif kind == "event":
                entry = engine._index[name] = IndexEntry.from_json(value)
                if entry.week is None:
                    engine._undated.add(name)
                if entry.placement is not None:
                    week = week_of(entry.placement.day, ws)
                    engine._placed_weeks[week] = engine._placed_weeks.get(week, 0) + 1
        engine._dirty.clear()
        return engine

    # -- internals -------------------------------------------------------------------------

    def _count(self, name: str) -> None:
        self._counters[name] = self._counters.get(name, 0) + 1
        self._dirty.add("meta")

    def _closed_through(self) -> int | None:
        if self._watermark is None:
            return None
        return last_closed_week(self._watermark, grace_days=self.config.grace_days,
                                week_start=self.config.week_start)  # fmt: skip

    def _retention(self) -> int:
        c = self.config
        return c.baseline_weeks + c.guard_weeks + c.scan_weeks + 1

    def _store(self, incident: Incident, entry: IndexEntry) -> None:
        if entry.week is None:
            self._undated.add(incident.event_id)
        else:
            self._undated.discard(incident.event_id)
        self._index[incident.event_id] = entry
        self._dirty.add(f"event:{incident.event_id}")

    def _shift_origin(self, week: int, delta: int) -> None:
        """Keep the origin (first week of history) at the earliest week holding an event: it
        follows the current placements until a week from it on is tested (so it does not depend
        on which superseded version came first), then only moves earlier (a late event)."""
        left = self._placed_weeks.get(week, 0) + delta
        if left > 0:
            self._placed_weeks[week] = left
        else:
            self._placed_weeks.pop(week, None)
        frozen = self._origin is not None and self._evaluated is not None and (
            self._evaluated >= self._origin)
        if frozen:
            assert self._origin is not None
            if delta > 0:
                self._origin = min(self._origin, week)
        else:
            self._origin = min(self._placed_weeks) if self._placed_weeks else None
        self._dirty.add("meta")

    def _place(self, event_id: str, placement: Placement) -> bool:
        """Count the event; True when its week has closed already (it is late)."""
        week = week_of(placement.day, self.config.week_start)
        self._shift_origin(week, +1)
        closed = self._closed_through()
        if closed is not None and week < closed - self._retention():
            return True
        keep_ids = closed is None or week > closed - self.config.scan_weeks
        for code in placement.regions:
            self._region(code).add(week, placement.dimensions, event_id, keep_ids=keep_ids)
            if closed is None or week > closed:
                self._touched.add((code, week))
        return closed is not None and week <= closed

    def _unplace(self, event_id: str, placement: Placement) -> bool:
        """Take the event's count back; True when its week has closed already."""
        week = week_of(placement.day, self.config.week_start)
        self._shift_origin(week, -1)
        for code in placement.regions:
            self._region(code).remove(week, placement.dimensions, event_id)
        closed = self._closed_through()
        return closed is not None and week <= closed

    def _region(self, code: str) -> RegionState:
        self._dirty.add(f"region:{code}")
        region = self._regions.get(code)
        if region is None:
            region = self._regions[code] = RegionState()
        return region

    def _evaluate(self, code: str, week: int) -> list[Alert]:
        region = self._regions[code]
        bucket = region.counts.get(week, {})
        if self.config.dimension_alerts:
            dims = set(bucket) | set(region.episodes)
        else:
            dims = ({"all"} & set(bucket)) | ({"all"} & set(region.episodes))
        alerts: list[Alert] = []
        if not dims:
            return alerts
        assert self._origin is not None
        span = self.config.baseline_weeks + self.config.guard_weeks + self.config.scan_weeks
        first = max(self._origin, week - span)
        for dim in sorted(dims):
            episode = region.episodes.get(dim)
            last = region.last_alarm.get(dim)
            verdict = assess(region.series(dim, first=first, last=week), end_week=week,
                             last_alarm_age=None if last is None else week - last,
                             config=self.config, full=episode is not None,
                             cache=self._cache, prior=self._prior)  # fmt: skip
            if self.observer is not None:
                self.observer(code, dim, week_start_date(week, self.config.week_start), verdict)
            if verdict.alarm:
                region.last_alarm[dim] = week
            span_start = week_start_date(week - verdict.weeks + 1, self.config.week_start)
            count = bucket.get(dim, 0)
            after, status = step_episode(episode, verdict, window_start=span_start,
                                         resolve_after=self.config.resolve_after_weeks,
                                         count=count)  # fmt: skip
            if status == "resolved" and episode is not None:
                # The resolving week reports its own count against the pre-escalation baseline.
                verdict = replace(verdict, weeks=1, observed=count,
                                  expected=episode.baseline if episode.baseline is not None
                                  else verdict.expected)  # fmt: skip
            if after is None:
                region.episodes.pop(dim, None)
            else:
                region.episodes[dim] = after
            if status is not None:
                # The message belongs to the episode it opens (raised) or to the one it changes.
                owner = after if episode is None else episode
                assert owner is not None
                sequence = 0 if episode is None else episode.sent
                peak = after.severity if after is not None else owner.severity
                alerts.append(self._alert(code, dim, week, verdict, status, owner.start,
                                          sequence, peak))  # fmt: skip
        self._dirty.add(f"region:{code}")
        return alerts

    def _alert(self, code: str, dim: str, week: int, verdict: Verdict, status: AlertStatus,
               start: dt.date, sequence: int, peak: Severity, *,
               early_as_of: dt.date | None = None) -> Alert:  # fmt: skip
        ws = self.config.week_start
        weeks = verdict.weeks if status != "resolved" else 1
        region = self._regions[code]
        ids: list[str] = []
        for w in range(week - weeks + 1, week + 1):
            ids.extend(region.events.get(w, ()))
        if dim != "all":
            ids = [e for e in ids if self._has_dim(e, dim)]
        ids = sorted(set(ids))
        perps = [self._perpetrator(e) for e in ids]
        return Alert(
            alert_id=alert_id(version=self._version, region=code, dimension=dim,
                              episode_start=start, sequence=sequence, status=status,
                              early_as_of=early_as_of),
            region=code,
            dimension=dim,
            window_start=week_start_date(week - weeks + 1, ws),
            window_end=week_end_date(week, ws),
            status=status,
            as_of=early_as_of or closing_day(week, grace_days=self.config.grace_days,
                                             week_start=ws),
            final=early_as_of is None,
            observed=verdict.observed,
            expected=max(verdict.expected, 0.0),
            score=verdict.score,
            severity=verdict.severity if status != "resolved" and verdict.severity else peak,
            event_ids=ids[: self.config.max_event_ids],
            top_perpetrators=top_names(perps, self.config.top_perpetrators),
            detector_version=self._version,
        )

    def _early(self, closed: int | None) -> list[Alert]:
        touched, self._touched = self._touched, set()
        if not self.config.early_alerts or not touched or self._watermark is None:
            return []
        assert self._origin is not None
        alerts, changed = early_alerts(self._regions, touched, watermark=self._watermark,
                                       origin=self._origin, closed=closed, config=self.config,
                                       cache=self._cache, build=self._alert,
                                       prior=self._prior)  # fmt: skip
        self._dirty.update(f"region:{code}" for code in changed)
        return alerts

    def _settle_early(self, week: int) -> list[Alert]:
        alerts, changed = settle_early(self._regions, week, build=self._alert)
        self._dirty.update(f"region:{code}" for code in changed)
        return alerts

    def _has_dim(self, event_id: str, dim: str) -> bool:
        entry = self._index.get(event_id)
        return entry is not None and entry.placement is not None and (
            dim in entry.placement.dimensions)

    def _perpetrator(self, event_id: str) -> str | None:
        entry = self._index.get(event_id)
        return entry.placement.perpetrator if entry and entry.placement else None

    def _prune(self, closed: int) -> None:
        keep_from = closed - self._retention()
        ids_from = closed - self.config.scan_weeks + 1
        for code, region in self._regions.items():
            before = (len(region.counts), len(region.events), len(region.last_alarm))
            region.prune(counts_before=keep_from, ids_before=ids_from)
            if before != (len(region.counts), len(region.events), len(region.last_alarm)):
                self._dirty.add(f"region:{code}")
        frontier = week_of(self._watermark, self.config.week_start) if self._watermark else closed
        for event_id in list(self._undated):
            entry = self._index.get(event_id)
            if entry is not None:
                self._index[event_id] = IndexEntry(entry.version, entry.incident_id,
                                                   entry.placement, entry.reason, frontier)
                self._dirty.add(f"event:{event_id}")
        self._undated.clear()
        for event_id in [e for e, x in self._index.items() if x.week is not None
                         and x.week < keep_from]:  # fmt: skip
            placement = self._index.pop(event_id).placement
            if placement is not None:
                self._shift_origin(week_of(placement.day, self.config.week_start), -1)
            self._dirty.add(f"event:{event_id}")

    def _entry(self, key: str) -> dict[str, Any] | None:
        kind, _, name = key.partition(":")
        if kind == "meta":
            return {
                "format": STATE_FORMAT,
                "week_start": self.config.week_start,
                "watermark": self._watermark.isoformat() if self._watermark else None,
                "origin": self._origin,
                "evaluated": self._evaluated,
                "counters": dict(self._counters),
                "dispersion_prior": list(self._prior) if self._prior else None,
                "detector_version": self._version,
            }
        if kind == "region":
            region = self._regions.get(name)
            return region.to_json(self.config.week_start) if region is not None else None
        entry = self._index.get(name)
        return entry.to_json() if entry is not None else None


__all__ = ["AddOutcome", "AlertEngine", "EngineReport"]
