"""The measurements of ``make bench`` (``scripts/bench.py``): extraction, throughput,
latency and memory, each on a ``bench_stages.Stage``; what each figure means is in
``scripts/bench.py``'s docstring.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))


from bench_stages import Corpus, Seen, Stage, article_ids, follow, shared_cpu_s

from harness.passthrough import OUTPUT as PASSTHROUGH
from processors.detect.aggregate import last_closed_week, week_of
from processors.extract.pipeline import extract_incidents, prepare
from streams import broker, topics
from streams.client import connection_options, produce
from streams.settings import Settings

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
        cpu, shared = stage.cpu_s(), shared_cpu_s(broker_pid)
        asyncio.run(produce(settings, settings.topic(topics.ARTICLES), corpus.records(0, count)))
        if kind == "pass":
            out = asyncio.run(follow(settings, settings.topic(PASSTHROUGH), idle_s=15,
                                      timeout_s=600, done=lambda rs: len(rs) >= count))
            got = len(out)
        else:
            seen = Seen(expected)
            out = asyncio.run(follow(settings, settings.topic(topics.INCIDENTS), idle_s=15,
                                      timeout_s=900, done=seen.complete))
            got = len(article_ids(out))
            if not expected <= article_ids(out):
                print(f"  warning: {len(expected - article_ids(out))} articles gave no incident "
                      "in the stream", file=sys.stderr)
        cpu_each = [1000 * (b - a) / count for a, b in zip(cpu, stage.cpu_s(), strict=True)]
        broker_ms, bench_ms = (1000 * (b - a) / count
                               for a, b in zip(shared, shared_cpu_s(broker_pid), strict=True))
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


async def paced(settings: Settings, corpus: Corpus, count: int, rate: float) -> dict[str, int]:
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
        sent = asyncio.run(paced(settings, corpus, count, rate))
        incidents = asyncio.run(follow(settings, settings.topic(topics.INCIDENTS), idle_s=10,
                                        timeout_s=120, done=lambda rs: False))
        alerts = asyncio.run(follow(settings, settings.topic(topics.ALERTS), idle_s=3,
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
