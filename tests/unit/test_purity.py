"""processors/ is pure: it imports neither streams, faust nor aiokafka, and reads no clock."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PROCESSORS = Path(__file__).resolve().parents[2] / "processors"
FORBIDDEN_MODULES = ("faust", "aiokafka", "mode", "streams", "kafka", "socket", "requests")
MODULES = sorted(PROCESSORS.rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PROCESSORS).as_posix())
def test_purity_processors_import_no_streaming_or_network(path: Path) -> None:
    assert not _imports(path) & set(FORBIDDEN_MODULES)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PROCESSORS).as_posix())
def test_purity_processors_never_read_the_clock(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    for call in ("datetime.now(", "date.today(", "time.time(", "utcnow(", "time.monotonic("):
        assert call not in source, f"{path.name} reads the clock via {call}"


def test_purity_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import faust\nfrom aiokafka import AIOKafkaProducer\n")
    assert _imports(bad) >= {"faust", "aiokafka"}
