"""Alerts in time on the real broker: an early alert while the surge's week is still open, the
final verdict when it closes, and ``sitrep alerts FILE --in-order`` equal to the worker."""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson

from processors.models import Alert
from streams import topics
from streams.demo import worker_env
from tests.integration.workers import RunningWorker, collect, running_worker

ROOT = Path(__file__).resolve().parents[2]
HISTORY = ROOT / "seeds" / "history.jsonl"
ADDED = ("incident_id", "confidence", "extractor_version", "version", "sources",
         "corroboration", "schema_version", "article_digest", "evidence")  # fmt: skip


def _prediction(record: dict[str, Any], *, published: dt.date) -> dict[str, Any]:
    """A line of SCHEMA.md's prediction format: none of the fields sitrep adds, and a
    field sitrep does not know (``published_at``)."""
    out = {k: v for k, v in record.items() if k not in ADDED}
    out["published_at"] = published.isoformat()
    return out


def _scenario() -> list[dict[str, Any]]:
    """The quiet history, then a burst in Diyala on the Monday and Tuesday after it, then news
    elsewhere that moves event time past the burst week's grace period; publication order,
    most reports within a day, some a week late."""
    history = [orjson.loads(line) for line in HISTORY.read_bytes().splitlines() if line]
    last = max(dt.date.fromisoformat(r["event_date"]) for r in history if r["event_date"])
    monday = last + dt.timedelta(days=7 - last.weekday())
    template = history[-1]
    rows: list[tuple[dt.date, int, dict[str, Any]]] = []
    rng = random.Random(17)
    for n, record in enumerate(history):
        day = dt.date.fromisoformat(record["event_date"])
        rows.append((day + dt.timedelta(days=rng.choice([0, 0, 1, 2, 9])), n, record))
    for n in range(8):
        day = monday + dt.timedelta(days=n % 2)
        rows.append((day, 1000 + n, {**template, "event_id": f"burst-{n}", "admin1": "IQ-DI",
                                     "article_id": f"burst-{n}", "event_date": day.isoformat()}))
    for n in range(3):
        day = monday + dt.timedelta(days=8 + 2 * n)
        rows.append((day, 2000 + n, {**template, "event_id": f"later-{n}", "admin1": "IQ-BA",
                                     "article_id": f"later-{n}", "event_date": day.isoformat()}))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [_prediction(record, published=published) for published, _, record in rows]


def _write(tmp: Path, lines: list[dict[str, Any]]) -> Path:
    path = tmp / "live.jsonl"
    path.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))
    return path


def _cli(worker: RunningWorker, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "streams.cli", *args],
                          env=worker_env(worker.settings), cwd=ROOT, capture_output=True,
                          text=True, timeout=180)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done


def test_alert_timing_burst_alerts_early_then_final_and_in_order_equals_the_worker(
    kafka_bootstrap: str, tmp_path: Path,
) -> None:
    path = _write(tmp_path, _scenario())
    name = f"tm-{random.getrandbits(32):08x}"
    with running_worker(kafka_bootstrap, name, tmp_path) as worker:
        offline = _cli(worker, "alerts", str(path), "--in-order").stdout.splitlines()
        assert offline, "the scenario must raise alerts"
        _cli(worker, "backfill", str(path))  # the same lines, in the same order, to the worker
        records = collect(worker.settings, topics.ALERTS, timeout=90,
                          until=lambda rs: len(rs) >= len(offline))  # fmt: skip
        more = collect(worker.settings, topics.ALERTS, timeout=3, until=lambda rs: False)
    stream = [r.value.decode() for r in (more or records)]
    assert stream == offline, worker.log_text()

    burst = [Alert.model_validate_json(line) for line in stream]
    diyala = [a for a in burst if a.region == "IQ-DI"]
    early = [a for a in diyala if not a.final]
    assert early and early[0].status == "raised"
    # Raised before the burst's week had ended in event time.
    assert early[0].as_of < early[0].window_end
    final = [a for a in diyala if a.final]
    assert [(a.status, a.window_end) for a in final][:1] == [("raised", early[0].window_end)]
    assert final[0].as_of > early[0].window_end
    assert stream.index(final[0].model_dump_json()) > stream.index(early[0].model_dump_json())
