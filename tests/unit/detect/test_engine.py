"""processors.detect.engine: distinct counts, moves, grace, lateness, state, order independence."""

from __future__ import annotations

import ast
import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from processors.detect.detector import DetectorConfig
from processors.detect.engine import AlertEngine
from processors.detect.offline import run_offline, stream_watermark
from processors.models import Alert, Incident

MONDAY = dt.date(2024, 1, 1)
CONFIG = DetectorConfig()


def incident(event_id: str, day: dt.date | None, *, version: int = 1, admin1: str | None = "IQ-BG",
             country: str | None = "IQ", **extra: Any) -> Incident:  # fmt: skip
    fields: dict[str, Any] = {
        "incident_id": f"{event_id}-v{version}", "event_id": event_id, "article_id": "a",
        "event_date": day, "date_precision": "day", "country": country, "admin1": admin1,
        "event_type": "attack", "confidence": 0.9, "extractor_version": "test", "version": version,
    }  # fmt: skip
    fields.update(extra)
    return Incident(**fields)


def week(n: int, day: int = 2) -> dt.date:
    return MONDAY + dt.timedelta(days=7 * n + day)


def history(weeks: int, *, per_week: list[int] | None = None, admin1: str = "IQ-BG",
            spike: tuple[int, int] | None = None, prefix: str = "e") -> list[Incident]:  # fmt: skip
    """A region with a steady trickle of events and, optionally, one spike (week, count)."""
    pattern = per_week or [1, 0, 2, 1, 0, 1]
    out: list[Incident] = []
    for w in range(weeks):
        n = pattern[w % len(pattern)]
        if spike is not None and w == spike[0]:
            n = spike[1]
        out += [incident(f"{prefix}{admin1}-{w}-{j}", week(w, j % 7), admin1=admin1,
                         perpetrator="Islamic State" if j % 2 else "PKK") for j in range(n)]
    return out


def counts_of(engine: AlertEngine, region: str) -> dict[str, dict[str, int]]:
    return engine.to_state()["entries"][f"region:{region}"]["counts"]


# -- distinct counting and versions -------------------------------------------------------


@pytest.mark.parametrize("reports", [1, 2, 5])
def test_engine_reports_of_one_event_count_once(reports: int) -> None:
    engine = AlertEngine(CONFIG)
    outcomes = [engine.add(incident("e1", week(0), version=v, article_id=f"a{v}"))
                for v in range(1, reports + 1)]  # fmt: skip
    assert outcomes[0] == "counted"
    assert counts_of(engine, "IQ-BG") == {"2024-01-01": {"all": 1}}
    assert counts_of(engine, "IQ") == {"2024-01-01": {"all": 1}}
    assert engine.report().events == 1


def test_engine_same_version_redelivered_is_stale() -> None:
    engine = AlertEngine(CONFIG)
    engine.add(incident("e1", week(0)))
    assert engine.add(incident("e1", week(0))) == "stale"
    assert engine.report().counters["stale"] == 1


@pytest.mark.parametrize(("first", "second", "region", "expected_week"), [
    (dict(day=week(0)), dict(day=week(3)), "IQ-BG", "2024-01-22"),
    (dict(day=week(0)), dict(day=week(0), admin1="IQ-AN"), "IQ-AN", "2024-01-01"),
])  # fmt: skip
def test_engine_newer_version_moves_the_count(first: dict[str, Any], second: dict[str, Any],
                                              region: str, expected_week: str) -> None:
    engine = AlertEngine(CONFIG)
    engine.add(incident("e1", first.pop("day"), version=1, **first))
    assert engine.add(incident("e1", second.pop("day"), version=2, **second)) == "moved"
    assert counts_of(engine, region) == {expected_week: {"all": 1}}
    assert counts_of(engine, "IQ") == {expected_week: {"all": 1}}
    if region != "IQ-BG":
        assert counts_of(engine, "IQ-BG") == {}


def test_engine_older_version_after_newer_changes_nothing() -> None:
    engine = AlertEngine(CONFIG)
    engine.add(incident("e1", week(3), version=2))
    assert engine.add(incident("e1", week(0), version=1)) == "stale"
    assert counts_of(engine, "IQ-BG") == {"2024-01-22": {"all": 1}}


