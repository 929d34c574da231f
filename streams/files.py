"""Reading articles and incidents from files: .txt, .json and .jsonl."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson

from processors.errors import InvalidArticle, SchemaViolation
from processors.models import Article


def iter_article_records(paths: list[Path]) -> Iterator[tuple[str, bytes]]:
    """Yield (article id, JSON bytes) for each article in the files, in file order.

    A .txt file is one article: its stem is the id, its first line the title. A .json file
    holds one article object or a list of them; a .jsonl file one object per line. The bytes
    are sent as they are, so the worker's validator sees exactly what the user gave.
    """
    for path in _expand(paths):
        if path.suffix == ".txt":
            text = path.read_text(encoding="utf-8")
            title = text.strip().splitlines()[0] if text.strip() else None
            record = {"id": path.stem, "url": None, "source": None, "title": title,
                      "published_at": None, "body": text}
            yield path.stem, orjson.dumps(record)
        elif path.suffix == ".jsonl":
            with path.open("rb") as handle:
                for line in handle:
                    if line.strip():
                        yield _id_of(line), line.rstrip(b"\r\n")
        elif path.suffix == ".json":
            decoded = orjson.loads(path.read_bytes())
            for record in decoded if isinstance(decoded, list) else [decoded]:
                raw = orjson.dumps(record)
                yield _id_of(raw), raw
        else:
            raise SchemaViolation(f"{path}: not a .txt, .json or .jsonl file", reason="bad_file")


def _expand(paths: list[Path]) -> Iterator[Path]:
    """Files as given, and the article files inside any directory, sorted."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.iterdir() if p.suffix in (".txt", ".json", ".jsonl")
                              and p.name != "expected.jsonl" and p.name != "history.jsonl")
        else:
            yield path


def _id_of(raw: bytes) -> str:
    """The id of a raw article record, or its content hash when it has none (bad input)."""
    try:
        decoded = orjson.loads(raw)
    except orjson.JSONDecodeError:
        decoded = None
    if isinstance(decoded, dict) and isinstance(decoded.get("id"), str) and decoded["id"]:
        return str(decoded["id"])
    import hashlib

    return "sha1-" + hashlib.sha1(raw).hexdigest()[:16]


def read_articles(paths: list[Path]) -> list[Article]:
    """Parse every article in the files; a bad record raises InvalidArticle naming its id."""
    articles = []
    for article_id, raw in iter_article_records(paths):
        try:
            articles.append(Article.model_validate_json(raw))
        except ValueError as exc:
            raise InvalidArticle(f"article {article_id}: {exc}") from None
    return articles
