"""streams.metrics: names, values, bounded labels, lag arithmetic, and promtool's verdict."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Callable, Iterator
from typing import NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from processors.models import Alert, Incident
from streams import metrics


class TP(NamedTuple):
    """Stands in for aiokafka's TopicPartition, which is a NamedTuple of the same shape."""

    topic: str
    partition: int


def _incident(**overrides: object) -> Incident:
    fields: dict[str, object] = {
        "incident_id": "i1", "event_id": "e1", "article_id": "a1", "event_date": None,
        "date_precision": "unknown", "country": "IQ", "admin1": "IQ-BG",
        "event_type": "attack", "confidence": 0.5, "extractor_version": "test",
    }
    fields.update(overrides)
    return Incident.model_validate(fields)


def _alert(**overrides: object) -> Alert:
    fields: dict[str, object] = {
        "alert_id": "al1", "region": "IQ-BG", "window_start": dt.date(2024, 1, 1),
        "window_end": dt.date(2024, 1, 7), "status": "raised", "observed": 9,
        "as_of": dt.date(2024, 1, 22), "final": True,
        "expected": 1.5, "score": 4.2, "severity": "high",
    }
    fields.update(overrides)
    return Alert.model_validate(fields)


def exercise_every_function() -> None:
    """Call each public recording function once, so every metric family has samples."""
    metrics.set_build_info("0.1.0", "rules-1")
    metrics.set_ready(True)
    metrics.article_consumed()
    metrics.article_rejected("not_json")
    metrics.dead_letter("not_json")
    metrics.incident_emitted(_incident())
    metrics.event_counted("IQ-BG", is_new=True)
    metrics.event_counted("IQ-BG", is_new=False)
    metrics.alert_emitted(_alert())
    with metrics.stage_timer("extract"):
        pass
    metrics.observe_ingest_to_incident(0.25)
    metrics.observe_incident_to_alert(3.0)
    metrics.rebalance()
    metrics.set_consumer_lag("articles", 0, 7)
    metrics.set_dedup_state(3, 2)


