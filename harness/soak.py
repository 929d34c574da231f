"""Chaos soak: the pipeline on a real broker for a set time under a seeded schedule of faults.

A dedicated broker (``faults.DedicatedBroker``: own home and free ports, never the shared one,
since the schedule restarts it) carries one run's topics. A feeder thread sends the articles of
``harness.corpus.event_articles`` at a steady rate for the whole fault phase while the schedule
(``fault_schedule``, one seed gives the same faults at the same times) injects, one after
another:

* ``kill``            SIGKILL of a running worker (no commit, no goodbye), a new one started;
* ``join``/``leave``  a second worker joins the group, later one of the two leaves (SIGTERM);
* ``broker_restart``  the broker stopped, down a few seconds, started again;
* ``hostile_burst``   every bad message of ``corpus.hostile_messages`` at once, fresh keys.

Then the feed ends, the group drains, and the topics are read back. What must come out is
computed offline from what the ``articles`` topic holds (``faults.expected_outputs``, in
partition order, so a feeder retry that wrote a record twice is accounted for) and compared
as ``faults.compare`` does: every expected incident found, none with two payloads, the alerts
equal to those of an undisturbed worker and to ``run_offline``, every bad message on the
dead-letter topic with its original bytes and a reason, and no good one.

The valid edge cases of the hostile corpus (HTML, other scripts, control characters, a
redelivered and a re-versioned id, a missing date) are not fed in the bursts but at their
place in publication order, as a real feed carries them: their events are dated 2024-05-01
(the missing date: the record's day), and one dated months ahead of the stream would move the
detector's watermark there, after which every later event is late and no alert can differ.
"""

from __future__ import annotations

import asyncio
import bisect
import queue
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer

from harness.corpus import WEEKS, Message, event_articles, hostile_messages
from harness.faults import DedicatedBroker, Run, Worker, compare, expected_outputs, read_topic
from streams import topics
from streams.client import connection_options
from streams.replay import wait_caught_up

Records = list[tuple[bytes, bytes]]
# The schedule draws each of these once a round; the second-worker fault is a join
# when one worker runs and a leave when two do.
FAULT_KINDS = ("kill", "second_worker", "broker_restart", "hostile_burst")
BROKER_DOWN_S = 5.0
READY_TIMEOUT_S = 180.0
_TICK_S = 0.2


@dataclass(frozen=True, slots=True)
class Fault:
    """One scheduled fault: when (seconds into the fault phase) and what."""

    at: float
    kind: str


def fault_schedule(seconds: float, *, count: int, seed: int) -> list[Fault]:
    """``count`` faults spread over ``seconds`` with seeded jitter. Kinds are drawn as rounds
    of a shuffled deck, so any four faults in a row hold every kind; ``second_worker`` becomes
    ``join`` or ``leave`` by whether the second worker is there."""
    rng = random.Random(seed)
    gap = seconds / (count + 1)
    kinds: list[str] = []
    while len(kinds) < count:
        deck = list(FAULT_KINDS)
        rng.shuffle(deck)
        kinds.extend(deck)
    faults: list[Fault] = []
    two = False
    for n, kind in enumerate(kinds[:count]):
        if kind == "second_worker":
            kind, two = ("leave" if two else "join"), not two
        faults.append(Fault(at=round(gap * (n + 1) + rng.uniform(-0.3, 0.3) * gap, 1),
                            kind=kind))
    return faults


def soak_stream(articles: int, *, seed: int, weeks: int = WEEKS) -> tuple[Records, list[Message]]:
    """The soak's planned feed (corpus articles with the hostile corpus' valid edge cases at
    their publication-order place) and the bad messages the bursts send."""
    records = event_articles(articles, seed=seed, prefix="soak", weeks=weeks)
    hostile = hostile_messages()
    good = [m for m in hostile if not m.bad]
    published = [orjson.loads(value)["published_at"] for _, value in records]
    dated = [(m.key, m.value) for m in good if orjson.loads(m.value).get("published_at")]
    undated = [(m.key, m.value) for m in good if not orjson.loads(m.value).get("published_at")]
    day = min(str(orjson.loads(value)["published_at"])[:10] for _, value in dated)
    at = bisect.bisect_left(published, day)
    return records[:at] + dated + records[at:] + undated, [m for m in hostile if m.bad]


async def deliver(producer: AIOKafkaProducer, topic: str, batch: Records, *,
                  halt: threading.Event, backoff: float = 1.0) -> tuple[int, int]:
    """Send ``batch`` and send again what was not acknowledged (the broker is away) until all
    is or ``halt`` is set; return (records acknowledged, rounds retried)."""
    sent = retries = 0
    while batch and not halt.is_set():
        futures: list[Any] = []
        try:
            for key, value in batch:
                futures.append(await producer.send(topic, value=value, key=key))
        except Exception:  # no metadata in time: the rest is sent again below
            pass
        results = await asyncio.gather(*futures, return_exceptions=True)
        sent += sum(1 for r in results if not isinstance(r, BaseException))
        batch = [record for record, result in zip(batch, results, strict=False)
                 if isinstance(result, BaseException)] + batch[len(futures):]
        if batch:
            retries += 1
            await asyncio.sleep(backoff)
    return sent, retries


