"""``make reliability``: the fault runs of issue 6 at scale, on the real broker.

    kill            SIGKILL the worker mid-stream, restart it
    rebalance       start a second worker mid-stream, then stop the first
    broker_restart  stop and restart a dedicated broker mid-stream (never the shared one)
    bad_input       malformed and hostile messages between valid articles
    replay          an uninterrupted run, then ``sitrep replay``: equal byte for byte

Prints one table row per fault and, as its last line, one JSON object keyed by fault. Exits 1
when any fault fails. ``--repeat N`` runs each fault N times (rows and keys ``fault#n``) and
counts the failed runs: a race shows in some runs only (``--faults rebalance --repeat 30
--articles 200`` is how the rebalance faults of docs/operations.md were counted). The faults
other than ``broker_restart`` run on the local broker of ``deploy/kafka``: a running one is
used and left running; otherwise it is started for the run and stopped afterwards (as the
integration tests do).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the harness lives in the checkout

from harness import faults
from harness.corpus import WEEKS, event_articles
from harness.faults import Counts
from streams import broker
from streams.settings import Settings

FAULTS = ("kill", "rebalance", "broker_restart", "bad_input", "replay")
COLUMNS = ("articles", "incidents_expected", "found", "duplicated", "missing", "redelivered",
           "regions_equal", "alerts_expected", "alerts_found", "alerts_equal", "seconds", "ok")


def _row(name: str, values: dict[str, object]) -> str:
    cells = [f"{name:<15}"] + [f"{values.get(c, '-')!s:>{max(len(c), 5)}}" for c in COLUMNS]
    return " ".join(cells)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen faults; print the table and the JSON line; 0 when all pass."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=3000, help="articles per fault run")
    parser.add_argument("--weeks", type=int, default=WEEKS, help="weeks of event time")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--faults", default=",".join(FAULTS),
                        help=f"comma-separated subset of {','.join(FAULTS)}")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each fault this many times (races show in some runs only)")
    args = parser.parse_args(argv)

    chosen = [f.strip() for f in args.faults.split(",") if f.strip()]
    unknown = set(chosen) - set(FAULTS)
    if unknown:
        parser.error(f"unknown faults: {sorted(unknown)}")
    shared = Settings()
    records = event_articles(args.articles, seed=args.seed, weeks=args.weeks)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sitrep-reliability-"))
    tag = time.strftime("%H%M%S")
    runs: dict[str, Callable[[str], Counts]] = {
        "kill": lambda run: faults.run_kill(shared, workdir / f"kill{run}", records,
                                            name=f"rel-kill-{tag}{run}"),
        "rebalance": lambda run: faults.run_rebalance(shared, workdir / f"rebalance{run}",
                                                      records, name=f"rel-rebalance-{tag}{run}"),
        "broker_restart": lambda run: faults.run_broker_restart(
            workdir / f"broker_restart{run}", records, name=f"rel-broker-{tag}{run}"),
        "bad_input": lambda run: faults.run_bad_input(shared, workdir / f"bad_input{run}",
                                                      records[: max(100, len(records) // 10)],
                                                      name=f"rel-bad-{tag}{run}"),
        "replay": lambda run: faults.run_replay_equality(shared, workdir / f"replay{run}",
                                                         records, name=f"rel-replay-{tag}{run}"),
    }
    print(f"{args.articles} articles over {args.weeks} weeks per run; work dir {workdir}",
          file=sys.stderr)
    with broker.session(shared):
        return _run(chosen, runs, repeat=max(1, args.repeat))


def _run(chosen: list[str], runs: dict[str, Callable[[str], Counts]], *, repeat: int) -> int:
    """Run each chosen fault ``repeat`` times; rows and JSON keys are ``fault#n`` if n > 1."""
    print(_row("fault", {c: c for c in COLUMNS}))
    result: dict[str, dict[str, object]] = {}
    for fault in chosen:
        failed = 0
        for n in range(1, repeat + 1):
            name, suffix = (fault, "") if repeat == 1 else (f"{fault}#{n}", f"-{n}")
            result[name] = values = _one(fault, name, runs[fault], suffix)
            failed += not values.get("ok")
        if repeat > 1:
            print(f"  {fault}: {failed} of {repeat} runs failed")
    print(orjson.dumps(result).decode())
    return 0 if all(v.get("ok") for v in result.values()) else 1


def _one(fault: str, name: str, run: Callable[[str], Counts],
         suffix: str) -> dict[str, object]:
    """One fault run's row (printed) and values; a crashed run is a failed one."""
    try:
        values = run(suffix).as_json()
    except Exception as exc:  # a crashed run is a failed fault, and the others still run
        values = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:2000]}
    print(_row(name, values), flush=True)
    if fault == "bad_input" and "sent" in values:
        print(f"  bad_input sent by kind: {values['sent']}")
        print(f"  dead-lettered by kind:  {values['dead_lettered']}")
    if not values.get("ok"):
        print(f"  {name} FAILED: {values}", file=sys.stderr)
    return values


if __name__ == "__main__":
    sys.exit(main())
