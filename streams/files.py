"""Reading articles and incidents from files: .txt, .json and .jsonl."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import orjson
from pydantic import ValidationError

from processors.errors import InputFileError
from processors.models import Article


def iter_article_records(paths: list[Path]) -> Iterator[tuple[str, bytes]]:
    """Yield (article id, JSON bytes) for each article in the files, in file order.

    A .txt file is one article: its stem is the id, its first line the title. A .json file
    holds one article object or a list of them; a .jsonl file one object per line. The bytes
    are sent as they are, so the worker's validator sees exactly what the user gave.
    """
    for _origin, article_id, raw in _article_records(paths):
        yield article_id, raw


def _article_records(paths: list[Path]) -> Iterator[tuple[str, str, bytes]]:
    """(where, article id, bytes) for each article; ``where`` is ``path`` or ``path:line``."""
    for path in _expand(paths):
        if path.suffix == ".txt":
            text = _read(path).decode("utf-8", errors="replace")
            title = text.strip().splitlines()[0] if text.strip() else None
            record = {"id": path.stem, "url": None, "source": None, "title": title,
                      "published_at": None, "body": text}
            yield str(path), path.stem, orjson.dumps(record)
        elif path.suffix == ".jsonl":
            for number, line in enumerate(_read(path).splitlines(), start=1):
                if line.strip():
                    yield f"{path}:{number}", _id_of(line), line.rstrip(b"\r")
        elif path.suffix == ".json":
            try:
                decoded = orjson.loads(_read(path))
            except orjson.JSONDecodeError as exc:
                raise InputFileError(f"{path}: not JSON ({exc}); fix the file") from None
            for record in decoded if isinstance(decoded, list) else [decoded]:
                raw = orjson.dumps(record)
                yield str(path), _id_of(raw), raw
        else:
            raise InputFileError(f"{path}: not a .txt, .json or .jsonl file; give article files "
                                 f"or a folder of them")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file; check the path") from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read it ({exc.strerror})") from None


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
    return "sha1-" + hashlib.sha1(raw).hexdigest()[:16]


def one_line(exc: ValueError) -> str:
    """A validation or JSON error in one line: the first problem and where in the record."""
    if isinstance(exc, ValidationError):
        errors = exc.errors()
        first = errors[0]
        if first["type"] == "json_invalid":
            detail = str((first.get("ctx") or {}).get("error", first["msg"]))
            # The record is one line of its file: "line 1" would contradict the file's line.
            return "not JSON (" + re.sub(r"\bline 1 column", "column", detail) + ")"
        where = ".".join(str(part) for part in first["loc"]) or "record"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return f"{where}: {first['msg']}{more}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def read_articles(paths: list[Path]) -> list[Article]:
    """Parse every article in the files; a bad record raises InputFileError naming its line."""
    articles = []
    for origin, _article_id, raw in _article_records(paths):
        try:
            articles.append(Article.model_validate_json(raw))
        except ValueError as exc:
            raise InputFileError(f"{origin}: {one_line(exc)}; fix or remove that record") \
                from None
    return articles
