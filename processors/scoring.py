"""Score predicted incidents against gold incidents exactly as ``eval/SCHEMA.md`` defines it.

Per article, predictions and gold incidents are matched one to one, greedily, the pair that
agrees on more scored fields first. A pair is a candidate when country is equal, admin1 equal
or one side null, and event dates within one day or one side null. Precision counts
predictions matched to required or optional gold; recall counts required gold only. Field
accuracy is over matched pairs whose gold scores the field (``unscored`` skips it).
Cross-article deduplication is scored pairwise over matched predictions of different
articles: equal ``event_id`` against equal gold ``cluster``.

Scored fields: SCHEMA.md names how each is compared (dates by calendar day; country,
admin1, event_type, perpetrator, target case-insensitively; killed and injured exactly);
date_precision is a closed vocabulary compared like the strings. ``place`` is free text "as
written" with no comparison rule and is not scored.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel

from processors.models import V1_PERPETRATORS, V1_TARGETS

SCORED_FIELDS: tuple[str, ...] = ("event_date", "date_precision", "country", "admin1",
                                  "event_type", "perpetrator", "target", "killed", "injured")
_STRINGS = frozenset({"date_precision", "country", "admin1", "event_type", "perpetrator",
                      "target"})
_V1_NAMES: dict[tuple[str, str], str] = {
    **{("target", old.lower()): new.lower() for old, new in V1_TARGETS.items()},
    **{("perpetrator", old.lower()): new.lower() for old, new in V1_PERPETRATORS.items()},
}


@dataclass(frozen=True, slots=True)
class GoldArticle:
    """One gold line: an article and the incidents a careful coder finds in it."""

    article: str
    published_at: str | None
    incidents: tuple[dict[str, Any], ...]


@dataclass(frozen=True, slots=True)
class ArticleScore:
    """Counts for one gold article."""

    article: str
    predicted: int
    matched: int
    required: int
    required_matched: int


@dataclass(frozen=True, slots=True)
class Report:
    """The outcome of one evaluation."""

    predicted: int
    matched: int
    matched_optional: int
    required: int
    required_matched: int
    precision: float
    recall: float
    f1: float
    field_accuracy: dict[str, float]
    field_counts: dict[str, tuple[int, int]]
    dedup_precision: float | None
    dedup_recall: float | None
    dedup_pairs: tuple[int, int, int]
    articles: tuple[ArticleScore, ...] = field(default_factory=tuple)


def load_gold(data: bytes | str) -> list[GoldArticle]:
    """Parse a gold JSON-lines file (one article per line)."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        raw = json.loads(line)
        out.append(GoldArticle(str(raw["article"]), raw.get("published_at"),
                               tuple(raw.get("incidents", []))))
    return out


