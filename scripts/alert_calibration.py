"""The final test's false-alarm rate on escalation-free noise (``bench_alerts.py --calibration``).

Negative-binomial series without any escalation, for every mean × dispersion, binned by how
many weeks of history the tested week has (8–25, 26–51, 52–103, 104+). It calls ``assess``
as the engine does (the last 116 weeks, the age of the last alarm), on ``jobs`` processes;
no prior is pooled across series (each is tested on its own history).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from simulate import MEANS, simulate

from processors.detect.detector import DetectorConfig, assess

HISTORY_BINS: tuple[tuple[int, int], ...] = ((8, 26), (26, 52), (52, 104), (104, 10**6))


def noise_alarms(counts: Sequence[int], config: DetectorConfig) -> np.ndarray:
    """Alarm weeks of ``assess`` run week by week over ``counts`` as the engine runs it."""
    span = config.baseline_weeks + config.guard_weeks + config.scan_weeks
    alarm = np.zeros(len(counts), dtype=bool)
    last: int | None = None
    for t in range(len(counts)):
        if counts[t] <= 0:
            continue
        verdict = assess(counts[max(0, t - span):t + 1], end_week=2800 + t, config=config,
                         last_alarm_age=None if last is None else t - last)  # fmt: skip
        if verdict.alarm:
            alarm[t] = True
            last = t
    return alarm


def _calibration_cell(job: tuple[float, float, int, int, int, float, float, str]
                      ) -> list[tuple[int, int]]:  # fmt: skip
    mean, phi, n_series, weeks, seed, amplitude, trend, overrides = job
    config = DetectorConfig(**json.loads(overrides))
    series = simulate(n_series=n_series, weeks=weeks, burn=0, seed=seed, escalate=False,
                      dispersions=(phi,), amplitude=amplitude, trend=trend, means=(mean,))
    cells = [[0, 0] for _ in HISTORY_BINS]
    for s in series:
        alarm = noise_alarms(s.counts.tolist(), config)
        for b, (lo, hi) in enumerate(HISTORY_BINS):
            cells[b][0] += int(alarm[lo:hi].sum())
            cells[b][1] += max(0, min(hi, weeks) - lo)
    return [(a, n) for a, n in cells]


def calibration(*, n_series: int, weeks: int, seed: int, dispersions: Sequence[float],
                amplitude: float, trend: float, overrides: dict[str, object],
                jobs: int) -> None:  # fmt: skip
    """Print sitrep's FPR on escalation-free noise per mean × dispersion and history length."""
    from multiprocessing import Pool

    grid = [(m, phi) for phi in dispersions for m in MEANS]
    work = [(m, phi, n_series, weeks, seed + 1000 * i, amplitude, trend, json.dumps(overrides))
            for i, (m, phi) in enumerate(grid)]  # fmt: skip
    with Pool(jobs) as pool:
        out = pool.map(_calibration_cell, work)
    result = dict(zip(grid, out, strict=True))
    print(f"calibration: FPR per region-week on noise, {n_series} series x {weeks} weeks per "
          f"cell, seed {seed}, amplitude {amplitude}, trend {trend}, overrides {overrides}")
    for b, (lo, hi) in enumerate([*HISTORY_BINS, (26, 10**6)]):
        label = f"history {lo}-{hi - 1 if hi < 10**6 else ''} weeks"
        print(f"\n{label:<26}" + "".join(f"{m:>8g}" for m in MEANS) + f"{'all':>8}")
        for phi in dispersions:
            cells = []
            total = [0, 0]
            for m in MEANS:
                bins = result[(m, phi)]
                picked = [bins[b]] if b < len(HISTORY_BINS) else bins[1:]
                a, n = sum(x[0] for x in picked), sum(x[1] for x in picked)
                total[0] += a
                total[1] += n
                cells.append(f"{100 * a / max(n, 1):7.2f}%")
            print(f"{'phi ' + format(phi, 'g'):<26}" + "".join(cells)
                  + f"{100 * total[0] / max(total[1], 1):7.2f}%")
    print()
