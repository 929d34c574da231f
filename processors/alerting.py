"""The lifecycle of an escalation alert: raised, escalated (severity up), resolved.

One series (region × dimension) has at most one open *episode*. Week by week, in event-time
order, its verdicts drive a small state machine:

    no episode ──alarm──▶ open (raised)
    open ──alarm, severity above the episode's peak──▶ open (escalated)
    open ──alarm, same or lower severity──▶ open (no message)
    open ──``resolve_after_weeks`` weeks in a row without alarm──▶ closed (resolved)

Each transition is one ``Alert`` message. Its ``alert_id`` hashes the detector version, the
region, the dimension, the first day of the episode, the message's sequence number within the
episode and its status, so replaying the same incidents yields the same ids and a consumer can
drop duplicates by id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from processors.detector import SEVERITIES, Verdict
from processors.models import Alert, AlertStatus, Severity

STATUS_ORDER: dict[str, int] = {"resolved": 0, "raised": 1, "escalated": 2}


@dataclass(frozen=True, slots=True)
class Episode:
    """An open alert of one series: when it started, its peak severity, how it stands."""

    start: dt.date
    severity: Severity
    quiet: int = 0
    sent: int = 1  # messages already sent in this episode

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict of this episode."""
        return {"start": self.start.isoformat(), "severity": self.severity,
                "quiet": self.quiet, "sent": self.sent}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Episode:
        """The episode ``to_json`` wrote."""
        severity = data["severity"]
        if severity not in SEVERITIES:
            raise ValueError(f"unknown severity {severity!r}")
        return cls(dt.date.fromisoformat(data["start"]), severity, int(data["quiet"]),
                   int(data["sent"]))  # fmt: skip


def step_episode(episode: Episode | None, verdict: Verdict, *, window_start: dt.date,
                 resolve_after: int) -> tuple[Episode | None, AlertStatus | None]:  # fmt: skip
    """The episode after one more week's verdict, and the status of the message it sends."""
    if verdict.alarm and verdict.severity is not None:
        if episode is None:
            return Episode(window_start, verdict.severity), "raised"
        if SEVERITIES.index(verdict.severity) > SEVERITIES.index(episode.severity):
            return replace(episode, severity=verdict.severity, quiet=0,
                           sent=episode.sent + 1), "escalated"  # fmt: skip
        return replace(episode, quiet=0), None
    if episode is None:
        return None, None
    if episode.quiet + 1 >= resolve_after:
        return None, "resolved"
    return replace(episode, quiet=episode.quiet + 1), None


def alert_id(*, version: str, region: str, dimension: str, episode_start: dt.date,
             sequence: int, status: AlertStatus) -> str:  # fmt: skip
    """The deterministic id of one lifecycle message."""
    key = f"{version}|{region}|{dimension}|{episode_start.isoformat()}|{sequence}|{status}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def top_names(names: Iterable[str | None], limit: int) -> list[str]:
    """The most frequent non-empty names, ties broken alphabetically."""
    counts = Counter(name for name in names if name)
    return [name for name, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


def alert_sort_key(alert: Alert) -> tuple[dt.date, str, str, int]:
    """The order alerts of one evaluation are emitted in: week, region, dimension, status."""
    return (alert.window_end, alert.region, alert.dimension, STATUS_ORDER[alert.status])