class Feeder(threading.Thread):
    """Sends a planned feed at a steady rate with one idempotent producer, bursts in between;
    a failed send is retried until the record is acknowledged."""

    def __init__(self, run: Run, stream: Records, *, rate: float) -> None:
        super().__init__(name="soak-feeder", daemon=True)
        self.settings = run.settings
        self.topic = run.settings.topic(topics.ARTICLES)
        self.stream = stream
        self.rate = rate
        self.bursts: queue.SimpleQueue[Records] = queue.SimpleQueue()
        self.sent = 0
        self.retries = 0
        self.error: str | None = None
        self.halt = threading.Event()

    def burst(self, records: Records) -> None:
        """Send these records before the next planned ones."""
        self.bursts.put(records)

    def run(self) -> None:
        """The thread's body: its own event loop, one producer."""
        try:
            asyncio.run(self._feed())
        except Exception as exc:  # reported in the verdict; the soak then fails
            self.error = f"{type(exc).__name__}: {exc}"

    async def _feed(self) -> None:
        producer = AIOKafkaProducer(
            **connection_options(self.settings), enable_idempotence=True, acks="all",
            linger_ms=5, request_timeout_ms=30_000,
            max_request_size=max(self.settings.max_message_bytes * 2, 1_048_576))
        await producer.start()
        try:
            started = time.monotonic()
            position = 0
            while not self.halt.is_set() and (position < len(self.stream)
                                              or not self.bursts.empty()):
                batch: Records = []
                while not self.bursts.empty():
                    batch.extend(self.bursts.get())
                due = min(len(self.stream), int(self.rate * (time.monotonic() - started)))
                batch.extend(self.stream[position:due])
                position = max(position, due)
                sent, retries = await deliver(producer, self.topic, batch, halt=self.halt)
                self.sent += sent
                self.retries += retries
                await asyncio.sleep(_TICK_S)
        finally:
            await producer.stop()

@dataclass
class Soak:
    """The running soak: broker, run, workers, feeder, and what happened."""

    node: DedicatedBroker
    run: Run
    feeder: Feeder
    bad: list[Message]
    rng: random.Random
    log: Callable[[str], object]
    workers: list[Worker] = field(default_factory=list)
    started_workers: int = 0
    bursts: int = 0
    unexpected_exits: int = 0
    done: list[dict[str, Any]] = field(default_factory=list)

    def start_worker(self) -> Worker:
        """A new worker (own name and data dir), started and ready."""
        self.started_workers += 1
        worker = self.run.worker(f"worker-{self.started_workers}")
        worker.start(ready_timeout=READY_TIMEOUT_S)
        self.workers.append(worker)
        return worker

    def check_workers(self) -> None:
        """A worker that exited on its own is counted and replaced (one must always run)."""
        for worker in [w for w in self.workers if not w.alive()]:
            self.unexpected_exits += 1
            self.workers.remove(worker)
            self.log(f"worker {worker.log.stem} exited by itself ({worker.log}):\n"
                     f"{worker.log_tail(1500)}")
        if not self.workers:
            self.start_worker()

    def inject(self, fault: Fault) -> None:
        """Apply one fault and wait until the pipeline can go on (workers ready)."""
        began = time.monotonic()
        if fault.kind == "kill":
            victim = self.rng.choice(self.workers)
            victim.kill()
            self.workers.remove(victim)
            self.start_worker()
        elif fault.kind == "join":
            self.start_worker()
        elif fault.kind == "leave":
            if len(self.workers) > 1:
                leaver = self.rng.choice(self.workers)
                leaver.stop()
                self.workers.remove(leaver)
        elif fault.kind == "broker_restart":
            self.node.stop()
            time.sleep(BROKER_DOWN_S)
            self.node.start()
        elif fault.kind == "hostile_burst":
            self.bursts += 1
            self.feeder.burst([(f"burst{self.bursts:02d}-".encode() + m.key, m.value)
                               for m in self.bad])
        self.done.append({"at": fault.at, "kind": fault.kind,
                          "seconds": round(time.monotonic() - began, 1)})

    def stop_all(self) -> None:
        """Stop the feeder and every worker."""
        self.feeder.halt.set()
        for worker in self.workers:
            worker.stop()


