"""Benchmark of alert quality *in time*: sitrep's engine against ACLED's surge rule and EARS C1.

All detectors see the same simulated series (``scripts/simulate.py``: seasonal
negative-binomial baselines of 0.1–5 events a week, escalations of k = 2, 3, 5, 10 SDs
starting on a Monday, their events spread over the days of each week) and the same reports.

**Reporting delays.** Each event gets one or two reports; each report is published after the
event by a delay drawn from ``DELAYS``: the same day with probability 0.55, the next day 0.25,
2–6 days 0.12, 7–42 days (a tail of weeks) 0.08. Every detector sees on a day only what was
published by then. sitrep gets the reports as ``Incident`` versions in publication order and
runs as a worker does (``run_in_order`` semantics: add, then advance to the running
watermark), emitting early and final messages; the rules are in ``scripts/bench_rules.py``.

**Definitions** (scored weeks are those after the burn-in year; every detector sees the
burn-in). An *alarm* is a week a detector flagged and the day it did so: for sitrep every
early message (``raised``/``escalated``, ``final`` false, dated by ``as_of``, about the last
week of its window) and every closed week whose final verdict alarms (dated by its closing day,
window end + ``grace_days`` + 1); for the rules each firing.

* FPR — scored region-weeks outside every escalation with any alarm (early or final, withdrawn
  or not) / scored region-weeks outside every escalation;
* POD — escalations with an alarm, not withdrawn, on one of their weeks / escalations;
* delay — for each detected escalation, days from its first day to its first such alarm;
  ``median_delay_days`` and ``p90_delay_days`` over detected escalations;
* PPV — flagged weeks inside escalations with a standing alarm / (those + flagged weeks outside
  + weeks inside flagged only by withdrawn early alerts); for k ≥ 3 the weeks of k = 2
  escalations count on neither side;
* withdrawn share — sitrep's early alerts (episodes opened by an early ``raised``) later
  withdrawn / early alerts.
* ``pod_vs_oracle`` — sitrep's POD / the daily oracle's POD, the oracle held to sitrep's FPR;
  ``oracle@0.5%`` is the same oracle at the FPR bar, 0.5 %;
* POD 14d — escalations detected within 14 days of their first day / escalations: with
  ``p90_delay_days`` ≤ 14 and ``pod_vs_oracle`` ≥ 0.9 a detector needs at least 0.81 times the
  oracle's POD here, which the line before the JSON compares with the oracles' own.

The last line printed is one JSON object: these figures (k ≥ 3) per detector.

``--calibration`` instead measures the final test's false-alarm rate on pure noise:
negative-binomial series without any escalation, for every mean × dispersion, binned by
how many weeks of history the tested week has (8–25, 26–51, 52–103, 104+). It calls
``assess`` as the engine does (the last 116 weeks, the age of the last alarm), on ``--jobs``
processes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from alert_calibration import calibration
from alert_scores import Events, as_events, figures, masks, print_table, quiet_weeks
from bench_rules import Published, ears_c1, oracle_alarms, oracle_pvalues, surge_rule
from simulate import DISPERSIONS, START, Series, incidents_for, simulate

from processors.detect.detector import DetectorConfig, Verdict
from processors.detect.offline import run_in_order
from processors.models import Alert, Incident

# Reporting delay (days after the event): probability, lowest, highest.
DELAYS: tuple[tuple[float, int, int], ...] = ((0.55, 0, 0), (0.25, 1, 1), (0.12, 2, 6),
                                              (0.08, 7, 42))  # fmt: skip


def draw_delays(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` reporting delays from ``DELAYS``."""
    probs = np.array([p for p, _, _ in DELAYS])
    pick = rng.choice(len(DELAYS), size=n, p=probs / probs.sum())
    lo = np.array([a for _, a, _ in DELAYS])[pick]
    hi = np.array([b for _, _, b in DELAYS])[pick]
    return np.asarray(lo + (rng.random(n) * (hi - lo + 1)).astype(int))


