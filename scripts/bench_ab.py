"""Extraction throughput of two checkouts compared in lockstep, for a machine that is noisy.

Separate ``bench_extract`` runs minutes apart differ by +-30 % on a shared machine, which hides
any change smaller than that. This script starts one worker per checkout (each loads its own
code and data, builds the ``bench_extract`` corpus and warms up), then runs one round of the
corpus in each worker in turn, alternating which goes first, so both see the same load. It
prints each checkout's median articles per second (CPU time of the worker) and the median of
the per-round ratios to the first checkout. Run, from a checkout:

    .venv/bin/python scripts/bench_ab.py /work/main . [--articles 150] [--rounds 20]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path


def _worker(articles: int) -> None:
    """Serve rounds: read a line, extract the corpus once, print the CPU seconds it took."""
    root = Path.cwd()
    sys.path[:0] = [str(root), str(root / "scripts")]
    from bench_extract import build_corpus

    from processors.extract.pipeline import extract_incidents, prepare

    corpus = build_corpus(articles, 5000)
    started = time.process_time()
    prepare()
    startup = time.process_time() - started
    for article in corpus:
        extract_incidents(article)
    print(f"{startup:.2f}", flush=True)
    for _ in sys.stdin:
        started = time.process_time()
        for article in corpus:
            extract_incidents(article)
        print(f"{time.process_time() - started:.6f}", flush=True)


def _python(tree: Path) -> str:
    own = tree / ".venv" / "bin" / "python"
    return str(own) if own.exists() else sys.executable


def main() -> None:
    """Print both checkouts' medians and their ratio; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs=2, type=Path, help="two checkouts: baseline, candidate")
    parser.add_argument("--articles", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.articles)
        return
    trees = [tree.resolve() for tree in args.trees]
    workers = [subprocess.Popen(
        [_python(tree), str(Path(__file__).resolve()), ".", ".", "--worker",
         "--articles", str(args.articles)],
        cwd=tree, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for tree in trees]
    startup = [float(w.stdout.readline()) for w in workers if w.stdout]
    rates: list[list[float]] = [[], []]
    for n in range(args.rounds):
        for k in (0, 1) if n % 2 == 0 else (1, 0):
            worker = workers[k]
            assert worker.stdin and worker.stdout
            worker.stdin.write("go\n")
            worker.stdin.flush()
            rates[k].append(args.articles / float(worker.stdout.readline()))
    for worker in workers:
        assert worker.stdin
        worker.stdin.close()
        worker.wait()
    ratios = [b / a for a, b in zip(rates[0], rates[1], strict=True)]
    for k, tree in enumerate(trees):
        print(f"{tree}: median {statistics.median(rates[k]):.0f} articles/s (CPU time), "
              f"best {max(rates[k]):.0f}; start-up {startup[k]:.2f} s CPU")
    print(f"ratio {trees[1].name} / {trees[0].name}: median {statistics.median(ratios):.3f} "
          f"over {args.rounds} rounds (min {min(ratios):.2f}, max {max(ratios):.2f})")


if __name__ == "__main__":
    main()