@pytest.mark.parametrize(("extra", "reason"), [
    (dict(background=True), "background"),
    (dict(date_precision="month"), "imprecise"),
    (dict(admin1=None, country=None), "unplaced"),
])  # fmt: skip
def test_engine_uncountable_incidents_never_count(extra: dict[str, Any], reason: str) -> None:
    engine = AlertEngine(CONFIG)
    assert engine.add(incident("e1", week(0), **extra)) == "excluded"
    assert engine.report().events == 0
    assert engine.report().counters[reason] == 1


def test_engine_undated_incident_never_counts() -> None:
    engine = AlertEngine(CONFIG)
    assert engine.add(incident("e1", None, date_precision="unknown")) == "excluded"
    assert engine.report().counters["undated"] == 1


def test_engine_background_version_withdraws_the_event() -> None:
    engine = AlertEngine(CONFIG)
    engine.add(incident("e1", week(0)))
    assert engine.add(incident("e1", week(0), version=2, background=True)) == "moved"
    assert counts_of(engine, "IQ-BG") == {}
    assert engine.report().events == 0


def test_engine_counts_dimensions_under_region_and_country() -> None:
    engine = AlertEngine(CONFIG)
    engine.add(incident("e1", week(0), perpetrator="Islamic State", target="civilians"))
    engine.add(incident("e2", week(0), admin1=None, perpetrator="Islamic State"))
    assert counts_of(engine, "IQ-BG")["2024-01-01"] == {
        "all": 1, "perpetrator:Islamic State": 1, "target:civilians": 1}
    assert counts_of(engine, "IQ")["2024-01-01"] == {
        "all": 2, "perpetrator:Islamic State": 2, "target:civilians": 1}


# -- event time: zero-fill, grace, lateness -----------------------------------------------


def test_engine_spike_raises_then_quiet_weeks_resolve_it() -> None:
    events = history(40, spike=(36, 12))
    engine = AlertEngine(CONFIG)
    for inc in events:
        engine.add(inc)
    # No event after week 39: zero-filled weeks 40 and 41 must still be tested.
    alerts = engine.advance(week(45))
    bg = [a for a in alerts if a.region == "IQ-BG"]
    assert [a.status for a in bg] == ["raised", "resolved"]
    raised, resolved = bg
    assert raised.window_end == week(36, 6)
    assert raised.observed >= 12
    assert len(raised.event_ids) == 12
    assert set(raised.top_perpetrators) == {"Islamic State", "PKK"}
    assert resolved.window_start > raised.window_end
    assert resolved.severity == raised.severity


def test_engine_flat_history_raises_nothing() -> None:
    assert run_offline(history(60), config=CONFIG, flush=True) == []


def test_engine_week_waits_for_its_grace_period() -> None:
    engine = AlertEngine(CONFIG)
    for inc in history(40, spike=(36, 12)):
        engine.add(inc)
    spike_end = week(36, 6)
    waiting = engine.advance(spike_end + dt.timedelta(days=CONFIG.grace_days))
    assert [a for a in waiting if a.final] == []
    later = engine.advance(spike_end + dt.timedelta(days=CONFIG.grace_days + 1))
    raised = [a for a in later if a.region == "IQ-BG"]
    assert [(a.status, a.final) for a in raised] == [("raised", True)]
    assert raised[0].as_of == spike_end + dt.timedelta(days=CONFIG.grace_days + 1)


def test_engine_late_incident_is_counted_but_changes_no_alert() -> None:
    engine = AlertEngine(CONFIG)
    for inc in history(40):
        engine.add(inc)
    before = engine.advance(week(39))
    late = [incident(f"late{j}", week(30), perpetrator="PKK") for j in range(12)]
    for inc in late:
        engine.add(inc)
    assert engine.report().counters["late"] == 12
    assert engine.advance(week(39)) == []
    assert before == []
    # The late events still sit in the history later baselines read.
    assert counts_of(engine, "IQ-BG")[week(30, 0).isoformat()]["all"] >= 12


def test_engine_advance_never_goes_back() -> None:
    engine = AlertEngine(CONFIG)
    for inc in history(40, spike=(36, 12)):
        engine.add(inc)
    first = engine.advance(week(45))
    assert first
    assert engine.advance(week(20)) == []
    assert engine.advance(week(45)) == []
    assert engine.watermark == week(45)


