"""Fault runs on a real broker: kill, rebalance, broker restart, bad input, replay.

Each run creates its own topics and app id, feeds a corpus from ``harness.corpus`` in two
halves with the fault in between, waits until the worker's consumer group has committed every
input to its end, reads ``incidents``, ``alerts`` and ``articles.dlq`` back and compares them
with what the pure processors compute offline from the same input (``expected_outputs``):

* incidents: every expected incident id is found (``missing``), none is found with two
  different payloads (``duplicated``: a second event id, version or content for one report),
  none that the input does not give (``unexpected``); identical copies of a record are
  at-least-once redeliveries (``redelivered``), which every consumer may drop by id;
* regional counts: distinct events per region and week, from the newest version of each event;
* alerts: the distinct alerts in order equal ``run_offline`` on the expected incidents.

A fault that restarts the broker uses a ``DedicatedBroker`` of its own (own home, own free
ports, the shared jars), never the shared one. ``scripts/reliability.py`` runs the faults at
scale; ``tests/integration/test_reliability.py`` runs them small.
"""

from __future__ import annotations

import asyncio
import itertools
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient

from harness.corpus import hostile_messages
from harness.outcomes import (  # noqa: F401 - Counts and read_topic are used from here too
    Counts,
    Expected,
    Records,
    compare,
    expected_outputs,
    limits_of,
    read_topic,
    regional_counts,
    stream_alerts,
)
from streams import broker, topics
from streams.client import connection_options, produce
from streams.demo import DEMO_GRACE_DAYS, free_port, start_worker, stop_worker, wait_healthy
from streams.replay import DERIVED, run_replay, wait_caught_up
from streams.settings import Settings

# A killed worker's partitions move after this; short, so a fault run waits seconds, not a minute.
SESSION_TIMEOUT_S = 10.0


# -- brokers and workers ------------------------------------------------------------------


class DedicatedBroker:
    """A single-node broker of its own (home, ports, data) sharing the downloaded jars."""

    def __init__(self, workdir: Path, *, shared: Settings | None = None) -> None:
        shared = shared or Settings()
        home = workdir / "kafka"
        home.mkdir(parents=True, exist_ok=True)
        libs = home / "libs"
        if not libs.exists():
            libs.symlink_to((shared.kafka_home / "libs").resolve())
        port = free_port()
        controller = free_port()
        while controller == port:
            controller = free_port()
        self.settings = Settings(kafka_home=home, kafka_port=port,
                                 kafka_controller_port=controller,
                                 bootstrap_servers=f"127.0.0.1:{port}")

    def start(self) -> None:
        """Start (or restart) the broker and wait until it answers."""
        broker.start(self.settings)

    def stop(self) -> None:
        """Stop the broker (SIGTERM, SIGKILL after 30 s)."""
        broker.stop(self.settings)


@contextmanager
def dedicated_broker(workdir: Path) -> Iterator[DedicatedBroker]:
    """A started ``DedicatedBroker``, stopped on exit."""
    node = DedicatedBroker(workdir)
    node.start()
    try:
        yield node
    finally:
        node.stop()


class Worker:
    """A ``sitrep worker`` subprocess that can be killed, stopped and waited on."""

    def __init__(self, settings: Settings, workdir: Path, name: str) -> None:
        self.settings = settings.model_copy(update={
            "web_port": free_port(), "data_dir": workdir / name})
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.log = workdir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, ready_timeout: float = 120.0) -> Worker:
        """Start the worker and wait until its /health says ready."""
        self.process = start_worker(self.settings, log=self.log)
        failure = wait_healthy(self.settings, self.process,
                               deadline=time.monotonic() + ready_timeout)
        if failure is not None:
            raise RuntimeError(f"{failure} ({ready_timeout} s):\n{self.log_tail()}")
        return self

    def alive(self) -> bool:
        """True while the subprocess runs."""
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no commit, no flush, no goodbye to the group."""
        if self.process is not None and self.alive():
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> int | None:
        """SIGTERM and wait (a clean leave of the group)."""
        return stop_worker(self.process) if self.process is not None else None

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the worker's output, for failure messages."""
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"


# -- one run --------------------------------------------------------------------------------


