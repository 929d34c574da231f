"""What a fault run must find and what it found: expected outputs, topic contents, counts.

``expected_outputs`` computes with the pure processors what the topics must hold for an input;
``compare`` sets what a run read back against it as ``Counts`` (see ``harness.faults``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from processors.correlate.dedup import EventIndex
from processors.detect.detector import DetectorConfig
from processors.detect.offline import run_in_order, run_offline
from processors.errors import InvalidArticle
from processors.extract.pipeline import extract_incidents
from processors.models import Alert, Incident
from processors.validate import Limits, parse_article
from streams.client import connection_options
from streams.pipeline import detector_config
from streams.settings import Settings

Records = list[tuple[bytes, bytes]]


# -- what the input must give ---------------------------------------------------------------


@dataclass
class Expected:
    """What the processors give offline for a corpus: incidents, alerts, rejected keys."""

    incidents: list[Incident]
    alerts: list[Alert]
    rejected: list[bytes]
    config: DetectorConfig


def limits_of(settings: Settings) -> Limits:
    """The validator limits the worker runs with."""
    return Limits(max_message_bytes=settings.max_message_bytes,
                  max_body_chars=settings.max_body_chars,
                  max_json_depth=settings.max_json_depth)


def expected_outputs(records: Records, settings: Settings, *,
                     today: dt.date | None = None) -> Expected:
    """Validate, extract and correlate ``records`` in order, as one worker does, and run the
    offline detector on the result. ``today`` stands in for the records' timestamp day."""
    today = today or dt.datetime.now(tz=dt.UTC).date()
    limits = limits_of(settings)
    index = EventIndex(retention_days=settings.dedup_retention_days,  # as the Correlator
                       max_tombstones=settings.dedup_tombstones)
    incidents: list[Incident] = []
    rejected: list[bytes] = []
    for key, value in records:
        try:
            article = parse_article(value, limits=limits, today=today)
        except InvalidArticle:
            rejected.append(key)
            continue
        for incident in extract_incidents(article, include_background=settings.include_background,
                                          fallback_date=today,
                                          max_incidents=settings.max_incidents_per_article):
            assignment = index.assign(incident)
            index.expire()
            incidents.append(incident.model_copy(update={
                "event_id": assignment.event_id, "version": assignment.version,
                "sources": list(assignment.sources), "corroboration": assignment.corroboration,
            }))
    return Expected(incidents=incidents, alerts=stream_alerts(incidents, settings),
                    rejected=rejected, config=detector_config(settings))


def stream_alerts(incidents: list[Incident], settings: Settings) -> list[Alert]:
    """The alerts an uninterrupted worker emits for incidents in this order (``run_in_order``:
    add each one and advance to the running watermark, as ``Detector.add`` does). Its final
    verdicts equal ``run_offline``'s; an event days ahead of the rest (a missing date resolved
    to the record's day) closes weeks early and makes later reports late, in both."""
    return run_in_order(incidents, config=detector_config(settings))


# -- what the topics hold -----------------------------------------------------------------


async def _read(settings: Settings, name: str) -> list[Any]:
    consumer = AIOKafkaConsumer(**connection_options(settings), enable_auto_commit=False,
                                max_partition_fetch_bytes=16 * 1024 * 1024,
                                fetch_max_bytes=64 * 1024 * 1024)
    await consumer.start()
    try:
        cluster = await consumer._client.fetch_all_metadata()
        parts = [TopicPartition(name, p)
                 for p in sorted(cluster.partitions_for_topic(name) or ())]
        if not parts:
            return []
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        records: list[Any] = []
        while [tp for tp in parts if await consumer.position(tp) < ends[tp]]:
            for batch in (await consumer.getmany(timeout_ms=1000)).values():
                records.extend(batch)
        return records
    finally:
        await consumer.stop()


def read_topic(settings: Settings, name: str) -> list[Any]:
    """Every record of a topic from its start to its end now (full topic name)."""
    return asyncio.run(_read(settings, name))


@dataclass
class Counts:
    """The verdict of one fault run."""

    fault: str
    articles: int
    incidents_expected: int
    found: int = 0
    duplicated: int = 0
    missing: int = 0
    unexpected: int = 0
    redelivered: int = 0
    regions_equal: bool = False
    alerts_expected: int = 0
    alerts_found: int = 0
    alerts_equal: bool = False
    caught_up: bool = False
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """No loss, no duplicate, no stranger; regional counts and alerts as computed."""
        return (self.caught_up and self.missing == 0 and self.duplicated == 0
                and self.unexpected == 0 and self.regions_equal and self.alerts_equal
                and self.extra.get("ok", True))

    def as_json(self) -> dict[str, Any]:
        """The counts as one JSON-able dict (with ``ok``)."""
        out = {k: v for k, v in self.__dict__.items() if k not in ("fault", "extra")}
        return {**out, **self.extra, "ok": self.ok}


def regional_counts(incidents: list[Incident]) -> Counter[tuple[str, str]]:
    """Distinct events per (region, ISO week), each event placed by its newest version."""
    newest: dict[str, Incident] = {}
    for incident in incidents:
        held = newest.get(incident.event_id)
        if held is None or (incident.version, incident.incident_id) > (held.version,
                                                                         held.incident_id):
            newest[incident.event_id] = incident
    return Counter((i.admin1 or i.country or "-", i.event_date.isocalendar()[:2].__repr__())
                   for i in newest.values() if i.event_date and not i.background)


def compare(fault: str, articles: int, expected: Expected, incident_values: list[bytes],
            alert_values: list[bytes]) -> Counts:
    """Counts of a run: the records read back against the expected outputs."""
    want = {i.incident_id: orjson.dumps(i.model_dump(mode="json")) for i in expected.incidents}
    payloads: dict[str, set[bytes]] = {}
    for value in incident_values:
        payloads.setdefault(orjson.loads(value)["incident_id"], set()).add(value)
    found = [i for i in want if i in payloads]
    duplicated = sum(1 for i, values in payloads.items() if len(values) > 1
                     or (i in want and values != {want[i]}))
    distinct_incidents = [Incident.model_validate_json(next(iter(values)))
                          for values in payloads.values()]
    alerts: list[bytes] = list(dict.fromkeys(alert_values))  # drop copies, keep first order
    want_alerts = [orjson.dumps(a.model_dump(mode="json")) for a in expected.alerts]
    return Counts(
        fault=fault, articles=articles, incidents_expected=len(want), found=len(found),
        duplicated=duplicated, missing=len(want) - len(found),
        unexpected=sum(1 for i in payloads if i not in want),
        redelivered=len(incident_values) - sum(len(v) for v in payloads.values())
        + len(alert_values) - len(alerts),
        regions_equal=regional_counts(distinct_incidents) == regional_counts(expected.incidents),
        alerts_expected=len(want_alerts), alerts_found=len(alerts),
        alerts_equal=alerts == want_alerts,
        # The final verdicts: early alerts and withdrawals depend on arrival order by design.
        extra={"offline_alerts_equal": [
            a for a in alerts if b'"final":true' in a and b'"withdrawn"' not in a] == [
            orjson.dumps(a.model_dump(mode="json"))
            for a in run_offline(expected.incidents, config=expected.config)
            if a.final and a.status != "withdrawn"]},
    )
