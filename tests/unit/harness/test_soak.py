"""The soak's schedule, planned feed and feeder, without a broker."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import orjson
import pytest

from harness.corpus import hostile_messages
from harness.soak import FAULT_KINDS, deliver, fault_schedule, soak_stream


@pytest.mark.parametrize(("seconds", "count", "seed"), [(180, 5, 20), (1800, 24, 20),
                                                        (600, 9, 3)])
def test_soak_schedule_same_seed_same_faults_every_kind_in_any_four(
    seconds: float, count: int, seed: int,
) -> None:
    schedule = fault_schedule(seconds, count=count, seed=seed)
    assert schedule == fault_schedule(seconds, count=count, seed=seed)
    assert len(schedule) == count
    times = [f.at for f in schedule]
    assert times == sorted(times) and times[0] > 0 and times[-1] < seconds
    kinds = ["second_worker" if f.kind in ("join", "leave") else f.kind for f in schedule]
    for start in range(0, count - len(FAULT_KINDS) + 1, len(FAULT_KINDS)):
        assert set(kinds[start:start + len(FAULT_KINDS)]) == set(FAULT_KINDS)


@pytest.mark.parametrize("seed", [1, 20, 99])
def test_soak_schedule_second_worker_joins_before_it_leaves(seed: int) -> None:
    toggles = [f.kind for f in fault_schedule(1800, count=24, seed=seed)
               if f.kind in ("join", "leave")]
    assert toggles == ["join", "leave"] * (len(toggles) // 2) + ["join"] * (len(toggles) % 2)


def test_soak_stream_puts_valid_edge_cases_in_publication_order_undated_last() -> None:
    stream, bad = soak_stream(400, seed=20)
    hostile = hostile_messages()
    assert [m.key for m in bad] == [m.key for m in hostile if m.bad]
    good = {m.key for m in hostile if not m.bad}
    assert good <= {key for key, _ in stream}
    published = [orjson.loads(value).get("published_at") for _, value in stream]
    assert published[-1] is None  # the undated one: its day is the record's, after the rest
    days = [str(day)[:10] for day in published[:-1]]
    assert days == sorted(days)


class _FlakyProducer:
    """A producer whose first ``failures`` deliveries fail, as while the broker is away."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.written: list[bytes] = []

    async def send(self, topic: str, *, value: bytes, key: bytes) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if self.failures > 0:
            self.failures -= 1
            future.set_exception(TimeoutError("broker away"))
        else:
            self.written.append(key)
            future.set_result(None)
        return future


def test_soak_deliver_resends_what_failed_until_acknowledged() -> None:
    producer = _FlakyProducer(failures=3)
    batch = [(f"k{n}".encode(), b"{}") for n in range(5)]
    sent, retries = asyncio.run(deliver(producer, "articles", batch,
                                        halt=threading.Event(), backoff=0.0))
    assert sorted(producer.written) == sorted(key for key, _ in batch)
    assert (sent, retries) == (5, 1)


def test_soak_deliver_gives_up_when_halted() -> None:
    producer = _FlakyProducer(failures=10**6)
    halt = threading.Event()
    halt.set()
    assert asyncio.run(deliver(producer, "articles", [(b"k", b"{}")],
                               halt=halt, backoff=0.0)) == (0, 0)
