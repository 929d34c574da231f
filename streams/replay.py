"""``sitrep replay``: rebuild every derived topic and table from ``articles`` alone.

The log is the truth. A replay runs a worker under a new app id (so a new consumer group,
which starts at the oldest article, and new changelog topics, which start empty) that reads
the *same* ``articles`` topic and writes to a new topic prefix, ``<prefix>replay-<tag>.``.
Nothing of the first run is read, overwritten or deleted: the two runs can be compared
record for record, and consumers switch to the replayed topics when they choose to. The
alternative, resetting the first group's offsets and truncating its outputs, would destroy
the evidence a replay is meant to check, and faust cannot truncate a changelog in place.

What a replay does not rebuild: incidents loaded with ``sitrep backfill`` straight onto the
``incidents`` topic are not derived from ``articles``; backfill them again under the new prefix.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from streams import provision, topics
from streams.client import connection_options
from streams.settings import Settings

DERIVED = (topics.ARTICLES_DLQ, topics.INCIDENTS_EXTRACTED, topics.INCIDENTS, topics.ALERTS)
# The topics the worker's consumer group reads; caught up means committed at their ends.
INPUTS = (topics.ARTICLES, topics.INCIDENTS_EXTRACTED, topics.INCIDENTS)


def articles_topic(settings: Settings) -> str:
    """The topic a worker with these settings reads articles from."""
    return settings.articles_topic or settings.topic(topics.ARTICLES)


def replay_settings(settings: Settings, *, tag: str, web_port: int) -> Settings:
    """The settings of a replay of ``settings``' articles: new app id, group and prefix."""
    return settings.model_copy(update={
        "app_id": f"{settings.app_id}-replay-{tag}",
        "topic_prefix": f"{settings.topic_prefix}replay-{tag}.",
        "articles_topic": articles_topic(settings),
        "data_dir": settings.data_dir / f"replay-{tag}",
        "web_port": web_port,
    })


def input_topics(settings: Settings) -> list[str]:
    """The topics the worker's consumer group commits offsets on."""
    return [articles_topic(settings)] + [settings.topic(t) for t in INPUTS[1:]]


async def _ends(settings: Settings, names: list[str]) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(**connection_options(settings), enable_auto_commit=False)
    await consumer.start()
    try:
        cluster = await consumer._client.fetch_all_metadata()
        parts = [TopicPartition(name, p) for name in names
                 for p in sorted(cluster.partitions_for_topic(name) or ())]
        return dict(await consumer.end_offsets(parts)) if parts else {}
    finally:
        await consumer.stop()


async def _committed(settings: Settings, group: str) -> dict[TopicPartition, int]:
    admin = AIOKafkaAdminClient(**connection_options(settings))
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}


def lagging(settings: Settings) -> dict[str, int]:
    """Per input topic, how many records the worker's group has not yet committed."""

    async def run() -> dict[str, int]:
        ends = await _ends(settings, input_topics(settings))
        committed = await _committed(settings, settings.app_id)
        behind: dict[str, int] = {}
        for tp, end in ends.items():
            gap = end - committed.get(tp, 0)
            if gap > 0:
                behind[tp.topic] = behind.get(tp.topic, 0) + gap
        return behind

    return asyncio.run(run())


def wait_caught_up(settings: Settings, *, timeout: float, settle: float = 3.0,
                   alive: object = None) -> bool:
    """Wait until the worker's group has committed every input to its end and stayed there
    for ``settle`` seconds (nothing new downstream); False when ``timeout`` passes first.
    ``alive``, if given, is called each round and stops the wait when it returns False."""
    deadline = time.monotonic() + timeout
    since: float | None = None
    while time.monotonic() < deadline:
        if callable(alive) and not alive():
            return False
        try:
            behind = lagging(settings)
        except Exception:  # a broker that is restarting answers nothing for a while
            behind = {"?": 1}
        if behind:
            since = None
        elif since is None:
            since = time.monotonic()
        elif time.monotonic() - since >= settle:
            return True
        time.sleep(1.0)
    return False


@dataclass(frozen=True, slots=True)
class ReplayResult:
    """Where a replay wrote and whether it caught up with the articles in time."""

    settings: Settings
    caught_up: bool
    log: Path


def run_replay(settings: Settings, *, tag: str, timeout: float = 600.0) -> ReplayResult:
    """Replay ``settings``' articles into new topics with a worker subprocess; stop it once
    it has caught up with every article that existed when the replay started."""
    from streams.demo import free_port, start_worker, stop_worker

    replay = replay_settings(settings, tag=tag, web_port=free_port())
    # On the cluster of the settings, as the replay worker would (streams.provision).
    provision.prepare(replay, DERIVED)
    replay.data_dir.mkdir(parents=True, exist_ok=True)
    log = replay.data_dir / "worker.log"
    process = start_worker(replay, log=log)
    try:
        done = wait_caught_up(replay, timeout=timeout, alive=lambda: process.poll() is None)
    finally:
        stop_worker(process)
    return ReplayResult(settings=replay, caught_up=done, log=log)


__all__ = ["ReplayResult", "lagging", "replay_settings", "run_replay", "wait_caught_up"]
