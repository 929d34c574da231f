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
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Protocol, TypeVar

from prometheus_client import CollectorRegistry

from processors.models import Alert, Incident, Severity
from streams.instruments import (
    CONTENT_TYPE,
    OTHER,
    PIPELINE_STAGES,
    SEVERITY_LEVELS,
    UNKNOWN,
    Metrics,
)

__all__ = [
    "CONTENT_TYPE",
    "OTHER",
    "PIPELINE_STAGES",
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


class TopicPartitionLike(Protocol):
    """What aiokafka's ``TopicPartition`` and faust's ``TP`` have in common."""

    @property
    def topic(self) -> str: ...

    @property
    def partition(self) -> int: ...


TP = TypeVar("TP", bound=TopicPartitionLike)


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
