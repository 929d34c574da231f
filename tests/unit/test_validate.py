"""The article validator: every bad message gets a clear reason, every good one passes."""

from __future__ import annotations

import contextlib
import datetime as dt
import time

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from processors.errors import InvalidArticle, LimitExceeded, NotJSON, SchemaViolation
from processors.validate import Limits, parse_article

LIMITS = Limits(max_message_bytes=100_000, max_body_chars=50_000, max_json_depth=10)
GOOD = {"id": "a-1", "url": None, "source": "Wire", "title": "t", "published_at": "2024-03-05",
        "body": "Gunmen attacked a checkpoint near Tikrit on Monday."}


def _raw(**changes: object) -> bytes:
    record = {**GOOD, **changes}
    return orjson.dumps({k: v for k, v in record.items() if v is not ...})


def test_validate_accepts_a_good_article() -> None:
    article = parse_article(_raw(), limits=LIMITS)
    assert article.id == "a-1"
    assert article.published_date() == dt.date(2024, 3, 5)


def test_validate_accepts_a_datetime_with_zone() -> None:
    article = parse_article(_raw(published_at="2024-03-05T22:10:00+03:00"), limits=LIMITS)
    assert article.published_date() == dt.date(2024, 3, 5)


@pytest.mark.parametrize(
    ("raw", "error", "reason"),
    [
        (b"not json", NotJSON, "not_json"),
        (b"\xff\xfe\x00garbage", NotJSON, "not_json"),
        (b"[1, 2]", SchemaViolation, "schema_violation"),
        (b'"a string"', SchemaViolation, "schema_violation"),
        (_raw(body=...), SchemaViolation, "schema_violation"),
        (_raw(body=""), SchemaViolation, "schema_violation"),
        (_raw(body="   \n "), SchemaViolation, "schema_violation"),
        (_raw(id=...), SchemaViolation, "schema_violation"),
        (_raw(id=""), SchemaViolation, "schema_violation"),
        (_raw(id=17), SchemaViolation, "schema_violation"),
        (_raw(body=["list"]), SchemaViolation, "schema_violation"),
        (_raw(title={"nested": 1}), SchemaViolation, "schema_violation"),
        (_raw(published_at="not a date"), SchemaViolation, "schema_violation"),
        (_raw(published_at="1900-01-01"), SchemaViolation, "implausible_date"),
        (_raw(body="x" * 60_000), LimitExceeded, "too_large"),
        (b'{"id": "a", "body": "b", "x": ' + b"[" * 50 + b"]" * 50 + b"}", LimitExceeded,
         "too_deep"),
        (b" " * 100_001, LimitExceeded, "too_large"),
    ],
)
def test_validate_rejects_bad_input_with_reason(
    raw: bytes, error: type[InvalidArticle], reason: str
) -> None:
    with pytest.raises(error) as caught:
        parse_article(raw, limits=LIMITS)
    assert caught.value.reason == reason
    assert str(caught.value)


def test_validate_rejects_a_date_in_the_future_of_the_record() -> None:
    with pytest.raises(SchemaViolation) as caught:
        parse_article(_raw(published_at="2031-01-01"), limits=LIMITS, today=dt.date(2024, 3, 5))
    assert caught.value.reason == "implausible_date"


def test_validate_keeps_non_english_and_html_bodies() -> None:
    body = "<p>هجوم صاروخي على قاعدة عين الأسد</p> attaque à la roquette"
    assert parse_article(_raw(body=body), limits=LIMITS).body == body


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4096))
def test_validate_arbitrary_bytes_raise_only_invalid_article(raw: bytes) -> None:
    started = time.perf_counter()
    with contextlib.suppress(InvalidArticle):
        parse_article(raw, limits=LIMITS)
    assert time.perf_counter() - started < 0.05


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children,
                                                                      max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["id", "body", "title", "published_at", "url", "x"]),
                       JSON))
def test_validate_arbitrary_json_objects_raise_only_invalid_article(record: dict) -> None:
    try:
        article = parse_article(orjson.dumps(record), limits=LIMITS)
    except InvalidArticle:
        return
    assert article.body.strip() and article.id
