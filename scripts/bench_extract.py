"""Extraction throughput on one core: articles per second over a corpus of ~5 kB articles.

The corpus is composed from the project's own fixtures (tests/fixtures): each article mixes
the paragraphs of one event report with paragraphs of analysis pieces until it reaches about
the length of a news article, and gets its own publication day. Run:

    .venv/bin/python scripts/bench_extract.py [--articles 400] [--rounds 5] [--size 5000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import statistics
import time
from pathlib import Path

from processors.extract.gazetteer import gazetteer
from processors.extract.pipeline import extract_incidents, prepare
from processors.extract.places import gazetteer_version
from processors.extract.world import world
from processors.extract.world_actors import phrase_count
from processors.models import Article

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"


def _paragraphs(path: Path) -> list[str]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    body = raw.get("article", raw)["body"]
    return [p for p in body.split("\n\n") if p.strip()]


def build_corpus(count: int, size: int, seed: int = 7) -> list[Article]:
    """``count`` articles of about ``size`` characters, each with one event report in it."""
    rng = random.Random(seed)
    events = [_paragraphs(p) for p in sorted((FIXTURES / "events").glob("*.json"))]
    analysis = [p for f in sorted((FIXTURES / "no_event").glob("*.json")) for p in _paragraphs(f)]
    articles = []
    for n in range(count):
        parts = list(rng.choice(events))
        while sum(len(p) + 2 for p in parts) < size:
            parts.insert(rng.randrange(1, len(parts) + 1), rng.choice(analysis))
        published = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(2000))
        articles.append(Article(id=f"bench-{n}", published_at=published, title=parts[0],
                                body="\n\n".join(parts)))
    return articles


def main() -> None:
    """Print corpus size and the median articles per second over several rounds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--size", type=int, default=5000)
    args = parser.parse_args()
    corpus = build_corpus(args.articles, args.size)
    rss_before = _rss_mb()
    started = time.perf_counter()
    prepare()  # loads the world gazetteer and actors, compiles every matcher
    startup = time.perf_counter() - started
    rss_loaded = _rss_mb()
    chars = sum(len(a.body) for a in corpus)
    incidents = sum(len(extract_incidents(a)) for a in corpus)  # warm caches, count output
    wall, cpu = [], []
    for _ in range(args.rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        for article in corpus:
            extract_incidents(article)
        wall.append(len(corpus) / (time.perf_counter() - started))
        cpu.append(len(corpus) / (time.process_time() - started_cpu))
    print(f"corpus: {len(corpus)} articles, {chars / len(corpus):.0f} chars each on average, "
          f"{incidents} incidents")
    print(f"median articles/s over {args.rounds} rounds: {statistics.median(wall):.0f} "
          f"(wall clock), {statistics.median(cpu):.0f} (CPU time of this process)")
    g = gazetteer()
    print(f"world loaded: {len(world().places)} towns, {len(g.index)} place names, "
          f"{len(world().countries)} countries, {len(g.provinces)} first-level units, "
          f"{phrase_count()} actor phrases ({gazetteer_version()})")
    print(f"worker start-up (prepare: data files, gazetteer, matchers): {startup:.2f} s; "
          f"RSS {rss_before:.0f} MB before, {rss_loaded:.0f} MB loaded, {_rss_mb():.0f} MB "
          f"after the rounds (peak {_peak_mb():.0f} MB)")


def _rss_mb() -> float:
    """Resident set size now, from /proc (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
