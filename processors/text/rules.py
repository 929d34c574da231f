"""Loading of the versioned rule files under ``processors/data/``: once, lazily, cached."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from processors.errors import RulesError
from processors.text.matcher import Matcher

RULE_FILES: tuple[str, ...] = ("events", "actors", "targets", "casualties", "text",
                               "world_actors")


def read_data_file(name: str) -> dict[str, Any]:
    """The parsed data file ``processors/data/<name>.json``, which must carry a ``version``."""
    try:
        raw = resources.files("processors.data").joinpath(f"{name}.json").read_text("utf-8")
        data = json.loads(raw)
    except (OSError, ValueError) as exc:
        raise RulesError(f"data file {name}.json does not load: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("version"), str):
        raise RulesError(f"data file {name}.json has no string 'version'")
    return data


@cache
def load_rules(name: str) -> dict[str, Any]:
    """The rule file ``processors/data/<name>.json``, read once per process."""
    return read_data_file(name)


@cache
def rules_version() -> str:
    """The combined version of every rule file, e.g. ``events@3+actors@2+...``."""
    return "+".join(f"{name}@{load_rules(name)['version']}" for name in RULE_FILES)


_WORD_PREFIX = r"(?<![\w-])"
_WORD_SUFFIX = r"(?![\w-])"


def compile_alternation(
    patterns: list[str], *, flags: int = re.IGNORECASE, windowed: bool = False
) -> Matcher:
    """A matcher for any of ``patterns`` as whole words, longest alternatives first."""
    parts = [f"(?:{p})" for p in sorted(patterns, key=len, reverse=True)]
    try:
        return Matcher(parts, flags=flags, prefix=_WORD_PREFIX, suffix=_WORD_SUFFIX,
                       windowed=windowed)
    except re.error as exc:
        raise RulesError(f"bad pattern in rule file: {exc}") from exc


def compile_keyed(
    entries: list[tuple[int, str]], *, flags: int = re.IGNORECASE
) -> tuple[Matcher, dict[str, int]]:
    """A matcher with a group per (key, pattern), longest pattern first; group name -> key."""
    parts: list[str] = []
    keys: dict[str, int] = {}
    ordered = sorted(enumerate(entries), key=lambda item: len(item[1][1]), reverse=True)
    for n, (key, pattern) in ordered:
        group = f"g{n}"
        keys[group] = key
        parts.append(f"(?P<{group}>{pattern})")
    try:
        return Matcher(parts, flags=flags, prefix=_WORD_PREFIX, suffix=_WORD_SUFFIX), keys
    except re.error as exc:
        raise RulesError(f"bad pattern in rule file: {exc}") from exc
