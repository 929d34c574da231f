"""Early verdicts: an open week tested as its reports arrive, before its final verdict.

A week's *final* verdict (``processors.detect.detector.assess``) waits until the week's last
day plus ``grace_days`` lies behind the watermark, so that it is the same in any arrival
order. While the week is open the engine also tests it each time one of its region's events
arrives, against the same baseline, and raises an *early* alert as soon as the evidence
already in crosses a threshold. Two tests, both on the counts known so far:

* **curtailed**: the final test itself (the week alone and the 2..``scan_weeks`` windows
  ending in it) on the count so far. A count only grows as reports come in and the baseline
  does not move (it reads closed weeks only), so an early alarm of this kind is one the final
  verdict will repeat: it costs no false alarms, it only comes sooner.
* **week to date**: on day *e* of 1..6 of the week, its count so far against the fraction
  e/7 of its weekly expectation (``predictive_parts(..., fraction=...)``), and the windows
  of the 1..``scan_weeks`` − 1 weeks before it plus those *e* days likewise (with the final
  scan's gates), at ``alpha_early`` and ``alpha_early_scan`` divided by 6: the six looks of
  a week share each α (Bonferroni over the looks, conservative since they overlap), so a
  region-week of noise raises an early-only alarm with probability at most
  ``alpha_early`` + ``alpha_early_scan`` on top of the final test's. Three reports on Monday
  from a province that sees one a week alarm on Monday; the same three spread over the week
  do not (the final test then decides).

An early alert opens a *pending* record (``EarlyAlert``) for the region; while it is pending,
further early alarms of higher severity send ``escalated`` messages. When a week it named
closes, the record is *confirmed* if the final test alarmed on a week of its window; once its
last week has closed, an unconfirmed record is withdrawn by a message of its own
(``withdrawn``), a confirmed one is dropped silently (the final ``raised`` message was its
confirmation). No early alert is raised while a final episode is open: its analysts already
have an alert.

How the defaults were chosen (``scripts/bench_alerts.py --series 60``, seed 2025, reports
published with delays; k ≥ 3): the curtailed test alone (α 0.002 / 0.001 week to date, next
to nothing) gives a median delay of 11.5 days at FPR 0.07 %; α 0.03 / 0.015: 8.5 days, FPR
0.17 %, 13 % of early alerts withdrawn; 0.06 / 0.03: 7 days, 0.56 %, 37 %; 0.12 / 0.06: 3.5
days, 1.3 %, 59 %. POD does not move (a withdrawn alert detects nothing). nbscan-4 took
0.04 / 0.02 (seed 2025: median 5 days, FPR 0.28 %, 16 % withdrawn).

nbscan-5 moves budget from the week-to-date test to the final one (``alpha_week`` 0.006,
``alpha_scan`` 0.003; here 0.025 / 0.0125): a withdrawn early alert is a false alarm that
detects nothing, whereas the final test's α buys POD, and its curtailed form brings those
alarms early at no extra cost. Chosen on seed 1 (150 series, with the pooled dispersion
prior), before seeds 2025, 7 and 11 were run: 0.004 / 0.002 and 0.04 / 0.02 gave FPR 0.35 %,
``pod_vs_oracle`` 0.83, 15 % withdrawn, median 4 days; 0.006 / 0.003 and 0.025 / 0.0125 gave
0.29 %, 0.91, 1 %, 6 days. The price is the median delay (``docs/alerts.md``: 6-8 days).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from processors.detect.aggregate import RegionState, week_of, week_start_date
from processors.detect.alerting import EarlyAlert
from processors.detect.detector import (
    SEVERITIES,
    BaselineCache,
    DetectorConfig,
    Verdict,
    assess,
    make_verdict,
    mixture_tail,
    moments,
    predictive_parts,
    week_baseline,
)
from processors.models import Alert, AlertStatus, Severity

LOOKS_PER_WEEK = 6  # days 1..6 of a week; on day 7 the week-to-date test is the final one


def week_to_date(counts: Sequence[int], *, end_week: int, days_seen: int,
                 last_alarm_age: int | None, config: DetectorConfig,
                 cache: BaselineCache | None = None,
                 prior: tuple[float, ...] | None = None) -> Verdict | None:  # fmt: skip
    """The week-to-date test of the last week of ``counts`` after ``days_seen`` (1..6) of its
    days: that week alone, and the windows of 2..``scan_weeks`` weeks ending in it, against
    the fraction of the expectation the days seen should hold. None when it does not apply
    (too little history, no window above its floors)."""
    if not 1 <= days_seen <= LOOKS_PER_WEEK:
        return None
    current = int(counts[-1]) if counts else 0
    if current <= 0:
        return None
    baseline = week_baseline(counts, end_week=end_week, config=config, cache=cache, prior=prior)
    if baseline is None:
        return None
    fraction = days_seen / 7.0
    current_parts = predictive_parts(baseline, 1, fraction=fraction)
    current_mean, _ = moments(current_parts)
    current_tail = mixture_tail(current_parts, current)
    shrink = min(1.0, baseline.reference_weeks / max(config.full_history_weeks, 1))
    best: tuple[float, Verdict] | None = None
    for m in range(1, min(config.scan_weeks, len(counts)) + 1):
        if m > 1 and (last_alarm_age is not None and last_alarm_age < m):
            break
        if m > 1 and (current <= current_mean or current_tail > config.scan_current_quantile):
            break
        alpha = (config.alpha_early if m == 1 else config.alpha_early_scan) / LOOKS_PER_WEEK
        if alpha <= 0.0:
            continue
        parts = predictive_parts(baseline, m, fraction=fraction)
        mean, var = moments(parts)
        observed = int(sum(counts[-m:]))
        if observed < config.min_events or observed - mean < config.min_excess:
            continue
        p = mixture_tail(parts, observed)
        ratio = p / (alpha * shrink)
        if best is None or ratio < best[0]:
            best = (ratio, make_verdict(ratio <= 1.0, m, observed, mean, var, p, config))
    return best[1] if best is not None else None


def early_verdict(counts: Sequence[int], *, end_week: int, days_seen: int,
                  last_alarm_age: int | None, config: DetectorConfig,
                  cache: BaselineCache | None = None,
                  prior: tuple[float, ...] | None = None) -> Verdict:  # fmt: skip
    """The early verdict of an open week: the curtailed final test, else the week to date."""
    verdict = assess(counts, end_week=end_week, last_alarm_age=last_alarm_age, config=config,
                     cache=cache, prior=prior)  # fmt: skip
    if verdict.alarm or days_seen >= 7:
        return verdict
    partial = week_to_date(counts, end_week=end_week, days_seen=days_seen,
                           last_alarm_age=last_alarm_age, config=config, cache=cache,
                           prior=prior)  # fmt: skip
    return partial if partial is not None and partial.alarm else verdict


class AlertBuilder(Protocol):
    """The engine's message builder (``AlertEngine._alert``)."""

    def __call__(self, code: str, dim: str, week: int, verdict: Verdict, status: AlertStatus,
                 start: dt.date, sequence: int, peak: Severity, *,
                 early_as_of: dt.date | None = None) -> Alert: ...  # fmt: skip


