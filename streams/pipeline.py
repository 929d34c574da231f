"""Thin stateful adapters between faust and ``processors``: each calls one processor.

They hold the in-memory processor objects, persist their state to faust tables (one entry
per event or region, so a write never serialises the whole state), and record metrics.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import faust

from processors.correlate.dedup import EventIndex
from processors.detect.detector import DetectorConfig
from processors.detect.engine import AlertEngine
from processors.detect.offline import stream_watermark
from processors.errors import ExtractionFailed
from processors.extract.pipeline import extract_incidents, extractor_version, prepare
from processors.models import Alert, Article, Incident
from streams import metrics
from streams.settings import Settings


class Extractor:
    """Articles in, incidents out (provisional event ids); counts what it sees."""

    def __init__(self, settings: Settings) -> None:
        self._include_background = settings.include_background
        self._max_incidents = settings.max_incidents_per_article
        prepare()  # load rules and compile matchers now, not on the first article
        metrics.set_build_info(_version(), extractor_version())

    def rejected(self, reason: str) -> None:
        """Record a rejected message (it was consumed too) and its dead letter."""
        metrics.article_consumed()
        metrics.article_rejected(reason)
        metrics.dead_letter(reason)

    def extract(self, article: Article, *, record_day: dt.date | None,
                record_timestamp: float | None = None) -> list[Incident]:
        """The incidents of one article; ``ExtractionFailed`` if the extractor raises."""
        with metrics.stage_timer("extract"):
            try:
                incidents = extract_incidents(
                    article, include_background=self._include_background,
                    fallback_date=record_day, max_incidents=self._max_incidents,
                )
            except Exception as exc:  # any bug of a rule: dead-letter the article, go on
                raise ExtractionFailed(
                    f"extractor raised {type(exc).__name__}: {exc}") from exc
        metrics.article_consumed()
        if record_timestamp:
            metrics.observe_ingest_to_incident(max(time.time() - record_timestamp, 0.0))
        return incidents


class Correlator:
    """Gives each incident the id of its real-world event; state in the ``events`` table.

    One entry per event, which also lists the incidents that reported it (so a redelivered
    incident is re-sent unchanged); events older than ``dedup_retention_days`` of event time
    leave the index and the table (a tombstone), so the state stays bounded.
    """

    def __init__(self, app: faust.App, settings: Settings) -> None:
        self._table = app.Table("events", default=None, partitions=settings.partitions,
                                key_type=str, value_type=None)
        self._index: EventIndex | None = None
        self._retention = settings.dedup_retention_days
        self._tombstones = settings.dedup_tombstones
        app.on_rebalance_complete.connect(self._on_rebalance)

    async def _on_rebalance(self, sender: Any = None, **kwargs: Any) -> None:
        metrics.rebalance()
        self._index = None  # rebuilt from the recovered table at the next message

    def _ensure_index(self) -> EventIndex:
        if self._index is None:
            self._index = EventIndex.from_state(
                {"events": [value for value in self._table.values() if value]},
                retention_days=self._retention, max_tombstones=self._tombstones)
        return self._index

    def assign(self, incident: Incident) -> list[Incident]:
        """The incident with its event id, version, sources and corroboration count.

        A redelivered incident (same incident id, same event) is re-sent unchanged, so
        at-least-once delivery never bumps a version or a corroboration count twice.
        """
        with metrics.stage_timer("correlate"):
            index = self._ensure_index()
            assignment = index.assign(incident)
            merged = incident.model_copy(update={
                "event_id": assignment.event_id, "version": assignment.version,
                "sources": list(assignment.sources),
                "corroboration": assignment.corroboration,
            })
            if assignment.expired:
                # Redelivered after its event expired: its first delivery was committed long
                # ago (the watermark has moved past the retention since), so nothing is lost.
                return []
            if assignment.repeated:
                return [merged]
            self._table[assignment.event_id] = index.event_state(assignment.event_id)
            expired = index.expire()
            forgotten = set(index.take_forgotten())
            for event_id in expired:
                if event_id not in forgotten:
                    self._table[event_id] = index.tombstone_state(event_id)
            for event_id in forgotten:
                self._table.pop(event_id, None)
            metrics.set_dedup_state(len(index), index.tombstones)
        metrics.event_counted(incident.admin1 or incident.country, assignment.is_new)
        metrics.incident_emitted(merged)
        return [merged]


def detector_config(settings: Settings) -> DetectorConfig:
    """The detector configuration the stream and the offline ``sitrep alerts`` share."""
    return DetectorConfig(grace_days=settings.grace_days)


class Detector:
    """Drives the alert engine; its state lives in the ``detector`` table, one entry a key."""

    def __init__(self, app: faust.App, settings: Settings) -> None:
        self._config = detector_config(settings)
        self._table = app.Table("detector", default=None, partitions=settings.partitions,
                                key_type=str, value_type=None)
        self._engine: AlertEngine | None = None
        self._clock = settings.advance_with_clock
        app.on_rebalance_complete.connect(self._on_rebalance)

    async def _on_rebalance(self, sender: Any = None, **kwargs: Any) -> None:
        self._engine = None  # rebuilt from the recovered table at the next message

    def _ensure_engine(self) -> AlertEngine:
        if self._engine is None:
            entries = {key: value for key, value in self._table.items() if value is not None}
            self._engine = (AlertEngine.from_state({"entries": entries}, self._config)
                            if entries else AlertEngine(self._config))
        return self._engine

    def _persist(self, engine: AlertEngine) -> None:
        for key, value in engine.take_dirty().items():
            if value is None:
                self._table.pop(key, None)
            else:
                self._table[key] = value

    def add(self, incident: Incident) -> list[Alert]:
        """Count one incident version and return the alert changes of the weeks it closed."""
        started = time.time()
        with metrics.stage_timer("detect"):
            engine = self._ensure_engine()
            engine.add(incident)
            watermark = stream_watermark(engine.watermark, incident)
            alerts = engine.advance(watermark) if watermark is not None else []
            self._persist(engine)
        for alert in alerts:
            metrics.alert_emitted(alert)
            metrics.observe_incident_to_alert(time.time() - started)
        return alerts

    def tick(self) -> list[Alert]:
        """Zero-fill quiet weeks: advance event time to the watermark (or, if so configured,
        to the wall-clock day, which trades replay determinism for timeliness)."""
        engine = self._engine
        if engine is None or engine.watermark is None:
            return []
        watermark = engine.watermark
        if self._clock:
            watermark = max(watermark, dt.datetime.now(tz=dt.UTC).date())
        alerts = engine.advance(watermark)
        self._persist(engine)
        for alert in alerts:
            metrics.alert_emitted(alert)
        return alerts


def _version() -> str:
    """The installed sitrep version."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sitrep")
    except PackageNotFoundError:
        return "0+unknown"


__all__ = ["Correlator", "Detector", "Extractor", "detector_config"]
