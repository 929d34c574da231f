"""JSON Schemas of the data contracts, generated from the pydantic models."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
from pydantic import BaseModel

from processors.models import Alert, Article, DeadLetter, Incident

MODELS: dict[str, type[BaseModel]] = {
    "article": Article,
    "incident": Incident,
    "alert": Alert,
    "dead_letter": DeadLetter,
}


def render_schema(model: type[BaseModel]) -> bytes:
    """The model's JSON Schema as stable, indented bytes (what is committed under schemas/)."""
    options = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
    return orjson.dumps(model.model_json_schema(), option=options)


def main(folder: str) -> None:
    """Write one ``<name>.schema.json`` per model into ``folder``."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for name, model in MODELS.items():
        (out / f"{name}.schema.json").write_bytes(render_schema(model) + b"\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "schemas")
