"""Prometheus metrics of the sitrep worker, and the small typed functions agents call.

Every metric lives in one ``CollectorRegistry`` owned by a ``Metrics`` object, never in
prometheus-client's global default registry: the worker's ``/metrics`` page shows sitrep's
metrics and nothing that some imported library registered globally, and tests call
``reset()`` to start from zero instead of unregistering collectors one by one.

Names follow Prometheus conventions (``sitrep_`` prefix, base units, ``_total`` counters)
and every label set is bounded: free-form label values beyond a per-label limit are
folded into ``"other"`` so one bad input cannot create thousands of series.
``promtool check metrics`` on ``render()`` is part of the test suite.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Final, Protocol, TypeVar

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

from processors.models import Alert, Incident, Severity

__all__ = [
    "CONTENT_TYPE",
    "OTHER",
    "UNKNOWN",
    "Metrics",
    "alert_emitted",
    "article_consumed",
    "article_rejected",
    "current",
    "dead_letter",
    "event_counted",
    "incident_emitted",
    "lag_from_offsets",
    "observe_incident_to_alert",
    "observe_ingest_to_incident",
    "rebalance",
    "registry",
    "render",
    "reset",
    "set_alert_state",
    "set_build_info",
    "set_consumer_lag",
    "set_consumer_lags",
    "set_dedup_state",
    "set_ready",
    "stage_timer",
]

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


class TopicPartitionLike(Protocol):
    """What aiokafka's ``TopicPartition`` and faust's ``TP`` have in common."""

    @property
    def topic(self) -> str: ...

    @property
    def partition(self) -> int: ...


TP = TypeVar("TP", bound=TopicPartitionLike)


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


_current = Metrics()


def current() -> Metrics:
    """The ``Metrics`` the module-level functions record into."""
    return _current


def reset(*, process_metrics: bool = True) -> Metrics:
    """Replace the current metrics with fresh ones (all zero) and return them."""
    global _current
    _current = Metrics(process_metrics=process_metrics)
    return _current


def registry() -> CollectorRegistry:
    """The registry of the current metrics."""
    return _current.registry


def render() -> bytes:
    """The text exposition of the current metrics, for the worker's ``/metrics`` page."""
    return _current.render()


def set_build_info(version: str, rules_version: str) -> None:
    """Publish the worker's version and its rule-set version as ``sitrep_build_info``."""
    _current.build_info.info({"version": version, "rules_version": rules_version})


def set_ready(ready: bool) -> None:
    """Record whether the worker is ready (broker reachable, tables recovered)."""
    _current.ready.set(1 if ready else 0)


def article_consumed() -> None:
    """Count one article read from the articles topic."""
    _current.articles_consumed.inc()


def article_rejected(reason: str) -> None:
    """Count one article that could not be processed, by its short reason."""
    _current.articles_rejected.labels(reason=_current.cap("reason", reason)).inc()


def dead_letter(reason: str) -> None:
    """Count one record sent to the dead-letter topic."""
    _current.dead_letters.labels(reason=_current.cap("reason", reason)).inc()


def incident_emitted(incident: Incident) -> None:
    """Count one emitted incident by event type and country."""
    _current.incidents.labels(
        event_type=incident.event_type, country=_current.cap("country", incident.country)
    ).inc()


def event_counted(province: str | None, is_new: bool) -> None:
    """Count a report after deduplication: a new event, or a corroboration of a known one."""
    counter = _current.events if is_new else _current.event_corroborations
    counter.labels(province=_current.cap("province", province)).inc()


def set_dedup_state(events: int, tombstones: int) -> None:
    """Publish the size of the correlator's state: live events and remembered tombstones."""
    _current.dedup_events.set(events)
    _current.dedup_tombstones.set(tombstones)


def alert_emitted(alert: Alert) -> None:
    """Count one alert record and update the gauges of its region's alert state."""
    _current.alerts.labels(severity=alert.severity, status=alert.status).inc()
    set_alert_state(
        alert.region,
        alert.dimension,
        observed=alert.observed,
        expected=alert.expected,
        active=alert.status not in ("resolved", "withdrawn"),
        severity=alert.severity,
    )


def set_alert_state(
    region: str,
    dimension: str,
    observed: int,
    expected: float,
    active: bool,
    *,
    severity: Severity = "low",
) -> None:
    """Show (active) or remove (inactive) a region's observed, expected and severity gauges.

    ``alert_emitted`` calls this; call it directly to restore the gauges from the alert
    table after a restart, when no new alert record will come.
    """
    m = _current
    gauges = (m.alert_active, m.alert_observed, m.alert_expected, m.alert_severity)
    key = (region or UNKNOWN, dimension or "all")
    if not active:
        for gauge in gauges:
            # an alert resolved that was never active in this process has nothing to remove
            with suppress(KeyError):
                gauge.remove(*key)
        return
    m.alert_active.labels(*key).set(1)
    m.alert_observed.labels(*key).set(observed)
    m.alert_expected.labels(*key).set(expected)
    m.alert_severity.labels(*key).set(SEVERITY_LEVELS[severity])


@contextmanager
def stage_timer(stage: str) -> Iterator[None]:
    """Time the block into ``sitrep_stage_duration_seconds{stage}``, also when it raises."""
    child = _current.stage_duration.labels(stage=_current.cap("stage", stage))
    start = time.perf_counter()
    try:
        yield
    finally:
        child.observe(time.perf_counter() - start)


def observe_ingest_to_incident(seconds: float) -> None:
    """Record the time from an article's broker timestamp to its incidents' emission."""
    # Producer and worker clocks can disagree by a little; a negative observation would
    # make the histogram's _sum decrease, which rate() reads as a counter reset.
    _current.ingest_to_incident.observe(max(seconds, 0.0))


def observe_incident_to_alert(seconds: float) -> None:
    """Record the time from an incident's emission to the alert it triggered."""
    _current.incident_to_alert.observe(max(seconds, 0.0))


def rebalance() -> None:
    """Count one consumer group rebalance."""
    _current.rebalances.inc()


def set_consumer_lag(topic: str, partition: int, lag: int) -> None:
    """Set the lag of one assigned topic-partition."""
    key = (_current.cap("topic", topic), str(partition))
    _current.consumer_lag.labels(*key).set(lag)
    _current._lag_keys.add(key)


def set_consumer_lags(lags: Mapping[TP, int]) -> None:
    """Replace all lag series with ``lags``, dropping partitions no longer assigned."""
    m = _current
    keys = {(m.cap("topic", tp.topic), str(tp.partition)): lag for tp, lag in lags.items()}
    for stale in m._lag_keys - keys.keys():
        m.consumer_lag.remove(*stale)
    for key, lag in keys.items():
        m.consumer_lag.labels(*key).set(lag)
    m._lag_keys = set(keys)


def lag_from_offsets(
    end_offsets: Mapping[TP, int],
    committed: Mapping[TP, int | None],
    *,
    beginning_offsets: Mapping[TP, int] | None = None,
) -> dict[TP, int]:
    """Consumer lag per partition of ``end_offsets``: end offset minus committed offset.

    Offsets follow Kafka's convention (committed = next offset to read). A partition with
    nothing committed lags by its whole retained log, from ``beginning_offsets`` if given,
    else from offset 0. Lag is never negative: end offsets fetched a moment before the
    commit can trail it.
    """
    lags: dict[TP, int] = {}
    for tp, end in end_offsets.items():
        position = committed.get(tp)
        if position is None:
            position = beginning_offsets.get(tp, 0) if beginning_offsets is not None else 0
        lags[tp] = max(end - position, 0)
    return lags