def published_reports(series: list[Series], *, rng: np.random.Generator,
                      ) -> tuple[list[Incident], list[Published]]:  # fmt: skip
    """Every report in publication order (versions numbered in that order), and per series
    each event's day and first publication day."""
    rows: list[tuple[int, float, Incident]] = []
    pubs: list[Published] = []
    for s in series:
        reports = incidents_for(s, rng=rng, reports=2)
        delays = draw_delays(rng, len(reports))
        first: dict[str, tuple[int, int]] = {}
        by_event: dict[str, list[tuple[int, Incident]]] = {}
        for inc, delay in zip(reports, delays.tolist(), strict=True):
            assert inc.event_date is not None
            day = (inc.event_date - START).days
            by_event.setdefault(inc.event_id, []).append((day + delay, inc))
            seen = first.get(inc.event_id)
            first[inc.event_id] = (day, day + delay if seen is None else min(seen[1], day + delay))
        for versions in by_event.values():
            for n, (pub, inc) in enumerate(sorted(versions, key=lambda v: v[0]), start=1):
                update = {"version": n, "incident_id": f"{inc.event_id}-r{n}"}
                rows.append((pub, float(rng.random()), inc.model_copy(update=update)))
        days = np.array([d for d, _ in first.values()], dtype=np.int64)
        pubs.append(Published(days, np.array([p for _, p in first.values()], dtype=np.int64),
                              7 * len(s.counts)))  # fmt: skip
    rows.sort(key=lambda r: (r[0], r[1]))
    return [inc for _, _, inc in rows], pubs


@dataclass
class SitrepRun:
    """What sitrep did: its alarms (early and final), the final ones alone, its messages."""

    events: Events
    final_only: Events
    alerts: list[Alert]
    early_alerts: int
    withdrawn: int
    incidents: int


def run_sitrep(series: list[Series], reports: list[Incident], *,
               config: DetectorConfig) -> SitrepRun:  # fmt: skip
    """Feed the reports to one AlertEngine as a worker receives them; collect every message."""
    index = {s.name: i for i, s in enumerate(series)}
    final: Events = [[] for _ in series]
    closing = 7 + config.grace_days  # from a week's first day to its closing day, minus 1

    def observe(region: str, dimension: str, week: dt.date, verdict: Verdict) -> None:
        if verdict.alarm and dimension == "all":
            w = (week - START).days // 7
            final[index[region]].append((w, 7 * w + closing, False))

    weeks = max(len(s.counts) for s in series)
    alerts = run_in_order(reports, config=config, observer=observe,
                          end=START + dt.timedelta(days=7 * weeks + closing + 7))
    early: Events = [[] for _ in series]
    current: dict[str, list[int]] = {}  # region -> positions in early[...] of its open record
    raised = withdrawn = 0
    for alert in alerts:
        if alert.dimension != "all":
            continue
        i = index[alert.region]
        if alert.status == "withdrawn":
            withdrawn += 1
            for pos in current.pop(alert.region, []):
                w, d, _ = early[i][pos]
                early[i][pos] = (w, d, True)
        elif not alert.final:
            if alert.status == "raised":
                raised += 1
                current[alert.region] = []
            current.setdefault(alert.region, []).append(len(early[i]))
            early[i].append(((alert.window_end - START).days // 7, (alert.as_of - START).days,
                             False))  # fmt: skip
    events = [e + f for e, f in zip(early, final, strict=True)]
    return SitrepRun(events, final, alerts, raised, withdrawn, len(reports))


