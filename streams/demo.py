"""``sitrep demo``: the whole pipeline on the local broker with the project's sample articles."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import orjson
from rich.console import Console

from streams import broker, provision, topics
from streams.client import consume, produce
from streams.files import iter_article_records
from streams.render import describe
from streams.settings import PROJECT_ROOT, Settings

SEEDS = PROJECT_ROOT / "seeds"
DEMO_GRACE_DAYS = 3
console = Console()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def worker_env(settings: Settings) -> dict[str, str]:
    """The environment of a worker subprocess that uses these settings' topics, app id and
    connection (SASL and TLS included: a child process gets its password as an env var)."""
    security = {
        "SITREP_SECURITY_PROTOCOL": settings.security_protocol,
        "SITREP_SASL_MECHANISM": settings.sasl_mechanism,
        "SITREP_SASL_USERNAME": settings.sasl_username,
        "SITREP_SASL_PASSWORD": (settings.sasl_password.get_secret_value()
                                 if settings.sasl_password else None),
        "SITREP_SSL_CAFILE": settings.ssl_cafile and str(settings.ssl_cafile),
        "SITREP_SSL_CERTFILE": settings.ssl_certfile and str(settings.ssl_certfile),
        "SITREP_SSL_KEYFILE": settings.ssl_keyfile and str(settings.ssl_keyfile),
    }
    return {
        **os.environ,
        **{name: value for name, value in security.items() if value is not None},
        "SITREP_BOOTSTRAP_SERVERS": settings.bootstrap_servers,
        "SITREP_APP_ID": settings.app_id,
        "SITREP_TOPIC_PREFIX": settings.topic_prefix,
        "SITREP_ARTICLES_TOPIC": settings.articles_topic,
        "SITREP_DATA_DIR": str(settings.data_dir),
        "SITREP_WEB_PORT": str(settings.web_port),
        "SITREP_PARTITIONS": str(settings.partitions),
        "SITREP_GRACE_DAYS": str(settings.grace_days),
        "SITREP_SESSION_TIMEOUT_SECONDS": str(settings.session_timeout_seconds),
        "SITREP_TABLE_STANDBY_REPLICAS": str(settings.table_standby_replicas),
        "SITREP_CREATE_TOPICS": str(settings.create_topics).lower(),
        "SITREP_TOPIC_RETRY_SECONDS": str(settings.topic_retry_seconds),
    }


def start_worker(settings: Settings, *, log: Path,
                 loglevel: str = "info") -> subprocess.Popen[bytes]:
    """Start ``sitrep worker`` as a subprocess with its output in ``log``."""
    with log.open("ab") as handle:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "streams.cli", "worker", "--loglevel", loglevel],
            env=worker_env(settings), stdout=handle, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT,
        )


def stop_worker(process: subprocess.Popen[bytes], *, timeout: float = 30.0) -> int:
    """Stop a worker cleanly (SIGTERM), killing it if it does not stop in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def wait_healthy(settings: Settings, process: subprocess.Popen[bytes], *, deadline: float,
                 poll: float = 0.5) -> str | None:
    """Wait until a worker's ``/health`` says ready (None), or say why not: it exited, or
    ``deadline`` (a ``time.monotonic()`` value) passed first."""
    url = f"http://127.0.0.1:{settings.web_port}/health"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return f"worker exited with {process.returncode}"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return None
        except OSError:
            pass
        time.sleep(poll)
    return "worker not ready in time"


async def _watch(settings: Settings, expected_articles: set[str], deadline: float) -> bool:
    """Print incidents and alerts as they stream; True once all articles and an alert show."""
    seen_articles: set[str] = set()
    alerts_seen = 0
    done = asyncio.Event()

    async def follow(stream: str) -> None:
        nonlocal alerts_seen
        async for record in consume(settings, settings.topic(stream), idle_timeout=None):
            value = orjson.loads(record.value)
            if stream == topics.INCIDENTS and value.get("article_id") not in expected_articles:
                continue  # the backfilled history is the baseline, not news to show
            style = "bold red" if stream == "alerts" else "green"
            console.print(describe(stream, value), style=style, highlight=False,
                          soft_wrap=True)
            if stream == "alerts":
                alerts_seen += 1
            else:
                seen_articles.add(value.get("article_id", ""))
            if alerts_seen and expected_articles <= seen_articles:
                done.set()

    tasks = [asyncio.create_task(follow(name)) for name in (topics.INCIDENTS, topics.ALERTS)]
    try:
        await asyncio.wait_for(done.wait(), timeout=max(deadline - time.monotonic(), 1.0))
        await asyncio.sleep(3.0)  # let the last alert changes of the burst print
    except TimeoutError:
        pass
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    missing = expected_articles - seen_articles
    if missing:
        console.print(f"no incidents yet for: {', '.join(sorted(missing))}", style="yellow")
    console.print(f"{len(seen_articles)} of {len(expected_articles)} sample articles with events "
                  f"gave incidents; {alerts_seen} alert changes")
    return not missing and alerts_seen > 0


def run_demo(settings: Settings, *, timeout: float = 240.0) -> int:
    """Run the demo end to end; return the exit code (0 when incidents and an alert showed)."""
    deadline = time.monotonic() + timeout
    with broker.session(settings, announce=console.print):
        return _demo(settings, deadline)


def _demo(settings: Settings, deadline: float) -> int:
    run = f"demo-{int(time.time())}"
    workdir = Path(tempfile.mkdtemp(prefix="sitrep-demo-"))
    demo_settings = settings.model_copy(update={
        "app_id": f"sitrep-{run}", "topic_prefix": f"{run}.", "data_dir": workdir / "worker",
        "web_port": free_port(),
        # A short grace period so the sample's spike week closes within the sample's dates.
        "grace_days": DEMO_GRACE_DAYS,
    })
    # The worker would create them too; before it, so the history sent next finds them.
    provision.prepare(demo_settings, topics.ALL)
    worker = start_worker(demo_settings, log=workdir / "worker.log")
    try:
        history = SEEDS / "history.jsonl"
        if history.exists():
            lines = [line for line in history.read_bytes().splitlines() if line.strip()]
            records = [(orjson.loads(line)["country"].encode(), line) for line in lines]
            asyncio.run(produce(demo_settings, demo_settings.topic(topics.INCIDENTS), records))
            console.print(f"backfilled {len(records)} past incidents as the regions' baseline")
        articles = list(iter_article_records([SEEDS / "articles.jsonl"]))
        asyncio.run(produce(demo_settings, demo_settings.topic(topics.ARTICLES),
                            [(key.encode(), value) for key, value in articles]))
        console.print(f"fed {len(articles)} articles; incidents and alerts as they stream:")
        expected = _articles_with_events(SEEDS / "expected.jsonl")
        ok = asyncio.run(_watch(demo_settings, expected, deadline))
    finally:
        code = stop_worker(worker)
        console.print(f"worker stopped (exit {code}); its log: {workdir / 'worker.log'}")
    return 0 if ok else 1


def _articles_with_events(path: Path) -> set[str]:
    """Ids of the sample articles whose answer key lists at least one incident."""
    ids = set()
    for line in path.read_bytes().splitlines():
        if line.strip():
            record = orjson.loads(line)
            if record.get("incidents"):
                ids.add(str(record.get("article") or record.get("id")))
    return ids
