"""``make soak``: the pipeline on a real (dedicated) broker under a seeded schedule of faults.

    kill            SIGKILL a running worker, start a new one
    join / leave    a second worker joins the group; later one of the two leaves
    broker_restart  stop the broker, wait, start it again (a broker of its own)
    hostile_burst   every bad message of the hostile corpus at once

Articles are fed at ``--rate`` per second for ``--minutes`` while the faults happen
(``--faults`` of them, by default 0.8 a minute and at least 5), then the group drains and the
topics are compared with the offline outputs of what was fed (``harness/soak.py``). Progress
goes to stderr; the last line on stdout is one JSON object. Exits 1 when an incident is
missing or has two payloads, the dead letters are not exactly the bad messages, or the alerts
differ from those of an undisturbed run.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the harness lives in the checkout

from harness.corpus import WEEKS
from harness.soak import run_soak


def main(argv: list[str] | None = None) -> int:
    """Run the soak; print its JSON verdict as the last line; 0 when it passes."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30.0, help="length of the fault phase")
    parser.add_argument("--seed", type=int, default=20, help="seeds the corpus and the faults")
    parser.add_argument("--rate", type=float, default=5.0, help="articles fed per second")
    parser.add_argument("--faults", type=int, default=None,
                        help="faults in the schedule (default 0.8 a minute, at least 5)")
    parser.add_argument("--weeks", type=int, default=WEEKS, help="weeks of event time")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="broker data and worker logs (default a new temporary directory)")
    args = parser.parse_args(argv)
    # The broker restarts are planned: aiokafka logs every refused connection meanwhile
    # (thousands a second), which would bury the schedule's own progress lines.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    if args.minutes <= 0 or args.rate <= 0:
        parser.error("--minutes and --rate must be positive")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sitrep-soak-"))
    verdict = run_soak(workdir, minutes=args.minutes, seed=args.seed, rate=args.rate,
                       faults=args.faults, weeks=args.weeks,
                       log=lambda line: print(line, file=sys.stderr, flush=True))
    print(orjson.dumps(verdict).decode(), flush=True)
    return 0 if verdict["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
