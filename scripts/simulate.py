"""Simulated weekly event counts with injected escalations, and the incidents behind them.

The design follows Noufaily et al. (2013) where it can: each series has a negative-binomial
baseline with an annual cycle and a mild trend, and escalations of size k = 2, 3, 5 or 10
baseline standard deviations are injected at known weeks. Where sitrep's subject differs from
outbreak surveillance it says so:

* baseline means are drawn from a grid of 0.1, 0.2, 0.5, 1, 2 and 5 events a week (the sparse
  end is the hard one); variance = φ·mean with φ in 1, 1.5, 2, 3 (Noufaily's quasi-Poisson
  parameterisation), a seasonal amplitude of 0–0.5 on the log scale and a trend of ±0.2 a year;
* an escalation has a start, a length of 1–8 weeks and a size k: in each of its weeks it adds
  Poisson(k·σ_t) events, σ_t = sqrt(φ·μ_t) the baseline SD that week (a conflict surge
  raises the weekly rate while it lasts; Noufaily spread a total of k·σ cases over the
  outbreak instead);
* every series has one escalation in its burn-in year (so baselines must survive a past
  surge, as in Noufaily's design) and one or two in the scored period, at least 8 weeks apart.

Run it to write a scenario for ``sitrep alerts``: incidents as JSON lines in shuffled order,
some events reported by several articles (versions sharing an ``event_id``), and the truth::

    python scripts/simulate.py --series 20 --weeks 156 --out scenario.jsonl --truth truth.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from processors.models import Incident

MEANS: tuple[float, ...] = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0)
DISPERSIONS: tuple[float, ...] = (1.0, 1.5, 2.0, 3.0)
SIZES: tuple[int, ...] = (2, 3, 5, 10)
PERPETRATORS: tuple[str, ...] = ("Islamic State", "Kata'ib Hezbollah", "PKK", "Turkey")
START = dt.date(2021, 1, 4)  # a Monday: week 0 of every simulated series
MAX_SERIES = 26 * 26  # each series is a "country" named by two letters (a valid region code)


def series_name(i: int) -> str:
    """The region code of series ``i``: two letters, AA, AB, ... (ISO 3166-1's shape)."""
    if not 0 <= i < MAX_SERIES:
        raise ValueError(f"at most {MAX_SERIES} simulated series")
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return letters[i // 26] + letters[i % 26]


@dataclass(frozen=True, slots=True)
class Escalation:
    """An injected escalation: first week, length in weeks, size in baseline SDs."""

    start: int
    length: int
    k: int

    def weeks(self) -> range:
        """The weeks it covers."""
        return range(self.start, self.start + self.length)


@dataclass(slots=True)
class Series:
    """One simulated region: its weekly counts, true baseline and escalations."""

    name: str
    mean: float
    dispersion: float
    baseline: np.ndarray
    counts: np.ndarray
    escalations: list[Escalation] = field(default_factory=list)
    nb_size: float | None = None  # set when the baseline has a fixed NB size instead of φ


def _negbin(rng: np.random.Generator, mu: np.ndarray, phi: float) -> np.ndarray:
    if phi <= 1.0:
        return rng.poisson(mu)
    size = mu / (phi - 1.0)
    return rng.negative_binomial(size, size / (size + mu))


def _place(rng: np.random.Generator, taken: list[Escalation], lo: int, hi: int,
           lengths: tuple[int, int]) -> tuple[int, int] | None:  # fmt: skip
    for _ in range(200):
        length = int(rng.integers(lengths[0], lengths[1] + 1))
        if hi - length <= lo:
            return None
        start = int(rng.integers(lo, hi - length))
        if all(start + length + 8 <= e.start or start >= e.start + e.length + 8 for e in taken):
            return start, length
    return None


def simulate(*, n_series: int, weeks: int, burn: int, seed: int,
             lengths: tuple[int, int] = (1, 8), dispersions: tuple[float, ...] = DISPERSIONS,
             amplitude: float = 0.5, trend: float = 0.2,
             sizes: tuple[float, ...] = (), escalate: bool = True,
             means: tuple[float, ...] = MEANS) -> list[Series]:  # fmt: skip
    """``n_series`` seasonal negative-binomial series with escalations, reproducible by seed.

    ``amplitude`` bounds the seasonal amplitude (log scale), ``trend`` the yearly log trend.
    With ``sizes`` the baselines are negative binomials of those fixed size parameters
    (variance μ + μ²/size) instead of variance φ·μ. ``escalate=False`` gives pure noise
    (no escalation, not even in the burn-in); ``means`` replaces the grid of baseline means.
    """
    rng = np.random.default_rng(seed)
    out: list[Series] = []
    t = np.arange(weeks, dtype=float)
    for i in range(n_series):
        mean = means[i % len(means)]
        phi = dispersions[(i // len(means)) % len(dispersions)]
        season = rng.uniform(0.0, amplitude)
        phase = rng.uniform(0.0, 2 * math.pi)
        slope = rng.uniform(-trend, trend)
        mu = mean * np.exp(season * np.sin(2 * math.pi * t / 52.0 + phase)
                           + slope * (t - weeks / 2) / 52.0)  # fmt: skip
        size: float | None = None
        if sizes:
            size = sizes[(i // len(means)) % len(sizes)]
            counts = rng.negative_binomial(size, size / (size + mu))
            sd = np.sqrt(mu + mu * mu / size)
            phi = 1.0 + mean / size  # nominal, for the report
        else:
            counts = _negbin(rng, mu, phi)
            sd = np.sqrt(phi * mu)
        escalations: list[Escalation] = []
        slots = [(4, burn)] + [(burn, weeks)] * (1 + int(rng.random() < 0.5))
        if not escalate:
            slots = []
        for lo, hi in slots:
            spot = _place(rng, escalations, lo, hi, lengths)
            if spot is None:
                continue
            start, length = spot
            k = SIZES[int(rng.integers(len(SIZES)))]
            counts[start:start + length] += rng.poisson(k * sd[start:start + length])
            escalations.append(Escalation(start, length, k))
        out.append(Series(series_name(i), mean, phi, mu, counts.astype(int),
                          sorted(escalations, key=lambda e: e.start), size))  # fmt: skip
    return out


def incidents_for(series: Series, *, rng: np.random.Generator, reports: int = 1,
                  start: dt.date = START) -> list[Incident]:  # fmt: skip
    """One incident per simulated event (up to ``reports`` versions of it), one region each."""
    out: list[Incident] = []
    for week, count in enumerate(series.counts.tolist()):
        for j in range(count):
            day = start + dt.timedelta(days=7 * week + int(rng.integers(7)))
            event_id = f"{series.name}-w{week}-{j}"
            perpetrator = PERPETRATORS[int(rng.integers(len(PERPETRATORS)))]
            for version in range(1, 1 + int(rng.integers(1, reports + 1))):
                out.append(Incident(
                    incident_id=f"{event_id}-r{version}", event_id=event_id,
                    article_id=f"a-{event_id}-{version}", event_date=day, date_precision="day",
                    country=series.name, event_type="attack", perpetrator=perpetrator,
                    confidence=1.0, extractor_version="simulate", version=version,
                ))  # fmt: skip
    return out


def truth(series: list[Series], *, start: dt.date = START) -> list[dict[str, object]]:
    """The injected escalations as dated windows, for scoring alerts by hand."""
    rows: list[dict[str, object]] = []
    for s in series:
        for e in s.escalations:
            first = start + dt.timedelta(days=7 * e.start)
            rows.append({"region": s.name, "k": e.k, "weeks": e.length,
                         "window_start": first.isoformat(),
                         "window_end": (first + dt.timedelta(days=7 * e.length - 1)).isoformat(),
                         "baseline_mean": s.mean, "dispersion": s.dispersion})  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> int:
    """Write a simulated scenario: incidents (shuffled JSON lines) and its truth."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=24)
    parser.add_argument("--weeks", type=int, default=156)
    parser.add_argument("--burn", type=int, default=52)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reports", type=int, default=3, help="max reports per event")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--truth", type=Path, required=True)
    args = parser.parse_args(argv)
    series = simulate(n_series=args.series, weeks=args.weeks, burn=args.burn, seed=args.seed)
    rng = np.random.default_rng(args.seed + 1)
    incidents = [i for s in series for i in incidents_for(s, rng=rng, reports=args.reports)]
    order = rng.permutation(len(incidents))
    with args.out.open("w", encoding="utf-8") as fh:
        for idx in order:
            fh.write(incidents[int(idx)].model_dump_json() + "\n")
    args.truth.write_text(json.dumps(truth(series), indent=1) + "\n", encoding="utf-8")
    print(f"{len(incidents)} incidents, {len(series)} series x {args.weeks} weeks -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