@dataclass
class Run:
    """One fault run's settings (own topics and app id), workdir and corpus."""

    settings: Settings
    workdir: Path
    records: Records
    expected: Expected

    @classmethod
    def create(cls, bootstrap_settings: Settings, workdir: Path, name: str,
               records: Records) -> Run:
        """Fresh topics ``<name>.*`` and app id ``sitrep-<name>`` on the given broker."""
        settings = bootstrap_settings.model_copy(update={
            "app_id": f"sitrep-{name}", "topic_prefix": f"{name}.", "partitions": 1,
            "grace_days": DEMO_GRACE_DAYS, "data_dir": workdir / "worker",
            "session_timeout_seconds": SESSION_TIMEOUT_S})
        broker.create_topics(settings, [settings.topic(t) for t in topics.ALL], partitions=1)
        workdir.mkdir(parents=True, exist_ok=True)
        return cls(settings, workdir, records, expected_outputs(records, settings))

    def worker(self, name: str = "worker-1") -> Worker:
        """A worker of this run (not started)."""
        return Worker(self.settings, self.workdir, name)

    def feed(self, records: Records) -> None:
        """Send records to the run's articles topic (idempotent producer, acks=all)."""
        asyncio.run(produce(self.settings, self.settings.topic(topics.ARTICLES), records))

    def incidents_out(self) -> int:
        """How many records the incidents topic holds now."""
        return len(read_topic(self.settings, self.settings.topic(topics.INCIDENTS)))

    def wait_progress(self, fraction: float, *, timeout: float = 120.0) -> int:
        """Wait until ``fraction`` of the expected incidents have come out; return the count."""
        goal = int(len(self.expected.incidents) * fraction)
        deadline = time.monotonic() + timeout
        count = 0
        while time.monotonic() < deadline:
            count = self.incidents_out()
            if count >= goal:
                break
            time.sleep(0.3)
        return count

    def finish(self, fault: str, *, started: float, timeout: float = 300.0,
               alive: Callable[[], bool] | None = None) -> Counts:
        """Wait until the worker caught up, read the outputs back and compare."""
        caught_up = wait_caught_up(self.settings, timeout=timeout, alive=alive)
        counts = compare(
            fault, len(self.records), self.expected,
            [r.value for r in read_topic(self.settings, self.settings.topic(topics.INCIDENTS))],
            [r.value for r in read_topic(self.settings, self.settings.topic(topics.ALERTS))])
        counts.caught_up = caught_up
        counts.seconds = round(time.monotonic() - started, 1)
        return counts


def _halves(records: Records) -> tuple[Records, Records]:
    middle = len(records) // 2
    return records[:middle], records[middle:]


def run_kill(bootstrap: Settings, workdir: Path, records: Records, *, name: str) -> Counts:
    """(a) SIGKILL the worker mid-stream, restart it, feed the rest."""
    started = time.monotonic()
    run = Run.create(bootstrap, workdir, name, records)
    first, second = _halves(records)
    worker = run.worker("worker-1").start()
    try:
        run.feed(first)
        run.wait_progress(0.25)
        worker.kill()
        worker = run.worker("worker-2").start()
        run.feed(second)
        counts = run.finish("kill", started=started, alive=worker.alive)
    finally:
        worker.stop()
    return counts


def run_rebalance(bootstrap: Settings, workdir: Path, records: Records, *, name: str) -> Counts:
    """(b) Start a second worker mid-stream, then stop the first."""
    started = time.monotonic()
    run = Run.create(bootstrap, workdir, name, records)
    first, second = _halves(records)
    one = run.worker("worker-1").start()
    two = run.worker("worker-2")
    try:
        run.feed(first)
        run.wait_progress(0.25)
        two.start()
        run.feed(second)
        run.wait_progress(0.6)
        one.stop()
        counts = run.finish("rebalance", started=started, alive=two.alive)
    finally:
        one.stop()
        two.stop()
    return counts


def run_broker_restart(workdir: Path, records: Records, *, name: str,
                       down_seconds: float = 5.0) -> Counts:
    """(c) Stop and restart a dedicated broker mid-stream; the worker keeps running."""
    started = time.monotonic()
    with dedicated_broker(workdir / "broker") as node:
        run = Run.create(node.settings, workdir, name, records)
        first, second = _halves(records)
        worker = run.worker("worker-1").start()
        try:
            run.feed(first)
            run.wait_progress(0.25)
            node.stop()
            time.sleep(down_seconds)
            node.start()
            run.feed(second)
            counts = run.finish("broker_restart", started=started, alive=worker.alive)
            counts.extra["worker_survived"] = worker.alive()
            if not worker.alive():
                counts.extra["ok"] = False
        finally:
            worker.stop()
    return counts


