"""The committed JSON Schemas match the models: a model change without its schema fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from processors.schemas import MODELS, render_schema

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


@pytest.mark.parametrize("name", sorted(MODELS))
def test_schemas_committed_schema_matches_model(name: str) -> None:
    committed = (SCHEMAS / f"{name}.schema.json").read_bytes()
    assert committed == render_schema(MODELS[name]) + b"\n", (
        f"schemas/{name}.schema.json is stale: run `make schemas` and commit it"
    )


@pytest.mark.parametrize("name", ["article", "incident", "alert"])
def test_schemas_every_record_carries_schema_version(name: str) -> None:
    assert "schema_version" in MODELS[name].model_json_schema()["properties"]
