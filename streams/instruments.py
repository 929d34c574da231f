"""The metric objects of the sitrep worker, in one registry of their own (``Metrics``).

Label values pass through a per-label cap (``_LabelCap``) so one bad input cannot create
thousands of series; ``streams.metrics`` records into the current ``Metrics``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    generate_latest,
)
from prometheus_client.gc_collector import GCCollector
from prometheus_client.metrics_core import Metric
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

# render() writes the classic 0.0.4 text format (underscore-escaped names), so say that
# rather than prometheus-client's CONTENT_TYPE_LATEST, which announces version 1.0.0.
CONTENT_TYPE: Final = CONTENT_TYPE_PLAIN_0_0_4
"""The Content-Type of ``render()``'s output (text exposition format 0.0.4)."""

OTHER: Final = "other"
"""Label value that stands for every value beyond a label's cardinality limit."""

UNKNOWN: Final = "unknown"
"""Label value for a missing country, province or region."""

SEVERITY_LEVELS: Final[Mapping[str, int]] = {"low": 1, "medium": 2, "high": 3, "critical": 4}
"""Numeric value of ``sitrep_alert_severity_level``, so a panel can sort and colour by it."""

# Processing of one message takes milliseconds; the top buckets catch a stalled extraction.
PIPELINE_STAGES: Final = ("extract", "correlate", "detect")
STAGE_BUCKETS: Final = (
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
)
# Ingest to incident spans the articles topic's queueing and extraction: ms to minutes.
INGEST_BUCKETS: Final = (
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
)
# An alert may wait for a window to close, so incident to alert reaches into hours.
ALERT_BUCKETS: Final = (
    0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0, 14400.0,
)

# Limits on distinct label values per label (see module docstring). Countries and
# provinces are bounded by ISO 3166 in practice; reasons and stages by the code.
_LIMITS: Final[Mapping[str, int]] = {
    "reason": 20,
    "stage": 20,
    "country": 300,
    "province": 600,
    "topic": 50,
}



class _LabelCap:
    """Admits the first ``limit`` distinct values of a label and folds the rest into OTHER."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._seen: set[str] = set()

    def __call__(self, value: str | None) -> str:
        value = value or UNKNOWN
        if value in self._seen:
            return value
        if len(self._seen) < self._limit:
            self._seen.add(value)
            return value
        return OTHER


class _WithoutCreated:
    """A view of a registry without the ``*_created`` samples prometheus-client adds.

    They double the series count and nothing here reads them; dropping them in this view
    avoids ``disable_created_metrics()``, which would change every registry in the process.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        self._registry = registry

    def collect(self) -> Iterable[Metric]:
        """Every metric of the registry, minus its ``_created`` samples."""
        for metric in self._registry.collect():
            if metric.type not in ("counter", "histogram", "summary"):
                yield metric
                continue
            trimmed = Metric(metric.name, metric.documentation, metric.type, metric.unit)
            trimmed.samples = [s for s in metric.samples if not s.name.endswith("_created")]
            yield trimmed


