"""The project's real-article dev set: assemble it from the local cache, score it by part.

The committed part is facts only: ``eval/devset/sources.jsonl`` (id, url, outlet, country,
the search query that found the page), ``gold.jsonl`` (SCHEMA.md version 2, written by
annotators who had not seen the rules) and ``gold-second.jsonl`` (a second annotator on a
fifth of the articles). The article texts live in the git-ignored cache ``.cache/devset/``,
one ``<id>.json`` per article; ``missing`` prints, for each article not cached, the query to
run in the stored public news pages to rebuild it (eval/devset/README.md).

A third of the articles is the held-out part (``part`` in sources.jsonl, fixed when the set was
built: whole groups of articles that report a common event, in the order of a hash of their
first id): score it only when a piece of work is finished, never while writing rules.

    python scripts/devset.py check                  # counts, and what is missing from the cache
    python scripts/devset.py score --part dev       # extract and score; --part heldout|all
    python scripts/devset.py score --part dev --detail   # by continent, country, confusions
    python scripts/devset.py agreement              # second annotator against the first
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "eval" / "devset"
CACHE = ROOT / ".cache" / "devset"
PARTS = ("dev", "heldout", "all")


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def sources() -> list[dict[str, Any]]:
    """The committed facts about each article."""
    return _lines(DEVSET / "sources.jsonl")


def _select(part: str) -> list[dict[str, Any]]:
    return [s for s in sources() if part in ("all", s["part"])]


def _cached(ids: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    found, missing = [], []
    for article_id in ids:
        path = CACHE / f"{article_id}.json"
        if path.exists():
            found.append(json.loads(path.read_text("utf-8")))
        else:
            missing.append(article_id)
    return found, missing


def check(_: argparse.Namespace) -> int:
    """Print the dev set's counts and list the articles missing from the cache."""
    rows = sources()
    gold = {g["article"]: g for g in _lines(DEVSET / "gold.jsonl")}
    second = _lines(DEVSET / "gold-second.jsonl") if (DEVSET / "gold-second.jsonl").exists() else []
    _, missing = _cached([s["id"] for s in rows])
    parts = Counter(s["part"] for s in rows)
    negatives = sum(1 for s in rows if not gold.get(s["id"], {}).get("incidents"))
    incidents = sum(len(g["incidents"]) for g in gold.values())
    clusters = Counter(i["cluster"] for g in gold.values() for i in g["incidents"])
    multi = {c for c, n in clusters.items()
             if len({g["article"] for g in gold.values()
                     for i in g["incidents"] if i["cluster"] == c}) > 1 and n > 1}
    years = sorted(int(s["year"]) for s in rows if s.get("year"))
    print(f"articles {len(rows)} (dev {parts['dev']}, held-out {parts['heldout']}), "
          f"gold lines {len(gold)}, second-annotator lines {len(second)}")
    print(f"countries {len({s['country'] for s in rows})}, outlets "
          f"{len({s['source'] for s in rows})}, years {years[0] if years else '-'}-"
          f"{years[-1] if years else '-'}")
    print(f"negatives {negatives} ({negatives / max(len(rows), 1):.0%}), incidents {incidents}, "
          f"events reported by two or more articles {len(multi)}")
    no_gold = [s["id"] for s in rows if s["id"] not in gold]
    if no_gold:
        print(f"no gold for {len(no_gold)}: {', '.join(no_gold)}")
    if missing:
        print(f"{len(missing)} articles are not in {CACHE}; rebuild each from the stored public "
              "news pages (search corpus 'pages') with its query, keeping the result whose url "
              "matches:")
        by_id = {s["id"]: s for s in rows}
        for article_id in missing:
            print(f"  {article_id}\t{by_id[article_id]['url']}\t{by_id[article_id]['query']}")
        return 1
    return 0


def score(args: argparse.Namespace) -> int:
    """Extract the part's cached articles and score them against the gold."""
    from processors.correlate.corpus import extract_corpus
    from processors.evaluate.scoring import evaluate, format_report, load_gold
    from processors.models import Article

    rows = _select(args.part)
    found, missing = _cached([s["id"] for s in rows])
    if missing:
        print(f"devset: {len(missing)} of {len(rows)} articles are not cached in {CACHE}; "
              "run `python scripts/devset.py check` to see how to rebuild them", file=sys.stderr)
        return 1
    ids = {s["id"] for s in rows}
    gold = [g for g in load_gold((DEVSET / "gold.jsonl").read_bytes()) if g.article in ids]
    articles = [Article.model_validate(a) for a in found]
    report = evaluate(extract_corpus(articles), gold,
                      countries={s["id"]: s["country"] for s in rows})
    print(f"part {args.part}: {len(articles)} articles")
    print(format_report(report, detail=args.detail))
    return 0


def agreement(_: argparse.Namespace) -> int:
    """Score the second annotator's gold as if it were predictions against the first's."""
    from processors.evaluate.scoring import evaluate, format_report, load_gold

    second = load_gold((DEVSET / "gold-second.jsonl").read_bytes())
    ids = {g.article for g in second}
    first = [g for g in load_gold((DEVSET / "gold.jsonl").read_bytes()) if g.article in ids]
    as_predictions = [dict(incident, article_id=g.article, event_id=incident.get("cluster"))
                      for g in second for incident in g.incidents]
    report = evaluate(as_predictions, first)
    print(f"inter-annotator agreement on {len(ids)} articles (second scored against first; "
          "dedup compares the two annotators' clusters):")
    print(format_report(report, detail=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one of check, score, agreement."""
    parser = argparse.ArgumentParser(prog="scripts/devset.py", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="counts, and articles missing from the cache")
    run = commands.add_parser("score", help="extract and score a part")
    run.add_argument("--part", choices=PARTS, default="dev")
    run.add_argument("--detail", action="store_true")
    commands.add_parser("agreement", help="second annotator against the first")
    args = parser.parse_args(argv)
    return {"check": check, "score": score, "agreement": agreement}[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
