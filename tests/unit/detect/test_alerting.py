"""processors.detect.alerting: lifecycle transitions, deterministic ids, summaries."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from processors.detect.alerting import Episode, alert_id, hold_level, step_episode, top_names
from processors.detect.detector import QUIET, Verdict
from processors.models import Severity

START = dt.date(2024, 3, 4)


def alarm(severity: Severity) -> Verdict:
    return Verdict(True, 1, 9, 1.0, 1e-5, 5.0, 6.0, severity)


def run(verdicts: list[Verdict], resolve_after: int = 2) -> list[str | None]:
    episode: Episode | None = None
    statuses: list[str | None] = []
    for i, verdict in enumerate(verdicts):
        episode, status = step_episode(episode, verdict, window_start=START + dt.timedelta(weeks=i),
                                       resolve_after=resolve_after)  # fmt: skip
        statuses.append(status)
    return statuses


@pytest.mark.parametrize(("verdicts", "statuses"), [
    ([alarm("low"), QUIET, QUIET], ["raised", None, "resolved"]),
    ([alarm("low"), alarm("high"), QUIET, QUIET], ["raised", "escalated", None, "resolved"]),
    ([alarm("high"), alarm("low"), alarm("high")], ["raised", None, None]),
    ([alarm("low"), QUIET, alarm("low"), QUIET, QUIET],
     ["raised", None, None, None, "resolved"]),
    ([QUIET, QUIET], [None, None]),
    ([alarm("low"), QUIET, QUIET, alarm("medium")], ["raised", None, "resolved", "raised"]),
    ([alarm("low"), alarm("medium"), alarm("critical")], ["raised", "escalated", "escalated"]),
])  # fmt: skip
def test_alerting_lifecycle_transitions(verdicts: list[Verdict],
                                        statuses: list[str | None]) -> None:
    assert run(verdicts) == statuses


@pytest.mark.parametrize("resolve_after", [1, 2, 4])
def test_alerting_resolves_after_the_configured_quiet_weeks(resolve_after: int) -> None:
    statuses = run([alarm("low")] + [QUIET] * resolve_after, resolve_after=resolve_after)
    assert statuses[-1] == "resolved"
    assert statuses[1:-1] == [None] * (resolve_after - 1)


def test_alerting_episode_keeps_its_start_and_peak() -> None:
    episode, _ = step_episode(None, alarm("medium"), window_start=START, resolve_after=2)
    assert episode is not None
    later, status = step_episode(episode, alarm("low"), window_start=START + dt.timedelta(7),
                                 resolve_after=2)  # fmt: skip
    assert status is None and later is not None
    assert later.start == START and later.severity == "medium" and later.sent == 1


def test_alerting_episode_json_round_trip() -> None:
    episode = Episode(START, "high", quiet=1, sent=3)
    assert Episode.from_json(episode.to_json()) == episode
    with pytest.raises(ValueError, match="severity"):
        Episode.from_json({**episode.to_json(), "severity": "apocalyptic"})


@given(region=st.sampled_from(["IQ", "IQ-BG", "SY-DY"]), dim=st.sampled_from(["all", "target:x"]),
       seq=st.integers(0, 5), status=st.sampled_from(["raised", "escalated", "resolved"]))
def test_alerting_ids_are_deterministic_and_distinct(region: str, dim: str, seq: int,
                                                     status: str) -> None:  # fmt: skip
    kw = dict(version="v1", region=region, dimension=dim, episode_start=START, sequence=seq)
    first = alert_id(status=status, **kw)  # type: ignore[arg-type]
    assert first == alert_id(status=status, **kw)  # type: ignore[arg-type]
    assert len(first) == 24
    others = {alert_id(status=s, **{**kw, "sequence": seq + d})  # type: ignore[arg-type]
              for s in ("raised", "escalated", "resolved") for d in (0, 1)}  # fmt: skip
    assert len(others) == 6
    assert first != alert_id(status=status, **{**kw, "version": "v2"})  # type: ignore[arg-type]


@pytest.mark.parametrize(("names", "limit", "top"), [
    (["PKK", "Islamic State", "PKK", None, "Turkey"], 2, ["PKK", "Islamic State"]),
    (["b", "a", "b", "a"], 3, ["a", "b"]),
    ([None, None], 3, []),
    (["x"], 0, []),
])  # fmt: skip
def test_alerting_top_names_orders_by_count_then_name(names: list[str | None], limit: int,
                                                      top: list[str]) -> None:
    assert top_names(names, limit) == top


def _quiet_with(count: int) -> tuple[Verdict, int]:
    return Verdict(False, 1, count, 1.0, 0.2, 0.0, 0.5, None), count


def test_alerting_sustained_counts_hold_the_episode_open() -> None:
    # Raised against a baseline of 1 event a week (hold level 3); the surge goes on without
    # re-alarming, so only the weeks back at or below 3 count towards resolving.
    raise_on = Verdict(True, 1, 9, 1.0, 1e-5, 5.0, 6.0, "medium")
    episode, status = step_episode(None, raise_on, window_start=START, resolve_after=2, count=9)
    assert status == "raised" and episode is not None and episode.baseline == 1.0
    statuses = []
    for count in (8, 7, 9, 2, 8, 1, 0):
        verdict, week_count = _quiet_with(count)
        episode, status = step_episode(episode, verdict, window_start=START, resolve_after=2,
                                       count=week_count)  # fmt: skip
        statuses.append(status)
    assert statuses == [None, None, None, None, None, None, "resolved"]


@pytest.mark.parametrize(("baseline", "level"), [(0.0, 0), (0.1, 0), (0.5, 1), (1.0, 3),
                                                  (4.0, 8), (25.0, 35)])  # fmt: skip
def test_alerting_hold_level_is_about_two_sds_above_the_baseline(baseline: float,
                                                                 level: int) -> None:
    assert hold_level(baseline) == level


def test_alerting_episode_from_older_state_without_baseline_resolves_on_alarms_alone() -> None:
    data = Episode(START, "low").to_json()
    del data["baseline"]
    episode = Episode.from_json(data)
    assert episode.baseline is None
    verdict, count = _quiet_with(50)
    after, _ = step_episode(episode, verdict, window_start=START, resolve_after=1, count=count)
    assert after is None
