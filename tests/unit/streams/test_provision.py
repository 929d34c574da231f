"""streams.provision: which topics with which settings, what is created, and what is said."""

from __future__ import annotations

import asyncio
import logging
import socket
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest

from processors.errors import BrokerError
from streams import provision, topics
from streams.app import _readiness, create_app
from streams.settings import Settings

DAY_MS = 86_400_000


class FakeAdmin:
    """Stands in for AIOKafkaAdminClient: a cluster of ``brokers`` holding ``existing``."""

    existing: ClassVar[dict[str, int]] = {}
    refuse: int = 0  # a Kafka error code for every create, 0 to accept
    brokers = 1
    requests: ClassVar[list[list[Any]]] = []

    def __init__(self, **options: Any) -> None:
        self.options = options

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def describe_cluster(self) -> dict[str, Any]:
        return {"brokers": [{"node_id": n} for n in range(self.brokers)], "controller_id": 0}

    async def describe_topics(self, names: Any) -> list[dict[str, Any]]:
        assert names is None, "naming absent topics could auto-create them"
        return [{"topic": name, "error_code": 0,
                 "partitions": [{"error_code": 0, "leader": 1} for _ in range(count)]}
                for name, count in self.existing.items()]

    async def create_topics(self, new_topics: list[Any], timeout_ms: int) -> Any:
        FakeAdmin.requests.append(new_topics)
        errors = []
        for topic in new_topics:
            if self.refuse:
                errors.append((topic.name, self.refuse, "denied by ACL"))
            else:
                FakeAdmin.existing[topic.name] = topic.num_partitions
                errors.append((topic.name, 0, None))
        return SimpleNamespace(topic_errors=errors)


@pytest.fixture
def admin(monkeypatch: pytest.MonkeyPatch) -> type[FakeAdmin]:
    monkeypatch.setattr(FakeAdmin, "existing", {})
    monkeypatch.setattr(FakeAdmin, "requests", [])
    monkeypatch.setattr(FakeAdmin, "refuse", 0)
    monkeypatch.setattr(FakeAdmin, "brokers", 1)
    monkeypatch.setattr(provision, "AIOKafkaAdminClient", FakeAdmin)
    return FakeAdmin


@pytest.mark.parametrize("prefix", ["", "prod.", "replay-v2."])
def test_provision_specs_follow_the_prefix_partitions_and_retention(prefix: str) -> None:
    settings = Settings(topic_prefix=prefix, partitions=4)

    specs = {spec.name: spec for spec in provision.topic_specs(settings)}

    assert set(specs) == {prefix + name for name in topics.ALL}
    assert {spec.partitions for spec in specs.values()} == {4}
    assert specs[prefix + "articles"].configs["retention.ms"] == "-1"
    assert specs[prefix + "incidents"].configs["retention.ms"] == str(30 * DAY_MS)
    assert specs[prefix + "articles.dlq"].configs["retention.ms"] == str(30 * DAY_MS)
    assert {spec.configs["cleanup.policy"] for spec in specs.values()} == {"delete"}


def test_provision_specs_take_the_articles_topic_of_a_replay() -> None:
    settings = Settings(topic_prefix="replay-x.", articles_topic="articles")

    names = [spec.name for spec in provision.topic_specs(settings)]

    assert names[0] == "articles"
    assert "replay-x.incidents" in names


@pytest.mark.parametrize(("asked", "brokers", "expected"),
                         [(-1, 1, 1), (-1, 2, 2), (-1, 3, 3), (-1, 7, 3), (2, 7, 2), (1, 3, 1)])
def test_provision_replicas_default_to_three_or_one_per_broker(
    asked: int, brokers: int, expected: int
) -> None:
    assert provision.replicas(asked, brokers=brokers) == expected


def test_provision_creates_only_absent_topics_and_leaves_existing_ones(
    admin: type[FakeAdmin],
) -> None:
    settings = Settings(partitions=2, articles_retention_ms=5 * DAY_MS)
    admin.existing = {"incidents": 3}

    outcome = asyncio.run(provision.ensure_topics(settings, provision.topic_specs(settings)))

    assert outcome.ready
    (request,) = admin.requests
    assert [t.name for t in request] == ["articles", "articles.dlq", "incidents.extracted",
                                         "alerts"]
    assert request[0].topic_configs["retention.ms"] == str(5 * DAY_MS)
    assert {t.num_partitions for t in request} == {2}
    assert admin.existing["incidents"] == 3
    assert outcome.mismatched == {"incidents": 3}


