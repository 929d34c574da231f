"""The scoring rule of SCHEMA.md on small hand-made cases."""

from __future__ import annotations

import json
from typing import Any

import pytest

from processors.evaluate.scoring import (
    breakdown,
    confusion,
    continent,
    evaluate,
    false_incidents,
    format_report,
    load_gold,
    main,
    match_article,
)


def _gold(**fields: Any) -> dict[str, Any]:
    base = dict(event_date="2020-08-03", date_precision="day", country="IQ", admin1="IQ-BG",
                event_type="shelling_artillery_missile", perpetrator=None, target="us_forces",
                killed=None, injured=None, required=True, cluster="c1")
    base.update(fields)
    return base


def _pred(article: str = "art", **fields: Any) -> dict[str, Any]:
    base = {k: v for k, v in _gold().items() if k not in ("required", "cluster")}
    base.update(article_id=article, event_id="e1")
    base.update(fields)
    return base


def _gold_file(*articles: tuple[str, list[dict[str, Any]]]) -> bytes:
    return "\n".join(json.dumps({"article": a, "published_at": None, "incidents": i})
                     for a, i in articles).encode()


@pytest.mark.parametrize(
    ("pred", "candidate"),
    [
        ({}, True),
        ({"country": "SY"}, False),
        ({"admin1": "IQ-AN"}, False),
        ({"admin1": None}, True),
        ({"event_date": "2020-08-04"}, True),
        ({"event_date": "2020-08-05"}, False),
        ({"event_date": None}, True),
        ({"country": " iq "}, True),
    ],
)
def test_scoring_candidate_pairs(pred: dict[str, Any], candidate: bool) -> None:
    assert bool(match_article([_pred(**pred)], [_gold()])) == candidate


def test_scoring_greedy_pairs_agree_on_more_fields_first() -> None:
    golds = [_gold(event_type="remote_explosive_ied"), _gold()]
    preds = [_pred(), _pred(event_type="remote_explosive_ied")]
    assert sorted(match_article(preds, golds)) == [(0, 1), (1, 0)]


def test_scoring_optional_gold_counts_for_precision_not_recall() -> None:
    gold = load_gold(_gold_file(("art", [_gold(), _gold(event_date="2020-09-01", required=False)])))
    report = evaluate([_pred(), _pred(event_date="2020-09-01")], gold)
    assert (report.precision, report.recall, report.matched_optional) == (1.0, 1.0, 1)
    unmatched = evaluate([_pred(event_date="2021-01-01")], gold)
    assert (unmatched.precision, unmatched.recall, unmatched.f1) == (0.0, 0.0, 0.0)


def test_scoring_field_accuracy_skips_unscored_fields() -> None:
    gold = load_gold(_gold_file(("art", [_gold(unscored=["target"], killed=3)])))
    report = evaluate([_pred(target="civilians", killed=2)], gold)
    assert "target" not in report.field_accuracy
    assert report.field_accuracy["killed"] == 0.0 and report.field_accuracy["country"] == 1.0


def test_scoring_ignores_articles_not_in_gold_and_matches_file_names() -> None:
    gold = load_gold(_gold_file(("seeds/001_abc.txt", [_gold()])))
    report = evaluate([_pred(article="001_abc"), _pred(article="other")], gold)
    assert (report.predicted, report.matched) == (1, 1)


def test_scoring_dedup_is_pairwise_across_articles() -> None:
    gold = load_gold(_gold_file(("a", [_gold(cluster="x")]), ("b", [_gold(cluster="x")]),
                                ("c", [_gold(cluster="y")])))
    preds = [_pred("a", event_id="e1"), _pred("b", event_id="e1"), _pred("c", event_id="e1")]
    report = evaluate(preds, gold)
    assert report.dedup_pairs == (1, 3, 1)
    assert report.dedup_precision == pytest.approx(1 / 3) and report.dedup_recall == 1.0
    assert "dedup pairwise" in format_report(report)


def test_scoring_main_scores_a_predictions_file(tmp_path: Any, capsys: Any) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_bytes(_gold_file(("art", [_gold()])))
    preds = tmp_path / "preds.jsonl"
    preds.write_text(json.dumps(_pred()) + "\n")
    assert main([str(tmp_path / "unused.jsonl"), str(gold), "--predictions", str(preds)]) == 0
    assert "F1 1.000" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("field", "gold", "pred"),
    [("target", "security_forces", "iraqi_security_forces"),
     ("target", "iraqi_security_forces", "security_forces"),
     ("perpetrator", "Iraq", "Iraqi Security Forces")],
)
def test_scoring_reads_version_1_names_as_version_2(field: str, gold: str, pred: str) -> None:
    report = evaluate([_pred(**{field: pred})],
                      load_gold(_gold_file(("art", [_gold(**{field: gold})]))))
    assert report.field_accuracy[field] == 1.0


def test_scoring_breakdown_by_country_splits_the_totals() -> None:
    gold = load_gold(_gold_file(
        ("iq", [_gold()]),
        ("ng", [_gold(country="NG", admin1="NG-BO", cluster="c2")]),
        ("none", []),
    ))
    preds = [_pred("iq"), _pred("ng", country="NG", admin1="NG-YO"), _pred("none")]
    report = evaluate(preds, gold, countries={"none": "GB"})
    groups = breakdown(report, lambda a: a.country or "?")
    assert set(groups) == {"IQ", "NG", "GB"}
    assert (groups["IQ"].f1, groups["NG"].f1) == (1.0, 0.0)
    assert groups["GB"].predicted == 1 and groups["GB"].required == 0
    assert false_incidents(report) == (1, 1)
    by_continent = breakdown(report, lambda a: continent(a.country))
    assert set(by_continent) == {"Asia", "Africa", "Europe"}


def test_scoring_confusion_counts_gold_against_predicted_values() -> None:
    gold = load_gold(_gold_file(("a", [_gold(event_type="air_drone_strike")]),
                                ("b", [_gold(event_type="air_drone_strike", cluster="c2")]),
                                ("c", [_gold(event_type="attack", cluster="c3")])))
    preds = [_pred("a", event_type="attack"), _pred("b", event_type="air_drone_strike"),
             _pred("c", event_type="attack")]
    table = confusion(evaluate(preds, gold), "event_type")
    assert table == {("air_drone_strike", "attack"): 1, ("air_drone_strike", "air_drone_strike"): 1,
                     ("attack", "attack"): 1}
    text = format_report(evaluate(preds, gold), detail=True)
    assert "event_type confusion" in text and "by country:" in text


def test_scoring_unscored_confusion_field_is_left_out() -> None:
    gold = load_gold(_gold_file(("a", [_gold(target="civilians", unscored=["target"])])))
    assert confusion(evaluate([_pred("a", target="militants")], gold), "target") == {}
