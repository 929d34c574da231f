"""The stages of ``make bench`` (``scripts/bench.py``): the corpus, a stage's topics and
worker, and the measurements of throughput, latency and memory; what each figure means is in
``scripts/bench.py``'s docstring.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_extract import build_corpus

from harness.passthrough import OUTPUT as PASSTHROUGH
from processors.models import Article
from streams import broker, topics
from streams.client import connection_options
from streams.demo import free_port, stop_worker, wait_healthy, worker_env
from streams.settings import PROJECT_ROOT, Settings

# After every date written in the fixtures (they read as past events), and early enough that
# a latency run's articles are not published in the future (ingest rejects those).
DAY0 = dt.date(2025, 1, 6)
QUIET_PER_DAY, BUSY_PER_DAY = 6, 40
READY_TIMEOUT_S = 120.0
# The local broker keeps at most 256 MiB a partition (deploy/kafka/server.properties.in). The
# memory stage's backlog is ~500 MB on one partition: the broker deleted its unread head while
# the worker was still behind, the worker's consumer reset to the new start and skipped a
# third or more of the articles, and their committed offsets made the RSS readings fire early.
# A stage's topics keep everything; they are deleted when the stage ends.
STAGE_TOPIC_CONFIGS = {"retention.bytes": "-1"}


# -- the corpus -------------------------------------------------------------------------------


class Corpus:
    """Article ``n``: base text ``n mod len(base)``, id ``bench-n``, a day on the schedule."""

    def __init__(self, base_size: int, *, size: int = 5000) -> None:
        self.base = build_corpus(base_size, size)
        self._days: list[dt.date] = []

    def day(self, n: int) -> dt.date:
        """The publication day of article ``n`` (quiet weeks, then three busy ones in twelve)."""
        while len(self._days) <= n:
            offset = (self._days[-1] - DAY0).days if self._days else 0
            per_day = BUSY_PER_DAY if (offset // 7) % 12 in (8, 9, 10) else QUIET_PER_DAY
            if self._days and self._days[-per_day:].count(self._days[-1]) >= per_day:
                offset += 1
            self._days.append(DAY0 + dt.timedelta(days=offset))
        return self._days[n]

    def article(self, n: int) -> Article:
        """Article ``n`` as a model."""
        text = self.base[n % len(self.base)]
        return text.model_copy(update={"id": f"bench-{n}", "published_at": self.day(n)})

    def record(self, n: int) -> tuple[bytes, bytes]:
        """Article ``n`` as a (key, value) record of the ``articles`` topic."""
        article = self.article(n)
        return article.id.encode(), orjson.dumps(article.model_dump(mode="json",
                                                                    exclude_none=True))

    def records(self, start: int, stop: int) -> Iterator[tuple[bytes, bytes]]:
        """Records of articles ``start`` to ``stop - 1``."""
        return (self.record(n) for n in range(start, stop))

    def stamp_ms(self, n: int) -> int:
        """Noon UTC of article ``n``'s publication day, as a record timestamp."""
        noon = dt.datetime.combine(self.day(n), dt.time(12), tzinfo=dt.UTC)
        return int(noon.timestamp() * 1000)


# -- workers on fresh topics --------------------------------------------------------------------