def test_provision_does_nothing_when_every_topic_exists(admin: type[FakeAdmin]) -> None:
    settings = Settings()
    admin.existing = {name: 1 for name in topics.ALL}

    outcome = asyncio.run(provision.ensure_topics(settings, provision.topic_specs(settings)))

    assert outcome.ready and not outcome.created and not admin.requests


def test_provision_refused_creation_says_what_is_missing_and_why(
    admin: type[FakeAdmin],
) -> None:
    settings = Settings(bootstrap_servers="kafka-1:9093", topic_prefix="prod.")
    admin.refuse = 29  # TOPIC_AUTHORIZATION_FAILED

    outcome = asyncio.run(provision.ensure_topics(settings, provision.topic_specs(settings)))
    line = provision.describe(outcome, settings)

    assert not outcome.ready
    assert "TopicAuthorizationFailedError" in line
    assert "prod.articles" in line and "kafka-1:9093" in line
    assert "README" in line
    assert "\n" not in line


def test_provision_without_creation_only_waits(admin: type[FakeAdmin]) -> None:
    settings = Settings(create_topics=False)

    outcome = asyncio.run(provision.ensure_topics(settings, provision.topic_specs(settings)))

    assert not admin.requests
    assert outcome.missing == tuple(topics.ALL)
    assert "SITREP_CREATE_TOPICS is false" in provision.describe(outcome, Settings())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_provision_unreachable_broker_is_reported_not_raised() -> None:
    settings = Settings(bootstrap_servers=f"127.0.0.1:{free_port()}")

    outcome = asyncio.run(provision.ensure_topics(settings, provision.topic_specs(settings),
                                                  timeout=5.0))

    assert outcome.unreachable and not outcome.ready
    with pytest.raises(BrokerError,
                       match=r"cannot reach Kafka at 127\.0\.0\.1:.*sitrep kafka start"):
        provision.prepare(settings, [topics.ARTICLES], timeout=5.0)


def test_provision_provisioner_retries_until_the_topics_appear(
    admin: type[FakeAdmin], caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(topic_retry_seconds=0.01)
    admin.refuse = 29
    seen: list[str | None] = []

    async def run() -> None:
        provisioner = provision.TopicProvisioner(settings, provision.topic_specs(settings))
        task = asyncio.create_task(provisioner.on_start())
        for _ in range(200):
            await asyncio.sleep(0.01)
            seen.append(provisioner.waiting_for)
            if len(admin.requests) >= 3:
                admin.refuse = 0  # an operator granted the right meanwhile
        await asyncio.wait_for(task, 5.0)
        seen.append(provisioner.waiting_for)

    with caplog.at_level(logging.ERROR, logger=provision.__name__):
        asyncio.run(run())

    assert seen[-1] is None
    assert any(w and "TopicAuthorizationFailedError" in w for w in seen)
    # Said once, however many retries: the reason did not change.
    assert len([r for r in caplog.records if "topics missing" in r.getMessage()]) == 1


def test_provision_health_reports_what_the_worker_waits_for() -> None:
    waiting = SimpleNamespace(waiting_for="topics missing on b:9092: articles (refused)")

    ready, why = asyncio.run(_readiness(None, waiting))  # type: ignore[arg-type]

    assert (ready, why) == (False, waiting.waiting_for)


def test_provision_runs_after_the_web_server_and_before_producer_and_consumer(
    tmp_path: Any,
) -> None:
    app = create_app(Settings(data_dir=tmp_path))

    services = list(app.boot_strategy.server())
    position = next(i for i, s in enumerate(services)
                    if isinstance(s, provision.TopicProvisioner))

    # A producer that cannot connect (wrong password, untrusted CA) would end the worker
    # before /health could say why: the provisioner waits for the broker first.
    assert app.web in services[:position]
    assert app.producer in services[position + 1:]
    assert app.consumer in services[position + 1:]
