"""The detectors sitrep is measured against in ``bench_alerts.py``, on published counts.

Each sees, on each day, only the reports published by that day (``Published``), as sitrep
does. Every function returns a detector's alarms as ``(week, as_of day)`` pairs per series:
the week the alarm is about and the day it was raised (days and weeks counted from
``simulate.START``).

* ``surge_rule`` — ACLED's Surge Tracker, evaluated weekly: on the Monday after week *W*,
  *W*'s count is ≥ 100 % above the mean of the four weeks before it, that mean ≥ 1.
* ``ears_c1`` — EARS C1, evaluated daily: day *t*'s count above the mean + 3 SD of the seven
  days before it (all as published by day *t*).
* ``oracle_pvalues`` / ``oracle_alarms`` — not a detector: told each series' true weekly
  mean, its dispersion and the reporting-delay distribution, it tests the trailing seven
  days every day (negative-binomial tail of the published count, sitrep's 3-event floor);
  its one α is set over all region-weeks so that its FPR equals sitrep's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

MAX_LAG = 7
Alarms = list[list[tuple[int, int]]]


@dataclass(frozen=True, slots=True)
class Published:
    """One series' events: event day and first publication day of each."""

    day: np.ndarray
    published: np.ndarray
    n_days: int

    def by_lag(self) -> np.ndarray:
        """C[s, L]: events of day s published within L days (L = 0..MAX_LAG)."""
        out = np.zeros((self.n_days, MAX_LAG + 1), dtype=np.int64)
        lag = self.published - self.day
        for L in range(MAX_LAG + 1):
            np.add.at(out[:, L], self.day[lag <= L], 1)
        return out

    def week_known(self, week: int, by_day: int) -> int:
        """Events of ``week`` published by day ``by_day``."""
        pick = (self.day // 7 == week) & (self.published <= by_day)
        return int(pick.sum())


def surge_rule(pubs: list[Published], n_weeks: int) -> Alarms:
    """ACLED's surge rule on each week, as published by the Monday after it."""
    out: Alarms = []
    for p in pubs:
        alarms = []
        for w in range(4, n_weeks):
            t = 7 * (w + 1)
            counts = [p.week_known(v, t) for v in range(w - 4, w + 1)]
            mean = float(np.mean(counts[:4]))
            if mean >= 1.0 and counts[4] >= 2.0 * mean:
                alarms.append((w, t))
        out.append(alarms)
    return out


def ears_c1(pubs: list[Published]) -> Alarms:
    """EARS C1 on each day's published count against the seven days before it."""
    out: Alarms = []
    for p in pubs:
        c = p.by_lag()
        n = p.n_days
        t = np.arange(MAX_LAG, n)
        today = c[t, 0]
        base = np.stack([c[t - MAX_LAG + j, MAX_LAG - j] for j in range(MAX_LAG)], axis=1)
        alarm = today > base.mean(axis=1) + 3.0 * base.std(axis=1, ddof=1)
        out.append([(int(d) // 7, int(d)) for d in t[alarm]])
    return out


def delay_cdf(pubs: list[Published]) -> np.ndarray:
    """P(an event is published within L days), L = 0..MAX_LAG, over all series."""
    lag = np.concatenate([p.published - p.day for p in pubs])
    return np.array([float(np.mean(lag <= L)) for L in range(MAX_LAG + 1)])


def oracle_pvalues(pubs: list[Published], means: list[np.ndarray], dispersions: list[float],
                   *, floor: int = 3) -> list[np.ndarray]:  # fmt: skip
    """Each day's tail probability of the trailing 7-day published count under the truth
    (1.0 below ``floor`` events or in the first week)."""
    cdf = delay_cdf(pubs)
    out = []
    for p, mu_week, phi in zip(pubs, means, dispersions, strict=True):
        c = p.by_lag()
        n = p.n_days
        mu_day = np.repeat(mu_week, 7)[:n] / 7.0
        t = np.arange(6, n)
        count = sum(c[t - j, j] for j in range(7))
        mean = sum(mu_day[t - j] * cdf[j] for j in range(7))
        var = phi * mean
        pv = np.ones(n)
        size = np.where(var > mean * (1 + 1e-9), mean * mean / np.maximum(var - mean, 1e-12), 0)
        nb = stats.nbinom.sf(count - 1, np.maximum(size, 1e-12), size / (size + mean))
        po = stats.poisson.sf(count - 1, mean)
        tail = np.where(size > 0, nb, po)
        pv[t] = np.where(count >= floor, tail, 1.0)
        out.append(pv)
    return out


def window_weeks(n_days: int, inside: np.ndarray) -> np.ndarray:
    """The week a trailing 7-day window ending on each day is about: the week of its first
    day when that week lies in an escalation (the escalation's events still in the window
    are not a new alarm), else the week of its last day."""
    t = np.arange(n_days)
    first = np.maximum(t - 6, 0) // 7
    return np.where(inside[first], first, t // 7)


def oracle_alarms(pvalues: list[np.ndarray], *, quiet_weeks: list[np.ndarray],
                  inside: list[np.ndarray], target_fpr: float) -> tuple[float, Alarms]:  # fmt: skip
    """The oracle's alarms at the largest α whose FPR over ``quiet_weeks`` (scored weeks
    outside escalations, per series) stays within ``target_fpr``."""
    minima = []
    about = [window_weeks(len(pv), ins) for pv, ins in zip(pvalues, inside, strict=True)]
    for pv, quiet, week in zip(pvalues, quiet_weeks, about, strict=True):
        week_min = np.ones(len(quiet))
        np.minimum.at(week_min, week, pv)
        minima.append(week_min[quiet])
    ranked = np.sort(np.concatenate(minima))
    allowed = int(target_fpr * len(ranked))
    alpha = float(ranked[allowed]) * (1 - 1e-9) if allowed < len(ranked) else 1.0
    alarms = [[(int(week[d]), int(d)) for d in np.flatnonzero(pv <= alpha)]
              for pv, week in zip(pvalues, about, strict=True)]
    return alpha, alarms