def early_alerts(regions: Mapping[str, RegionState], touched: Iterable[tuple[str, int]], *,
                 watermark: dt.date, origin: int, closed: int | None, config: DetectorConfig,
                 cache: BaselineCache, build: AlertBuilder,
                 prior: tuple[float, ...] | None = None,
                 ) -> tuple[list[Alert], set[str]]:  # fmt: skip
    """Early verdicts, as of ``watermark``, on the open weeks of the regions that received
    events (``touched``: region, week); the messages and the regions whose state changed."""
    now = week_of(watermark, config.week_start)
    span = config.baseline_weeks + config.guard_weeks + config.scan_weeks
    oldest: dict[str, int] = {}
    for code, week in touched:
        oldest[code] = min(week, oldest.get(code, week))
    alerts: list[Alert] = []
    changed: set[str] = set()
    for code in sorted(oldest):
        region = regions[code]
        start = oldest[code] if closed is None else max(oldest[code], closed + 1)
        weeks = [w for w in range(start, now + 1) if w in region.counts]
        dims = sorted({d for w in weeks for d in region.counts[w]}) if (
            config.dimension_alerts) else ["all"]
        for dim in dims:
            if dim in region.episodes:
                continue  # a final alert is open: its analysts know already
            best: tuple[int, Verdict] | None = None
            for week in weeks:
                last = region.last_alarm.get(dim)
                seen = (watermark - week_start_date(week, config.week_start)).days + 1
                verdict = early_verdict(
                    region.series(dim, first=max(origin, week - span), last=week),
                    end_week=week, days_seen=min(max(seen, 1), 7),
                    last_alarm_age=None if last is None else week - last, config=config,
                    cache=cache, prior=prior)  # fmt: skip
                if verdict.alarm and (best is None or _rank(verdict) > _rank(best[1])):
                    best = (week, verdict)
            if best is not None:
                changed.add(code)
                alerts.extend(_raise(region, code, dim, *best, watermark=watermark,
                                     config=config, build=build))  # fmt: skip
    return alerts, changed


