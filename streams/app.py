"""The faust app: topics, tables, agents and web pages, built from one Settings object.

Agents only decode, call one processor and send; every decision about article content
lives in ``processors``.

    articles ──ingest──▶ incidents.extracted ──correlate──▶ incidents ──detect──▶ alerts
        └──────────────▶ articles.dlq (reason header, original bytes)

``ingest`` is stateless and scales with the partitions of ``articles``. ``correlate`` and
``detect`` keep state in tables with changelogs; their input is keyed by country so that one
partition holds every event of a country (deduplication and regional counts stay local).

The worker creates its absent topics before its consumer subscribes (``streams.provision``):
the web server starts first, so ``/health`` can say what the worker still waits for.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

import faust
import orjson
from faust.app.base import BootStrategy
from mode import ServiceT

from processors.errors import ExtractionFailed, InvalidArticle
from processors.models import Alert, Incident
from processors.validate import Limits, parse_article
from streams import provision, topics, transport
from streams.client import ssl_context
from streams.pipeline import Correlator, Detector, Extractor
from streams.settings import Settings

log = logging.getLogger(__name__)


def _credentials(settings: Settings) -> Any:
    """faust broker credentials from the settings (None on a plaintext local broker)."""
    if settings.security_protocol == "PLAINTEXT":
        return None
    context = ssl_context(settings)
    if settings.security_protocol.startswith("SASL"):
        password = settings.sasl_password.get_secret_value() if settings.sasl_password else None
        return faust.SASLCredentials(
            username=settings.sasl_username,
            password=password,
            mechanism=settings.sasl_mechanism or "PLAIN",
            ssl_context=context,
        )
    return context


def _record_day(timestamp: float | None) -> dt.date | None:
    """The UTC day of a Kafka record timestamp (seconds), the fallback for missing dates."""
    if not timestamp:
        return None
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC).date()


def dumps(record: Incident | Alert) -> bytes:
    """Serialise a contract model to compact JSON bytes."""
    return orjson.dumps(record.model_dump(mode="json"))


def base_app(settings: Settings) -> faust.App:
    """A faust app with sitrep's broker, store and client options, and no agents yet.

    The sitrep worker and the benchmark's passthrough (``harness.passthrough``) both start
    from it, so the framework's limit is measured with the options the pipeline runs with.
    """
    return transport.App(  # faust.App with a short consumer fetch wait
        settings.app_id,
        broker=f"kafka://{settings.bootstrap_servers}",
        broker_credentials=_credentials(settings),
        store="memory://",
        datadir=str(settings.data_dir),
        topic_partitions=settings.partitions,
        processing_guarantee=settings.processing_guarantee,
        consumer_auto_offset_reset="earliest",
        web_enabled=True,
        web_host=settings.web_host,
        web_port=settings.web_port,
        web_in_thread=False,
        autodiscover=False,
        producer_acks=-1,
        # Each article leaves ~10 records (incidents, events, changelog entries); a 5 ms
        # linger sends them in a few requests: ~5 % less worker CPU an article (bench.py).
        producer_linger=0.005,
        broker_session_timeout=settings.session_timeout_seconds,
        table_standby_replicas=settings.table_standby_replicas,
        # A rejected article goes to the dead letters with its original bytes, whatever its
        # size (up to the broker's limit): faust's default 1 MB request cap would crash ingest.
        producer_max_request_size=max(settings.max_message_bytes * 2, 1_048_576),
    )


class _TopicsFirst(BootStrategy):
    """faust's start-up order with the web server first and the topic provisioner before the
    producer: faust starts its producer before the web server, and a producer that cannot
    connect (a wrong password, an untrusted certificate) ends the worker before /health could
    say why. The provisioner retries until the broker accepts it and the topics exist."""

    provisioner: provision.TopicProvisioner

    def server(self) -> Iterable[ServiceT]:
        """Sensors, web server, provisioner, then faust's producer, consumer, agents, tables."""
        return self._chain(
            self.sensors(),
            self.web_server(),
            [self.provisioner],
            self.kafka_producer(),
            self.kafka_consumer(),
            self.agents(),
            self.kafka_conductor(),
            self.tables(),
        )


def raw_topic(app: faust.App, settings: Settings, name: str, **kwargs: Any) -> faust.TopicT:
    """A sitrep topic of raw bytes (agents decode with orjson and pydantic themselves)."""
    return app.topic(
        settings.topic(name),
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        partitions=settings.partitions,
        **kwargs,
    )


