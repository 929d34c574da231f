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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

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
from processors.models import Severity

LOOKS_PER_WEEK = 6  # days 1..6 of a week; on day 7 the week-to-date test is the final one


@dataclass(slots=True)
class EarlyAlert:
    """A pending early alert of one series: what it named and whether a final test agreed."""

    start: dt.date  # first day of the window of its first message (its id's anchor)
    first_week: int  # the oldest week of the windows it named
    weeks: list[int] = field(default_factory=list)  # weeks it named, not yet closed
    severity: Severity = "low"
    sent: int = 1
    confirmed: bool = False
    expected: float = 0.0
    score: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict of this record."""
        return {"start": self.start.isoformat(), "first_week": self.first_week,
                "weeks": list(self.weeks), "severity": self.severity, "sent": self.sent,
                "confirmed": self.confirmed, "expected": self.expected,
                "score": self.score}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EarlyAlert:
        """The record ``to_json`` wrote."""
        severity = data["severity"]
        if severity not in SEVERITIES:
            raise ValueError(f"unknown severity {severity!r}")
        return cls(dt.date.fromisoformat(data["start"]), int(data["first_week"]),
                   [int(w) for w in data["weeks"]], severity, int(data["sent"]),
                   bool(data["confirmed"]), float(data["expected"]),
                   float(data["score"]))  # fmt: skip


def week_to_date(counts: Sequence[int], *, end_week: int, days_seen: int,
                 last_alarm_age: int | None, config: DetectorConfig,
                 cache: BaselineCache | None = None) -> Verdict | None:  # fmt: skip
    """The week-to-date test of the last week of ``counts`` after ``days_seen`` (1..6) of its
    days: that week alone, and the windows of 2..``scan_weeks`` weeks ending in it, against
    the fraction of the expectation the days seen should hold. None when it does not apply
    (too little history, no window above its floors)."""
    if not 1 <= days_seen <= LOOKS_PER_WEEK:
        return None
    current = int(counts[-1]) if counts else 0
    if current <= 0:
        return None
    baseline = week_baseline(counts, end_week=end_week, config=config, cache=cache)
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
                  cache: BaselineCache | None = None) -> Verdict:  # fmt: skip
    """The early verdict of an open week: the curtailed final test, else the week to date."""
    verdict = assess(counts, end_week=end_week, last_alarm_age=last_alarm_age, config=config,
                     cache=cache)  # fmt: skip
    if verdict.alarm or days_seen >= 7:
        return verdict
    partial = week_to_date(counts, end_week=end_week, days_seen=days_seen,
                           last_alarm_age=last_alarm_age, config=config, cache=cache)  # fmt: skip
    return partial if partial is not None and partial.alarm else verdict


__all__ = ["LOOKS_PER_WEEK", "EarlyAlert", "early_verdict", "week_to_date"]
