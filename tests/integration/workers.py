"""Helpers for integration tests: a real ``sitrep worker`` subprocess on the real broker."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterator
from contextlib import aclosing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from streams import broker, topics
from streams.client import consume
from streams.demo import DEMO_GRACE_DAYS, free_port, start_worker, stop_worker, wait_healthy
from streams.settings import PROJECT_ROOT, Settings


@dataclass
class RunningWorker:
    """A worker subprocess and the settings (topics, ports) it runs with."""

    settings: Settings
    log: Path

    def log_text(self) -> str:
        """The worker's output so far, for failure messages."""
        return self.log.read_text(errors="replace")[-5000:]


@contextmanager
def running_worker(bootstrap: str, name: str, tmp: Path, *, partitions: int = 1,
                   ready_timeout: float = 90.0, base: Settings | None = None,
                   admin: Settings | None = None,
                   loglevel: str = "info") -> Iterator[RunningWorker]:
    """Create fresh topics named after ``name``, start a worker on them, stop it afterwards.

    ``base`` gives the connection (e.g. SASL_SSL and a user); ``admin`` the settings the
    topics are created with (the local broker's, by default the worker's own)."""
    settings = (base or Settings()).model_copy(update=dict(
        bootstrap_servers=bootstrap, app_id=f"sitrep-{name}", topic_prefix=f"{name}.",
        data_dir=tmp / "worker", web_port=free_port(), partitions=partitions,
        grace_days=DEMO_GRACE_DAYS,
    ))
    broker.create_topics(admin or settings, [settings.topic(t) for t in topics.ALL],
                         partitions=partitions)
    log = tmp / "worker.log"
    process = start_worker(settings, log=log, loglevel=loglevel)
    worker = RunningWorker(settings=settings, log=log)
    try:
        wait_ready(settings, process, ready_timeout, worker)
        yield worker
    finally:
        stop_worker(process)


@contextmanager
def module_worker(bootstrap: str, prefix: str, factory: Any) -> Iterator[RunningWorker]:
    """A worker on fresh topics named ``<prefix>-<random>``, for a module-scoped fixture."""
    name = f"{prefix}-{random.getrandbits(32):08x}"
    with running_worker(bootstrap, name, factory.mktemp(name)) as running:
        yield running


def wait_ready(settings: Settings, process: Any, timeout: float, worker: RunningWorker) -> None:
    """Wait until the worker's /health says ready; fail with its log otherwise."""
    failure = wait_healthy(settings, process, deadline=time.monotonic() + timeout)
    if failure is not None:
        raise AssertionError(f"{failure} ({timeout}s):\n{worker.log_text()}")


def collect(settings: Settings, topic: str, *, until: Any, timeout: float) -> list[Any]:
    """Consume a topic from the start until ``until(records)`` holds or the time is up."""

    async def run() -> list[Any]:
        records: list[Any] = []
        stream = consume(settings, settings.topic(topic), deadline=time.monotonic() + timeout)
        async with aclosing(stream):
            async for record in stream:
                records.append(record)
                if until(records):
                    break
        return records

    return asyncio.run(run())


def seed_articles_with_incidents() -> set[str]:
    """The ids of the sample articles (seeds/) that report at least one incident."""
    ids = set()
    for line in (PROJECT_ROOT / "seeds" / "expected.jsonl").read_bytes().splitlines():
        record = orjson.loads(line)
        if record["incidents"]:
            ids.add(record["article"])
    return ids
