"""The whole path on the real broker: feed → incidents → alerts, and bad input → dead letters."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from processors.detect.offline import run_offline
from processors.models import Alert, Incident
from streams import topics
from streams.client import produce
from streams.demo import worker_env
from streams.files import iter_article_records
from streams.pipeline import detector_config
from tests.integration.workers import (
    RunningWorker,
    collect,
    module_worker,
    running_worker,
    seed_articles_with_incidents,
)

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="module")
def worker(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory,
           ) -> Iterator[RunningWorker]:
    with module_worker(kafka_bootstrap, "it", tmp_path_factory) as running:
        yield running


def _send(worker: RunningWorker, topic: str, records: list[tuple[bytes | None, bytes]]) -> None:
    asyncio.run(produce(worker.settings, worker.settings.topic(topic), records))


def _backfill(worker: RunningWorker, path: Path) -> None:
    """Load a history through the CLI, as a user would: ``sitrep backfill FILE``."""
    done = subprocess.run([sys.executable, "-m", "streams.cli", "backfill", str(path)],
                          env=worker_env(worker.settings), cwd=SEEDS.parent,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr


def _incident_articles(records: list[Any]) -> list[str]:
    return [orjson.loads(r.value)["article_id"] for r in records]


def test_pipeline_backfill_burst_alerts_and_refeed_gives_no_new_alert(
    worker: RunningWorker,
) -> None:
    _backfill(worker, SEEDS / "history.jsonl")
    articles = list(iter_article_records([SEEDS / "articles.jsonl"]))
    _send(worker, topics.ARTICLES, [(key.encode(), value) for key, value in articles])

    expected = seed_articles_with_incidents()
    incidents = collect(worker.settings, topics.INCIDENTS, timeout=120,
                        until=lambda rs: expected <= set(_incident_articles(rs)))
    seen = set(_incident_articles(incidents))
    assert expected <= seen, f"no incidents for {expected - seen}\n{worker.log_text()}"

    alerts = collect(worker.settings, topics.ALERTS, timeout=60, until=lambda rs: len(rs) > 0)
    assert alerts, f"no alert\n{worker.log_text()}"
    for record in alerts:
        alert = Alert.model_validate_json(record.value)
        assert record.key == alert.region.encode()
        assert alert.status == "withdrawn" or alert.observed > alert.expected
    first_alerts = collect(worker.settings, topics.ALERTS, timeout=5, until=lambda rs: False)

    # The same articles again: every incident is re-sent unchanged (at-least-once redelivery
    # looks the same), so the counts, and therefore the alerts, stay as they were.
    settled = collect(worker.settings, topics.INCIDENTS, timeout=5, until=lambda rs: False)
    before = len(settled)
    fed = {key for key, _ in articles}
    from_articles = sum(1 for article in _incident_articles(settled) if article in fed)
    _send(worker, topics.ARTICLES, [(key.encode(), value) for key, value in articles])
    again = collect(worker.settings, topics.INCIDENTS, timeout=120,
                    until=lambda rs: len(rs) >= before + from_articles)
    assert len(again) == before + from_articles, worker.log_text()
    resent = [Incident.model_validate_json(r.value) for r in again[before:]]
    firsts = {i.incident_id: i for i in
              (Incident.model_validate_json(r.value) for r in again[:before])}
    assert all(firsts.get(i.incident_id) == i for i in resent), "a re-fed article changed"
    later_alerts = collect(worker.settings, topics.ALERTS, timeout=10, until=lambda rs: False)
    assert [r.value for r in later_alerts] == [r.value for r in first_alerts]


def _history_and_spike() -> list[Incident]:
    """The sample history, then a burst of distinct attacks in one province, then quiet news."""
    history = [Incident.model_validate_json(line)
               for line in (SEEDS / "history.jsonl").read_bytes().splitlines() if line]
    template = history[-1]
    burst_start = max(i.event_date for i in history if i.event_date) + dt.timedelta(days=8)
    made = []
    for n in range(9):
        made.append(template.model_copy(update={
            "incident_id": f"spike-{n}", "event_id": f"spike-{n}", "admin1": "IQ-DI",
            "event_date": burst_start + dt.timedelta(days=n % 6), "article_id": f"spike-{n}",
        }))
    for n in range(4):  # later news elsewhere moves event time past the burst's grace period
        made.append(template.model_copy(update={
            "incident_id": f"later-{n}", "event_id": f"later-{n}", "admin1": "IQ-BG",
            "event_date": burst_start + dt.timedelta(days=14 + 3 * n), "article_id": f"later-{n}",
        }))
    return history + made


def test_pipeline_stream_alerts_equal_offline_alerts_of_shuffled_incidents(
    kafka_bootstrap: str, tmp_path: Path,
) -> None:
    incidents = sorted(_history_and_spike(), key=lambda i: (i.event_date, i.incident_id))
    # Arrival order shuffled within each week: disorder the grace period absorbs.
    rng = random.Random(11)
    weeks: dict[tuple[int, int], list[Incident]] = {}
    for incident in incidents:
        assert incident.event_date is not None
        weeks.setdefault(incident.event_date.isocalendar()[:2], []).append(incident)
    arrival = []
    for chunk in weeks.values():
        rng.shuffle(chunk)
        arrival.extend(chunk)

    name = f"eq-{random.getrandbits(32):08x}"
    with running_worker(kafka_bootstrap, name, tmp_path) as worker:
        _send(worker, topics.INCIDENTS,
              [(i.country.encode() if i.country else None,
                orjson.dumps(i.model_dump(mode="json"))) for i in arrival])
        offline = [a for a in run_offline(rng.sample(incidents, len(incidents)),
                                          config=detector_config(worker.settings)) if a.final]
        assert offline, "the scenario must raise at least one alert"

        def finals(records: list[Any]) -> list[Alert]:
            # The final verdicts: order-independent (early alerts and withdrawals are not).
            alerts = [Alert.model_validate_json(r.value) for r in records]
            return [a for a in alerts if a.final and a.status != "withdrawn"]

        stream = collect(worker.settings, topics.ALERTS, timeout=60,
                         until=lambda rs: len(finals(rs)) >= len(offline))
        collect_more = collect(worker.settings, topics.ALERTS, timeout=3, until=lambda rs: False)
    stream_alerts = finals(collect_more or stream)
    assert [a.model_dump() for a in stream_alerts] == [a.model_dump() for a in offline]


BAD = [
    (b"bad-1", b"this is not json", "not_json"),
    (b"bad-2", orjson.dumps({"id": "bad-2", "body": 42}), "schema_violation"),
    (b"bad-3", orjson.dumps({"id": "bad-3", "title": "no body"}), "schema_violation"),
    (b"bad-4", b"\xff\xfe\xfd", "not_json"),
]


def test_pipeline_bad_input_lands_on_dlq_and_next_article_is_processed(
    worker: RunningWorker,
) -> None:
    good = orjson.dumps({
        "id": "after-bad", "url": None, "source": "test", "title": "Bombing in Kirkuk",
        "published_at": "2024-05-02",
        "body": "A roadside bomb exploded near a police patrol in Kirkuk on Wednesday, "
                "killing two policemen and wounding three others, officials said.",
    })
    _send(worker, topics.ARTICLES, [(key, value) for key, value, _ in BAD] + [(b"after-bad", good)])

    dead = collect(worker.settings, topics.ARTICLES_DLQ, timeout=60,
                   until=lambda rs: len(rs) >= len(BAD))
    by_key = {r.key: r for r in dead}
    for key, value, reason in BAD:
        assert key in by_key, f"{key!r} not dead-lettered\n{worker.log_text()}"
        headers = dict(by_key[key].headers)
        assert by_key[key].value == value
        assert headers["reason"].decode() == reason
        assert headers["error"]
    assert b"after-bad" not in by_key

    incidents = collect(
        worker.settings, topics.INCIDENTS, timeout=60,
        until=lambda rs: any(orjson.loads(r.value)["article_id"] == "after-bad" for r in rs),
    )
    mine = [orjson.loads(r.value) for r in incidents
            if orjson.loads(r.value)["article_id"] == "after-bad"]
    assert mine, f"the good article after the bad ones gave no incident\n{worker.log_text()}"
    assert mine[0]["admin1"] == "IQ-KI"
    assert mine[0]["killed"] == 2
