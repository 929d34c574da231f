"""faust's Kafka transport, with a shorter fetch wait and four rebalance fixes.

**Fetch wait.** faust builds its worker consumer with ``fetch_max_wait_ms=1500`` and no setting
to change it. aiokafka leaves a partition out of the next fetch request while records fetched
for it are still being handed to the agent; that request then holds only partitions with
nothing new (on one worker, the other agents' topics) and the broker keeps it for the full
wait. A record that arrives meanwhile waits up to 1.5 s, at every hop: at 50 articles/s the
median time from an article to its incident was 3.4 s, in a sawtooth between two fetches
(``scripts/bench.py``). With a short wait an idle worker asks the broker a few more times a
second instead.

**Rebalances** (faust-streaming 0.15). The rebalance fault run (a second worker joins, the
first stops: ``harness/faults.py``) failed about one run in ten, by four faults of faust's
consumer, each seen in a worker's log with ``DEVLOG=1`` and its state:

* *Streams resumed before they are sought.* After table recovery faust resumes the input
  partitions and only then seeks them to their committed offsets, while the fetcher runs.
  Records fetched in between are handed to the agents and move the consumer's read offset;
  the seek does not stop the batch in flight; resuming flow then empties the agents' queues.
  The records fetched again after the seek sit below the read offset and are dropped as
  already read ("DROPPED MESSAGE ROFF"), so the worker stalls with the lag never falling; or
  the fetcher sees a jump in offsets and marks the skipped ones as processed (faust's "gap"
  for compacted topics), and they are committed unprocessed: incidents lost. Here input
  partitions are *held*, out of the fetch, from the start of a rebalance until it has ended,
  which is after the seek.
* *Records of an old generation acked.* A message fetched before a rebalance can still reach
  an agent after it; faust skips it there, since its generation is stale, but acks it, and
  that ack, counted in the new generation, can let a commit pass an offset whose new copy has
  not been processed. Such acks are ignored: the new generation processes the record again.
* *An empty fetch set read as "all partitions".* faust passes its live set of active
  partitions to the consumer thread; when it empties meanwhile (after recovery pauses the
  changelogs, before the inputs resume) aiokafka returns records of every partition, faust
  drops those of inactive ones, and the position has moved past them: a stalled input
  (position at the end, read offset and commit where they were). The thread takes a copy and
  fetches nothing for an empty one.
* *Changelog records thrown away during recovery.* When the fetcher returns while flow is
  stopped, faust discards the batch and seeks the input partitions back to their committed
  offsets; changelog partitions have no committed offset, so the changelog records in that
  batch were lost to table recovery, which then waited for them for ever ("No event received
  for active tp"). Those partitions are sought back to what recovery has read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import faust
from faust.transport.consumer import ensure_TPset
from faust.transport.drivers import aiokafka as driver
from faust.types import TP, Message

FETCH_MAX_WAIT_MS = 50


class _ConsumerThread(driver.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS  # read by aiokafka at start()
        return consumer

    async def _fetch_records(self, consumer: Any, active_partitions: set[TP],
                             timeout: float | None = None,
                             max_records: int | None = None) -> Any:
        # faust hands over its live set of active partitions, which the event loop keeps
        # changing, and aiokafka reads an empty set as "every assigned partition": records of
        # paused or held partitions came back, were filtered out and never fetched again.
        partitions = set(active_partitions)
        if not partitions:
            return {}
        return await super()._fetch_records(consumer, partitions, timeout=timeout,
                                            max_records=max_records)


class _Consumer(driver.Consumer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: set[TP] = set()  # input partitions kept out of the fetch until rebalanced

    def _new_consumer_thread(self) -> driver.AIOKafkaConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    def _hold(self, tps: set[TP]) -> set[TP]:
        """Hold the input partitions among ``tps`` while a rebalance runs; return the rest."""
        if not self.app.rebalancing:
            return tps
        inputs = {tp for tp in tps if not self._is_changelog_tp(tp)}
        self._held |= inputs
        self._buffered_partitions.difference_update(inputs)  # or back-pressure would resume them
        return tps - inputs

    def _set_active_tps(self, tps: set[TP]) -> set[TP]:
        active = super()._set_active_tps(tps)
        kept = self._hold(set(active))
        active.intersection_update(kept)
        return active

    def resume_partitions(self, tps: Iterable[TP]) -> None:
        tpset = ensure_TPset(tps)
        kept = self._hold(tpset)
        self._paused_partitions.difference_update(tpset - kept)  # held, no longer paused
        super().resume_partitions(kept)

    def release_held(self) -> None:
        """Resume the held input partitions that are still assigned (the rebalance ended)."""
        held, self._held = self._held, set()
        if held:
            super().resume_partitions(held & self.assignment())

    def ack(self, message: Message) -> bool:
        if (message.generation_id is not None
                and message.generation_id != self.app.consumer_generation_id):
            message.acked = True  # done with here; the new generation reads the offset again
            self._unacked_messages.discard(message)
            return False
        return bool(super().ack(message))

    async def perform_seek(self) -> None:
        # faust calls this with flow stopped after throwing a fetched batch away; with flow on,
        # it is recovery's own seek of the inputs. Read now: recovery may resume flow while
        # the seek below awaits the consumer thread.
        discarded = not self.flow_active
        await super().perform_seek()
        if not discarded:
            return
        recovery = self.app.tables.recovery
        assigned = self.assignment()
        for tps, offsets in ((recovery.active_tps, recovery.active_offsets),
                             (recovery.standby_tps, recovery.standby_offsets)):
            for tp in tps & assigned:
                last = offsets.get(tp)
                await self.seek(tp, last + 1 if last is not None and last >= 0 else 0)


class _Transport(driver.Transport):
    Consumer = _Consumer


class App(faust.App):
    """faust.App with sitrep's consumer: ``FETCH_MAX_WAIT_MS`` a fetch, rebalance fixes."""

    def _new_transport(self) -> Any:
        return _Transport(self.conf.broker_consumer, self)

    def on_rebalance_end(self) -> None:
        super().on_rebalance_end()
        consumer = self.consumer
        if isinstance(consumer, _Consumer):
            consumer.release_held()


__all__ = ["FETCH_MAX_WAIT_MS", "App"]