def create_app(settings: Settings) -> faust.App:
    """Build the sitrep faust app from the settings."""
    app = base_app(settings)
    boot = _TopicsFirst(app)
    boot.provisioner = provision.TopicProvisioner(settings, provision.topic_specs(settings),
                                                  loop=app.loop)
    app.boot_strategy = boot

    def topic(name: str, **kwargs: Any) -> faust.TopicT:
        return raw_topic(app, settings, name, **kwargs)

    # A replay reads the first run's articles and writes under its own prefix (replay.py).
    articles = (app.topic(settings.articles_topic, key_type=bytes, value_type=bytes,
                          key_serializer="raw", value_serializer="raw",
                          partitions=settings.partitions)
                if settings.articles_topic else topic(topics.ARTICLES))
    dlq = topic(topics.ARTICLES_DLQ)
    extracted = topic(topics.INCIDENTS_EXTRACTED, internal=True)
    incidents = topic(topics.INCIDENTS)
    alerts = topic(topics.ALERTS)

    limits = Limits(
        max_message_bytes=settings.max_message_bytes,
        max_body_chars=settings.max_body_chars,
        max_json_depth=settings.max_json_depth,
    )
    extractor = Extractor(settings)
    correlator = Correlator(app, settings)
    detector = Detector(app, settings)

    @app.agent(articles, concurrency=1)
    async def ingest(stream: faust.StreamT[bytes]) -> None:
        """Validate each article (bad input to the dead letters) and extract its incidents."""
        async for event in stream.events():
            message = event.message
            raw = event.value if isinstance(event.value, bytes) else b""
            day = _record_day(message.timestamp)
            try:
                article = parse_article(raw, limits=limits, today=day)
                incidents = extractor.extract(article, record_day=day,
                                              record_timestamp=message.timestamp)
            except InvalidArticle as exc:  # ExtractionFailed too: dead-lettered, never retried
                bug = isinstance(exc, ExtractionFailed)  # logged with the extractor's traceback
                log.log(logging.ERROR if bug else logging.WARNING,
                        "dead-lettered %s[%s]@%s: %s", message.topic, message.partition,
                        message.offset, exc, exc_info=exc.__cause__ if bug else None)
                await dlq.send(
                    key=message.key,
                    value=raw,
                    headers={
                        "reason": exc.reason.encode(),
                        "error": str(exc).encode()[:2000],
                        "source.topic": message.topic.encode(),
                        "source.partition": str(message.partition).encode(),
                        "source.offset": str(message.offset).encode(),
                    },
                )
                extractor.rejected(exc.reason)
                continue
            for incident in incidents:
                await extracted.send(key=(incident.country or "").encode(), value=dumps(incident))

    @app.agent(extracted, concurrency=1)
    async def correlate(stream: faust.StreamT[bytes]) -> None:
        """Give each extracted incident its event id (one event, many reports)."""
        async for raw in stream:
            incident = Incident.model_validate_json(raw)
            for merged in correlator.assign(incident):
                await incidents.send(key=(merged.country or "").encode(), value=dumps(merged))

    @app.agent(incidents, concurrency=1)
    async def detect(stream: faust.StreamT[bytes]) -> None:
        """Count distinct events per region in event time and emit alert changes."""
        async for raw in stream:
            for alert in detector.add(Incident.model_validate_json(raw)):
                await alerts.send(key=alert.region.encode(), value=dumps(alert))

    @app.timer(interval=settings.detector_tick_seconds)
    async def zero_fill() -> None:
        """Advance event time for quiet regions so they get zero-filled windows."""
        for alert in detector.tick():
            await alerts.send(key=alert.region.encode(), value=dumps(alert))

    lag_topics = frozenset(settings.topic(name) for name in
                           (topics.ARTICLES, topics.INCIDENTS_EXTRACTED, topics.INCIDENTS))

    @app.timer(interval=settings.lag_interval_seconds)
    async def consumer_lag() -> None:
        """Publish readiness and consumer lag per input partition (faust derives neither)."""
        from streams import metrics

        consumer = app.consumer
        # Changelog and assignor partitions are never committed: their "lag" is their length.
        assigned = {tp for tp in consumer.assignment() if tp.topic in lag_topics}
        metrics.set_ready((await _readiness(app, boot.provisioner))[0])
        if not assigned:
            return
        ends = await consumer.highwaters(*assigned)
        committed = {tp: consumer._committed_offset.get(tp) for tp in assigned}
        metrics.set_consumer_lags(metrics.lag_from_offsets(ends, committed))

    @app.page("/metrics")
    async def metrics_page(web: Any, request: Any) -> Any:
        from streams import metrics

        return web.bytes(metrics.render(), content_type="text/plain; version=0.0.4")

    @app.page("/health")
    async def health_page(web: Any, request: Any) -> Any:
        ready, why = await _readiness(app, boot.provisioner)
        return web.json({"ready": ready, "why": why}, status=200 if ready else 503)

    app.conf.sitrep_agents = (ingest, correlate, detect)  # type: ignore[attr-defined]
    return app


def run_worker(app: faust.App, *, loglevel: str = "warning") -> None:
    """Run a faust worker for ``app`` until interrupted, without faust's terminal spinner.

    The spinner, on at log levels of WARNING and above, sets the root logger to DEBUG so that
    every debug message of faust and aiokafka (several per record) is built into a LogRecord:
    about 6 % of a busy worker's CPU time in a py-spy profile.
    """
    from faust.worker import Worker

    worker = Worker(app, loglevel=loglevel, quiet=True)
    worker.spinner = None
    worker.execute_from_commandline()


async def _readiness(app: faust.App,
                     provisioner: provision.TopicProvisioner | None = None) -> tuple[bool, str]:
    """Ready when the topics exist, the broker answers and tables have recovered."""
    import asyncio

    if provisioner is not None and provisioner.waiting_for is not None:
        return False, provisioner.waiting_for
    try:
        producer = app.producer._ensure_producer()  # type: ignore[attr-defined]
        await asyncio.wait_for(producer.client.fetch_all_metadata(), timeout=2.0)
    except Exception as exc:  # any failure to reach the broker means not ready
        return False, f"broker unreachable: {type(exc).__name__}"
    if not app.tables.recovery.completed.is_set():
        return False, "tables recovering"
    if app.rebalancing:
        return False, "rebalancing"
    return True, "ok"
