"""Fetch, start, stop and reach the local single-node Kafka broker of ``deploy/kafka``.

Every lifecycle call goes through ``deploy/kafka/kafka.sh``, the one entry point that people and
CI use too; this module adds what a shell cannot check well: that the broker answers the Kafka
protocol, and topic administration. It targets the local broker only, at
``127.0.0.1:<settings.kafka_port>``, and is meant for synchronous callers (tests, the CLI):
each network call runs its own ``asyncio.run``.

With ``settings.kafka_secure`` the broker is the secured one (SASL_SSL, SCRAM users, ACLs):
this module then talks to it as its ``admin`` user, whose password and CA ``kafka.sh`` keeps
under ``kafka_home/secrets``; ``client_settings`` gives the settings of any of its users.
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError, UnknownTopicOrPartitionError
from aiokafka.errors import for_code as kafka_error_for_code
from pydantic import SecretStr

from processors.errors import BrokerError
from streams.client import connection_options
from streams.settings import PROJECT_ROOT, Settings

SCRIPT = PROJECT_ROOT / "deploy" / "kafka" / "kafka.sh"

# kafka.sh may spend up to 30 s stopping a broker that failed to start, after its own timeout.
_SCRIPT_GRACE_S = 45.0
_POLL_S = 0.25
_LOG_FILES = ("kafkaServer.out", "server.log")


@dataclass(frozen=True, slots=True)
class BrokerStatus:
    """Whether the local broker answers, its pid, and the address clients bootstrap from."""

    running: bool
    pid: int | None
    bootstrap: str


def local_bootstrap(settings: Settings) -> str:
    """The bootstrap address of the local broker (it listens on loopback only)."""
    return f"127.0.0.1:{settings.kafka_port}"


SECURE_USERS = ("admin", "sitrep", "newsroom")


def secrets_dir(settings: Settings) -> Path:
    """Where ``kafka.sh`` keeps the secured broker's CA and the users' passwords."""
    return settings.kafka_home / "secrets"


def client_settings(settings: Settings, user: str = "sitrep") -> Settings:
    """Settings that reach the local secured broker as ``user`` (admin, sitrep or newsroom)."""
    path = secrets_dir(settings) / "credentials.env"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise BrokerError(f"no credentials at {path} ({exc.strerror}); start the secured broker "
                          "first: sitrep kafka start --secure") from None
    passwords = dict(line.split("=", 1) for line in lines if "=" in line)
    if user not in passwords or user == "key":
        raise BrokerError(f"the secured broker has no user {user!r}; its users: "
                          f"{', '.join(SECURE_USERS)}")
    return settings.model_copy(update={
        "bootstrap_servers": local_bootstrap(settings),
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_username": user,
        "sasl_password": SecretStr(passwords[user]),
        "ssl_cafile": secrets_dir(settings) / "ca.pem",
    })


def _admin_options(settings: Settings) -> dict[str, Any]:
    """aiokafka options of this module's admin client: plaintext, or the secured admin user."""
    if not settings.kafka_secure:
        return {}
    options = connection_options(client_settings(settings, "admin"))
    options.pop("bootstrap_servers")
    return options


def log_tail(settings: Settings, *, lines: int = 30) -> str:
    """The last lines of the broker's console and server logs, for error messages."""
    parts: list[str] = []
    for name in _LOG_FILES:
        path = settings.kafka_home / "logs" / name
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if text.strip():
            parts.append(f"--- last lines of {path} ---")
            parts.extend(text.splitlines()[-lines:])
    return "\n".join(parts) if parts else f"(no broker logs under {settings.kafka_home / 'logs'})"


def _script_env(settings: Settings, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        KAFKA_HOME=str(settings.kafka_home),
        KAFKA_PORT=str(settings.kafka_port),
        KAFKA_CONTROLLER_PORT=str(settings.kafka_controller_port),
        KAFKA_SECURE="1" if settings.kafka_secure else "0",
    )
    env.update(extra or {})
    return env


