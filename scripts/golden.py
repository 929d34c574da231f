"""Golden check: the extractor's, correlator's and alert engine's output on a fixed corpus.

The corpus is built from the project's own generators and fixtures only, so the same code
gives the same bytes: ``bench_extract.build_corpus`` articles (fixture event reports mixed
with analysis paragraphs), ``harness.corpus.event_articles`` wire reports over 26 weeks with
a surge, every fixture under ``tests/fixtures`` as it stands, the seed articles of
``../shared/seeds`` when present, and the valid messages of the hostile-input corpus. It
writes every incident (one JSON line each), the corpus-wide correlated incidents and the
offline alerts to ``var/golden/`` with a SHA-256 digest of each, and prints the digests and
counts. Run before and after a change and compare ``var/golden/digest.txt``:

    .venv/bin/python scripts/golden.py [--bench-articles 2000] [--event-articles 2500]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from bench_extract import build_corpus  # noqa: E402

from harness.corpus import event_articles, hostile_messages  # noqa: E402
from processors.correlate.corpus import extract_corpus  # noqa: E402
from processors.detect.offline import run_offline  # noqa: E402
from processors.extract.pipeline import extract_incidents, prepare  # noqa: E402
from processors.models import Article  # noqa: E402
from processors.validate import Limits, parse_article  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
SEEDS = ROOT.parent / "shared" / "seeds" / "articles.jsonl"


def _fixture_articles() -> list[Article]:
    out = []
    for path in sorted(FIXTURES.glob("*/*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        out.append(Article.model_validate(raw.get("article", raw)))
    return out


def _seed_articles() -> list[Article]:
    if not SEEDS.exists():
        return []
    return [Article.model_validate_json(line)
            for line in SEEDS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _valid_hostile() -> list[Article]:
    limits = Limits()
    return [parse_article(m.value, limits=limits) for m in hostile_messages() if not m.bad]


def corpus(bench_articles: int, event_count: int) -> tuple[list[Article], list[Article]]:
    """(every article of the golden corpus, the event-report part that correlation reads)."""
    events = [Article.model_validate_json(value) for _, value in event_articles(event_count)]
    articles = (build_corpus(bench_articles, 5000) + events + _fixture_articles()
                + _seed_articles() + _valid_hostile())
    return articles, events


def _write(path: Path, lines: list[bytes]) -> str:
    data = b"".join(line + b"\n" for line in lines)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def main() -> None:
    """Write var/golden/{incidents,correlated,alerts}.jsonl and digest.txt; print the digests."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-articles", type=int, default=2000)
    parser.add_argument("--event-articles", type=int, default=2500)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "golden")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    prepare()
    articles, events = corpus(args.bench_articles, args.event_articles)
    incidents = []
    for article in articles:
        incidents.append(orjson.dumps({"article": article.id, "incidents": [
            i.model_dump(mode="json") for i in extract_incidents(article)]}))
    correlated = extract_corpus(events)
    alerts = run_offline(correlated, flush=True)
    count = sum(len(orjson.loads(line)["incidents"]) for line in incidents)
    digests = {
        "incidents": _write(args.out / "incidents.jsonl", incidents),
        "correlated": _write(args.out / "correlated.jsonl",
                             [orjson.dumps(i.model_dump(mode="json")) for i in correlated]),
        "alerts": _write(args.out / "alerts.jsonl",
                         [orjson.dumps(a.model_dump(mode="json")) for a in alerts]),
    }
    summary = [f"articles {len(articles)}", f"incidents {count}",
               f"correlated {len(correlated)} from {len(events)} event articles",
               f"alerts {len(alerts)}"] + [f"sha256 {k} {v}" for k, v in digests.items()]
    (args.out / "digest.txt").write_text("\n".join(summary) + "\n", encoding="utf-8")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
