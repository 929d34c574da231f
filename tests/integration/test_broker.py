"""The local broker of deploy/kafka really stores and serves records over the Kafka protocol."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from processors.errors import BrokerError
from streams import broker
from streams.settings import Settings

UniqueName = Callable[[str], str]
TopicFactory = Callable[..., str]
Record = tuple[bytes | None, bytes | None, list[tuple[str, bytes]]]

RECORDS: list[Record] = [
    (b"baghdad", b'{"n": 1}', [("source", b"wire")]),
    (b"mosul", b'{"n": 2}', []),
    (b"baghdad", b'{"n": 3}', [("source", b"wire"), ("attempt", b"2")]),
    (None, b'{"n": 4, "text": "\xd8\xa8\xd8\xba\xd8\xaf\xd8\xa7\xd8\xaf"}', []),
    (b"kirkuk", None, []),  # a tombstone, as compacted changelogs carry
    (b"mosul", b"x" * 200_000, []),
]


async def _produce(bootstrap: str, topic: str, records: list[Record]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for key, value, headers in records:
            await producer.send_and_wait(topic, value, key=key, headers=headers)
    finally:
        await producer.stop()


async def _consume(bootstrap: str, topic: str, group: str, count: int) -> list[tuple[int, Record]]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest"
    )
    await consumer.start()
    received: list[tuple[int, Record]] = []
    try:
        async with asyncio.timeout(30):
            while len(received) < count:
                batches = await consumer.getmany(timeout_ms=500)
                for messages in batches.values():
                    received.extend(
                        (m.partition, (m.key, m.value, list(m.headers))) for m in messages
                    )
    finally:
        await consumer.stop()
    return received


@pytest.mark.parametrize("partitions", [1, 3])
def test_broker_round_trips_keys_values_and_headers(
    kafka_bootstrap: str, topic_factory: TopicFactory, unique_name: UniqueName, partitions: int
) -> None:
    topic = topic_factory("roundtrip", partitions=partitions)

    async def scenario() -> list[tuple[int, Record]]:
        await _produce(kafka_bootstrap, topic, RECORDS)
        return await _consume(kafka_bootstrap, topic, unique_name("group"), len(RECORDS))

    received = asyncio.run(scenario())

    assert sorted((r for _, r in received), key=repr) == sorted(RECORDS, key=repr)
    # Kafka orders records within a partition only; records of one key share a partition.
    by_key: defaultdict[bytes | None, list[Record]] = defaultdict(list)
    for _, record in received:
        by_key[record[0]].append(record)
    for key, records in by_key.items():
        assert records == [r for r in RECORDS if r[0] == key]
    keyed_partitions = {key: {p for p, r in received if r[0] == key} for key in by_key if key}
    assert all(len(ps) == 1 for ps in keyed_partitions.values())
    assert {p for p, _ in received} <= set(range(partitions))


def test_broker_status_reports_the_running_broker(
    kafka_bootstrap: str, broker_settings: Settings
) -> None:
    current = broker.status(broker_settings)

    assert current.running
    assert current.pid is not None and current.pid > 0
    assert current.bootstrap == kafka_bootstrap


def test_broker_start_when_running_keeps_the_same_process(
    kafka_bootstrap: str, broker_settings: Settings
) -> None:
    before = broker.status(broker_settings)

    launched = broker.start(broker_settings, timeout=20.0)

    assert not launched
    assert broker.status(broker_settings) == before


async def _partition_count(bootstrap: str, topic: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return len(described["partitions"])


@pytest.mark.parametrize("partitions", [1, 4])
def test_broker_create_topics_is_idempotent(
    kafka_bootstrap: str, broker_settings: Settings, unique_name: UniqueName, partitions: int
) -> None:
    name = unique_name("idem")
    try:
        broker.create_topics(broker_settings, [name], partitions=partitions)
        broker.create_topics(broker_settings, [name], partitions=partitions)

        assert asyncio.run(_partition_count(kafka_bootstrap, name)) == partitions
    finally:
        broker.delete_topics(broker_settings, [name])


def test_broker_create_topics_rejects_an_existing_topic_of_another_size(
    broker_settings: Settings, topic_factory: TopicFactory
) -> None:
    name = topic_factory("sized", partitions=2)

    with pytest.raises(BrokerError, match="partition counts other than 3"):
        broker.create_topics(broker_settings, [name], partitions=3)