def run_soak(workdir: Path, *, minutes: float, seed: int, rate: float,
             faults: int | None = None, weeks: int = WEEKS, drain_timeout: float = 600.0,
             log: Callable[[str], object] = print) -> dict[str, Any]:
    """Run the soak and return its verdict (the JSON object ``scripts/soak.py`` prints)."""
    started = time.monotonic()
    seconds = minutes * 60.0
    count = faults if faults is not None else max(5, round(minutes * 0.8))
    schedule = fault_schedule(seconds, count=count, seed=seed)
    stream, bad = soak_stream(max(1, round(rate * seconds)), seed=seed, weeks=weeks)
    node = DedicatedBroker(workdir / "broker")
    node.start()
    soak: Soak | None = None
    try:
        run = Run.create(node.settings, workdir, f"soak-{seed}-{time.strftime('%H%M%S')}", [])
        feeder = Feeder(run, stream, rate=len(stream) / seconds)
        soak = Soak(node, run, feeder, bad, random.Random(seed), log)
        soak.start_worker()
        log(f"soak: {len(schedule)} faults over {minutes} min, {len(stream)} articles at "
            f"{rate}/s; broker {node.settings.bootstrap_servers}; logs in {workdir}")
        feeder.start()
        phase = time.monotonic()
        for fault in schedule:
            while time.monotonic() - phase < fault.at:
                soak.check_workers()
                time.sleep(0.5)
            soak.check_workers()
            log(f"  t={time.monotonic() - phase:6.1f}s fault {fault.kind}")
            soak.inject(fault)
        while time.monotonic() - phase < seconds or feeder.is_alive():
            soak.check_workers()
            feeder.join(timeout=0.5)
            if time.monotonic() - phase > seconds + drain_timeout:
                break
        soak.check_workers()
        log(f"  t={time.monotonic() - phase:6.1f}s feed done ({feeder.sent} sent, "
            f"{feeder.retries} retries); draining")
        workers = soak.workers
        caught_up = wait_caught_up(run.settings, timeout=drain_timeout,
                                   alive=lambda: any(w.alive() for w in workers))
        verdict = _verdict(soak, stream, caught_up=caught_up)
    finally:
        if soak is not None:
            soak.stop_all()
        node.stop()
    verdict.update(minutes=minutes, seed=seed, rate=rate,
                   seconds=round(time.monotonic() - started, 1))
    return verdict


def _verdict(soak: Soak, stream: Records, *, caught_up: bool) -> dict[str, Any]:
    """Read the topics back and compare them with the offline outputs of the fed articles."""
    settings = soak.run.settings
    fed: Records = [(r.key, r.value) for r in read_topic(settings, settings.topic(topics.ARTICLES))]
    expected = expected_outputs(fed, settings)
    bad_keys = {key for key, _ in fed if key.startswith(b"burst")}
    fed_values = dict(fed)
    counts = compare("soak", len({k for k, _ in fed} - bad_keys), expected,
                     [r.value for r in read_topic(settings, settings.topic(topics.INCIDENTS))],
                     [r.value for r in read_topic(settings, settings.topic(topics.ALERTS))])
    dead = read_topic(settings, settings.topic(topics.ARTICLES_DLQ))
    rejected = set(expected.rejected)
    intact = {r.key for r in dead if r.key in rejected and r.value == fed_values.get(r.key)
              and dict(r.headers).get("reason")}
    good_on_dlq = {r.key for r in dead if r.key not in rejected}
    dead_letters_ok = intact == rejected == bad_keys and not good_on_dlq
    missing_feed = len({k for k, _ in stream} - set(fed_values))
    kinds = Counter(f["kind"] for f in soak.done)
    verdict = {
        "articles_fed": counts.articles, "articles_planned_missing": missing_feed,
        "incidents_expected": counts.incidents_expected, "found": counts.found,
        "missing": counts.missing, "conflicting": counts.duplicated,
        "unexpected": counts.unexpected, "redelivered": counts.redelivered,
        "dead_letters_expected": len(bad_keys), "dead_letters_found": len(intact),
        "dead_letters_copies": len(dead), "good_on_dlq": len(good_on_dlq),
        "alerts_expected": counts.alerts_expected, "alerts_found": counts.alerts_found,
        "alerts_equal": counts.alerts_equal,
        "offline_alerts_equal": counts.extra["offline_alerts_equal"],
        "regions_equal": counts.regions_equal, "caught_up": caught_up,
        "faults": len(soak.done), "faults_by_kind": dict(sorted(kinds.items())),
        "workers_started": soak.started_workers, "worker_exits_unexpected": soak.unexpected_exits,
        "feed_retries": soak.feeder.retries, "feed_error": soak.feeder.error,
    }
    verdict["ok"] = bool(
        caught_up and counts.missing == 0 and counts.duplicated == 0 and counts.unexpected == 0
        and dead_letters_ok and counts.alerts_equal and counts.extra["offline_alerts_equal"]
        and counts.regions_equal and missing_feed == 0 and soak.feeder.error is None
        and soak.unexpected_exits == 0)
    return verdict


__all__ = ["FAULT_KINDS", "Fault", "Feeder", "deliver", "fault_schedule", "run_soak", "soak_stream"]
