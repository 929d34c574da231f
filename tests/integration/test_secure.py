"""The secured local broker (SASL_SSL, SCRAM-SHA-512 users, ACLs), as production runs it.

One secured broker for the module, of its own (home, free ports, the shared jars), started
with ``kafka_secure``. A worker reaches it as the ``sitrep`` user and turns articles fed
through SASL_SSL into incidents and alerts; the ``newsroom`` user may produce articles and
read alerts and nothing else; a wrong password, an untrusted certificate and a user without
rights each end a CLI command with one line that names the problem. After a run at debug log
level, no log, page, dead letter or error message holds the password or a key file's path.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from pydantic import SecretStr

from processors.errors import BrokerError
from processors.models import Alert
from streams import broker, topics
from streams.client import produce
from streams.demo import free_port, start_worker, stop_worker, worker_env
from streams.settings import PROJECT_ROOT, Settings
from tests.integration.workers import (
    RunningWorker,
    collect,
    running_worker,
    seed_articles_with_incidents,
)

SEEDS = PROJECT_ROOT / "seeds"
KNOWN_PASSWORD = "s3cret-Known-To-The-Test-only"


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def _self_signed(directory: Path, name: str) -> tuple[Path, Path]:
    cert, key = directory / f"{name}.pem", directory / f"{name}-key-never-logged.pem"
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout",
             str(key), "-out", str(cert), "-subj", f"/CN={name}")
    return cert, key


@pytest.fixture(scope="module")
def secure(kafka_bootstrap: str, broker_settings: Settings,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A started secured broker of the module's own; the sitrep user's password is known."""
    home = tmp_path_factory.mktemp("secure") / "kafka"
    home.mkdir()
    (home / "libs").symlink_to((broker_settings.kafka_home / "libs").resolve())
    port = free_port()
    controller = free_port()
    while controller == port:
        controller = free_port()
    settings = Settings(kafka_home=home, kafka_port=port, kafka_controller_port=controller,
                        kafka_secure=True, bootstrap_servers=f"127.0.0.1:{port}")
    os.environ["KAFKA_SITREP_PASSWORD"] = KNOWN_PASSWORD
    try:
        broker.start(settings)
    finally:
        del os.environ["KAFKA_SITREP_PASSWORD"]
    try:
        yield settings
    finally:
        broker.stop(settings)


@pytest.fixture(scope="module")
def secure_worker(secure: Settings, tmp_path_factory: pytest.TempPathFactory,
                  ) -> Iterator[RunningWorker]:
    """A worker on the secured broker as ``sitrep``, at debug level, with a client key file
    (the broker does not ask for it; it is there so that its path can be looked for)."""
    name = f"sec-{random.getrandbits(32):08x}"
    tmp = tmp_path_factory.mktemp(name)
    cert, key = _self_signed(tmp, "client")
    client = broker.client_settings(secure, "sitrep").model_copy(
        update={"ssl_certfile": cert, "ssl_keyfile": key})
    assert client.sasl_password is not None
    assert client.sasl_password.get_secret_value() == KNOWN_PASSWORD
    with running_worker(client.bootstrap_servers, name, tmp, base=client, admin=secure,
                        loglevel="debug") as running:
        yield running


def _cli(settings: Settings, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "streams.cli", *args], env=worker_env(settings),
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout)


def _one_line_error(done: subprocess.CompletedProcess[str], *words: str) -> str:
    assert done.returncode != 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def _articles_of(records: list[object]) -> set[str]:
    return {orjson.loads(r.value)["article_id"] for r in records}  # type: ignore[attr-defined]


def test_secure_worker_fed_through_sasl_ssl_gives_incidents_and_alerts(
    secure_worker: RunningWorker,
) -> None:
    settings = secure_worker.settings
    assert settings.security_protocol == "SASL_SSL"
    done = _cli(settings, "backfill", str(SEEDS / "history.jsonl"))
    assert done.returncode == 0, done.stderr
    done = _cli(settings, "feed", str(SEEDS / "articles.jsonl"))
    assert done.returncode == 0, done.stderr
    expected = seed_articles_with_incidents()
    incidents = collect(settings, topics.INCIDENTS, timeout=120,
                        until=lambda rs: expected <= _articles_of(rs))
    assert expected <= _articles_of(incidents), secure_worker.log_text()
    alerts = collect(settings, topics.ALERTS, timeout=60, until=lambda rs: len(rs) > 0)
    assert alerts, secure_worker.log_text()
    for record in alerts:
        alert = Alert.model_validate_json(record.value)
        assert alert.observed > alert.expected


