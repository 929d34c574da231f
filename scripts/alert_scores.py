"""Scoring dated alarms against the injected escalations (``bench_alerts.py``'s figures).

An alarm is ``(week, as_of day, withdrawn)``; the definitions of FPR, POD, PPV, the delays
and POD 14d are in ``scripts/bench_alerts.py``'s docstring.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from simulate import Series

Events = list[list[tuple[int, int, bool]]]  # per series: (week, as_of day, withdrawn)


def as_events(alarms: list[list[tuple[int, int]]]) -> Events:
    """Rule alarms as events that are never withdrawn."""
    return [[(w, d, False) for w, d in a] for a in alarms]


@dataclass(frozen=True, slots=True)
class Figures:
    """Alert-quality figures of one detector over one group of escalation sizes."""

    fpr: float
    pod: float
    ppv: float
    median_delay_days: float | None
    p90_delay_days: float | None
    within_7_days: float
    pod_14_days: float
    escalations: int

    def as_json(self) -> dict[str, float | None]:
        """The figures of the JSON line."""
        return {"median_delay_days": self.median_delay_days,
                "p90_delay_days": self.p90_delay_days, "pod": round(self.pod, 4),
                "fpr": round(self.fpr, 5), "ppv": round(self.ppv, 4)}  # fmt: skip


def masks(s: Series, sizes: Callable[[int], bool]) -> tuple[np.ndarray, np.ndarray]:
    n = len(s.counts)
    inside = np.zeros(n, dtype=bool)
    chosen = np.zeros(n, dtype=bool)
    for e in s.escalations:
        inside[e.start:e.start + e.length] = True
        if sizes(e.k):
            chosen[e.start:e.start + e.length] = True
    return inside, chosen


def quiet_weeks(series: Sequence[Series], *, burn: int) -> list[np.ndarray]:
    """Per series, its scored weeks outside every escalation."""
    return [~masks(s, lambda k: True)[0] & (np.arange(len(s.counts)) >= burn) for s in series]


def figures(series: Sequence[Series], events: Events, *, burn: int,
            sizes: Callable[[int], bool]) -> Figures:  # fmt: skip
    """Score dated alarms against the injected escalations whose size passes ``sizes``."""
    false = quiet = hits = 0
    detected: list[bool] = []
    delays: list[int] = []
    for s, ev in zip(series, events, strict=True):
        inside, chosen = masks(s, sizes)
        flagged = {w for w, _, _ in ev}
        standing = {w for w, _, gone in ev if not gone}
        for w in range(burn, len(s.counts)):
            if not inside[w]:
                quiet += 1
                false += w in flagged
            elif chosen[w]:
                hits += w in standing
                false += w in flagged and w not in standing
        for e in s.escalations:
            if e.start < burn or not sizes(e.k):
                continue
            days = [d for w, d, gone in ev if not gone and e.start <= w < e.start + e.length]
            detected.append(bool(days))
            if days:
                delays.append(min(days) - 7 * e.start)
    return Figures(
        fpr=false / max(quiet, 1),
        pod=float(np.mean(detected)) if detected else 0.0,
        ppv=hits / max(hits + false, 1),
        median_delay_days=float(np.median(delays)) if delays else None,
        p90_delay_days=float(np.percentile(delays, 90)) if delays else None,
        within_7_days=float(np.mean([d <= 7 for d in delays])) if delays else 0.0,
        pod_14_days=sum(d <= 14 for d in delays) / max(len(detected), 1),
        escalations=len(detected),
    )


GROUPS: tuple[tuple[str, Callable[[int], bool]], ...] = (
    ("k=2", lambda k: k == 2), ("k=3", lambda k: k == 3), ("k=5", lambda k: k == 5),
    ("k=10", lambda k: k == 10), ("k>=3", lambda k: k >= 3),
)  # fmt: skip


def _pct(x: float) -> str:
    return f"{100 * x:6.2f}%"


def _days(x: float | None) -> str:
    return "-" if x is None else f"{x:g}"


def print_table(results: dict[str, Events], series: list[Series], *,
                burn: int) -> dict[str, Figures]:  # fmt: skip
    """Print the per-k table and the k >= 3 breakdown by baseline mean; return k >= 3."""
    head = (f"{'detector':<14}{'group':<7}{'esc':>5}{'FPR':>9}{'POD':>9}{'PPV':>9}"
            f"{'median d':>10}{'p90 d':>8}{'<=7 d':>9}{'POD 14d':>9}")  # fmt: skip
    print(head)
    print("-" * len(head))
    top: dict[str, Figures] = {}
    for name, events in results.items():
        for label, sizes in GROUPS:
            f = figures(series, events, burn=burn, sizes=sizes)
            print(f"{name:<14}{label:<7}{f.escalations:>5}{_pct(f.fpr):>9}{_pct(f.pod):>9}"
                  f"{_pct(f.ppv):>9}{_days(f.median_delay_days):>10}"
                  f"{_days(f.p90_delay_days):>8}{_pct(f.within_7_days):>9}"
                  f"{_pct(f.pod_14_days):>9}")  # fmt: skip
            if label == "k>=3":
                top[name] = f
        print()
    means = sorted({s.mean for s in series})
    print("k>=3 by baseline mean (events/week): FPR / POD / median delay days")
    print(f"{'detector':<14}" + "".join(f"{m:>22g}" for m in means))
    for name, events in results.items():
        cells = []
        for m in means:
            pick = [i for i, s in enumerate(series) if s.mean == m]
            f = figures([series[i] for i in pick], [events[i] for i in pick], burn=burn,
                        sizes=lambda k: k >= 3)  # fmt: skip
            cells.append(f"{_pct(f.fpr)}/{_pct(f.pod)}/{_days(f.median_delay_days)}")
        print(f"{name:<14}" + "".join(f"{c:>22}" for c in cells))
    print()
    return top
