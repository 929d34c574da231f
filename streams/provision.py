"""Create sitrep's topics before anything subscribes to them, so none is ever silently missing.

Why the worker cannot leave this to faust: faust-streaming 0.15 declares only its *internal*
topics (changelogs, ``incidents.extracted``); for a source topic such as ``articles`` it
subscribes to the name and, at every rebalance, its partition assignor skips a name that the
cluster's metadata lacks (``Ignoring missing topic`` in ``faust/assignor/partition_assignor.py``)
and assigns nothing of it. A topic that appears later changes neither the group's members nor
their subscription; what is left is aiokafka's periodic metadata refresh (faust's
``consumer_metadata_max_age_ms``, 5 minutes), which at best asks for a rejoin minutes later,
so a user who starts the worker, then feeds and tails, sees nothing (issue 15). Creating the
topics first, from the one settings object, removes the race; where the cluster forbids it (an
operator's ACLs), the worker says so in one line, waits and retries, and ``/health`` says what
it waits for.

The policy (README, "Topics"): a sitrep client creates each absent topic it reads or writes with
``settings.partitions``, ``settings.replication_factor`` and the retention below; an existing
topic is never changed, only reported when its partition count differs.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, KafkaError, TopicAlreadyExistsError
from aiokafka.errors import for_code as kafka_error_for_code
from mode import Service

from processors.errors import BrokerError
from streams import topics
from streams.client import UNREACHABLE_HINT, connection_options, diagnose
from streams.settings import Settings

log = logging.getLogger(__name__)

_POLL_S = 0.25


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """A topic as sitrep creates it: name, partitions, replication and topic-level configs."""

    name: str
    partitions: int
    replication_factor: int
    configs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one pass found: topics still missing, why, and existing topics that differ."""

    missing: tuple[str, ...] = ()
    problem: str | None = None
    created: tuple[str, ...] = ()
    mismatched: dict[str, int] = field(default_factory=dict)
    unreachable: bool = False

    @property
    def ready(self) -> bool:
        """Every topic exists."""
        return not self.missing


def retention_ms(settings: Settings, name: str) -> int:
    """Retention of a sitrep topic: the article log is kept for replay, the rest for a while."""
    if name == topics.ARTICLES:
        return settings.articles_retention_ms
    if name == topics.ARTICLES_DLQ:
        return settings.dlq_retention_ms
    return settings.derived_retention_ms


def topic_specs(settings: Settings, names: Iterable[str] = topics.ALL) -> list[TopicSpec]:
    """The specs of sitrep topics (short names from ``streams.topics``) under these settings."""
    specs = []
    for name in names:
        full = (settings.articles_topic or settings.topic(name)) if name == topics.ARTICLES \
            else settings.topic(name)
        configs = {"cleanup.policy": "delete",
                   "retention.ms": str(retention_ms(settings, name)),
                   "max.message.bytes": str(max(settings.max_message_bytes * 2, 1_048_576))}
        specs.append(TopicSpec(full, settings.partitions, settings.replication_factor, configs))
    return specs


def replicas(replication_factor: int, *, brokers: int) -> int:
    """The replication factor to ask for; -1 means three, or one per broker if fewer.

    aiokafka speaks CreateTopics v3 at most, which cannot leave the choice to the broker.
    """
    return replication_factor if replication_factor > 0 else max(1, min(3, brokers))


def _describe_error(code: int, detail: str | None) -> str:
    error = kafka_error_for_code(code)
    return f"{error.__name__}{': ' + detail if detail else ''}"


async def _existing(admin: AIOKafkaAdminClient) -> dict[str, int]:
    """Partition count of every topic whose partitions all have a leader."""
    # A metadata request for all topics: one naming absent topics could auto-create them with
    # the broker's defaults on a cluster that allows that.
    counts = {}
    for topic in await admin.describe_topics(None):
        partitions = topic["partitions"]
        if topic["error_code"] == 0 and partitions and all(
            p["error_code"] == 0 and p["leader"] >= 0 for p in partitions
        ):
            counts[topic["topic"]] = len(partitions)
    return counts