def test_secure_newsroom_user_produces_articles_and_reads_alerts_and_nothing_else(
    secure: Settings, secure_worker: RunningWorker,
) -> None:
    prefix = secure_worker.settings.topic_prefix
    broker.grant_client(secure, "newsroom", prefix)
    newsroom = broker.client_settings(secure, "newsroom").model_copy(
        update={"topic_prefix": prefix})
    done = _cli(newsroom, "feed", str(SEEDS / "articles.jsonl"))
    assert done.returncode == 0, done.stderr
    alerts = collect(secure_worker.settings, topics.ALERTS, timeout=60,
                     until=lambda rs: len(rs) > 0)
    assert alerts, secure_worker.log_text()
    done = _cli(newsroom, "tail", "alerts", "--idle", "3", "--json")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) >= len(alerts)
    _one_line_error(_cli(newsroom, "tail", "incidents", "--idle", "3"),
                    "'newsroom'", f"{prefix}incidents", "not allow")
    _one_line_error(_cli(newsroom, "backfill", str(SEEDS / "history.jsonl")),
                    "'newsroom'", f"{prefix}incidents", "not allow")
    for topic in (topics.INCIDENTS_EXTRACTED, topics.ALERTS, topics.ARTICLES_DLQ):
        with pytest.raises(BrokerError, match="not allow"):
            asyncio.run(produce(newsroom, newsroom.topic(topic), [(None, b"{}")]))


def test_secure_wrong_password_is_one_line_naming_the_credentials(secure: Settings) -> None:
    wrong = broker.client_settings(secure, "sitrep").model_copy(
        update={"sasl_password": SecretStr("not-the-password")})
    line = _one_line_error(_cli(wrong, "feed", str(SEEDS / "articles.jsonl")),
                           "invalid credentials", "SITREP_SASL_PASSWORD")
    assert "not-the-password" not in line


def test_secure_untrusted_certificate_is_one_line_naming_the_ca(
    secure: Settings, tmp_path: Path,
) -> None:
    other_ca, _ = _self_signed(tmp_path, "not-the-brokers-ca")
    untrusted = broker.client_settings(secure, "sitrep").model_copy(
        update={"ssl_cafile": other_ca})
    _one_line_error(_cli(untrusted, "tail", "alerts", "--idle", "3"),
                    "does not trust", "SITREP_SSL_CAFILE")


def test_secure_user_without_rights_is_one_line(secure: Settings) -> None:
    nobody = broker.client_settings(secure, "newsroom").model_copy(
        update={"topic_prefix": f"norights-{random.getrandbits(32):08x}."})
    _one_line_error(_cli(nobody, "feed", str(SEEDS / "articles.jsonl")),
                    "'newsroom'", "not allow")


def test_secure_no_secret_in_logs_pages_dead_letters_or_errors(
    secure_worker: RunningWorker,
) -> None:
    settings = secure_worker.settings
    # A bad article, so that the dead-letter topic has a record whose headers are searched too.
    asyncio.run(produce(settings, settings.topic(topics.ARTICLES), [(b"bad", b"{not json")]))
    dead = collect(settings, topics.ARTICLES_DLQ, timeout=60, until=lambda rs: len(rs) > 0)
    assert dead, secure_worker.log_text()
    pages = []
    for page in ("metrics", "health"):
        with urllib.request.urlopen(f"http://127.0.0.1:{settings.web_port}/{page}") as reply:
            pages.append(reply.read().decode())
    wrong = _cli(settings.model_copy(update={"sasl_password": SecretStr(KNOWN_PASSWORD + "x")}),
                 "feed", str(SEEDS / "articles.jsonl"))
    log = secure_worker.log.read_text(errors="replace")
    assert "[DEBUG]" in log, "the worker did not log at debug level"
    texts = {"worker log": log, "/metrics": pages[0], "/health": pages[1],
             "CLI output": wrong.stdout + wrong.stderr,
             "dead letters": "".join(repr(r.headers) + repr(r.value) for r in dead)}
    secrets = [KNOWN_PASSWORD, str(settings.ssl_keyfile), Path(str(settings.ssl_keyfile)).name]
    for where, text in texts.items():
        for secret in secrets:
            assert secret not in text, f"{secret!r} appears in the {where}"


def test_secure_worker_with_a_wrong_password_keeps_retrying_and_says_why(
    secure: Settings, tmp_path: Path,
) -> None:
    wrong = broker.client_settings(secure, "sitrep").model_copy(update={
        "sasl_password": SecretStr(KNOWN_PASSWORD + "-wrong"), "web_port": free_port(),
        "data_dir": tmp_path / "worker", "topic_retry_seconds": 2.0,
        "topic_prefix": f"wrongpw-{random.getrandbits(32):08x}.",
        "app_id": f"sitrep-wrongpw-{random.getrandbits(32):08x}"})
    log = tmp_path / "worker.log"
    process = start_worker(wrong, log=log)
    try:
        deadline = time.monotonic() + 60
        body, status = "", 0
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text(errors="replace")[-3000:]
            try:
                with urllib.request.urlopen(
                        f"http://127.0.0.1:{wrong.web_port}/health", timeout=2) as reply:
                    status, body = reply.status, reply.read().decode()
            except urllib.error.HTTPError as exc:
                status, body = exc.code, exc.read().decode()
            except OSError:
                pass
            if "invalid credentials" in body:
                break
            time.sleep(0.5)
        assert status == 503 and "invalid credentials" in body, (status, body)
        time.sleep(5)  # two more retries: still alive, still saying why, once in the log
        assert process.poll() is None, log.read_text(errors="replace")[-3000:]
        text = log.read_text(errors="replace")
        # sitrep's own line, once while the reason stays the same (aiokafka logs each attempt)
        assert text.count("refused user 'sitrep'") == 1, text[-3000:]
        assert KNOWN_PASSWORD not in text
    finally:
        stop_worker(process)
