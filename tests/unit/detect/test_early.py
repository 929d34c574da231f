"""processors.detect.early and the engine's early lifecycle: raised before the week closes,
confirmed by the final verdict or withdrawn by a message of its own."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from processors.detect.detector import DetectorConfig, assess
from processors.detect.early import early_verdict, week_to_date
from processors.detect.engine import AlertEngine
from processors.detect.offline import run_in_order
from processors.models import Alert, Incident
from tests.unit.detect.test_engine import CONFIG, history, incident, week

END = 3000
QUIET = [1, 0, 2, 1, 0, 1] * 20


def _feed(engine: AlertEngine, incidents: list[Incident]) -> list[Alert]:
    out: list[Alert] = []
    for inc in incidents:
        engine.add(inc)
        assert inc.event_date is not None
        out += engine.advance(max(engine.watermark or inc.event_date, inc.event_date))
    return out


def test_early_burst_on_monday_alarms_before_the_week_ends() -> None:
    counts = [*QUIET, 6]
    verdict = week_to_date(counts, end_week=END, days_seen=1, last_alarm_age=None,
                           config=CONFIG)  # fmt: skip
    assert verdict is not None and verdict.alarm
    assert verdict.expected < 1.0  # a seventh of a week's expectation


def test_early_same_count_spread_over_the_week_does_not_alarm_early() -> None:
    counts = [*QUIET, 3]
    on_monday = week_to_date(counts, end_week=END, days_seen=1, last_alarm_age=None,
                             config=CONFIG)  # fmt: skip
    on_saturday = week_to_date(counts, end_week=END, days_seen=6, last_alarm_age=None,
                               config=CONFIG)  # fmt: skip
    assert on_saturday is None or not on_saturday.alarm
    assert on_monday is not None
    assert on_saturday is None or on_saturday.p_value > on_monday.p_value


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 14), st.integers(1, 7))
def test_early_curtailed_alarm_implies_the_final_alarm(extra: int, days: int) -> None:
    # A count only grows as reports arrive: an early alarm by the final test on the count
    # so far is repeated by the final verdict on any larger count.
    counts = [*QUIET, 2 + extra // 2]
    early = assess(counts, end_week=END, last_alarm_age=None, config=CONFIG)
    final = assess([*QUIET, 2 + extra], end_week=END, last_alarm_age=None, config=CONFIG)
    assert not early.alarm or final.alarm
    assert early_verdict(counts, end_week=END, days_seen=days, last_alarm_age=None,
                         config=CONFIG).alarm >= early.alarm  # fmt: skip


def test_early_alert_then_final_verdict_confirms_it() -> None:
    engine = AlertEngine(CONFIG)
    _feed(engine, history(40))
    burst = [incident(f"b{j}", week(40, j % 3)) for j in range(10)]
    alerts = _feed(engine, burst)
    early = [a for a in alerts if a.region == "IQ-BG" and not a.final]
    assert early and early[0].status == "raised"
    assert early[0].as_of <= week(40, 6), "raised while the week was open"
    assert early[0].window_end == week(40, 6)
    closing = week(40, 6) + dt.timedelta(days=CONFIG.grace_days + 1)
    final = [a for a in engine.advance(closing) if a.region == "IQ-BG"]
    assert [(a.status, a.final, a.as_of) for a in final] == [("raised", True, closing)]


def test_early_alert_not_confirmed_is_withdrawn_by_its_own_message() -> None:
    # Three reports on one Monday against a region of about one event a week: alarming for
    # one day, unremarkable for a week. The final verdict does not confirm it.
    config = DetectorConfig(alpha_early=0.2)
    engine = AlertEngine(config)
    _feed(engine, history(40))
    alerts = _feed(engine, [incident(f"m{j}", week(40, 0)) for j in range(3)])
    early = [a for a in alerts if a.region == "IQ-BG"]
    assert [(a.status, a.final) for a in early] == [("raised", False)]
    closing = week(40, 6) + dt.timedelta(days=config.grace_days + 1)
    later = [a for a in engine.advance(closing) if a.region == "IQ-BG"]
    assert [(a.status, a.final, a.as_of) for a in later] == [("withdrawn", True, closing)]
    assert later[0].alert_id != early[0].alert_id
    assert later[0].severity == early[0].severity
    assert engine.to_state()["entries"]["region:IQ-BG"]["early"] == {}


def test_early_none_while_a_final_alert_is_open() -> None:
    engine = AlertEngine(CONFIG)
    fed = _feed(engine, history(40, spike=(36, 14)))
    assert any(a.final and a.status == "raised" and a.region == "IQ-BG" for a in fed)
    assert engine.to_state()["entries"]["region:IQ-BG"]["episodes"], "still open"
    more = _feed(engine, [incident(f"x{j}", week(39, 0)) for j in range(8)])
    assert [a for a in more if a.region == "IQ-BG" and not a.final] == []


@pytest.mark.parametrize("early", [True, False])
def test_early_in_order_run_is_the_stream_and_finals_ignore_early(early: bool) -> None:
    config = DetectorConfig(early_alerts=early)
    incidents = history(40) + [incident(f"b{j}", week(40, j % 3)) for j in range(10)]
    incidents += [incident("late", week(43, 2), admin1="IQ-NI")]
    stream = _feed(AlertEngine(config), incidents)
    assert run_in_order(incidents, config=config) == stream
    assert any(not a.final for a in stream) is early
    other = run_in_order(incidents, config=DetectorConfig(early_alerts=not early))

    def verdicts(alerts: list[Alert]) -> list[tuple[object, ...]]:
        return [(a.region, a.status, a.window_start, a.window_end, a.observed, a.as_of)
                for a in alerts if a.final and a.status != "withdrawn"]  # fmt: skip

    assert verdicts(stream) == verdicts(other)
    assert verdicts(stream)