def test_engine_watermark_before_any_event_closes_those_weeks() -> None:
    engine = AlertEngine(CONFIG)
    engine.advance(week(10))
    for inc in history(3, per_week=[9]):
        engine.add(inc)
    assert engine.report().counters["late"] == 27
    assert engine.advance(week(10)) == []


# -- lifecycle ids and replays --------------------------------------------------------------


def test_engine_replay_gives_identical_ids() -> None:
    events = history(50, spike=(40, 9)) + history(50, admin1="IQ-AN", spike=(44, 15))
    first = run_offline(events, config=CONFIG, flush=True)
    second = run_offline(list(reversed(events)), config=CONFIG, flush=True)
    assert first == second
    assert len({a.alert_id for a in first}) == len(first) >= 4


def test_engine_severity_rise_escalates_the_open_alert() -> None:
    events = history(50, spike=(40, 6))
    events += [incident(f"x{j}", week(41, j % 7)) for j in range(40)]
    alerts = [a for a in run_offline(events, config=CONFIG, flush=True) if a.region == "IQ-BG"]
    assert [a.status for a in alerts][:2] == ["raised", "escalated"]
    order = ["low", "medium", "high", "critical"]
    assert order.index(alerts[1].severity) > order.index(alerts[0].severity)


@pytest.mark.parametrize("dimension_alerts", [False, True])
def test_engine_dimension_alerts_follow_the_config(dimension_alerts: bool) -> None:
    config = DetectorConfig(dimension_alerts=dimension_alerts)
    alerts = run_offline(history(50, spike=(40, 14)), config=config, flush=True)
    dims = {a.dimension for a in alerts}
    assert ("perpetrator:PKK" in dims) is dimension_alerts
    assert "all" in dims


# -- state -----------------------------------------------------------------------------------


def test_engine_state_round_trips_through_json_midstream() -> None:
    events = history(50, spike=(40, 9))
    whole = AlertEngine(CONFIG)
    half = AlertEngine(CONFIG)
    for inc in events[: len(events) // 2]:
        whole.add(inc)
        half.add(inc)
    a1 = whole.advance(week(24)) + half.advance(week(24))
    restored = AlertEngine.from_state(json.loads(json.dumps(half.to_state())), CONFIG)
    for inc in events[len(events) // 2:]:
        whole.add(inc)
        restored.add(inc)
    assert whole.advance(week(60)) == restored.advance(week(60))
    assert whole.report() == restored.report()
    assert a1 == []


def test_engine_dirty_entries_rebuild_the_engine() -> None:
    engine = AlertEngine(CONFIG)
    table: dict[str, Any] = {}
    mark: dt.date | None = None
    for inc in history(50, spike=(40, 9)):
        engine.add(inc)
        mark = stream_watermark(mark, inc)
        assert mark is not None
        engine.advance(mark)
        for key, value in engine.take_dirty().items():
            if value is None:
                table.pop(key, None)
            else:
                table[key] = json.loads(json.dumps(value))
    rebuilt = AlertEngine.from_state({"entries": table}, CONFIG)
    assert rebuilt.to_state() == engine.to_state()
    assert rebuilt.advance(week(60)) == engine.advance(week(60))


# -- order independence: the stream equals the offline run --------------------------------


def _scenario(seed: int, *, moves: bool = True) -> list[Incident]:
    """Two provinces with history, a spike each, duplicate reports and a few moved events."""
    rng = random.Random(seed)
    events = history(44, spike=(36, 8 + seed % 7), per_week=[rng.randint(0, 2) for _ in range(7)])
    events += history(44, admin1="IQ-AN", spike=(30 + seed % 9, 11),
                      per_week=[rng.randint(0, 3) for _ in range(5)])  # fmt: skip
    out: list[Incident] = []
    for inc in events:
        out.append(inc)
        for v in range(2, 2 + rng.choice([0, 0, 1, 3])):
            day = inc.event_date
            if moves and day is not None and rng.random() < 0.2:
                day = day + dt.timedelta(days=rng.randint(-3, 3))
            out.append(inc.model_copy(update={"incident_id": f"{inc.event_id}-v{v}",
                                              "version": v, "event_date": day}))  # fmt: skip
    return out


def finals(alerts: list[Alert]) -> list[Alert]:
    """The final verdicts' messages (the order-independent part of a stream's output)."""
    return [a for a in alerts if a.final and a.status != "withdrawn"]


def _stream(incidents: list[Incident], config: DetectorConfig) -> list[Alert]:
    engine = AlertEngine(config)
    alerts: list[Alert] = []
    mark: dt.date | None = None
    for inc in incidents:
        engine.add(inc)
        mark = stream_watermark(mark, inc)
        if mark is not None:
            alerts += engine.advance(mark)
    assert engine.report().counters["late"] == 0
    return alerts


def _arrival_order(incidents: list[Incident], delays: list[int], ties: int,
                   grace: int) -> list[Incident]:  # fmt: skip
    """An arrival order in which nothing comes later than ``grace`` days after its dates."""
    first: dict[str, dt.date] = {}
    for inc in incidents:
        assert inc.event_date is not None
        first[inc.event_id] = min(first.get(inc.event_id, inc.event_date), inc.event_date)
    tie = random.Random(ties)
    keyed = []
    for i, inc in enumerate(incidents):
        assert inc.event_date is not None
        delay = dt.timedelta(days=delays[i % len(delays)] % (grace + 1))
        # Never before its own date (so the watermark never outruns an arrival), never later
        # than the grace period after the earliest date its event had.
        arrives = max(inc.event_date, first[inc.event_id] + delay)
        assert arrives <= first[inc.event_id] + dt.timedelta(days=grace)
        keyed.append((arrives, tie.random(), inc))
    return [inc for _, _, inc in sorted(keyed, key=lambda k: (k[0], k[1]))]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 50), delays=st.lists(st.integers(0, 400), min_size=1, max_size=30),
       ties=st.integers(0, 10**6))  # fmt: skip
