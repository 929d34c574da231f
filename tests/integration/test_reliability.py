"""Faults on the real broker, small: kill, rebalance, broker restart, bad input, replay, and
feeding the same articles twice. ``make reliability`` runs the same faults with thousands."""

from __future__ import annotations

import random
from pathlib import Path

import orjson
import pytest

from harness.corpus import event_articles
from harness.faults import (
    Counts,
    Run,
    read_topic,
    run_bad_input,
    run_broker_restart,
    run_kill,
    run_rebalance,
    run_replay_equality,
)
from streams import topics
from streams.settings import Settings

ARTICLES = 200
WEEKS = 13  # event time within the correlator's retention window (see docs/operations.md)


@pytest.fixture
def shared(kafka_bootstrap: str, broker_settings: Settings) -> Settings:
    return broker_settings.model_copy(update={"bootstrap_servers": kafka_bootstrap})


def _name(fault: str) -> str:
    return f"rel-{fault}-{random.getrandbits(32):08x}"


def _assert_clean(counts: Counts) -> None:
    assert counts.as_json()["ok"], counts.as_json()
    assert counts.found == counts.incidents_expected > 0


def test_reliability_sigkill_mid_stream_loses_and_duplicates_nothing(
    shared: Settings, tmp_path: Path,
) -> None:
    _assert_clean(run_kill(shared, tmp_path, event_articles(ARTICLES, weeks=WEEKS),
                           name=_name("kill")))


def test_reliability_second_worker_then_first_stops_loses_and_duplicates_nothing(
    shared: Settings, tmp_path: Path,
) -> None:
    _assert_clean(run_rebalance(shared, tmp_path, event_articles(ARTICLES, weeks=WEEKS),
                                name=_name("rebalance")))


def test_reliability_broker_restart_mid_stream_on_a_dedicated_broker(tmp_path: Path) -> None:
    counts = run_broker_restart(tmp_path, event_articles(ARTICLES, weeks=WEEKS),
                                name=_name("broker"))
    _assert_clean(counts)
    assert counts.extra["worker_survived"]


def test_reliability_bad_input_all_dead_lettered_good_all_processed(
    shared: Settings, tmp_path: Path,
) -> None:
    counts = run_bad_input(shared, tmp_path, event_articles(60, weeks=WEEKS),
                           name=_name("bad"))
    _assert_clean(counts)
    assert counts.extra["bad_on_dlq"] == counts.extra["bad_sent"] == counts.extra["bad_intact"]
    assert counts.extra["good_on_dlq"] == 0


def test_reliability_replay_equals_first_run_byte_for_byte(
    shared: Settings, tmp_path: Path,
) -> None:
    counts = run_replay_equality(shared, tmp_path, event_articles(ARTICLES, weeks=WEEKS),
                                 name=_name("replay"))
    _assert_clean(counts)
    assert all(counts.extra["topics_equal"].values()), counts.extra
    assert counts.extra["tables_equal"] and all(counts.extra["tables_equal"].values())


def _distinct(run: Run, topic: str) -> set[bytes]:
    return {r.value for r in read_topic(run.settings, run.settings.topic(topic))}


def test_reliability_feeding_twice_changes_nothing_and_a_changed_body_is_a_new_version(
    shared: Settings, tmp_path: Path,
) -> None:
    records = event_articles(40, weeks=WEEKS)
    run = Run.create(shared, tmp_path, _name("idem"), records)
    worker = run.worker().start()
    try:
        run.feed(records)
        first = run.finish("feed", started=0.0, alive=worker.alive)
        incidents, alerts = _distinct(run, topics.INCIDENTS), _distinct(run, topics.ALERTS)

        run.feed(records)  # the same articles again: every incident is a repeat
        again = run.finish("feed-again", started=0.0, alive=worker.alive)
        assert _distinct(run, topics.INCIDENTS) == incidents
        assert _distinct(run, topics.ALERTS) == alerts

        key, value = records[0]
        article = orjson.loads(value)
        changed = {**article, "body": article["body"].replace(" in ", " in the town of ", 1)}
        run.feed([(key, orjson.dumps(changed))])
        run.finish("changed", started=0.0, alive=worker.alive)
    finally:
        worker.stop()
    assert first.ok and again.ok, (first.as_json(), again.as_json())
    new = [orjson.loads(v) for v in _distinct(run, topics.INCIDENTS) - incidents]
    assert new, "the changed body gave no new incident version"
    assert {i["article_id"] for i in new} == {article["id"]}
    old_ids = {orjson.loads(v)["incident_id"] for v in incidents}
    assert not {i["incident_id"] for i in new} & old_ids  # a new version has new incident ids
    # ... and updates the events of the old version rather than counting them again.
    old = [orjson.loads(v) for v in incidents if orjson.loads(v)["article_id"] == article["id"]]
    assert {i["event_id"] for i in new} <= {i["event_id"] for i in old}
    assert all(i["version"] > 1 for i in new)
