"""One real Kafka broker per test session, and factories that give each test its own names.

The broker is the local one of ``deploy/kafka`` (``SITREP_KAFKA_*`` settings). If it already
runs, the session uses it and leaves it running; otherwise the session starts it and stops it at
the end. A broker that cannot be started fails the tests: in CI a missing broker is a failure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from uuid import uuid4

import pytest

from processors.errors import BrokerError
from streams import broker
from streams.settings import Settings

HERE = Path(__file__).resolve().parent

UniqueName = Callable[[str], str]
TopicFactory = Callable[..., str]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/integration/ as ``integration``."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def broker_settings() -> Settings:
    """The settings the session's broker is started and reached with."""
    return Settings()


@pytest.fixture(scope="session")
def kafka_bootstrap(broker_settings: Settings) -> Iterator[str]:
    """The bootstrap address of a running local broker, started for the session if needed."""
    failure: str | None = None
    with ExitStack() as stack:
        try:
            current = stack.enter_context(broker.session(broker_settings))
        except BrokerError as exc:
            failure = str(exc)
        if failure is not None:
            # Outside the except block, so the report shows the reason once, no traceback.
            pytest.fail(f"the local Kafka broker is not available: {failure}", pytrace=False)
        yield current.bootstrap


@pytest.fixture
def unique_name() -> UniqueName:
    """A function giving a fresh topic or group name per call, e.g. ``t-1a2b3c4d-articles``."""

    def make(suffix: str = "x") -> str:
        # Kafka accepts [a-zA-Z0-9._-] in topic names; anything else would be rejected.
        return f"t-{uuid4().hex[:8]}-{re.sub(r'[^a-zA-Z0-9._-]', '_', suffix)}"

    return make


@pytest.fixture
def topic_factory(
    kafka_bootstrap: str, broker_settings: Settings, unique_name: UniqueName
) -> Iterator[TopicFactory]:
    """A function creating a fresh topic on the real broker and returning its name.

    ``topic_factory("articles", partitions=3)``; the test's topics are deleted afterwards.
    """
    created: list[str] = []

    def make(suffix: str = "topic", *, partitions: int = 1) -> str:
        name = unique_name(suffix)
        broker.create_topics(broker_settings, [name], partitions=partitions)
        created.append(name)
        return name

    yield make
    # Deleted so that a broker reused across many sessions does not pile up test topics.
    broker.delete_topics(broker_settings, created)