def _rank(verdict: Verdict) -> tuple[int, float]:
    severity = SEVERITIES.index(verdict.severity) if verdict.severity else -1
    return severity, verdict.score


def _raise(region: RegionState, code: str, dim: str, week: int, verdict: Verdict, *,
           watermark: dt.date, config: DetectorConfig,
           build: AlertBuilder) -> list[Alert]:  # fmt: skip
    # An early alarm opens a pending record (raised) or adds to it (escalated if more severe).
    assert verdict.severity is not None
    first = week - verdict.weeks + 1
    record = region.early.get(dim)
    status: AlertStatus = "raised"
    sequence = 0
    if record is None:
        record = region.early[dim] = EarlyAlert(
            week_start_date(first, config.week_start), first, [week], verdict.severity)
    else:
        record.first_week = min(record.first_week, first)
        if week not in record.weeks:
            record.weeks = sorted([*record.weeks, week])
        if SEVERITIES.index(verdict.severity) <= SEVERITIES.index(record.severity):
            return []
        status, sequence = "escalated", record.sent
        record.sent += 1
        record.severity = verdict.severity
    record.expected, record.score = verdict.expected, verdict.score
    return [build(code, dim, week, verdict, status, record.start, sequence, record.severity,
                  early_as_of=watermark)]  # fmt: skip


def settle_early(regions: Mapping[str, RegionState], week: int, *,
                 build: AlertBuilder) -> tuple[list[Alert], set[str]]:  # fmt: skip
    """Confirm or withdraw the pending early alerts that named ``week``, which just closed
    (its final verdicts are in ``last_alarm``); the messages and the regions changed."""
    alerts: list[Alert] = []
    changed: set[str] = set()
    for code in sorted(regions):
        region = regions[code]
        for dim in sorted(region.early):
            record = region.early[dim]
            if not any(w <= week for w in record.weeks):
                continue
            changed.add(code)
            record.weeks = [w for w in record.weeks if w > week]
            alarmed = region.last_alarm.get(dim)
            record.confirmed |= alarmed is not None and alarmed >= record.first_week
            if record.weeks:
                continue
            del region.early[dim]
            if record.confirmed:
                continue  # the final raised message was its confirmation
            seen = sum(region.series(dim, first=record.first_week, last=week))
            verdict = Verdict(False, week - record.first_week + 1, seen, record.expected, 1.0,
                              0.0, 0.0, None)  # fmt: skip
            alerts.append(build(code, dim, week, verdict, "withdrawn", record.start,
                                record.sent, record.severity))  # fmt: skip
    return alerts, changed


__all__ = ["LOOKS_PER_WEEK", "AlertBuilder", "early_alerts", "early_verdict", "settle_early",
           "week_to_date"]