def run_bad_input(bootstrap: Settings, workdir: Path, records: Records, *,
                  name: str) -> Counts:
    """Hostile and malformed messages between valid articles, through the real broker: the
    worker keeps running, every bad message is dead-lettered with a reason and its original
    bytes, no good one is, and every good one is processed."""
    started = time.monotonic()
    messages = hostile_messages()
    mixed: Records = []
    good_articles = iter(records)
    for message in messages:  # each bad message sits between valid articles
        mixed.append((message.key, message.value))
        mixed.extend(itertools.islice(good_articles, 3))
    mixed.extend(good_articles)
    run = Run.create(bootstrap, workdir, name, mixed)
    worker = run.worker().start()
    try:
        run.feed(mixed)
        counts = run.finish("bad_input", started=started, alive=worker.alive)
        counts.extra["worker_survived"] = worker.alive()
    finally:
        worker.stop()
    dead = read_topic(run.settings, run.settings.topic(topics.ARTICLES_DLQ))
    by_key = {record.key: record for record in dead}
    bad = [m for m in messages if m.bad]
    good_keys = {key for key, _ in mixed} - {m.key for m in bad}
    intact = [m for m in bad if m.key in by_key and by_key[m.key].value == m.value
              and dict(by_key[m.key].headers).get("reason")]
    sent: Counter[str] = Counter(m.kind for m in messages)
    on_dlq: Counter[str] = Counter(m.kind for m in messages if m.key in by_key)
    counts.extra.update(
        sent={k: sent[k] for k in sorted(sent)}, dead_lettered={k: on_dlq[k] for k in sorted(sent)},
        bad_sent=len(bad), bad_on_dlq=sum(1 for m in bad if m.key in by_key),
        bad_intact=len(intact), good_sent=len(good_keys),
        good_on_dlq=sum(1 for key in by_key if key in good_keys),
        reasons=dict(sorted(Counter(dict(by_key[m.key].headers)["reason"].decode()
                                    for m in intact).items())))
    counts.extra["ok"] = (counts.extra["worker_survived"] and len(intact) == len(bad)
                          and counts.extra["good_on_dlq"] == 0 and len(dead) == len(bad))
    return counts


def changelog_state(settings: Settings) -> dict[str, dict[bytes, bytes]]:
    """The final state of every table of a worker: last value per key of each changelog."""

    async def names() -> list[str]:
        admin = AIOKafkaAdminClient(**connection_options(settings))
        await admin.start()
        try:
            return sorted(t for t in await admin.list_topics()
                          if t.startswith(f"{settings.app_id}-") and t.endswith("-changelog")
                          and not t.startswith(f"{settings.app_id}-replay-"))
        finally:
            await admin.close()

    state: dict[str, dict[bytes, bytes]] = {}
    for topic in asyncio.run(names()):
        table: dict[bytes, bytes] = {}
        for record in read_topic(settings, topic):
            if record.value is None:
                table.pop(record.key, None)
            else:
                table[record.key] = record.value
        state[topic.removeprefix(f"{settings.app_id}-")] = table
    return state


def topic_contents(settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    """Key, value and headers of every record of the derived topics, in order (record
    timestamps, the processing times, are left out)."""
    return {name: [(r.key, r.value, tuple(r.headers)) for r in
                   read_topic(settings, settings.topic(name))] for name in DERIVED}


def run_replay_equality(bootstrap: Settings, workdir: Path, records: Records, *,
                        name: str) -> Counts:
    """A first, uninterrupted run, then ``sitrep replay``: derived topics and table state
    equal byte for byte (processing timestamps aside)."""
    started = time.monotonic()
    run = Run.create(bootstrap, workdir, name, records)
    worker = run.worker().start()
    try:
        run.feed(records)
        counts = run.finish("replay", started=started, alive=worker.alive)
    finally:
        worker.stop()
    result = run_replay(run.settings, tag="r1", timeout=300.0)
    first, again = topic_contents(run.settings), topic_contents(result.settings)
    first_state, again_state = changelog_state(run.settings), changelog_state(result.settings)
    counts.extra.update(
        replay_caught_up=result.caught_up,
        records_compared=sum(len(v) for v in first.values()),
        topics_equal={name: first[name] == again[name] for name in DERIVED},
        tables_equal={t: first_state[t] == again_state.get(t) for t in first_state},
    )
    counts.extra["ok"] = (result.caught_up and all(counts.extra["topics_equal"].values())
                          and bool(first_state) and all(counts.extra["tables_equal"].values()))
    return counts


__all__ = ["Counts", "DedicatedBroker", "Expected", "Run", "Worker", "compare",
           "dedicated_broker", "expected_outputs", "read_topic", "regional_counts",
           "run_bad_input", "run_broker_restart", "run_kill", "run_rebalance",
           "run_replay_equality"]
