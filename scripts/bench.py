"""Throughput, latency and memory of sitrep on the real broker (``make bench``, issue 7).

Every stage runs on fresh topics (a ``bench-<run>-<stage>.`` prefix, deleted afterwards)
of the local broker, which is started if none runs and stopped only if started here. The
articles come from ``scripts/bench_extract.py``'s generator (paragraphs of the project's own
fixtures, about 5 kB each, the length of the seed articles); article ``n`` takes the text of
base article ``n mod base`` and its own id and publication day, on a schedule of event days
(six articles a day, forty a day three weeks in every twelve) so that weeks close, regions
have baselines and spikes raise alerts. What each figure means:

* ``extract_articles_per_s``: ``extract_incidents`` in this process, one core, over the
  same articles the stream stages get; median of ``--runs`` passes.
* ``passthrough_articles_per_s``: ``harness.passthrough`` (a faust worker on sitrep's faust
  options that decodes each article as ``ingest`` does and forwards it), one worker.
* ``e2e_articles_per_s``: the sitrep worker (ingest, correlate, detect), one worker.
  Throughput of a worker is measured on a *pre-loaded backlog*: the worker starts on fresh
  topics and is waited for until ``/health`` says ready, then ``--articles`` articles are
  produced at full speed (the producer outruns a worker many times over, so the worker
  always has a backlog) and the rate is ``(articles - 1) / (t_last - t_first)``, where ``t``
  are the CreateTime timestamps the worker's own producer stamps on its output records
  (``passthrough`` or ``incidents``), first and last. Startup, group join and the first
  article's latency are outside the window. The detect agent runs in the same process and
  event loop as the others, so its work is inside the window too.
* ``extract_vs_passthrough``: ``extract_articles_per_s`` / ``passthrough_articles_per_s``,
  printed beside the issue's figures as the bound on ``e2e_vs_passthrough``: a worker runs the
  extractor on every article in its one thread, so it cannot outrun the pure extractor even if
  the framework cost nothing (and a worker spread over both cores would leave no room for
  ``two_workers_vs_one``).
* ``two_workers_vs_one``: the same over four partitions, two workers against one.
* ``p50/p99_ingest_to_incident_ms``: articles produced one by one at a steady ``--rate``
  (50/s) with the send time as the record timestamp; for each article, the timestamp of
  its first record on ``incidents`` (stamped by the correlate agent when it sends) minus
  the article's. The first two seconds are warm-up and not counted.
* ``p99_incident_to_alert_ms``: an alert leaves once event time closes its week. Replaying
  the ``incidents`` topic (one partition, in order) with the detector's watermark rule
  (newest event date; a week closes when its end plus ``grace_days`` lies before it) gives,
  for each alert record, the incident record that closed its week; the figure is the alert
  record's timestamp minus that incident record's.
* ``worker_rss_mb_start/end``: VmRSS of one worker fed ``--memory-articles`` (100 000) as a
  backlog, read from ``/proc/<pid>/status`` once the worker has consumed the warm-up (a fifth
  of them, about four years of event time, past every retention horizon: the detector's
  baseline, guard and scan weeks, 116 by default, and the correlator's
  ``dedup_retention_days``) and again after the last one. The stage's topics keep every
  record (the local broker would delete the unread head of a partition past 256 MiB) and the
  run fails unless the worker read every article. The correlator's tombstones of expired
  events, at most ``dedup_tombstones``, are still filling after the warm-up: the notes give
  their count at both readings.

Run: ``.venv/bin/python scripts/bench.py [--quick] [--articles N] [--runs R]
[--memory-articles N] [--rate 50] [--latency-seconds 60]``. The table comes first; the
last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_extract import build_corpus

from harness.passthrough import OUTPUT as PASSTHROUGH
from processors.detect.aggregate import last_closed_week, week_of
from processors.extract.pipeline import extract_incidents, prepare
from processors.models import Article
from streams import broker, topics
from streams.client import connection_options, produce
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


def _shared_cpu_s(broker_pid: int | None) -> tuple[float, float]:
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


async def _follow(settings: Settings, topic: str, *, done: Callable[[list[Any]], bool],
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


class _Seen:
    """Tracks which articles reached ``incidents``; complete once every expected one did."""

    def __init__(self, expected: set[str]) -> None:
        self.expected, self.seen, self.read = expected, set[str](), 0

    def complete(self, records: list[Any]) -> bool:
        """Whether ``records`` (growing between calls) cover every expected article."""
        self.seen.update(orjson.loads(r.value)["article_id"] for r in records[self.read:])
        self.read = len(records)
        return self.expected <= self.seen


def _article_ids(records: list[Any]) -> set[str]:
    return {orjson.loads(r.value)["article_id"] for r in records}


# -- the measurements ---------------------------------------------------------------------------


def measure_extract(corpus: Corpus, count: int, runs: int) -> tuple[float, set[str], int]:
    """Median articles/s of the extractor over articles 0..count-1; ids with incidents."""
    prepare()
    articles = [corpus.article(n) for n in range(count)]
    with_incidents = set()
    incidents = 0
    for article in articles:  # warm-up pass, and what the stream should produce
        found = extract_incidents(article, fallback_date=article.published_date())
        incidents += len(found)
        if found:
            with_incidents.add(article.id)
    rates = []
    for _ in range(runs):
        started = time.perf_counter()
        for article in articles:
            extract_incidents(article, fallback_date=article.published_date())
        rates.append(count / (time.perf_counter() - started))
    return statistics.median(rates), with_incidents, incidents


def measure_throughput(base: Settings, run: str, corpus: Corpus, count: int, *, kind: str,
                       workers: int, partitions: int, expected: set[str],
                       workdir: Path) -> float:
    """Articles/s of ``workers`` workers of ``kind`` over a pre-loaded backlog of ``count``."""
    stage = Stage(base, f"bench-{run}-{kind}{workers}", partitions, workdir / kind)
    stage.workdir.mkdir(parents=True, exist_ok=True)
    try:
        stage.start(workers, module="harness.passthrough" if kind == "pass" else "streams.cli")
        settings = stage.main
        broker_pid = broker.status(base).pid
        cpu, shared = stage.cpu_s(), _shared_cpu_s(broker_pid)
        asyncio.run(produce(settings, settings.topic(topics.ARTICLES), corpus.records(0, count)))
        if kind == "pass":
            out = asyncio.run(_follow(settings, settings.topic(PASSTHROUGH), idle_s=15,
                                      timeout_s=600, done=lambda rs: len(rs) >= count))
            got = len(out)
        else:
            seen = _Seen(expected)
            out = asyncio.run(_follow(settings, settings.topic(topics.INCIDENTS), idle_s=15,
                                      timeout_s=900, done=seen.complete))
            got = len(_article_ids(out))
            if not expected <= _article_ids(out):
                print(f"  warning: {len(expected - _article_ids(out))} articles gave no incident "
                      "in the stream", file=sys.stderr)
        cpu_each = [1000 * (b - a) / count for a, b in zip(cpu, stage.cpu_s(), strict=True)]
        broker_ms, bench_ms = (1000 * (b - a) / count
                               for a, b in zip(shared, _shared_cpu_s(broker_pid), strict=True))
        stamps = sorted(r.timestamp for r in out)
        if len(stamps) < 2 or stamps[-1] == stamps[0]:
            raise RuntimeError(f"{stage.name}: {len(out)} output records\n{stage.log(0)}")
        rate = (count - 1) / ((stamps[-1] - stamps[0]) / 1000)
        print(f"  {kind} workers={workers} partitions={partitions}: {got} of {count} articles "
              f"out, {rate:.0f} articles/s, worker CPU {sum(cpu_each):.2f} ms/article"
              + (f" ({' + '.join(f'{c:.2f}' for c in cpu_each)})" if workers > 1 else "")
              + f"; broker {broker_ms:.2f}, bench process {bench_ms:.2f} ms/article",
              file=sys.stderr)
        return rate
    finally:
        stage.stop()


async def _paced(settings: Settings, corpus: Corpus, count: int, rate: float) -> dict[str, int]:
    """Produce ``count`` articles at ``rate`` per second, each stamped with its send time."""
    producer = AIOKafkaProducer(**connection_options(settings), acks="all", linger_ms=0,
                                enable_idempotence=True, max_request_size=2_000_000)
    await producer.start()
    sent: dict[str, int] = {}
    pending = []
    try:
        started = time.monotonic()
        for n in range(count):
            delay = started + n / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            key, value = corpus.record(n)
            stamp = int(time.time() * 1000)
            pending.append(await producer.send(settings.topic(topics.ARTICLES), value=value,
                                               key=key, timestamp_ms=stamp))
            sent[key.decode()] = stamp
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return sent


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def measure_latency(base: Settings, run: str, corpus: Corpus, *, rate: float, seconds: float,
                    workdir: Path) -> dict[str, Any]:
    """Ingest-to-incident and incident-to-alert latencies at a steady ``rate``."""
    stage = Stage(base, f"bench-{run}-latency", 1, workdir / "latency")
    stage.workdir.mkdir(parents=True, exist_ok=True)
    count = int(rate * seconds)
    try:
        stage.start(1)
        settings = stage.main
        sent = asyncio.run(_paced(settings, corpus, count, rate))
        incidents = asyncio.run(_follow(settings, settings.topic(topics.INCIDENTS), idle_s=10,
                                        timeout_s=120, done=lambda rs: False))
        alerts = asyncio.run(_follow(settings, settings.topic(topics.ALERTS), idle_s=3,
                                     timeout_s=20, done=lambda rs: False))
    finally:
        stage.stop()
    warm = int(rate * 2)
    counted = {f"bench-{n}" for n in range(warm, count)}
    first: dict[str, int] = {}
    for record in incidents:
        article = orjson.loads(record.value)["article_id"]
        first[article] = min(first.get(article, record.timestamp), record.timestamp)
    ingest = [first[a] - sent[a] for a in first if a in counted]
    closing = _closing_incidents(incidents, grace_days=base.grace_days)
    to_alert = []
    for record in alerts:
        week = week_of(dt.date.fromisoformat(orjson.loads(record.value)["window_end"]))
        cause = next((stamp for closed, stamp in closing if closed >= week), None)
        if cause is not None:
            to_alert.append(record.timestamp - cause)
    return {"articles": count, "incidents": len(incidents), "alerts": len(alerts),
            "measured": len(ingest), "alerts_matched": len(to_alert),
            "p50_ingest": _percentile(ingest, 50), "p99_ingest": _percentile(ingest, 99),
            "max_ingest": max(ingest, default=float("nan")),
            "p50_alert": _percentile(to_alert, 50), "p99_alert": _percentile(to_alert, 99)}


def _closing_incidents(records: list[Any], *, grace_days: int) -> list[tuple[int, int]]:
    """(newest closed week, record timestamp) at each incident that closed a week, in order."""
    out: list[tuple[int, int]] = []
    mark: dt.date | None = None
    closed: int | None = None
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        day = orjson.loads(record.value).get("event_date")
        if day is None:
            continue
        date = dt.date.fromisoformat(day)
        if mark is None or date > mark:
            mark = date
            now = last_closed_week(mark, grace_days=grace_days)
            if closed is None or now > closed:
                closed = now
                out.append((now, record.timestamp))
    return out


def measure_memory(base: Settings, run: str, corpus: Corpus, count: int,
                   workdir: Path) -> dict[str, Any]:
    """Worker RSS after the warm-up fifth of ``count`` articles and after all of them."""
    stage = Stage(base, f"bench-{run}-memory", 1, workdir / "memory")
    stage.workdir.mkdir(parents=True, exist_ok=True)
    warm = count // 5
    try:
        stage.start(1)
        settings = stage.main
        started = time.monotonic()
        # 100 000 articles span years of event time, past today: each record is stamped with
        # its publication day (as a backfill would be), so ingest does not reject it.
        asyncio.run(_produce_stamped(settings, corpus, count))
        samples: list[tuple[int, float]] = []
        rss_start = asyncio.run(_wait_consumed(stage, warm, samples))
        tombstones_start = stage.metric("sitrep_dedup_tombstones")
        rss_end = asyncio.run(_wait_consumed(stage, count, samples))
        tombstones_end = stage.metric("sitrep_dedup_tombstones")
        elapsed = time.monotonic() - started
        processed = stage.metric("sitrep_articles_consumed_total")
        if processed < count:  # committed offsets past articles the worker never saw
            raise RuntimeError(f"the memory worker read {processed:.0f} of {count} articles")
    finally:
        stage.stop()
    return {"articles": count, "warm_up": warm, "rss_start": rss_start, "rss_end": rss_end,
            "rss_max": max(rss for _, rss in samples), "seconds": elapsed,
            "event_days": (corpus.day(count - 1) - corpus.day(warm)).days,
            "tombstones": (int(tombstones_start), int(tombstones_end))}


async def _produce_stamped(settings: Settings, corpus: Corpus, count: int) -> None:
    producer = AIOKafkaProducer(**connection_options(settings), acks="all", linger_ms=5,
                                enable_idempotence=True, max_request_size=2_000_000)
    await producer.start()
    try:
        pending = []
        for n in range(count):
            key, value = corpus.record(n)
            pending.append(await producer.send(settings.topic(topics.ARTICLES), value=value,
                                               key=key, timestamp_ms=corpus.stamp_ms(n)))
            if len(pending) >= 1000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def _wait_consumed(stage: Stage, target: int, samples: list[tuple[int, float]]) -> float:
    """Wait until the worker committed ``target`` articles; its RSS then (MiB)."""
    settings = stage.main
    admin = AIOKafkaAdminClient(**connection_options(settings))
    await admin.start()
    topic = settings.topic(topics.ARTICLES)
    try:
        while True:
            if stage.processes[0].poll() is not None:
                raise RuntimeError(f"the memory worker exited:\n{stage.log(0)}")
            offsets = await admin.list_consumer_group_offsets(settings.app_id)
            done = sum(meta.offset for tp, meta in offsets.items()
                       if tp.topic == topic and meta.offset > 0)
            rss = stage.rss_mb()
            samples.append((done, rss))
            if done >= target:
                return rss
            await asyncio.sleep(1.0)
    finally:
        await admin.close()


# -- the report ---------------------------------------------------------------------------------


def main() -> None:
    """Run every stage, print the table, then the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="backlog per throughput run")
    parser.add_argument("--runs", type=int, default=3, help="runs per throughput figure")
    parser.add_argument("--rate", type=float, default=50.0, help="articles/s, latency stage")
    parser.add_argument("--latency-seconds", type=float, default=60.0)
    parser.add_argument("--memory-articles", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 300 articles, one run, 15 s latency, 3000 for memory")
    parser.add_argument("--skip", default="", help="comma-separated stages to skip "
                        "(extract,pass,e2e,two,latency,memory)")
    args = parser.parse_args()
    if args.quick:
        args.articles, args.runs, args.latency_seconds = 300, 1, 15.0
        args.memory_articles = 3000
    skip = set(filter(None, args.skip.split(",")))

    settings = Settings()
    run = f"{int(time.time())}"
    workdir = Path(tempfile.mkdtemp(prefix="sitrep-bench-"))
    corpus = Corpus(min(args.articles, 2000))
    result: dict[str, Any] = {}
    notes: list[str] = []
    try:
        with broker.session(settings, announce=lambda m: print(m, file=sys.stderr)):
            result.update(_run(args, skip, settings, run, corpus, workdir, notes))
    finally:
        if os.environ.get("SITREP_BENCH_KEEP") is None:
            shutil.rmtree(workdir, ignore_errors=True)
    _table(result, notes, args)
    print(json.dumps(result))


def _run(args: argparse.Namespace, skip: set[str], settings: Settings, run: str,
         corpus: Corpus, workdir: Path, notes: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    expected: set[str] = set()
    runs = args.runs
    if "extract" not in skip:
        rate, expected, incidents = measure_extract(corpus, args.articles, runs)
        out["extract_articles_per_s"] = round(rate, 1)
        notes.append(f"corpus: {args.articles} articles, "
                     f"{statistics.mean(len(a.body) for a in corpus.base):.0f} chars on average, "
                     f"{incidents} incidents, {len(expected)} articles with one or more")
    else:
        expected = {f"bench-{n}" for n in range(args.articles)}

    def median_of(**kwargs: Any) -> float:
        return statistics.median(
            measure_throughput(settings, f"{run}r{k}", corpus, args.articles, expected=expected,
                               workdir=workdir, **kwargs) for k in range(runs))

    if "pass" not in skip:
        out["passthrough_articles_per_s"] = round(
            median_of(kind="pass", workers=1, partitions=4), 1)
    if "e2e" not in skip:
        out["e2e_articles_per_s"] = round(median_of(kind="e2e", workers=1, partitions=4), 1)
    if "pass" not in skip and "e2e" not in skip:
        out["e2e_vs_passthrough"] = round(
            out["e2e_articles_per_s"] / out["passthrough_articles_per_s"], 3)
    if "pass" not in skip and "extract" not in skip:
        out["extract_vs_passthrough"] = round(
            out["extract_articles_per_s"] / out["passthrough_articles_per_s"], 3)
    if "two" not in skip and "e2e" not in skip:
        two = median_of(kind="e2e", workers=2, partitions=4)
        out["e2e_two_workers_articles_per_s"] = round(two, 1)
        out["two_workers_vs_one"] = round(two / out["e2e_articles_per_s"], 3)
    if "latency" not in skip:
        lat = measure_latency(settings, run, corpus, rate=args.rate,
                              seconds=args.latency_seconds, workdir=workdir)
        out["p50_ingest_to_incident_ms"] = lat["p50_ingest"]
        out["p99_ingest_to_incident_ms"] = lat["p99_ingest"]
        out["p99_incident_to_alert_ms"] = lat["p99_alert"]
        notes.append(f"latency: {lat['articles']} articles at {args.rate:g}/s, "
                     f"{lat['measured']} timed after warm-up, {lat['incidents']} incidents, "
                     f"max ingest→incident {lat['max_ingest']} ms; {lat['alerts']} alert records, "
                     f"{lat['alerts_matched']} matched to the incident that closed their week, "
                     f"p50 incident→alert {lat['p50_alert']} ms")
    if "memory" not in skip:
        mem = measure_memory(settings, run, corpus, args.memory_articles, workdir)
        out["worker_rss_mb_start"] = round(mem["rss_start"], 1)
        out["worker_rss_mb_end"] = round(mem["rss_end"], 1)
        out["worker_rss_growth"] = round(mem["rss_end"] / mem["rss_start"] - 1, 3)
        notes.append(f"memory: {mem['articles']} articles in {mem['seconds']:.0f} s; RSS read "
                     f"after {mem['warm_up']} and after all ({mem['event_days']} event days "
                     f"apart); peak {mem['rss_max']:.1f} MiB; correlator tombstones "
                     f"{mem['tombstones'][0]} → {mem['tombstones'][1]} "
                     f"(capped at dedup_tombstones, {settings.dedup_tombstones})")
    return out


BARS = {"extract_articles_per_s": (">=", 300), "e2e_vs_passthrough": (">=", 0.5),
        "two_workers_vs_one": (">=", 1.4), "p99_ingest_to_incident_ms": ("<=", 250),
        "p99_incident_to_alert_ms": ("<=", 1000), "worker_rss_growth": ("<=", 0.2)}


def _table(result: dict[str, Any], notes: list[str], args: argparse.Namespace) -> None:
    print(f"sitrep bench: {args.articles} articles per throughput run, median of {args.runs} "
          f"run(s), {os.cpu_count()} cores")
    for note in notes:
        print(f"  {note}")
    print(f"{'figure':34} {'value':>12}  {'bar':>10}  ok")
    for key, value in result.items():
        bar = BARS.get(key)
        ok = ""
        if bar is not None:
            op, limit = bar
            ok = "yes" if (value >= limit if op == ">=" else value <= limit) else "NO"
        shown = f"{op} {limit}" if bar else ""
        print(f"{key:34} {value:>12}  {shown:>10}  {ok}")


if __name__ == "__main__":
    main()