class Metrics:
    """All sitrep metric objects in one fresh registry."""

    def __init__(self, *, process_metrics: bool = True) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self._caps = {label: _LabelCap(limit) for label, limit in _LIMITS.items()}
        if process_metrics:
            # CPU, memory, open fds, GC and the Python version: the usual first questions
            # when a worker slows down, at a cost of about 30 series.
            ProcessCollector(registry=r)
            PlatformCollector(registry=r)
            GCCollector(registry=r)

        self.build_info = Info(
            "sitrep_build", "Version of the sitrep worker and of its rule set.", registry=r
        )
        self.ready = Gauge(
            "sitrep_ready",
            "1 when the broker is reachable and tables have recovered, else 0.",
            registry=r,
        )
        self.articles_consumed = Counter(
            "sitrep_articles_consumed", "Articles read from the articles topic.", registry=r
        )
        self.articles_rejected = Counter(
            "sitrep_articles_rejected",
            "Articles that could not be processed, by reason.",
            ["reason"],
            registry=r,
        )
        self.dead_letters = Counter(
            "sitrep_dead_letters",
            "Records sent to the dead-letter topic, by reason.",
            ["reason"],
            registry=r,
        )
        self.incidents = Counter(
            "sitrep_incidents",
            "Incidents emitted (one per article report), by event type and country.",
            ["event_type", "country"],
            registry=r,
        )
        self.events = Counter(
            "sitrep_events",
            "Distinct events (after cross-article deduplication), by province.",
            ["province"],
            registry=r,
        )
        self.event_corroborations = Counter(
            "sitrep_event_corroborations",
            "Reports merged into an event already known, by province.",
            ["province"],
            registry=r,
        )
        self.alerts = Counter(
            "sitrep_alerts",
            "Escalation alert records emitted, by severity and status.",
            ["severity", "status"],
            registry=r,
        )
        self.dedup_events = Gauge(
            "sitrep_dedup_events",
            "Events in the correlator's deduplication index (within dedup_retention_days).",
            registry=r,
        )
        self.dedup_tombstones = Gauge(
            "sitrep_dedup_tombstones",
            "Expired events remembered to recognise redeliveries (at most dedup_tombstones).",
            registry=r,
        )
        self.rebalances = Counter(
            "sitrep_rebalances", "Consumer group rebalances seen by this worker.", registry=r
        )
        self.stage_duration = Histogram(
            "sitrep_stage_duration_seconds",
            "Time spent in one processing stage for one message.",
            ["stage"],
            buckets=STAGE_BUCKETS,
            registry=r,
        )
        # Series that exist from the start give rate() a zero sample before the first
        # observation, so a burst finished between two scrapes still shows as a rise.
        for stage in PIPELINE_STAGES:
            self.stage_duration.labels(stage=stage)
        self.ingest_to_incident = Histogram(
            "sitrep_ingest_to_incident_seconds",
            "Time from an article's arrival on the broker to its incidents being emitted.",
            buckets=INGEST_BUCKETS,
            registry=r,
        )
        self.incident_to_alert = Histogram(
            "sitrep_incident_to_alert_seconds",
            "Time from an incident being emitted to the alert it triggered.",
            buckets=ALERT_BUCKETS,
            registry=r,
        )
        self.consumer_lag = Gauge(
            "sitrep_consumer_lag_messages",
            "Messages between the committed offset and the end of a partition.",
            ["topic", "partition"],
            registry=r,
        )
        # Only regions in alert have series: a resolved alert removes its own, which keeps
        # these gauges as small as the set of active alerts.
        self.alert_active = Gauge(
            "sitrep_alert_active",
            "1 for each region and dimension with an active escalation alert.",
            ["region", "dimension"],
            registry=r,
        )
        self.alert_observed = Gauge(
            "sitrep_alert_observed_events",
            "Events observed in the current window of a region in alert.",
            ["region", "dimension"],
            registry=r,
        )
        self.alert_expected = Gauge(
            "sitrep_alert_expected_events",
            "Events expected in the current window of a region in alert.",
            ["region", "dimension"],
            registry=r,
        )
        self.alert_severity = Gauge(
            "sitrep_alert_severity_level",
            "Severity of an active alert: 1 low, 2 medium, 3 high, 4 critical.",
            ["region", "dimension"],
            registry=r,
        )
        self._lag_keys: set[tuple[str, str]] = set()

    def cap(self, label: str, value: str | None) -> str:
        """The value to record for ``label``, folded into OTHER beyond the label's limit."""
        return self._caps[label](value)

    def series_names(self) -> frozenset[str]:
        """Every series name this registry can expose, labelled children or not."""
        suffixes = {
            "counter": ("_total",),
            "histogram": ("_bucket", "_count", "_sum"),
            "summary": ("_count", "_sum"),
            "info": ("_info",),
        }
        return frozenset(
            metric.name + suffix
            for metric in self.registry.collect()
            for suffix in suffixes.get(metric.type, ("",))
        )

    def render(self) -> bytes:
        """The text exposition of every metric in this registry."""
        return generate_latest(_WithoutCreated(self.registry))
