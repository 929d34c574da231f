"""streams.cli: an error is one line naming what failed and what to do, never a traceback."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from processors.detect.backfill import read_backfill
from processors.detect.offline import run_in_order
from processors.models import Alert, Incident
from streams.pipeline import detector_config
from streams.settings import PROJECT_ROOT, Settings

SEEDS = PROJECT_ROOT / "seeds" / "articles.jsonl"


def sitrep(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the sitrep command line as a user would, with extra environment variables."""
    full_env = {k: v for k, v in os.environ.items() if k != "SITREP_DEBUG"}
    return subprocess.run([sys.executable, "-m", "streams.cli", *args],
                          env={**full_env, "COLUMNS": "200", **env}, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=60, check=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def assert_one_line_error(result: subprocess.CompletedProcess[str], *parts: str) -> str:
    """The run failed with exactly one line on stderr holding every part, and no traceback."""
    assert result.returncode != 0, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for part in parts:
        assert part in lines[0], lines[0]
    return lines[0]


def test_cli_feed_with_the_broker_down_says_where_and_what_to_do() -> None:
    bootstrap = f"127.0.0.1:{free_port()}"

    result = sitrep("feed", str(SEEDS), SITREP_BOOTSTRAP_SERVERS=bootstrap)

    assert_one_line_error(result, f"cannot reach Kafka at {bootstrap}", "sitrep kafka start",
                          "SITREP_BOOTSTRAP_SERVERS")


@pytest.mark.parametrize("command", [["tail", "incidents"], ["worker"],
                                     ["backfill", "seeds/history.jsonl"]])
def test_cli_other_broker_commands_with_the_broker_down(command: list[str]) -> None:
    bootstrap = f"127.0.0.1:{free_port()}"

    result = sitrep(*command, SITREP_BOOTSTRAP_SERVERS=bootstrap,
                    SITREP_WEB_PORT=str(free_port()))

    assert_one_line_error(result, f"cannot reach Kafka at {bootstrap}")


def test_cli_worker_with_its_web_port_taken(taken_port: int) -> None:
    result = sitrep("worker", SITREP_WEB_PORT=str(taken_port))

    assert_one_line_error(result, f"127.0.0.1:{taken_port}", "SITREP_WEB_PORT")


def test_cli_extract_names_the_line_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "articles.jsonl"
    good = SEEDS.read_text().splitlines()[:2]
    path.write_text("\n".join([*good, "{not json", good[0]]) + "\n")

    result = sitrep("extract", str(path))

    assert_one_line_error(result, f"{path}:3:", "not JSON")


def test_cli_extract_names_the_line_of_a_record_of_the_wrong_shape(tmp_path: Path) -> None:
    path = tmp_path / "articles.jsonl"
    good = SEEDS.read_text().splitlines()[:1]
    path.write_text("\n".join([*good, "", '{"id": "x"}']) + "\n")

    result = sitrep("extract", str(path))

    assert_one_line_error(result, f"{path}:3:", "body")


def test_cli_alerts_names_the_bad_incident_line(tmp_path: Path) -> None:
    path = tmp_path / "incidents.jsonl"
    path.write_text('{"nope": 1}\n')

    result = sitrep("alerts", str(path))

    assert_one_line_error(result, f"{path}:1:")


@pytest.mark.parametrize("command", ["extract", "feed", "backfill", "alerts"])
def test_cli_missing_file_is_one_line(command: str, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.jsonl"

    result = sitrep(command, str(missing), SITREP_BOOTSTRAP_SERVERS=f"127.0.0.1:{free_port()}")

    assert_one_line_error(result, str(missing))


@pytest.mark.parametrize("switch", [("--debug",), ()])
def test_cli_debug_shows_the_traceback(switch: tuple[str, ...], tmp_path: Path) -> None:
    env = {} if switch else {"SITREP_DEBUG": "1"}

    result = sitrep(*switch, "extract", str(tmp_path / "nowhere.jsonl"), **env)

    assert result.returncode != 0
    assert "Traceback (most recent call last)" in result.stderr
    assert "InputFileError" in result.stderr


@pytest.mark.parametrize("command", [[], ["feed"], ["tail"], ["worker"], ["backfill"],
                                     ["replay"], ["kafka"], ["kafka", "start"], ["extract"]])
def test_cli_help_is_plain_text(command: list[str]) -> None:
    result = sitrep(*command, "--help")

    assert result.returncode == 0, result.stderr
    assert "``" not in result.stdout
    assert "Usage" in result.stdout


def test_cli_kafka_start_with_its_port_taken(taken_port: int, tmp_path: Path) -> None:
    # A home whose jars count as fetched, so the start goes straight to the port check.
    jars = PROJECT_ROOT / "deploy" / "kafka" / "jars.txt"
    (tmp_path / "libs").mkdir()
    (tmp_path / "libs" / ".fetched").write_text(hashlib.sha256(jars.read_bytes()).hexdigest())

    result = sitrep("kafka", "start", SITREP_KAFKA_HOME=str(tmp_path),
                    SITREP_KAFKA_PORT=str(taken_port),
                    SITREP_KAFKA_CONTROLLER_PORT=str(free_port()))

    assert_one_line_error(result, f"127.0.0.1:{taken_port} is in use", "SITREP_KAFKA_PORT")


MONDAY = dt.date(2024, 1, 1)


def _lines() -> list[bytes]:
    rows = []
    for w in range(40):
        for j in range(w % 3):
            day = MONDAY + dt.timedelta(days=7 * w + j)
            rows.append({"article_id": f"a{w}-{j}", "event_id": f"e{w}-{j}",
                         "event_date": day.isoformat(), "date_precision": "day",
                         "country": "IQ", "admin1": "IQ-DI", "event_type": "attack",
                         "published_at": (day + dt.timedelta(days=1)).isoformat()})  # fmt: skip
    burst = MONDAY + dt.timedelta(days=7 * 40)
    for j in range(9):
        rows.append({"event_id": f"b{j}", "event_date": burst.isoformat(), "country": "IQ",
                     "admin1": "IQ-DI", "event_type": "armed_clash"})  # fmt: skip
    return [orjson.dumps(r) for r in rows]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "streams.cli", *args], capture_output=True,
                          text=True, timeout=120)  # fmt: skip


def test_cli_alerts_in_order_prints_the_workers_messages(tmp_path: Path) -> None:
    path = tmp_path / "live.jsonl"
    path.write_bytes(b"\n".join(_lines()) + b"\n")
    done = _run("alerts", str(path), "--in-order")
    assert done.returncode == 0, done.stderr
    incidents = [i for i in read_backfill(path.read_text().splitlines(keepends=True))
                 if isinstance(i, Incident)]  # fmt: skip
    want = run_in_order(incidents, config=detector_config(Settings()))
    assert [orjson.loads(line) for line in done.stdout.splitlines()] == [
        a.model_dump(mode="json") for a in want]  # fmt: skip
    got = [Alert.model_validate_json(line) for line in done.stdout.splitlines()]
    assert any(not a.final and a.region == "IQ-DI" for a in got), "an early alert"


def test_cli_alerts_bad_line_is_named_skipped_and_the_rest_alerts(tmp_path: Path) -> None:
    lines = _lines()
    lines.insert(3, b'{"event_type": "picnic", "event_date": "2024-01-02"}')
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    done = _run("alerts", str(path))
    assert_one_line_error(done, f"{path}:4:", "invalid_incident", "event_type")
    # The other lines' alerts are out all the same: nothing valid is lost.
    assert any(Alert.model_validate_json(line).region == "IQ-DI"
               for line in done.stdout.splitlines())  # fmt: skip