def test_engine_stream_in_any_order_equals_offline(seed: int, delays: list[int], ties: int) -> None:
    incidents = _scenario(seed)
    arrival = _arrival_order(incidents, delays, ties, CONFIG.grace_days)
    offline = run_offline(random.Random(ties).sample(incidents, len(incidents)), config=CONFIG)
    assert finals(_stream(arrival, CONFIG)) == finals(offline)


@pytest.mark.parametrize("seed", [0, 3, 11])
def test_engine_shuffle_equality_is_not_vacuous(seed: int) -> None:
    incidents = _scenario(seed)
    assert any(a.status == "raised" for a in run_offline(incidents, config=CONFIG))


@pytest.mark.parametrize("grace", [0, 7, 21])
def test_engine_stream_equals_offline_for_any_grace(grace: int) -> None:
    config = DetectorConfig(grace_days=grace)
    incidents = _scenario(5, moves=grace >= 7)
    arrival = _arrival_order(incidents, [1, 5, 0, 13, 2, 8], 42, grace)
    assert finals(_stream(arrival, config)) == finals(run_offline(incidents, config=config))


# -- purity ------------------------------------------------------------------------------------

MODULES = ["aggregate", "alerting", "baseline", "config", "detector", "early", "engine",
           "offline", "backfill"]


@pytest.mark.parametrize("module", MODULES)
def test_engine_modules_never_touch_the_clock(module: str) -> None:
    path = Path(__file__).resolve().parents[3] / "processors" / "detect" / f"{module}.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import) for alias in node.names}  # fmt: skip
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}  # fmt: skip
    assert not imported & {"time", "faust", "aiokafka", "random", "socket"}
    calls = {f"{n.func.value.id}.{n.func.attr}" for n in ast.walk(tree)
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
             and isinstance(n.func.value, ast.Name)}  # fmt: skip
    assert not calls & {"datetime.now", "date.today", "datetime.utcnow", "datetime.today"}
    assert ".now(" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("country", "admin1"), [("NG", "NG-BO"), ("SO", "SO-BN"),
                                                 ("UA", "UA-14"), ("MX", "MX-GUA")])
def test_engine_any_country_and_first_level_unit_gets_its_baseline_and_alert(
        country: str, admin1: str) -> None:
    # SCHEMA v2 is worldwide: the same trickle and spike anywhere raises the same alert.
    events = [inc.model_copy(update={"country": country, "admin1": admin1})
              for inc in history(40, spike=(36, 12), admin1=admin1)]
    engine = AlertEngine(CONFIG)
    for inc in events:
        engine.add(inc)
    alerts = engine.advance(week(45))
    assert [a.status for a in alerts if a.region == admin1] == ["raised", "resolved"]
    assert {a.region for a in alerts} <= {admin1, country}