async def ensure_topics(settings: Settings, specs: Sequence[TopicSpec], *,
                        create: bool | None = None, timeout: float = 30.0) -> Outcome:
    """Create the absent topics of ``specs`` (unless ``create`` is False) and report.

    Never raises for a broker that refuses or cannot be reached: the outcome says what is
    missing and why, so that a caller can retry or print one line.
    """
    create = settings.create_topics if create is None else create
    wanted = {spec.name: spec for spec in specs}
    bootstrap = settings.bootstrap_servers
    admin = AIOKafkaAdminClient(**connection_options(settings),
                                client_id=f"{settings.app_id}-topics",
                                request_timeout_ms=max(1000, int(timeout * 1000)))
    try:
        async with asyncio.timeout(timeout):
            await admin.start()
            existing = await _existing(admin)
            absent = [name for name in wanted if name not in existing]
            problem = None
            created: list[str] = []
            if absent and not create:
                problem = "SITREP_CREATE_TOPICS is false: an operator creates them"
            elif absent:
                brokers = len((await admin.describe_cluster()).get("brokers") or ()) or 1
                response = await admin.create_topics(
                    [NewTopic(name, wanted[name].partitions,
                              replicas(wanted[name].replication_factor, brokers=brokers),
                              topic_configs=dict(wanted[name].configs)) for name in absent],
                    timeout_ms=int(timeout * 1000),
                )
                refused = []
                for topic, code, *rest in response.topic_errors:
                    if code == 0:
                        created.append(topic)
                    elif kafka_error_for_code(code) is not TopicAlreadyExistsError:
                        refused.append(_describe_error(code, rest[0] if rest else None))
                if refused:
                    who = (f"user {settings.sasl_username!r}" if settings.sasl_username
                           else "this client")
                    problem = f"the broker does not allow {who} to create them: {refused[0]}"
                # KRaft acknowledges a topic before its partitions have leaders.
                deadline = time.monotonic() + timeout
                while True:
                    existing = await _existing(admin)
                    if all(name in existing for name in created) \
                            or time.monotonic() > deadline:
                        break
                    await asyncio.sleep(_POLL_S)
    except KafkaConnectionError:
        # Which step failed (TCP, TLS, SASL) and what to change: aiokafka only says "Unable to
        # bootstrap" and logs the cause.
        return Outcome(missing=tuple(wanted), unreachable=True, problem=await diagnose(settings))
    except (KafkaError, OSError, TimeoutError) as exc:
        return Outcome(missing=tuple(wanted), unreachable=True,
                       problem=f"cannot reach Kafka at {bootstrap} ({_error_text(exc)}); "
                               f"{UNREACHABLE_HINT}")
    finally:
        await admin.close()
    missing = tuple(name for name in wanted if name not in existing)
    mismatched = {name: existing[name] for name in wanted
                  if name in existing and name not in created
                  and existing[name] != wanted[name].partitions}
    return Outcome(missing=missing, problem=problem if missing else None,
                   created=tuple(created), mismatched=mismatched)


def _error_text(exc: BaseException) -> str:
    """An error in a few words: aiokafka's own texts repeat the class name and list sockets."""
    if isinstance(exc, KafkaConnectionError):
        return "no broker answered"
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    name = type(exc).__name__
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text.removeprefix(f"[Error {getattr(exc, 'errno', '')}] ").removeprefix(f"{name}: ")
    return f"{name}{': ' + text if text and text != name else ''}"


async def reachable(settings: Settings, *, timeout: float = 10.0) -> str | None:
    """None when a broker answers a metadata request at the bootstrap servers; else one line."""
    admin = AIOKafkaAdminClient(**connection_options(settings),
                                client_id=f"{settings.app_id}-probe",
                                request_timeout_ms=max(1000, int(timeout * 1000)))
    try:
        async with asyncio.timeout(timeout):
            await admin.start()
            await admin.describe_cluster()
    except KafkaConnectionError:
        return await diagnose(settings, timeout=timeout)
    except (KafkaError, OSError, TimeoutError) as exc:
        return (f"cannot reach Kafka at {settings.bootstrap_servers} ({_error_text(exc)}); "
                f"{UNREACHABLE_HINT}")
    finally:
        await admin.close()
    return None


def describe(outcome: Outcome, settings: Settings) -> str:
    """One line for a person: which topics are missing, why, and what to do."""
    if outcome.unreachable:
        return outcome.problem or f"cannot reach Kafka at {settings.bootstrap_servers}"
    names = ", ".join(outcome.missing)
    return (f"topics missing on {settings.bootstrap_servers}: {names} ({outcome.problem}); "
            f"create them as the README's Topics section says, with {settings.partitions} "
            f"partition(s), or let this client create topics")


def prepare(settings: Settings, names: Iterable[str], *, timeout: float = 30.0) -> None:
    """For the CLI: make sure sitrep topics exist before using them; BrokerError otherwise."""
    outcome = asyncio.run(ensure_topics(settings, topic_specs(settings, names), timeout=timeout))
    if not outcome.ready:
        raise BrokerError(describe(outcome, settings))


class TopicProvisioner(Service):
    """Starts before the worker's consumer and returns only once every topic exists.

    Until then it retries every ``settings.topic_retry_seconds``, logging one line whenever the
    reason changes; ``waiting_for`` is what ``/health`` reports meanwhile.
    """

    def __init__(self, settings: Settings, specs: Sequence[TopicSpec], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.specs = list(specs)
        self.waiting_for: str | None = "topics not checked yet"

    async def on_start(self) -> None:
        """Block the worker's start-up (web server already up) until the topics exist."""
        said = None
        while not self.should_stop:
            outcome = await ensure_topics(self.settings, self.specs)
            for name, count in outcome.mismatched.items():
                log.warning("topic %s has %d partitions, the settings say %d; left as it is",
                            name, count, self.settings.partitions)
            if outcome.created:
                log.info("created topics %s", ", ".join(outcome.created))
            if outcome.ready:
                self.waiting_for = None
                return
            line = describe(outcome, self.settings)
            self.waiting_for = line
            if line != said:
                log.error("%s; retrying every %.0f s", line, self.settings.topic_retry_seconds)
                said = line
            await self.sleep(self.settings.topic_retry_seconds)
