"""The first-word matcher finds exactly what the plain regex finds, only faster."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from processors.actors import _tables
from processors.dates import _DATES
from processors.events import _lexicon
from processors.matcher import Matcher, heads_of
from processors.numbers import _casualty_regex


@pytest.mark.parametrize(
    ("pattern", "heads"),
    [
        ("rockets? (?:were )?fired", {"rocket", "rockets"}),
        ("(?:grad |katyusha )?rockets?", {"grad", "katyusha", "rocket", "rockets"}),
        ("kata'?ib", {"kata", "kataib"}),
        ("u\\.s\\.(?:-led)?", {"u"}),
        ("vandali[sz]ed", {"vandalised", "vandalized"}),
        ("(?:19|20)\\d{2}", {"#"}),
        ("(?:(?<=the )|(?<=a ))group", {"group"}),
    ],
)
def test_matcher_heads_of(pattern: str, heads: set[str]) -> None:
    assert heads_of(pattern) == heads


@pytest.mark.parametrize("pattern", ["\\w+ed", ".*attack", "(?:a|\\s)b"])
def test_matcher_gives_up_when_first_word_is_open(pattern: str) -> None:
    assert heads_of(pattern) is None


MATCHERS = {
    "triggers": lambda: _lexicon().triggers,
    "actors": lambda: _tables().folded_ci,
    "exact actors": lambda: _tables().exact,
    "targets": lambda: _tables().cue_regex,
    "dates": lambda: _DATES,
    "casualties": _casualty_regex,
}


@pytest.mark.parametrize("name", sorted(MATCHERS))
def test_matcher_rule_files_are_all_dispatchable(name: str) -> None:
    assert MATCHERS[name]().dispatch, f"{name}: a pattern's first word cannot be listed"


WORDS = [
    "rockets", "were", "fired", "at", "the", "US", "base", "on", "Tuesday", ",", "killing",
    "two", "soldiers", "and", "wounding", "5", ".", "Islamic", "State", "ISIS", "claimed",
    "the", "attack", "in", "Kirkuk", ";", "a", "roadside", "bomb", "exploded", "July", "24",
    ",", "27", "and", "30", "gunmen", "stormed", "police", "the", "Green", "Zone", "drone",
    "strikes", "on", "two", "bases", "-", "'", "Kata'ib", "Hezbollah", "2019", "no",
    "casualties"
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=60), st.sampled_from(sorted(MATCHERS)))
def test_matcher_agrees_with_the_plain_regex(words: list[str], name: str) -> None:
    matcher: Matcher = MATCHERS[name]()
    text = " ".join(words)
    plain = re.compile(matcher.regex.pattern, matcher.regex.flags)
    fast = [(m.start(), m.end()) for m in matcher.finditer(text)]
    slow = [(m.start(), m.end()) for m in plain.finditer(text)]
    assert fast == slow
