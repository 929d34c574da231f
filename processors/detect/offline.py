"""Driving the alert engine over a whole set of incidents, as ``sitrep alerts FILE`` does.

``run_offline`` is order-independent (final verdicts only, then early verdicts on the weeks
still open at the end); ``run_in_order`` is a worker receiving the incidents in that order,
early alerts and withdrawals included; ``stream_watermark`` is the event time a worker keeps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from processors.detect.detector import DetectorConfig
from processors.detect.engine import AlertEngine, VerdictObserver
from processors.models import Alert, Incident


def run_offline(incidents: Iterable[Incident], *, config: DetectorConfig | None = None,
                watermark: dt.date | None = None, flush: bool = False) -> list[Alert]:  # fmt: skip
    """All alerts for a set of incidents in any order (``sitrep alerts FILE``).

    Without ``watermark`` event time ends at the newest event date, exactly where a stream
    that saw the same incidents stands; ``flush`` also closes the weeks still in their grace
    period, so every week with events is tested.
    """
    engine = AlertEngine(config)
    newest: dt.date | None = None
    for incident in incidents:
        engine.add(incident)
        if incident.event_date is not None and (newest is None or incident.event_date > newest):
            newest = incident.event_date
    end = watermark or newest
    if end is None:
        return []
    if flush:
        end = end + dt.timedelta(days=engine.config.grace_days + 7)
    return engine.advance(end)


def run_in_order(incidents: Iterable[Incident], *, config: DetectorConfig | None = None,
                 observer: VerdictObserver | None = None,
                 end: dt.date | None = None) -> list[Alert]:  # fmt: skip
    """The messages a worker emits when ``incidents`` arrive in this order (``sitrep alerts
    FILE --in-order``): each one added, then event time advanced to the running watermark.
    ``observer`` sees every final verdict (the engine's hook, for benchmarks); ``end``, if
    later than the last watermark, advances event time there at the end (closing weeks)."""
    engine = AlertEngine(config, observer=observer)
    alerts: list[Alert] = []
    for incident in incidents:
        engine.add(incident)
        watermark = stream_watermark(engine.watermark, incident)
        if watermark is not None:
            alerts.extend(engine.advance(watermark))
    if end is not None and (engine.watermark is None or end > engine.watermark):
        alerts.extend(engine.advance(end))
    return alerts


def stream_watermark(current: dt.date | None, incident: Incident) -> dt.date | None:
    """The running watermark a stream keeps: the newest event date seen so far."""
    day = incident.event_date
    if day is None:
        return current
    return day if current is None or day > current else current


__all__ = ["run_in_order", "run_offline", "stream_watermark"]