def _run_script(
    settings: Settings,
    command: str,
    *,
    timeout: float,
    extra_env: dict[str, str] | None = None,
    extra_args: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["bash", str(SCRIPT), command, *extra_args],
            env=_script_env(settings, extra_env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BrokerError(
            f"`kafka.sh {command}` did not finish within {timeout:.0f} s\n{log_tail(settings)}"
        ) from exc
    except OSError as exc:
        raise BrokerError(f"cannot run {SCRIPT}: {exc}") from exc


def _failure(command: str, result: subprocess.CompletedProcess[str]) -> BrokerError:
    """The script's own complaint first (the line a person acts on), its other output after."""
    output = "\n".join(s.strip() for s in (result.stdout, result.stderr) if s.strip())
    lines = output.splitlines()
    said = next((i for i, line in enumerate(lines) if line.startswith("kafka.sh: ")), None)
    if said is None:
        return BrokerError(f"kafka.sh {command} failed (exit {result.returncode})\n{output}")
    first = lines[said].removeprefix("kafka.sh: ")
    rest = "\n".join(lines[:said] + lines[said + 1:])
    return BrokerError(f"kafka.sh {command}: {first}\n{rest}".rstrip())


def fetch(settings: Settings, *, timeout: float = 900.0) -> None:
    """Gather the broker's jars from Maven Central into ``kafka_home/libs`` unless present."""
    result = _run_script(settings, "fetch", timeout=timeout)
    if result.returncode != 0:
        raise _failure("fetch", result)


def status(settings: Settings) -> BrokerStatus:
    """Ask ``kafka.sh status`` whether the local broker is up and answering on its port."""
    result = _run_script(settings, "status", timeout=30.0)
    match = re.search(r"\bpid (\d+)", result.stdout)
    # "alive but not answering" still names a pid; a stale pid file names none.
    pid = int(match.group(1)) if match and "stale" not in result.stdout else None
    return BrokerStatus(
        running=result.returncode == 0, pid=pid, bootstrap=local_bootstrap(settings)
    )


def start(settings: Settings, *, timeout: float = 90.0) -> bool:
    """Start the local broker and wait until it answers; False if it was already running.

    ``timeout`` bounds the start-up, not the one-time fetch of the jars that precedes it. The
    result tells a caller whether it launched the broker and so whether it should stop it.
    """
    fetch(settings)
    deadline = time.monotonic() + timeout
    result = _run_script(
        settings,
        "start",
        timeout=timeout + _SCRIPT_GRACE_S,
        extra_env={"KAFKA_START_TIMEOUT": str(max(1, math.ceil(timeout)))},
    )
    if result.returncode != 0:
        raise _failure("start", result)
    bootstrap = local_bootstrap(settings)
    try:
        # The script saw the port open; give the protocol check at least a few seconds even if
        # the script used up the budget.
        wait_until_ready(bootstrap, max(deadline - time.monotonic(), 5.0),
                         options=_admin_options(settings))
    except BrokerError as exc:
        raise BrokerError(f"{exc}\n{log_tail(settings)}") from exc
    if not status(settings).running:
        raise BrokerError(f"the broker stopped right after starting\n{log_tail(settings)}")
    # kafka.sh decides under its lock, so a concurrent starter cannot make both callers owners.
    return "(already)" not in result.stdout


def stop(settings: Settings, *, timeout: float = 60.0) -> None:
    """Stop the local broker (SIGTERM, then SIGKILL after 30 s); a no-op if it is not running."""
    result = _run_script(settings, "stop", timeout=timeout)
    if result.returncode != 0:
        raise _failure("stop", result)


async def _admin(bootstrap: str, *, request_timeout_s: float,
                 options: Mapping[str, Any] | None = None) -> AIOKafkaAdminClient:
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap,
        client_id="sitrep-broker-admin",
        request_timeout_ms=max(1000, int(request_timeout_s * 1000)),
        **dict(options or {}),
    )
    try:
        await admin.start()
    except BaseException:
        await admin.close()
        raise
    return admin


async def _await_ready(bootstrap: str, timeout: float,
                       options: Mapping[str, Any] | None = None) -> None:
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            async with asyncio.timeout(remaining):
                admin = await _admin(bootstrap, request_timeout_s=min(remaining, 10.0),
                                     options=options)
                try:
                    cluster = await admin.describe_cluster()
                finally:
                    await admin.close()
            # A broker that answers but has no controller yet cannot create topics or groups.
            if cluster.get("brokers") and cluster.get("controller_id", -1) >= 0:
                return
            last = BrokerError(f"metadata without brokers or controller: {cluster}")
        except (KafkaError, OSError, TimeoutError) as exc:
            last = exc
        await asyncio.sleep(min(_POLL_S, max(deadline - time.monotonic(), 0)))
    raise BrokerError(f"no Kafka broker answered on {bootstrap} within {timeout:.1f} s: {last!r}")


def wait_until_ready(bootstrap: str, timeout: float, *,
                     options: Mapping[str, Any] | None = None) -> None:
    """Block until a broker at ``bootstrap`` answers a metadata request with a controller
    (``options``: aiokafka connection options, e.g. SASL_SSL)."""
    asyncio.run(_await_ready(bootstrap, timeout, options))


def _partition_counts(topics: list[dict[str, Any]]) -> dict[str, int | None]:
    """Partition count per topic whose partitions all have a leader; None if not yet usable."""
    counts: dict[str, int | None] = {}
    for topic in topics:
        partitions = topic["partitions"]
        usable = (
            topic["error_code"] == 0
            and len(partitions) > 0
            and all(p["error_code"] == 0 and p["leader"] >= 0 for p in partitions)
        )
        counts[topic["topic"]] = len(partitions) if usable else None
    return counts


async def _create_topics(
    bootstrap: str, names: Sequence[str], partitions: int, timeout: float,
    configs: Mapping[str, str] | None = None, options: Mapping[str, Any] | None = None,
) -> None:
    deadline = time.monotonic() + timeout
    async with asyncio.timeout(timeout):
        admin = await _admin(bootstrap, request_timeout_s=timeout, options=options)
        try:
            response = await admin.create_topics(
                [NewTopic(name, partitions, 1, topic_configs=dict(configs or {}))
                 for name in names],
                timeout_ms=int(timeout * 1000),
            )
            for topic, code, *rest in response.topic_errors:
                error = kafka_error_for_code(code)
                if code != 0 and error is not TopicAlreadyExistsError:
                    detail = rest[0] if rest and rest[0] else error.description
                    raise BrokerError(f"cannot create topic {topic!r}: {error.message}: {detail}")
            # KRaft acknowledges a topic before every broker has applied it: wait for leaders,
            # so that the caller's first produce or subscribe does not race the metadata.
            while True:
                counts = _partition_counts(await admin.describe_topics(list(names)))
                if all(counts.get(name) is not None for name in names):
                    break
                if time.monotonic() > deadline:
                    raise BrokerError(f"topics {list(names)} have no leaders after {timeout} s")
                await asyncio.sleep(_POLL_S)
        finally:
            await admin.close()
    # An existing topic with another partition count would silently break key partitioning.
    wrong = {name: counts[name] for name in names if counts[name] != partitions}
    if wrong:
        raise BrokerError(f"topics exist with partition counts other than {partitions}: {wrong}")


def create_topics(
    settings: Settings,
    names: Sequence[str],
    *,
    partitions: int = 1,
    timeout: float = 30.0,
    configs: Mapping[str, str] | None = None,
) -> None:
    """Create topics on the local broker unless they exist with the same partition count.

    ``configs`` are topic-level overrides of the broker's defaults, e.g.
    ``{"retention.bytes": "-1"}`` for a backlog larger than the broker's size limit.
    """
    if not names:
        return
    try:
        asyncio.run(_create_topics(local_bootstrap(settings), names, partitions, timeout,
                                   configs, _admin_options(settings)))
    except (KafkaError, OSError, TimeoutError) as exc:
        raise BrokerError(f"cannot create topics {list(names)}: {exc!r}") from exc


async def _delete_topics(bootstrap: str, names: Sequence[str], timeout: float,
                         options: Mapping[str, Any] | None = None) -> None:
    async with asyncio.timeout(timeout):
        admin = await _admin(bootstrap, request_timeout_s=timeout, options=options)
        try:
            response = await admin.delete_topics(list(names), timeout_ms=int(timeout * 1000))
        finally:
            await admin.close()
    for topic, code in response.topic_error_codes:
        error = kafka_error_for_code(code)
        if code != 0 and error is not UnknownTopicOrPartitionError:
            raise BrokerError(f"cannot delete topic {topic!r}: {error.message}")


def delete_topics(settings: Settings, names: Sequence[str], *, timeout: float = 30.0) -> None:
    """Delete topics from the local broker; topics that do not exist are ignored."""
    if not names:
        return
    try:
        asyncio.run(_delete_topics(local_bootstrap(settings), names, timeout,
                                   _admin_options(settings)))
    except (KafkaError, OSError, TimeoutError) as exc:
        raise BrokerError(f"cannot delete topics {list(names)}: {exc!r}") from exc


@contextmanager
def session(settings: Settings, *,
            announce: Callable[[str], object] | None = None) -> Iterator[BrokerStatus]:
    """The local broker for the duration of a block: a running one is used and left running;
    otherwise it is started here and stopped at the end (``announce`` hears both)."""
    current = status(settings)
    started = False
    if current.running:
        wait_until_ready(current.bootstrap, 30.0, options=_admin_options(settings))
    else:
        if announce is not None:
            announce("starting the local Kafka broker ...")
        started = start(settings)
        current = status(settings)
    try:
        yield current
    finally:
        if started:
            stop(settings)
            if announce is not None:
                announce("broker stopped")



def grant_client(settings: Settings, user: str, prefix: str | None = None) -> None:
    """On the secured broker, let ``user`` produce articles and read alerts, nothing else."""
    prefix = settings.topic_prefix if prefix is None else prefix
    result = _run_script(settings, "grant-client", timeout=120.0, extra_args=(user, prefix))
    if result.returncode != 0:
        raise _failure("grant-client", result)
