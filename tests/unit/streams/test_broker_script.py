"""deploy/kafka/kafka.sh and streams.broker without a broker: config, pid files, fetch, errors."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from processors.errors import BrokerError
from streams import broker
from streams.settings import PROJECT_ROOT, Settings

SCRIPT = PROJECT_ROOT / "deploy" / "kafka" / "kafka.sh"
JARS = PROJECT_ROOT / "deploy" / "kafka" / "jars.txt"


def run_script(
    command: str, home: Path, *, port: int | str = 29092, controller: int | str = 29093, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run kafka.sh with its own home and ports, never the developer's broker."""
    full_env = {
        **os.environ,
        "KAFKA_HOME": str(home),
        "KAFKA_PORT": str(port),
        "KAFKA_CONTROLLER_PORT": str(controller),
        **env,
    }
    return subprocess.run(
        ["bash", str(SCRIPT), command],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def read_properties(path: Path) -> dict[str, str]:
    """The key=value pairs of a Java properties file without comments or continuations."""
    pairs: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            assert key.strip() not in pairs, f"{key} set twice"
            pairs[key.strip()] = value.strip()
    return pairs


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture
def listening_port() -> Iterator[int]:
    """A loopback port held by a listener that is not a Kafka broker."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


@pytest.mark.parametrize(("port", "controller"), [(9092, 9093), (19092, 19093), (45001, 1024)])
def test_broker_script_config_renders_a_single_node_kraft_broker(
    tmp_path: Path, port: int, controller: int
) -> None:
    result = run_script("config", tmp_path, port=port, controller=controller)

    assert result.returncode == 0, result.stderr
    config_path = Path(result.stdout.strip())
    assert config_path == tmp_path / "config" / "server.properties"
    assert "@" not in config_path.read_text(encoding="utf-8").replace(
        f"1@127.0.0.1:{controller}", ""
    )
    props = read_properties(config_path)
    assert props["process.roles"] == "broker,controller"
    assert props["node.id"] == "1"
    assert props["controller.quorum.voters"] == f"1@127.0.0.1:{controller}"
    assert props["listeners"] == (
        f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}"
    )
    assert props["advertised.listeners"] == f"PLAINTEXT://127.0.0.1:{port}"
    assert props["controller.listener.names"] == "CONTROLLER"
    assert props["log.dirs"] == str(tmp_path / "data")
    for key in (
        "offsets.topic.replication.factor",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
        "default.replication.factor",
        "num.partitions",
    ):
        assert props[key] == "1", key
    assert props["group.initial.rebalance.delay.ms"] == "0"
    assert props["auto.create.topics.enable"] == "true"
    # The cleaner's buffer must fit the 768 MiB heap next to everything else (default 128 MiB).
    assert 1 << 20 <= int(props["log.cleaner.dedupe.buffer.size"]) <= 32 << 20
    # The broker must not refuse an article the service itself would still accept.
    assert int(props["message.max.bytes"]) > Settings().max_message_bytes


@pytest.mark.parametrize("odd_dir", ["with space", "amp&ersand", "back\\slash", "pipe|dollar$x"])
def test_broker_script_config_keeps_odd_characters_of_the_home_path(
    tmp_path: Path, odd_dir: str
) -> None:
    home = tmp_path / odd_dir

    result = run_script("config", home)

    assert result.returncode == 0, result.stderr
    assert read_properties(home / "config" / "server.properties")["log.dirs"] == str(home / "data")


@pytest.mark.parametrize(
    ("port", "controller", "message"),
    [
        ("abc", 9093, "KAFKA_PORT must be a TCP port"),
        (0, 9093, "KAFKA_PORT must be a TCP port"),
        (70000, 9093, "KAFKA_PORT must be a TCP port"),
        ("99999999999999999999", 9093, "KAFKA_PORT must be a TCP port"),
        (9092, "90e3", "KAFKA_CONTROLLER_PORT must be a TCP port"),
        (9092, 9092, "are both 9092"),
    ],
)
def test_broker_script_rejects_bad_ports(
    tmp_path: Path, port: int | str, controller: int | str, message: str
) -> None:
    result = run_script("status", tmp_path, port=port, controller=controller)

    assert result.returncode == 1
    assert message in result.stderr


@pytest.mark.parametrize("pid_kind", ["none", "dead", "not_kafka", "garbage"])
def test_broker_script_status_and_stop_without_a_broker(tmp_path: Path, pid_kind: str) -> None:
    pidfile = tmp_path / "kafka.pid"
    pids = {"dead": str(dead_pid()), "not_kafka": str(os.getpid()), "garbage": "12ab"}
    if pid_kind in pids:
        pidfile.write_text(pids[pid_kind] + "\n")

    status = run_script("status", tmp_path)
    stop = run_script("stop", tmp_path)

    assert status.returncode == 1
    assert status.stdout.startswith("not running")
    assert ("stale pid file" in status.stdout) == (pid_kind != "none")
    # stop must neither fail nor signal a process that merely reuses the pid.
    assert stop.returncode == 0, stop.stderr
    assert stop.stdout.strip() == "not running"
    assert not pidfile.exists()


def test_broker_script_start_refuses_a_port_held_by_another_process(
    tmp_path: Path, listening_port: int
) -> None:
    result = run_script("start", tmp_path, port=listening_port, controller=free_port())

    assert result.returncode == 1
    assert f"127.0.0.1:{listening_port} is in use" in result.stderr
    assert not (tmp_path / "kafka.pid").exists()


@pytest.fixture
def unreachable_repo() -> dict[str, str]:
    """An environment whose Maven repository is a loopback port nobody listens on."""
    return {"KAFKA_MAVEN_REPO": f"http://127.0.0.1:{free_port()}/maven2"}


def test_broker_script_fetch_skips_the_download_when_the_jars_match_the_list(
    tmp_path: Path, unreachable_repo: dict[str, str]
) -> None:
    home = tmp_path / "home"
    fake_fetched_and_formatted_home(home)

    result = run_script("fetch", home, **unreachable_repo)

    assert result.returncode == 0, result.stderr
    assert "fetching" not in result.stderr


@pytest.mark.parametrize("stamp", [None, "0" * 64])
def test_broker_script_fetch_failure_names_the_url_and_keeps_old_jars(
    tmp_path: Path, unreachable_repo: dict[str, str], stamp: str | None
) -> None:
    home = tmp_path / "home"
    libs = home / "libs"
    libs.mkdir(parents=True)
    (libs / "old.jar").write_bytes(b"jar")
    if stamp is not None:
        (libs / ".fetched").write_text(stamp + "\n")

    result = run_script("fetch", home, **unreachable_repo)

    assert result.returncode == 1
    assert f"cannot download {unreachable_repo['KAFKA_MAVEN_REPO']}/" in result.stderr
    assert (libs / "old.jar").exists()
    assert not any(p.name.startswith("libs.tmp") for p in home.iterdir())


def test_broker_script_fetch_refuses_a_jar_whose_digest_differs(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    for line in JARS.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            group, artifact, version = line.split()[0].split(":")
            jar = repo / group.replace(".", "/") / artifact / version / f"{artifact}-{version}.jar"
            jar.parent.mkdir(parents=True, exist_ok=True)
            jar.write_bytes(b"not the pinned jar")
    home = tmp_path / "home"

    result = run_script("fetch", home, KAFKA_MAVEN_REPO=repo.as_uri())

    assert result.returncode == 1
    assert "jars.txt pins" in result.stderr
    assert not (home / "libs").exists()


def test_broker_script_jar_list_pins_the_broker_and_its_logging_binding() -> None:
    pins = {}
    for line in JARS.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            coordinates, digest = line.split()
            pins[coordinates] = digest
    assert "org.apache.kafka:kafka_2.13:3.9.1" in pins
    assert "org.slf4j:slf4j-reload4j:1.7.36" in pins
    assert "ch.qos.reload4j:reload4j:1.2.25" in pins
    assert all(len(d) == 64 and set(d) <= set("0123456789abcdef") for d in pins.values())


def fake_fetched_and_formatted_home(home: Path) -> None:
    """A home that kafka.sh will neither fetch nor format, so start goes straight to java."""
    (home / "libs").mkdir(parents=True)
    (home / "libs" / ".fetched").write_text(hashlib.sha256(JARS.read_bytes()).hexdigest() + "\n")
    (home / "data").mkdir()
    (home / "data" / "meta.properties").write_text("node.id=1\n")


def test_broker_script_start_reports_the_log_when_the_jvm_dies(tmp_path: Path) -> None:
    fake_fetched_and_formatted_home(tmp_path)

    result = run_script(
        "start",
        tmp_path,
        port=free_port(),
        controller=free_port(),
        KAFKA_OPTS="-XX:+SitrepNoSuchOption",
    )

    assert result.returncode == 1
    assert "exited during start-up" in result.stderr
    assert "SitrepNoSuchOption" in result.stderr  # the JVM's own complaint, from the log tail
    assert not (tmp_path / "kafka.pid").exists()


def test_broker_status_of_an_empty_home(tmp_path: Path) -> None:
    settings = Settings(kafka_home=tmp_path, kafka_port=free_port(), kafka_controller_port=29093)

    current = broker.status(settings)

    assert current == broker.BrokerStatus(
        running=False, pid=None, bootstrap=f"127.0.0.1:{settings.kafka_port}"
    )


def test_broker_start_raises_broker_error_when_the_port_is_taken(
    tmp_path: Path, listening_port: int
) -> None:
    fake_fetched_and_formatted_home(tmp_path)
    settings = Settings(
        kafka_home=tmp_path, kafka_port=listening_port, kafka_controller_port=free_port()
    )

    with pytest.raises(BrokerError, match=f"127.0.0.1:{listening_port} is in use"):
        broker.start(settings, timeout=10.0)


@pytest.mark.parametrize("timeout", [0.5, 2.0])
def test_broker_wait_until_ready_gives_up_on_a_closed_port(timeout: float) -> None:
    bootstrap = f"127.0.0.1:{free_port()}"
    began = time.monotonic()

    with pytest.raises(BrokerError, match=f"no Kafka broker answered on {bootstrap}"):
        broker.wait_until_ready(bootstrap, timeout)

    assert timeout <= time.monotonic() - began < timeout + 5.0


def test_broker_wait_until_ready_rejects_a_listener_that_is_not_kafka(
    listening_port: int,
) -> None:
    # A TCP connect alone would succeed here; the metadata request must not.
    with pytest.raises(BrokerError):
        broker.wait_until_ready(f"127.0.0.1:{listening_port}", 1.5)