def samples(name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """Values of the series called ``name`` in the current rendering, by sorted labels."""
    found: dict[tuple[tuple[str, str], ...], float] = {}
    for family in text_string_to_metric_families(metrics.render().decode()):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    metrics.reset()
    yield
    metrics.reset()


def test_metrics_promtool_accepts_the_exposition() -> None:
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: apt-get install prometheus"
    exercise_every_function()
    result = subprocess.run(
        [promtool, "check", "metrics"], input=metrics.render(), capture_output=True,
        timeout=60, check=False,
    )
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    assert not (result.stdout + result.stderr).strip()


def test_metrics_every_family_is_exposed_with_sitrep_prefix() -> None:
    exercise_every_function()
    names = {
        sample.name
        for family in text_string_to_metric_families(metrics.render().decode())
        for sample in family.samples
    }
    own = {n for n in names if not n.startswith(("process_", "python_"))}
    assert own == {n for n in metrics.current().series_names() if n.startswith("sitrep_")}
    assert all(n.startswith("sitrep_") for n in own)


def test_metrics_render_has_no_created_series() -> None:
    exercise_every_function()
    assert b"_created" not in metrics.render()


@pytest.mark.parametrize(
    ("record", "name", "labels"),
    [
        (lambda: metrics.article_consumed(), "sitrep_articles_consumed_total", {}),
        (lambda: metrics.article_rejected("schema_violation"),
         "sitrep_articles_rejected_total", {"reason": "schema_violation"}),
        (lambda: metrics.dead_letter("limit_exceeded"),
         "sitrep_dead_letters_total", {"reason": "limit_exceeded"}),
        (lambda: metrics.incident_emitted(_incident(event_type="suicide_bomb", country="SY")),
         "sitrep_incidents_total", {"event_type": "suicide_bomb", "country": "SY"}),
        (lambda: metrics.incident_emitted(_incident(country=None)),
         "sitrep_incidents_total", {"event_type": "attack", "country": "unknown"}),
        (lambda: metrics.event_counted("IQ-NI", is_new=True),
         "sitrep_events_total", {"province": "IQ-NI"}),
        (lambda: metrics.event_counted(None, is_new=True),
         "sitrep_events_total", {"province": "unknown"}),
        (lambda: metrics.event_counted("IQ-NI", is_new=False),
         "sitrep_event_corroborations_total", {"province": "IQ-NI"}),
        (lambda: metrics.alert_emitted(_alert(severity="critical", status="escalated")),
         "sitrep_alerts_total", {"severity": "critical", "status": "escalated"}),
        (lambda: metrics.rebalance(), "sitrep_rebalances_total", {}),
    ],
)
def test_metrics_counter_counts_one_per_call(record: Callable[[], None], name: str,
                                             labels: dict[str, str]) -> None:
    record()
    record()
    assert samples(name) == {tuple(sorted(labels.items())): 2.0}


def test_metrics_build_info_carries_both_versions() -> None:
    metrics.set_build_info("1.2.3", "rules-7")
    assert samples("sitrep_build_info") == {
        (("rules_version", "rules-7"), ("version", "1.2.3")): 1.0
    }


@pytest.mark.parametrize(("ready", "value"), [(True, 1.0), (False, 0.0)])
def test_metrics_ready_gauge(ready: bool, value: float) -> None:
    metrics.set_ready(ready)
    assert samples("sitrep_ready") == {(): value}


def test_metrics_dedup_state_gauges_follow_the_latest_sizes() -> None:
    metrics.set_dedup_state(120, 20_000)
    metrics.set_dedup_state(118, 20_000)
    assert samples("sitrep_dedup_events") == {(): 118.0}
    assert samples("sitrep_dedup_tombstones") == {(): 20_000.0}


def test_metrics_stage_timer_observes_also_when_the_block_raises() -> None:
    with pytest.raises(ValueError, match="boom"), metrics.stage_timer("decode"):
        raise ValueError("boom")
    with metrics.stage_timer("decode"):
        pass
    idle = {(("stage", stage),): 0.0 for stage in metrics.PIPELINE_STAGES}
    assert samples("sitrep_stage_duration_seconds_count") == {(("stage", "decode"),): 2.0, **idle}
    sums = samples("sitrep_stage_duration_seconds_sum")
    assert 0.0 <= sums[(("stage", "decode"),)] < 1.0
    assert all(sums[key] == 0.0 for key in idle)


def test_metrics_pipeline_stages_exist_before_any_observation() -> None:
    counts = samples("sitrep_stage_duration_seconds_count")
    assert counts == {(("stage", stage),): 0.0 for stage in metrics.PIPELINE_STAGES}


@pytest.mark.parametrize(
    ("observe", "prefix"),
    [
        (metrics.observe_ingest_to_incident, "sitrep_ingest_to_incident_seconds"),
        (metrics.observe_incident_to_alert, "sitrep_incident_to_alert_seconds"),
    ],
)
def test_metrics_latency_clamps_negative_clock_skew_to_zero(observe: Callable[[float], None],
                                                            prefix: str) -> None:
    observe(-2.0)
    observe(0.5)
    assert samples(f"{prefix}_count") == {(): 2.0}
    assert samples(f"{prefix}_sum") == {(): 0.5}
    buckets = samples(f"{prefix}_bucket")
    assert buckets[(("le", "0.5"),)] == 2.0
    assert buckets[(("le", "0.1"),)] == 1.0


def test_metrics_alert_state_follows_the_alert_lifecycle() -> None:
    key = (("dimension", "all"), ("region", "IQ-BG"))
    metrics.alert_emitted(_alert(status="raised", severity="medium", observed=5, expected=1.0))
    metrics.alert_emitted(_alert(status="escalated", severity="critical", observed=12))
    assert samples("sitrep_alert_active") == {key: 1.0}
    assert samples("sitrep_alert_observed_events") == {key: 12.0}
    assert samples("sitrep_alert_expected_events") == {key: 1.5}
    assert samples("sitrep_alert_severity_level") == {key: 4.0}
    metrics.alert_emitted(_alert(status="resolved", severity="low", observed=1))
    for name in ("sitrep_alert_active", "sitrep_alert_observed_events",
                 "sitrep_alert_expected_events", "sitrep_alert_severity_level"):
        assert samples(name) == {}, name
    assert samples("sitrep_alerts_total") == {
        (("severity", "medium"), ("status", "raised")): 1.0,
        (("severity", "critical"), ("status", "escalated")): 1.0,
        (("severity", "low"), ("status", "resolved")): 1.0,
    }


def test_metrics_withdrawn_early_alert_clears_the_alert_state() -> None:
    key = (("dimension", "all"), ("region", "IQ-BG"))
    metrics.alert_emitted(_alert(status="raised", final=False, as_of=dt.date(2024, 1, 2)))
    assert samples("sitrep_alert_active") == {key: 1.0}
    metrics.alert_emitted(_alert(status="withdrawn"))
    assert samples("sitrep_alert_active") == {}
    assert samples("sitrep_alerts_total")[(("severity", "high"), ("status", "withdrawn"))] == 1


def test_metrics_alert_state_resolve_of_an_unknown_region_is_harmless() -> None:
    metrics.set_alert_state("IQ-AN", "all", observed=0, expected=0.0, active=False)
    assert samples("sitrep_alert_active") == {}


def test_metrics_alert_state_restored_directly_after_restart() -> None:
    metrics.set_alert_state("IQ-NI", "Islamic State", observed=7, expected=2.0, active=True,
                            severity="high")
    key = (("dimension", "Islamic State"), ("region", "IQ-NI"))
    assert samples("sitrep_alert_severity_level") == {key: 3.0}
    assert samples("sitrep_alert_expected_events") == {key: 2.0}


def test_metrics_free_form_labels_fold_into_other_beyond_their_limit() -> None:
    for i in range(25):
        metrics.article_rejected(f"reason_{i}")
    rejected = samples("sitrep_articles_rejected_total")
    assert len(rejected) == 21
    assert rejected[(("reason", "other"),)] == 5.0
    metrics.article_rejected("reason_3")  # admitted earlier: still its own series
    assert samples("sitrep_articles_rejected_total")[(("reason", "reason_3"),)] == 2.0


def test_metrics_reset_starts_from_zero() -> None:
    exercise_every_function()
    metrics.reset()
    assert samples("sitrep_articles_consumed_total") == {(): 0.0}
    assert samples("sitrep_incidents_total") == {}


def test_metrics_consumer_lag_replacement_drops_unassigned_partitions() -> None:
    metrics.set_consumer_lags({TP("articles", 0): 3, TP("articles", 1): 4})
    metrics.set_consumer_lags({TP("articles", 1): 0, TP("incidents", 0): 9})
    assert samples("sitrep_consumer_lag_messages") == {
        (("partition", "1"), ("topic", "articles")): 0.0,
        (("partition", "0"), ("topic", "incidents")): 9.0,
    }


def test_metrics_single_lag_is_replaced_by_the_next_full_set() -> None:
    metrics.set_consumer_lag("articles", 2, 5)
    metrics.set_consumer_lags({TP("articles", 0): 1})
    assert samples("sitrep_consumer_lag_messages") == {
        (("partition", "0"), ("topic", "articles")): 1.0,
    }


@pytest.mark.parametrize(
    ("end", "committed", "beginning", "expected"),
    [
        ({TP("a", 0): 10}, {TP("a", 0): 4}, None, {TP("a", 0): 6}),
        ({TP("a", 0): 10}, {TP("a", 0): 10}, None, {TP("a", 0): 0}),
        # end offsets fetched just before a commit can trail it
        ({TP("a", 0): 10}, {TP("a", 0): 12}, None, {TP("a", 0): 0}),
        # nothing committed yet: the whole retained log is lag
        ({TP("a", 0): 10}, {TP("a", 0): None}, None, {TP("a", 0): 10}),
        ({TP("a", 0): 10}, {}, {TP("a", 0): 7}, {TP("a", 0): 3}),
        # partitions not in end_offsets (no longer assigned) are ignored
        ({TP("a", 1): 5}, {TP("a", 0): 1, TP("a", 1): 2}, None, {TP("a", 1): 3}),
    ],
)
def test_metrics_lag_from_offsets(end: dict[TP, int], committed: dict[TP, int | None],
                                  beginning: dict[TP, int] | None,
                                  expected: dict[TP, int]) -> None:
    assert metrics.lag_from_offsets(end, committed, beginning_offsets=beginning) == expected


@given(
    st.dictionaries(
        st.builds(TP, st.sampled_from(["articles", "incidents"]), st.integers(0, 7)),
        st.tuples(st.integers(0, 10**12), st.none() | st.integers(0, 10**12)),
        max_size=16,
    )
)
def test_metrics_lag_is_never_negative_nor_above_the_end_offset(
    offsets: dict[TP, tuple[int, int | None]],
) -> None:
    end = {tp: e for tp, (e, _) in offsets.items()}
    committed = {tp: c for tp, (_, c) in offsets.items()}
    lags = metrics.lag_from_offsets(end, committed)
    assert lags.keys() == end.keys()
    assert all(0 <= lags[tp] <= end[tp] for tp in end)
