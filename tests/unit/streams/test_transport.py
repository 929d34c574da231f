"""streams.transport: the consumer's rebalance fixes, on a consumer that never connects."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from faust.types import TP
from faust.types.tuples import Message

from streams import topics
from streams.app import create_app
from streams.settings import Settings

ARTICLES = TP(Settings().topic(topics.ARTICLES), 0)
EXTRACTED = TP(Settings().topic(topics.INCIDENTS_EXTRACTED), 0)


@pytest.fixture
def app(tmp_path: Path) -> Any:
    return create_app(Settings(data_dir=tmp_path, partitions=1))


@pytest.fixture
def consumer(app: Any) -> Iterator[Any]:
    consumer = app.consumer
    changelog = TP(next(iter(app.tables.changelog_topics)), 0)
    consumer.assignment = lambda: {ARTICLES, EXTRACTED, changelog}
    consumer.changelog = changelog  # for the tests
    yield consumer


def _message(tp: TP, offset: int, generation: int) -> Message:
    return Message(tp.topic, tp.partition, offset, 0.0, 0, None, b"k", b"v", None,
                   tp=tp, generation_id=generation)


def test_transport_assignment_during_a_rebalance_leaves_inputs_out_of_the_fetch(
    app: Any, consumer: Any,
) -> None:
    app.rebalancing = True
    active = consumer._set_active_tps({ARTICLES, EXTRACTED, consumer.changelog})
    assert active == {consumer.changelog}  # recovery reads the changelog meanwhile

    app.on_rebalance_end()  # after recovery has sought the inputs to their commits
    assert consumer._get_active_partitions() == {ARTICLES, EXTRACTED, consumer.changelog}


def test_transport_inputs_resumed_during_a_rebalance_wait_for_its_end(
    app: Any, consumer: Any,
) -> None:
    consumer.pause_partitions({ARTICLES, EXTRACTED, consumer.changelog})
    app.rebalancing = True
    consumer.resume_partitions({ARTICLES, EXTRACTED, consumer.changelog})
    assert consumer._get_active_partitions() == {consumer.changelog}
    assert not consumer._paused_partitions

    app.on_rebalance_end()
    assert consumer._get_active_partitions() == {ARTICLES, EXTRACTED, consumer.changelog}


def test_transport_held_partitions_revoked_meanwhile_are_not_resumed(
    app: Any, consumer: Any,
) -> None:
    app.rebalancing = True
    consumer._set_active_tps({ARTICLES, EXTRACTED})
    consumer.assignment = lambda: {EXTRACTED}  # a second rebalance took ARTICLES away
    app.on_rebalance_end()
    assert consumer._get_active_partitions() == {EXTRACTED}


def test_transport_outside_a_rebalance_resume_is_immediate(app: Any, consumer: Any) -> None:
    app.rebalancing = False
    consumer.pause_partitions({ARTICLES})
    consumer.resume_partitions({ARTICLES})
    assert ARTICLES in consumer._get_active_partitions()


def test_transport_ack_of_a_stale_generation_does_not_mark_its_offset(
    app: Any, consumer: Any,
) -> None:
    app.topics.acking_topics.add(ARTICLES.topic)  # as when the ingest agent subscribes
    app.consumer_generation_id = 3
    stale = _message(ARTICLES, 101, generation=2)
    consumer._unacked_messages.add(stale)
    assert consumer.ack(stale) is False
    assert stale.acked and stale not in consumer._unacked_messages  # nobody waits for it
    assert 101 not in consumer._acked_index[ARTICLES]

    current = _message(ARTICLES, 100, generation=3)
    assert consumer.ack(current) is True
    assert consumer._acked[ARTICLES] == [100]


def test_transport_seek_with_flow_stopped_rewinds_changelogs_to_what_recovery_read(
    app: Any, consumer: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    sought: dict[TP, int] = {}

    async def seek_to_committed() -> dict[TP, int]:
        consumer.flow_active = True  # recovery may resume flow while the seek awaits
        return {ARTICLES: 7}

    async def seek(tp: TP, offset: int) -> None:
        sought[tp] = offset

    monkeypatch.setattr(consumer, "seek_to_committed", seek_to_committed)
    monkeypatch.setattr(consumer, "seek", seek)
    recovery = app.tables.recovery
    recovery.active_tps = {consumer.changelog}
    recovery.active_offsets[consumer.changelog] = 41

    consumer.flow_active = True  # recovery's own seek of the inputs: changelogs left alone
    app.loop.run_until_complete(consumer.perform_seek())
    assert sought == {}

    consumer.flow_active = False  # a fetched batch was thrown away
    app.loop.run_until_complete(consumer.perform_seek())
    assert sought == {consumer.changelog: 42}

    recovery.active_offsets[consumer.changelog] = -1  # nothing read yet: from the start
    consumer.flow_active = False
    app.loop.run_until_complete(consumer.perform_seek())
    assert sought == {consumer.changelog: 0}


def test_transport_fetch_copies_the_active_set_and_skips_an_empty_one(
    app: Any, consumer: Any,
) -> None:
    from contextlib import nullcontext
    from types import SimpleNamespace

    asked: list[object] = []
    live = {ARTICLES}

    async def fetched_records(partitions: set[TP], **kwargs: Any) -> dict[TP, list[int]]:
        asked.append(partitions)
        live.clear()  # the event loop pauses everything while the fetch waits
        return {tp: [1] for tp in partitions}  # aiokafka: an empty set would mean every one

    fetcher = SimpleNamespace(_closed=False, fetched_records=fetched_records,
                              _subscriptions=SimpleNamespace(fetch_context=nullcontext))
    aiokafka_consumer = SimpleNamespace(_closed=False, _fetcher=fetcher)
    thread = consumer._thread
    consumer.flow_active = True

    got = app.loop.run_until_complete(thread._fetch_records(aiokafka_consumer, live, timeout=0))
    assert got == {ARTICLES: [1]}
    assert asked == [{ARTICLES}] and asked[0] is not live  # a copy, unchanged by the loop

    got = app.loop.run_until_complete(thread._fetch_records(aiokafka_consumer, live, timeout=0))
    assert got == {} and len(asked) == 1  # nothing active: nothing fetched, not everything
