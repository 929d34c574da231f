"""The benchmark's yardstick: a faust worker that only decodes articles and forwards them.

It runs on ``base_app`` and ``raw_topic`` of ``streams.app`` (the same broker, store, producer
and serializer options as the sitrep worker) and decodes each article as ``ingest`` does
(size and depth limits, orjson, the pydantic ``Article``), then sends the original bytes to
the ``passthrough`` topic. What it reaches on a machine is the framework's own limit there:
``scripts/bench.py`` divides the pipeline's throughput by it. Run it as the worker is run:

    SITREP_TOPIC_PREFIX=bench. python -m harness.passthrough
"""

from __future__ import annotations

from typing import Any

import faust

from processors.errors import InvalidArticle
from processors.validate import Limits, parse_article
from streams import topics
from streams.app import _readiness, _record_day, base_app, raw_topic, run_worker
from streams.settings import Settings

OUTPUT = "passthrough"


def create_passthrough_app(settings: Settings) -> faust.App:
    """A faust app with one agent: articles in, decoded, the same bytes out to ``passthrough``."""
    app = base_app(settings)
    articles = raw_topic(app, settings, topics.ARTICLES)
    output = raw_topic(app, settings, OUTPUT)
    limits = Limits(max_message_bytes=settings.max_message_bytes,
                    max_body_chars=settings.max_body_chars,
                    max_json_depth=settings.max_json_depth)

    @app.agent(articles, concurrency=1)
    async def forward(stream: faust.StreamT[bytes]) -> None:
        """Decode each article like ``ingest`` and forward it unchanged."""
        async for event in stream.events():
            raw = event.value if isinstance(event.value, bytes) else b""
            try:
                parse_article(raw, limits=limits, today=_record_day(event.message.timestamp))
            except InvalidArticle:
                continue
            await output.send(key=event.message.key, value=raw)

    @app.page("/health")
    async def health_page(web: Any, request: Any) -> Any:
        ready, why = await _readiness(app)
        return web.json({"ready": ready, "why": why}, status=200 if ready else 503)

    return app


def main() -> None:
    """Run the passthrough worker until interrupted (settings from ``SITREP_*``)."""
    run_worker(create_passthrough_app(Settings()))


if __name__ == "__main__":
    main()