def _norm(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name == "event_date":
        text = value.isoformat() if isinstance(value, dt.date) else str(value)
        return text[:10]
    if name in _STRINGS:
        lowered = str(value).strip().lower()
        # Version-1 names read as version 2 ("iraqi_security_forces", "Iraqi Security Forces").
        return _V1_NAMES.get((name, lowered), lowered) if lowered else None
    if name in ("killed", "injured"):
        return int(value)
    return value


def _as_dict(prediction: BaseModel | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(prediction, BaseModel):
        return prediction.model_dump(mode="json")
    return dict(prediction)


def _keys(article: str) -> set[str]:
    path = PurePath(article)
    return {article, path.name, path.stem}


def _candidate(pred: dict[str, Any], gold: dict[str, Any]) -> bool:
    if _norm("country", pred.get("country")) != _norm("country", gold.get("country")):
        return False
    a, b = _norm("admin1", pred.get("admin1")), _norm("admin1", gold.get("admin1"))
    if a is not None and b is not None and a != b:
        return False
    return _day_gap(pred, gold) <= 1


def _day_gap(pred: dict[str, Any], gold: dict[str, Any]) -> int:
    a, b = _norm("event_date", pred.get("event_date")), _norm("event_date", gold.get("event_date"))
    if a is None or b is None:
        return 0
    return abs((dt.date.fromisoformat(a) - dt.date.fromisoformat(b)).days)


def _scored(gold: dict[str, Any]) -> list[str]:
    skip = set(gold.get("unscored") or ())
    return [f for f in SCORED_FIELDS if f not in skip]


def _agree(pred: dict[str, Any], gold: dict[str, Any], name: str) -> bool:
    return bool(_norm(name, pred.get(name)) == _norm(name, gold.get(name)))


def match_article(
    preds: list[dict[str, Any]], golds: list[dict[str, Any]]
) -> list[tuple[int, int]]:
    """Greedy one-to-one matching of one article's predictions and gold incidents."""
    pairs = []
    for i, pred in enumerate(preds):
        for j, gold in enumerate(golds):
            if _candidate(pred, gold):
                agreement = sum(_agree(pred, gold, f) for f in _scored(gold))
                pairs.append((-agreement, _day_gap(pred, gold), i, j))
    pairs.sort()
    used_p: set[int] = set()
    used_g: set[int] = set()
    matched = []
    for _, _, i, j in pairs:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            matched.append((i, j))
    return matched


def evaluate(
    predictions: Iterable[BaseModel | Mapping[str, Any]], gold: list[GoldArticle]
) -> Report:
    """Precision, recall, F1, per-field accuracy and dedup scores of ``predictions``."""
    by_article: dict[str, list[dict[str, Any]]] = {}
    for prediction in predictions:
        record = _as_dict(prediction)
        by_article.setdefault(str(record.get("article_id")), []).append(record)
    lookup = {key: article for article in by_article for key in _keys(article)}
    totals = {"predicted": 0, "matched": 0, "optional": 0, "required": 0, "req_matched": 0}
    hits = dict.fromkeys(SCORED_FIELDS, 0)
    counts = dict.fromkeys(SCORED_FIELDS, 0)
    dedup: list[tuple[str, str, str | None]] = []
    scores = []
    for entry in gold:
        found = next((lookup[k] for k in _keys(entry.article) if k in lookup), None)
        preds = by_article.get(found, []) if found is not None else []
        golds = list(entry.incidents)
        pairs = match_article(preds, golds)
        required = sum(1 for g in golds if g.get("required", True))
        req_matched = sum(1 for _, j in pairs if golds[j].get("required", True))
        totals["predicted"] += len(preds)
        totals["matched"] += len(pairs)
        totals["optional"] += len(pairs) - req_matched
        totals["required"] += required
        totals["req_matched"] += req_matched
        scores.append(ArticleScore(entry.article, len(preds), len(pairs), required, req_matched))
        for i, j in pairs:
            for name in _scored(golds[j]):
                counts[name] += 1
                hits[name] += _agree(preds[i], golds[j], name)
            dedup.append((entry.article, str(preds[i].get("event_id")), golds[j].get("cluster")))
    precision = totals["matched"] / totals["predicted"] if totals["predicted"] else 0.0
    recall = totals["req_matched"] / totals["required"] if totals["required"] else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    d_precision, d_recall, d_pairs = _dedup_scores(dedup)
    return Report(
        predicted=totals["predicted"], matched=totals["matched"],
        matched_optional=totals["optional"], required=totals["required"],
        required_matched=totals["req_matched"], precision=precision, recall=recall, f1=f1,
        field_accuracy={f: hits[f] / counts[f] for f in SCORED_FIELDS if counts[f]},
        field_counts={f: (hits[f], counts[f]) for f in SCORED_FIELDS},
        dedup_precision=d_precision, dedup_recall=d_recall, dedup_pairs=d_pairs,
        articles=tuple(scores),
    )


def _dedup_scores(
    matched: list[tuple[str, str, str | None]]
) -> tuple[float | None, float | None, tuple[int, int, int]]:
    same_pred = same_gold = both = 0
    for (art_a, ev_a, cl_a), (art_b, ev_b, cl_b) in combinations(matched, 2):
        if art_a == art_b:
            continue
        p = ev_a == ev_b
        g = cl_a is not None and cl_a == cl_b
        same_pred += p
        same_gold += g
        both += p and g
    precision = both / same_pred if same_pred else None
    recall = both / same_gold if same_gold else None
    return precision, recall, (both, same_pred, same_gold)


def format_report(report: Report) -> str:
    """A plain-text summary of a Report."""
    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    lines = [
        f"predictions {report.predicted}  matched {report.matched} "
        f"(optional {report.matched_optional})  required gold {report.required}  "
        f"required matched {report.required_matched}",
        f"precision {report.precision:.3f}  recall {report.recall:.3f}  F1 {report.f1:.3f}",
        "field accuracy (over matched pairs whose gold scores the field):",
    ]
    for name in SCORED_FIELDS:
        hit, total = report.field_counts[name]
        value = report.field_accuracy.get(name)
        lines.append(f"  {name:<15} {pct(value):>6}  ({hit}/{total})")
    both, same_pred, same_gold = report.dedup_pairs
    lines.append(f"dedup pairwise: precision {pct(report.dedup_precision)} "
                 f"({both}/{same_pred})  recall {pct(report.dedup_recall)} ({both}/{same_gold})")
    lines.append("per article:")
    for a in report.articles:
        lines.append(f"  {a.article}: predicted {a.predicted}, matched {a.matched}, "
                     f"required {a.required_matched}/{a.required}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m processors.scoring ARTICLES GOLD [--predictions FILE]``: print a report."""
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="python -m processors.scoring")
    parser.add_argument("articles", type=Path)
    parser.add_argument("gold", type=Path)
    parser.add_argument("--predictions", type=Path, default=None,
                        help="score these incident JSON lines instead of extracting")
    args = parser.parse_args(argv)
    if args.predictions is not None:
        predictions: list[Any] = [json.loads(line) for line in
                                  args.predictions.read_text("utf-8").splitlines() if line.strip()]
    else:
        from processors.extract import extract_corpus
        from processors.models import Article

        articles = [Article.model_validate_json(line) for line in
                    args.articles.read_text("utf-8").splitlines() if line.strip()]
        predictions = list(extract_corpus(articles))
    print(format_report(evaluate(predictions, load_gold(args.gold.read_bytes()))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
