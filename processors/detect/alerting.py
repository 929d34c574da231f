"""The lifecycle of an escalation alert: raised, escalated (severity up), resolved.

One series (region × dimension) has at most one open *episode*. Week by week, in event-time
order, its verdicts drive a small state machine:

    no episode ──alarm──▶ open (raised)
    open ──alarm, severity above the episode's peak──▶ open (escalated)
    open ──alarm, same or lower severity──▶ open (no message)
    open ──``resolve_after_weeks`` quiet weeks in a row──▶ closed (resolved)

A *quiet* week has no alarm **and** a count back near the baseline the episode was raised
against: at most ``hold_level(baseline)``, about two Poisson standard deviations above that
baseline's weekly mean. Without the second condition a sustained surge would "resolve" while
its counts are still several times the baseline: the scan stops re-alarming once its alarmed
weeks fill the window, and the baseline slowly absorbs the surge. An analyst reads
"resolved" as "back to normal", so the episode holds while the counts stay high.

Each transition is one ``Alert`` message. Its ``alert_id`` hashes the detector version, the
region, the dimension, the first day of the episode, the message's sequence number within the
episode and its status, so replaying the same incidents yields the same ids and a consumer can
drop duplicates by id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from processors.detect.detector import SEVERITIES, Verdict
from processors.models import Alert, AlertStatus, Severity

STATUS_ORDER: dict[str, int] = {"resolved": 0, "raised": 1, "escalated": 2, "withdrawn": 3}
HOLD_SDS = 2.0  # how far above its pre-escalation mean a week may be and still count as quiet


def hold_level(baseline: float) -> int:
    """The highest weekly count that reads as ordinary against a baseline weekly mean."""
    mean = max(baseline, 0.0)
    return math.floor(mean + HOLD_SDS * math.sqrt(mean))


@dataclass(frozen=True, slots=True)
class Episode:
    """An open alert of one series: when it started, its peak severity, how it stands."""

    start: dt.date
    severity: Severity
    quiet: int = 0
    sent: int = 1  # messages already sent in this episode
    baseline: float | None = None  # expected weekly count when it was raised

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict of this episode."""
        return {"start": self.start.isoformat(), "severity": self.severity,
                "quiet": self.quiet, "sent": self.sent, "baseline": self.baseline}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Episode:
        """The episode ``to_json`` wrote."""
        severity = data["severity"]
        if severity not in SEVERITIES:
            raise ValueError(f"unknown severity {severity!r}")
        baseline = data.get("baseline")
        return cls(dt.date.fromisoformat(data["start"]), severity, int(data["quiet"]),
                   int(data["sent"]), None if baseline is None else float(baseline))  # fmt: skip


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


def step_episode(episode: Episode | None, verdict: Verdict, *, window_start: dt.date,
                 resolve_after: int, count: int | None = None,
                 ) -> tuple[Episode | None, AlertStatus | None]:  # fmt: skip
    """The episode after one more week's verdict, and the status of the message it sends.

    ``count`` is the week's own event count; a week above the episode's hold level is not
    quiet even without an alarm (None: judge by the alarm alone).
    """
    if verdict.alarm and verdict.severity is not None:
        if episode is None:
            baseline = verdict.expected / max(verdict.weeks, 1)
            return Episode(window_start, verdict.severity, baseline=baseline), "raised"
        if SEVERITIES.index(verdict.severity) > SEVERITIES.index(episode.severity):
            return replace(episode, severity=verdict.severity, quiet=0,
                           sent=episode.sent + 1), "escalated"  # fmt: skip
        return replace(episode, quiet=0), None
    if episode is None:
        return None, None
    if (count is not None and episode.baseline is not None
            and count > hold_level(episode.baseline)):
        return replace(episode, quiet=0), None
    if episode.quiet + 1 >= resolve_after:
        return None, "resolved"
    return replace(episode, quiet=episode.quiet + 1), None


def alert_id(*, version: str, region: str, dimension: str, episode_start: dt.date,
             sequence: int, status: AlertStatus,
             early_as_of: dt.date | None = None) -> str:  # fmt: skip
    """The deterministic id of one lifecycle message (early ones also hash their ``as_of``)."""
    key = f"{version}|{region}|{dimension}|{episode_start.isoformat()}|{sequence}|{status}"
    if early_as_of is not None:
        key += f"|early|{early_as_of.isoformat()}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def top_names(names: Iterable[str | None], limit: int) -> list[str]:
    """The most frequent non-empty names, ties broken alphabetically."""
    counts = Counter(name for name in names if name)
    return [name for name, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


def alert_sort_key(alert: Alert) -> tuple[dt.date, str, str, int]:
    """The order alerts of one evaluation are emitted in: week, region, dimension, status."""
    return (alert.window_end, alert.region, alert.dimension, STATUS_ORDER[alert.status])