def main(argv: list[str] | None = None) -> int:
    """Simulate, run sitrep, the rules and the oracle; print the table and the JSON line."""
    parser = argparse.ArgumentParser(description="Alert benchmark in time (see module doc).")
    parser.add_argument("--series", type=int, default=300)
    parser.add_argument("--weeks", type=int, default=156)
    parser.add_argument("--burn", type=int, default=52)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--dispersions", type=float, nargs="+", default=list(DISPERSIONS),
                        help="variance/mean ratios of the baselines (stress: 5 8)")
    parser.add_argument("--amplitude", type=float, default=0.5, help="max seasonal amplitude")
    parser.add_argument("--trend", type=float, default=0.2, help="max yearly log trend")
    parser.add_argument("--lengths", type=int, nargs=2, default=[1, 8],
                        help="shortest and longest escalation, weeks")
    parser.add_argument("--calibration", action="store_true",
                        help="the final test's FPR on escalation-free noise (module doc)")
    parser.add_argument("--jobs", type=int, default=2, help="processes for --calibration")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a DetectorConfig field (JSON value), for tuning")
    args = parser.parse_args(argv)
    overrides = {k: json.loads(v) for k, v in (item.split("=", 1) for item in args.set)}
    if args.calibration:
        calibration(n_series=args.series, weeks=args.weeks, seed=args.seed,
                    dispersions=args.dispersions, amplitude=args.amplitude, trend=args.trend,
                    overrides=overrides, jobs=args.jobs)  # fmt: skip
        return 0

    started = time.perf_counter()
    series = simulate(n_series=args.series, weeks=args.weeks, burn=args.burn, seed=args.seed,
                      lengths=(args.lengths[0], args.lengths[1]),
                      dispersions=tuple(args.dispersions), amplitude=args.amplitude,
                      trend=args.trend)  # fmt: skip
    config = DetectorConfig(**overrides)
    reports, pubs = published_reports(series, rng=np.random.default_rng(args.seed + 1))
    t0 = time.perf_counter()
    run = run_sitrep(series, reports, config=config)
    engine_seconds = time.perf_counter() - t0
    results: dict[str, Events] = {"sitrep": run.events, "sitrep/final": run.final_only,
                                  "surge_rule": as_events(surge_rule(pubs, args.weeks)),
                                  "ears_c1": as_events(ears_c1(pubs))}  # fmt: skip
    target = figures(series, run.events, burn=args.burn, sizes=lambda k: k >= 3).fpr
    pvalues = oracle_pvalues(pubs, [s.baseline for s in series],
                             [s.dispersion for s in series])  # fmt: skip
    alpha, oracle = oracle_alarms(pvalues, quiet_weeks=quiet_weeks(series, burn=args.burn),
                                  inside=[masks(s, lambda k: True)[0] for s in series],
                                  target_fpr=target)  # fmt: skip
    results["oracle"] = as_events(oracle)
    quiet, inside = quiet_weeks(series, burn=args.burn), [masks(s, lambda k: True)[0]
                                                          for s in series]  # fmt: skip
    alpha_bar, oracle_bar = oracle_alarms(pvalues, quiet_weeks=quiet, inside=inside,
                                          target_fpr=0.005)  # fmt: skip
    results["oracle@0.5%"] = as_events(oracle_bar)

    scored = args.weeks - args.burn
    print(f"alert benchmark in time: {args.series} series x {args.weeks} weeks "
          f"({args.series * scored} scored region-weeks after a {args.burn}-week burn-in), "
          f"seed {args.seed}, {run.incidents} reports fed to sitrep in publication order, "
          f"detector {config.version}")  # fmt: skip
    print("reporting delay: " + ", ".join(
        f"{p:.0%} {lo}" + (f"-{hi}" if hi > lo else "") + " d" for p, lo, hi in DELAYS))
    print()
    top = print_table(results, series, burn=args.burn)
    share = run.withdrawn / max(run.early_alerts, 1)
    pod_ratio = top["sitrep"].pod / max(top["oracle"].pod, 1e-9)
    print(f"sitrep: {run.early_alerts} early alerts, {run.withdrawn} withdrawn "
          f"({share:.1%}); sitrep/final: its final verdicts alone; oracle: trailing 7 days "
          f"tested daily against the true baseline, alpha {alpha:.2e} (FPR held to "
          f"sitrep's {target:.3%}); pod_vs_oracle {pod_ratio:.3f}")  # fmt: skip
    need = 0.9 * 0.9 * top["oracle"].pod
    print(f"p90 <= 14 d with pod_vs_oracle >= 0.9 needs {need:.1%} of escalations detected "
          f"within 14 days; the oracle detects {top['oracle'].pod_14_days:.1%} so at sitrep's "
          f"FPR, {top['oracle@0.5%'].pod_14_days:.1%} at FPR 0.5 % (alpha {alpha_bar:.2e}); "
          f"sitrep {top['sitrep'].pod_14_days:.1%}")  # fmt: skip
    print(f"total run time {time.perf_counter() - started:.1f} s "
          f"(sitrep engine {engine_seconds:.1f} s)")
    line: dict[str, dict[str, float | None]] = {
        name: top[name].as_json() for name in ("sitrep", "surge_rule", "ears_c1", "oracle")}
    line["sitrep"]["pod_vs_oracle"] = round(pod_ratio, 4)
    line["sitrep"]["withdrawn_share"] = round(share, 4)
    print(json.dumps(line, sort_keys=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
