"""Turn raw bytes from the ``articles`` topic into an ``Article``, or say precisely why not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import ValidationError

from processors.errors import LimitExceeded, NotJSON, SchemaViolation
from processors.models import Article


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what one message may be; beyond them it is dead-lettered, never processed."""

    max_message_bytes: int = 5_000_000
    max_body_chars: int = 1_000_000
    max_json_depth: int = 20
    min_year: int = 1946
    max_future_days: int = 2


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of decoded JSON, walked iteratively so hostile input cannot recurse."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                return deepest
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
    return deepest


def parse_article(raw: bytes, *, limits: Limits, today: dt.date | None = None) -> Article:
    """Decode and validate one message; raise an ``InvalidArticle`` subclass on any fault.

    ``today`` is passed in (the record timestamp's day) because ``processors`` never reads
    the clock; with it, publication dates further in the future than ``max_future_days`` are
    rejected.
    """
    if len(raw) > limits.max_message_bytes:
        raise LimitExceeded(
            f"message is {len(raw)} bytes, over the limit of {limits.max_message_bytes}",
            reason="too_large",
        )
    try:
        decoded = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise NotJSON(f"not UTF-8 JSON: {exc}") from None
    if not isinstance(decoded, dict):
        raise SchemaViolation(f"expected a JSON object, got {type(decoded).__name__}")
    if _depth(decoded, limits.max_json_depth) > limits.max_json_depth:
        raise LimitExceeded(
            f"JSON nested deeper than {limits.max_json_depth} levels", reason="too_deep"
        )
    body = decoded.get("body")
    if isinstance(body, str) and len(body) > limits.max_body_chars:
        raise LimitExceeded(
            f"body is {len(body)} characters, over the limit of {limits.max_body_chars}",
            reason="too_large",
        )
    try:
        article = Article.model_validate(decoded, strict=False)
    except ValidationError as exc:
        fields = ", ".join(
            ".".join(str(part) for part in err["loc"]) + f": {err['msg']}"
            for err in exc.errors(include_url=False)
        )
        raise SchemaViolation(f"not an article: {fields}") from None
    _check_published(article, limits=limits, today=today)
    return article


def _check_published(article: Article, *, limits: Limits, today: dt.date | None) -> None:
    """Reject publication dates that cannot be true (before 1946, or days in the future)."""
    published = article.published_date()
    if published is None:
        return
    if published.year < limits.min_year:
        raise SchemaViolation(
            f"published_at {published} is before {limits.min_year}", reason="implausible_date"
        )
    if today is not None and (published - today).days > limits.max_future_days:
        raise SchemaViolation(
            f"published_at {published} is in the future", reason="implausible_date"
        )


def article_key(article: Article) -> bytes:
    """The Kafka key of an article: its id."""
    return article.id.encode()
