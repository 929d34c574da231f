"""streams.cli ``alerts``: prediction-format lines, bad lines by number, --in-order."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import orjson

from processors.detect.backfill import read_backfill
from processors.detect.offline import run_in_order
from processors.models import Alert, Incident
from streams.pipeline import detector_config
from streams.settings import Settings

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


def test_cli_alerts_bad_line_is_reported_by_number_and_skipped(tmp_path: Path) -> None:
    lines = _lines()
    lines.insert(3, b'{"event_type": "picnic", "event_date": "2024-01-02"}')
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    done = _run("alerts", str(path))
    assert done.returncode == 0
    errors = done.stderr.strip().splitlines()
    assert len(errors) == 1 and "skipped line 4: invalid_incident: event_type" in errors[0]
    assert "Traceback" not in done.stderr


def test_cli_alerts_missing_file_is_one_line(tmp_path: Path) -> None:
    done = _run("alerts", str(tmp_path / "nope.jsonl"))
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "cannot read" in done.stderr
