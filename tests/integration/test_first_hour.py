"""A new user's first hour on a fresh broker prefix: nothing created beforehand, any client.

The README's "Using it" steps run in its order (worker, feed, tail) as subprocesses of the real
command line; kcat, a client that is not sitrep, produces articles after the worker started and
reads incidents and alerts back; a worker that may not create topics waits, says why on
/health, and subscribes once an operator has created them.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from streams import broker, topics
from streams.demo import DEMO_GRACE_DAYS, free_port, start_worker, stop_worker, worker_env
from streams.settings import PROJECT_ROOT, Settings
from tests.integration.workers import RunningWorker, seed_articles_with_incidents, wait_ready

SEEDS = PROJECT_ROOT / "seeds"
# "Within seconds" on a shared two-core machine: the median is a few seconds.
FIRST_INCIDENT_S = 30.0


def fresh_settings(bootstrap: str, tmp: Path, **overrides: Any) -> Settings:
    """Settings of a worker on a prefix no topic of which exists yet."""
    name = f"new-{uuid4().hex[:8]}"
    return Settings(bootstrap_servers=bootstrap, app_id=f"sitrep-{name}",
                    topic_prefix=f"{name}.", data_dir=tmp / "worker", web_port=free_port(),
                    grace_days=DEMO_GRACE_DAYS, **overrides)


@pytest.fixture
def fresh_prefix(kafka_bootstrap: str, broker_settings: Settings,
                 tmp_path: Path) -> Iterator[Settings]:
    settings = fresh_settings(kafka_bootstrap, tmp_path)
    yield settings
    broker.delete_topics(broker_settings, [settings.topic(name) for name in topics.ALL])


def worker_on(settings: Settings, tmp: Path) -> tuple[subprocess.Popen[bytes], RunningWorker]:
    """Start ``sitrep worker`` with these settings and wait until /health says ready."""
    log = tmp / "worker.log"
    process = start_worker(settings, log=log)
    running = RunningWorker(settings=settings, log=log)
    try:
        wait_ready(settings, process, 90.0, running)
    except BaseException:
        stop_worker(process)
        raise
    return process, running


def sitrep(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "streams.cli", *args], env=worker_env(settings),
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
                          check=False)


def read_lines_until(process: subprocess.Popen[bytes], count: int, timeout: float,
                     pending: bytearray) -> list[str]:
    """Lines of a process's stdout until ``count`` have come or ``timeout`` passed.

    Raw reads of the pipe: a buffered reader would hold lines that select() no longer sees.
    ``pending`` keeps a partial line for the next call.
    """
    assert process.stdout is not None
    fd = process.stdout.fileno()
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while len(lines) < count and time.monotonic() < deadline:
            if not selector.select(timeout=max(deadline - time.monotonic(), 0.01)):
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            pending.extend(chunk)
            *complete, rest = pending.split(b"\n")
            pending[:] = rest
            lines.extend(line.decode() for line in complete)
    return lines


def topic_config(settings: Settings, name: str) -> dict[str, str]:
    """The topic-level configs of a topic as the broker reports them (kcat -L has none)."""
    import asyncio

    from aiokafka.admin import AIOKafkaAdminClient
    from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

    async def run() -> dict[str, str]:
        admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
        await admin.start()
        try:
            (response,) = await admin.describe_configs(
                [ConfigResource(ConfigResourceType.TOPIC, name)])
        finally:
            await admin.close()
        return {entry[0]: entry[1] for entry in response.resources[0][4]}

    return asyncio.run(run())


def test_first_hour_readme_steps_in_order_print_incidents_within_seconds(
    fresh_prefix: Settings, tmp_path: Path
) -> None:
    settings = fresh_prefix
    # sitrep kafka start: the session's broker. sitrep worker: before any topic exists.
    process, running = worker_on(settings, tmp_path)
    try:
        fed = sitrep(settings, "feed", "seeds/articles.jsonl")
        assert fed.returncode == 0, fed.stderr
        fed_at = time.monotonic()
        with subprocess.Popen([sys.executable, "-m", "streams.cli", "tail", "incidents"],
                              env=worker_env(settings), cwd=PROJECT_ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as tail:
            try:
                pending = bytearray()
                first = read_lines_until(tail, 1, FIRST_INCIDENT_S, pending)
                first_after = time.monotonic() - fed_at
                lines = first + read_lines_until(tail, 200, 8.0, pending)
            finally:
                tail.terminate()
    finally:
        stop_worker(process)
    assert first, f"no incident {FIRST_INCIDENT_S} s after feed:\n{running.log_text()}"
    print(f"first incident printed {first_after:.1f} s after feed returned")
    shown = {a for a in seed_articles_with_incidents() if any(f"[{a} " in line for line in lines)}
    assert shown == seed_articles_with_incidents(), lines
    assert "Ignoring missing topic" not in running.log_text()
    # Created by the worker from the settings, not by a client's metadata request.
    articles = topic_config(settings, settings.topic(topics.ARTICLES))
    incidents = topic_config(settings, settings.topic(topics.INCIDENTS))
    assert articles["retention.ms"] == str(settings.articles_retention_ms)
    assert incidents["retention.ms"] == str(settings.derived_retention_ms)
    assert incidents["cleanup.policy"] == "delete"


def kcat() -> str:
    executable = shutil.which("kcat")
    assert executable, "kcat is missing: scripts/setup.sh test installs it (Debian package kcat)"
    return executable


def kcat_produce(settings: Settings, topic: str, lines: list[str], *options: str) -> None:
    done = subprocess.run([kcat(), "-P", "-b", settings.bootstrap_servers, "-t", topic, *options],
                          input="\n".join(lines) + "\n", capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr


def kcat_read(settings: Settings, topic: str) -> list[dict[str, Any]]:
    """Every record of a topic so far, as kcat's JSON envelopes (key, payload, headers)."""
    done = subprocess.run([kcat(), "-C", "-b", settings.bootstrap_servers, "-t", topic,
                           "-o", "beginning", "-e", "-q", "-J"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def test_first_hour_kcat_articles_after_the_worker_started_give_incidents_and_alerts(
    fresh_prefix: Settings, tmp_path: Path
) -> None:
    settings = fresh_prefix
    articles = [line for line in (SEEDS / "articles.jsonl").read_text().splitlines() if line]
    history = [line for line in (SEEDS / "history.jsonl").read_text().splitlines() if line]
    with_headers = max(seed_articles_with_incidents())
    headed = [line for line in articles if json.loads(line)["id"] == with_headers]
    rest = [line for line in articles if json.loads(line)["id"] != with_headers]
    keyed, unkeyed = rest[: len(rest) // 2], rest[len(rest) // 2:]
    process, running = worker_on(settings, tmp_path)
    try:
        incidents_topic = settings.topic(topics.INCIDENTS)
        kcat_produce(settings, incidents_topic,
                     [f"{json.loads(line)['country']}\t{line}" for line in history], "-K", "\t")
        articles_topic = settings.topic(topics.ARTICLES)
        kcat_produce(settings, articles_topic,
                     [f"{json.loads(line)['id']}\t{line}" for line in keyed], "-K", "\t")
        kcat_produce(settings, articles_topic, unkeyed)
        kcat_produce(settings, articles_topic, headed, "-H", "source=kcat", "-H", "batch=1")
        deadline = time.monotonic() + 120.0
        expected = seed_articles_with_incidents()
        seen: set[str] = set()
        alerts: list[dict[str, Any]] = []
        while time.monotonic() < deadline and not (seen >= expected and alerts):
            time.sleep(1.0)
            seen = {json.loads(r["payload"])["article_id"]
                    for r in kcat_read(settings, incidents_topic)} & seed_articles_with_incidents()
            alerts = kcat_read(settings, settings.topic(topics.ALERTS))
    finally:
        stop_worker(process)
    assert seen == seed_articles_with_incidents(), running.log_text()
    assert with_headers in seen
    assert alerts, running.log_text()
    alert = json.loads(alerts[0]["payload"])
    assert alerts[0]["key"] == alert["region"]
    dead = kcat_read(settings, settings.topic(topics.ARTICLES_DLQ))
    assert dead == [], [d.get("headers") for d in dead]


def test_first_hour_worker_that_may_not_create_topics_waits_and_says_why(
    kafka_bootstrap: str, broker_settings: Settings, tmp_path: Path
) -> None:
    settings = fresh_settings(kafka_bootstrap, tmp_path, create_topics=False,
                              topic_retry_seconds=1.0)
    names = [settings.topic(name) for name in topics.ALL]
    process = start_worker(settings, log=tmp_path / "worker.log")
    running = RunningWorker(settings=settings, log=tmp_path / "worker.log")
    try:
        why = None
        deadline = time.monotonic() + 60.0
        while why is None and time.monotonic() < deadline and process.poll() is None:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{settings.web_port}/health", timeout=2)
            except urllib.error.HTTPError as exc:
                why = json.loads(exc.read())["why"]
            except OSError:
                time.sleep(0.5)
        assert why is not None, running.log_text()
        assert f"topics missing on {kafka_bootstrap}" in why
        assert settings.topic(topics.ARTICLES) in why
        time.sleep(3.0)  # three more retries, the same reason: not said again
        assert running.log_text().count("topics missing on") == 1, running.log_text()

        broker.create_topics(settings, names)  # the operator's step
        wait_ready(settings, process, 60.0, running)
        kcat_produce(settings, settings.topic(topics.ARTICLES),
                     (SEEDS / "articles.jsonl").read_text().splitlines()[:1])
        deadline = time.monotonic() + 60.0
        incidents: list[dict[str, Any]] = []
        while not incidents and time.monotonic() < deadline:
            time.sleep(1.0)
            incidents = kcat_read(settings, settings.topic(topics.INCIDENTS))
        assert incidents, running.log_text()
    finally:
        stop_worker(process)
        broker.delete_topics(broker_settings, names)
