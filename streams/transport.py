"""faust's Kafka transport with a shorter fetch wait, the one latency knob faust hard-codes.

faust builds its worker consumer with ``fetch_max_wait_ms=1500`` and no setting to change it.
aiokafka leaves a partition out of the next fetch request while records fetched for it are
still being handed to the agent; that request then holds only partitions with nothing new (on
one worker, the other agents' topics) and the broker keeps it for the full wait. A record that
arrives meanwhile waits up to 1.5 s, at every hop: at 50 articles/s the median time from an
article to its incident was 3.4 s, in a sawtooth between two fetches (``scripts/bench.py``).
With a short wait an idle worker asks the broker a few more times a second instead.
"""

from __future__ import annotations

from typing import Any

import faust
from faust.transport.drivers import aiokafka as driver

FETCH_MAX_WAIT_MS = 50


class _ConsumerThread(driver.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS  # read by aiokafka at start()
        return consumer


class _Consumer(driver.Consumer):
    def _new_consumer_thread(self) -> driver.AIOKafkaConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)


class _Transport(driver.Transport):
    Consumer = _Consumer


class App(faust.App):
    """A faust app whose Kafka consumer waits at most ``FETCH_MAX_WAIT_MS`` per fetch."""

    def _new_transport(self) -> Any:
        return _Transport(self.conf.broker_consumer, self)


__all__ = ["FETCH_MAX_WAIT_MS", "App"]
