"""Throughput, latency and memory of sitrep on the real broker (``make bench``, issue 7).

Every stage runs on fresh topics (a ``bench-<run>-<stage>.`` prefix, deleted afterwards)
of the local broker, which is started if none runs and stopped only if started here. The
articles come from ``scripts/bench_extract.py``'s generator (paragraphs of the project's own
fixtures, about 5 kB each, the length of the seed articles); article ``n`` takes the text of
base article ``n mod base`` and its own id and publication day, on a schedule of event days
(six articles a day, forty a day three weeks in every twelve) so that weeks close, regions
have baselines and spikes raise alerts. What each figure means:

* ``extract_articles_per_s``: ``extract_incidents`` in this process, one core, over the
  same articles the stream stages get; median of ``--runs`` passes.
* ``passthrough_articles_per_s``: ``harness.passthrough`` (a faust worker on sitrep's faust
  options that decodes each article as ``ingest`` does and forwards it), one worker.
* ``e2e_articles_per_s``: the sitrep worker (ingest, correlate, detect), one worker.
  Throughput of a worker is measured on a *pre-loaded backlog*: the worker starts on fresh
  topics and is waited for until ``/health`` says ready, then ``--articles`` articles are
  produced at full speed (the producer outruns a worker many times over, so the worker
  always has a backlog) and the rate is ``(articles - 1) / (t_last - t_first)``, where ``t``
  are the CreateTime timestamps the worker's own producer stamps on its output records
  (``passthrough`` or ``incidents``), first and last. Startup, group join and the first
  article's latency are outside the window. The detect agent runs in the same process and
  event loop as the others, so its work is inside the window too.
* ``extract_vs_passthrough``: ``extract_articles_per_s`` / ``passthrough_articles_per_s``,
  printed beside the issue's figures as the bound on ``e2e_vs_passthrough``: a worker runs the
  extractor on every article in its one thread, so it cannot outrun the pure extractor even if
  the framework cost nothing (and a worker spread over both cores would leave no room for
  ``two_workers_vs_one``).
* ``two_workers_vs_one``: the same over four partitions, two workers against one.
* ``p50/p99_ingest_to_incident_ms``: articles produced one by one at a steady ``--rate``
  (50/s) with the send time as the record timestamp; for each article, the timestamp of
  its first record on ``incidents`` (stamped by the correlate agent when it sends) minus
  the article's. The first two seconds are warm-up and not counted.
* ``p99_incident_to_alert_ms``: an alert leaves once event time closes its week. Replaying
  the ``incidents`` topic (one partition, in order) with the detector's watermark rule
  (newest event date; a week closes when its end plus ``grace_days`` lies before it) gives,
  for each alert record, the incident record that closed its week; the figure is the alert
  record's timestamp minus that incident record's.
* ``worker_rss_mb_start/end``: VmRSS of one worker fed ``--memory-articles`` (100 000) as a
  backlog, read from ``/proc/<pid>/status`` once the worker has consumed the warm-up (a fifth
  of them, about four years of event time, past every retention horizon: the detector's
  baseline, guard and scan weeks, 116 by default, and the correlator's
  ``dedup_retention_days``) and again after the last one. The stage's topics keep every
  record (the local broker would delete the unread head of a partition past 256 MiB) and the
  run fails unless the worker read every article. The correlator's tombstones of expired
  events, at most ``dedup_tombstones``, are still filling after the warm-up: the notes give
  their count at both readings.

Run: ``.venv/bin/python scripts/bench.py [--quick] [--articles N] [--runs R]
[--memory-articles N] [--rate 50] [--latency-seconds 60]``. The table comes first; the
last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))


from bench_measure import (
    measure_extract,
    measure_latency,
    measure_memory,
    measure_throughput,
)
from bench_stages import Corpus

from streams import broker
from streams.settings import Settings


def main() -> None:
    """Run every stage, print the table, then the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="backlog per throughput run")
    parser.add_argument("--runs", type=int, default=3, help="runs per throughput figure")
    parser.add_argument("--rate", type=float, default=50.0, help="articles/s, latency stage")
    parser.add_argument("--latency-seconds", type=float, default=60.0)
    parser.add_argument("--memory-articles", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 300 articles, one run, 15 s latency, 3000 for memory")
    parser.add_argument("--skip", default="", help="comma-separated stages to skip "
                        "(extract,pass,e2e,two,latency,memory)")
    args = parser.parse_args()
    if args.quick:
        args.articles, args.runs, args.latency_seconds = 300, 1, 15.0
        args.memory_articles = 3000
    skip = set(filter(None, args.skip.split(",")))

    settings = Settings()
    run = f"{int(time.time())}"
    workdir = Path(tempfile.mkdtemp(prefix="sitrep-bench-"))
    corpus = Corpus(min(args.articles, 2000))
    result: dict[str, Any] = {}
    notes: list[str] = []
    try:
        with broker.session(settings, announce=lambda m: print(m, file=sys.stderr)):
            result.update(_run(args, skip, settings, run, corpus, workdir, notes))
    finally:
        if os.environ.get("SITREP_BENCH_KEEP") is None:
            shutil.rmtree(workdir, ignore_errors=True)
    _table(result, notes, args)
    print(json.dumps(result))


def _run(args: argparse.Namespace, skip: set[str], settings: Settings, run: str,
         corpus: Corpus, workdir: Path, notes: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    expected: set[str] = set()
    runs = args.runs
    if "extract" not in skip:
        rate, expected, incidents = measure_extract(corpus, args.articles, runs)
        out["extract_articles_per_s"] = round(rate, 1)
        notes.append(f"corpus: {args.articles} articles, "
                     f"{statistics.mean(len(a.body) for a in corpus.base):.0f} chars on average, "
                     f"{incidents} incidents, {len(expected)} articles with one or more")
    else:
        expected = {f"bench-{n}" for n in range(args.articles)}

    def median_of(**kwargs: Any) -> float:
        return statistics.median(
            measure_throughput(settings, f"{run}r{k}", corpus, args.articles, expected=expected,
                               workdir=workdir, **kwargs) for k in range(runs))

    if "pass" not in skip:
        out["passthrough_articles_per_s"] = round(
            median_of(kind="pass", workers=1, partitions=4), 1)
    if "e2e" not in skip:
        out["e2e_articles_per_s"] = round(median_of(kind="e2e", workers=1, partitions=4), 1)
    if "pass" not in skip and "e2e" not in skip:
        out["e2e_vs_passthrough"] = round(
            out["e2e_articles_per_s"] / out["passthrough_articles_per_s"], 3)
    if "pass" not in skip and "extract" not in skip:
        out["extract_vs_passthrough"] = round(
            out["extract_articles_per_s"] / out["passthrough_articles_per_s"], 3)
    if "two" not in skip and "e2e" not in skip:
        two = median_of(kind="e2e", workers=2, partitions=4)
        out["e2e_two_workers_articles_per_s"] = round(two, 1)
        out["two_workers_vs_one"] = round(two / out["e2e_articles_per_s"], 3)
    if "latency" not in skip:
        lat = measure_latency(settings, run, corpus, rate=args.rate,
                              seconds=args.latency_seconds, workdir=workdir)
        out["p50_ingest_to_incident_ms"] = lat["p50_ingest"]
        out["p99_ingest_to_incident_ms"] = lat["p99_ingest"]
        out["p99_incident_to_alert_ms"] = lat["p99_alert"]
        notes.append(f"latency: {lat['articles']} articles at {args.rate:g}/s, "
                     f"{lat['measured']} timed after warm-up, {lat['incidents']} incidents, "
                     f"max ingest→incident {lat['max_ingest']} ms; {lat['alerts']} alert records, "
                     f"{lat['alerts_matched']} matched to the incident that closed their week, "
                     f"p50 incident→alert {lat['p50_alert']} ms")
    if "memory" not in skip:
        mem = measure_memory(settings, run, corpus, args.memory_articles, workdir)
        out["worker_rss_mb_start"] = round(mem["rss_start"], 1)
        out["worker_rss_mb_end"] = round(mem["rss_end"], 1)
        out["worker_rss_growth"] = round(mem["rss_end"] / mem["rss_start"] - 1, 3)
        notes.append(f"memory: {mem['articles']} articles in {mem['seconds']:.0f} s; RSS read "
                     f"after {mem['warm_up']} and after all ({mem['event_days']} event days "
                     f"apart); peak {mem['rss_max']:.1f} MiB; correlator tombstones "
                     f"{mem['tombstones'][0]} → {mem['tombstones'][1]} "
                     f"(capped at dedup_tombstones, {settings.dedup_tombstones})")
    return out


BARS = {"extract_articles_per_s": (">=", 300), "e2e_vs_passthrough": (">=", 0.5),
        "two_workers_vs_one": (">=", 1.4), "p99_ingest_to_incident_ms": ("<=", 250),
        "p99_incident_to_alert_ms": ("<=", 1000), "worker_rss_growth": ("<=", 0.2)}


def _table(result: dict[str, Any], notes: list[str], args: argparse.Namespace) -> None:
    print(f"sitrep bench: {args.articles} articles per throughput run, median of {args.runs} "
          f"run(s), {os.cpu_count()} cores")
    for note in notes:
        print(f"  {note}")
    print(f"{'figure':34} {'value':>12}  {'bar':>10}  ok")
    for key, value in result.items():
        bar = BARS.get(key)
        ok = ""
        if bar is not None:
            op, limit = bar
            ok = "yes" if (value >= limit if op == ">=" else value <= limit) else "NO"
        shown = f"{op} {limit}" if bar else ""
        print(f"{key:34} {value:>12}  {shown:>10}  {ok}")


if __name__ == "__main__":
    main()