@dataclass
class Stage:
    """Fresh topics, an app id and running workers for one measurement."""

    base: Settings
    name: str
    partitions: int
    workdir: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    settings: list[Settings] = field(default_factory=list)

    @property
    def main(self) -> Settings:
        """The settings of the first worker (all share topics and app id)."""
        return self.settings[0]

    def start(self, workers: int, *, module: str = "streams.cli") -> None:
        """Create the topics and start ``workers`` workers; wait until they are ready."""
        for k in range(workers):
            self.settings.append(self.base.model_copy(update={
                "app_id": f"sitrep-{self.name}", "topic_prefix": f"{self.name}.",
                "data_dir": self.workdir / f"worker-{k}", "web_port": free_port(),
                "partitions": self.partitions,
            }))
        broker.create_topics(self.main, [self.main.topic(t) for t in (*topics.ALL, PASSTHROUGH)],
                             partitions=self.partitions, configs=STAGE_TOPIC_CONFIGS)
        args = ["worker", "--loglevel", "warning"] if module == "streams.cli" else []
        for k, settings in enumerate(self.settings):
            with (self.workdir / f"worker-{k}.log").open("ab") as log:
                self.processes.append(subprocess.Popen(
                    [sys.executable, "-m", module, *args], env=worker_env(settings),
                    stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT))
        deadline = time.monotonic() + READY_TIMEOUT_S
        for k, settings in enumerate(self.settings):
            self._wait_ready(k, settings, deadline)
        if workers > 1:
            asyncio.run(self._wait_group(workers, deadline))
            for k, settings in enumerate(self.settings):
                self._wait_ready(k, settings, deadline)

    def _wait_ready(self, k: int, settings: Settings, deadline: float) -> None:
        failure = wait_healthy(settings, self.processes[k], deadline=deadline, poll=0.3)
        if failure is not None:
            raise RuntimeError(f"worker {k} of {self.name}: {failure}:\n{self.log(k)}")

    async def _wait_group(self, members: int, deadline: float) -> None:
        """Wait until the consumer group is stable with every worker in it."""
        admin = AIOKafkaAdminClient(**connection_options(self.main))
        await admin.start()
        try:
            while time.monotonic() < deadline:
                described = await admin.describe_consumer_groups([self.main.app_id])
                group = described[0].groups[0]
                if group[2] == "Stable" and len(group[5]) == members:
                    return
                await asyncio.sleep(0.5)
        finally:
            await admin.close()
        raise RuntimeError(f"{self.name}: the group never held {members} stable members")

    def log(self, k: int) -> str:
        """The tail of worker ``k``'s output."""
        return (self.workdir / f"worker-{k}.log").read_text(errors="replace")[-4000:]

    def rss_mb(self, k: int = 0) -> float:
        """The resident set size of worker ``k`` in MiB (VmRSS)."""
        status = Path(f"/proc/{self.processes[k].pid}/status").read_text()
        kb = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))
        return int(kb) / 1024

    def metric(self, name: str, k: int = 0) -> float:
        """The value of an unlabelled series on worker ``k``'s ``/metrics`` page."""
        url = f"http://127.0.0.1:{self.settings[k].web_port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as response:
            text = response.read().decode()
        return next(sample.value for family in text_string_to_metric_families(text)
                    for sample in family.samples if sample.name == name and not sample.labels)

    def cpu_s(self) -> list[float]:
        """CPU seconds (user and system) each worker used so far."""
        return [process_cpu_s(process.pid) for process in self.processes]

    def stop(self) -> None:
        """Stop the workers and delete the stage's topics, changelogs included."""
        for process in self.processes:
            stop_worker(process)
        if self.settings:
            asyncio.run(_delete_topics(self.main, (f"{self.name}.", f"sitrep-{self.name}-")))


def process_cpu_s(pid: int) -> float:
    """CPU seconds (user and system) process ``pid`` used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def shared_cpu_s(broker_pid: int | None) -> tuple[float, float]:
    """CPU seconds of the broker (0 if not local) and of this process, which feeds and reads."""
    return (process_cpu_s(broker_pid) if broker_pid else 0.0), time.process_time()


async def _delete_topics(settings: Settings, prefixes: tuple[str, ...]) -> None:
    admin = AIOKafkaAdminClient(**connection_options(settings))
    await admin.start()
    try:
        names = [t for t in await admin.list_topics() if t.startswith(prefixes)]
        if names:
            await admin.delete_topics(names)
    finally:
        await admin.close()


async def follow(settings: Settings, topic: str, *, done: Callable[[list[Any]], bool],
                  idle_s: float, timeout_s: float) -> list[Any]:
    """Records of ``topic`` from the start until ``done(records)``, ``idle_s`` of silence
    after the first record, or ``timeout_s``."""
    consumer = AIOKafkaConsumer(topic, **connection_options(settings), group_id=None,
                                enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    records: list[Any] = []
    deadline = time.monotonic() + timeout_s
    last = time.monotonic()
    try:
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for part in batch.values():
                records.extend(part)
            if batch:
                last = time.monotonic()
                if done(records):
                    break
            elif records and time.monotonic() - last > idle_s:
                break
    finally:
        await consumer.stop()
    return records


class Seen:
    """Tracks which articles reached ``incidents``; complete once every expected one did."""

    def __init__(self, expected: set[str]) -> None:
        self.expected, self.seen, self.read = expected, set[str](), 0

    def complete(self, records: list[Any]) -> bool:
        """Whether ``records`` (growing between calls) cover every expected article."""
        self.seen.update(orjson.loads(r.value)["article_id"] for r in records[self.read:])
        self.read = len(records)
        return self.expected <= self.seen


def article_ids(records: list[Any]) -> set[str]:
    return {orjson.loads(r.value)["article_id"] for r in records}
