"""The first-word matcher finds exactly what the plain regex finds, only faster."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from processors.extract.actors import _tables
from processors.extract.events import _lexicon
from processors.text.dates import _DATES
from processors.text.matcher import Matcher, _in_ranges, _inside, _registry, _Words, heads_of
from processors.text.numbers import _casualty_regex


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


_TOKEN = re.compile(r"[A-Za-z0-9]+")


def _reference_windowed(
    matcher: Matcher, text: str, ranges: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """What a windowed matcher must find: each range tokenised on its own, as ``re`` would."""
    found: list[tuple[int, int]] = []
    last = 0
    for lo, hi in ranges:
        for token in _TOKEN.finditer(text, max(lo, last), min(hi, len(text))):
            word = token.group()
            if token.start() < last or (word.lower() not in matcher.heads
                                        and not ("#" in matcher.heads and word[0].isdigit())):
                continue
            hit = matcher._for(word).match(text, token.start())
            if hit is not None and hit.end() > token.start():
                found.append((hit.start(), hit.end()))
                last = hit.end()
    return found


WINDOWED = {
    "cues": lambda: _lexicon().cues,
    "suppress": lambda: _lexicon().suppress,
    "casualties": _casualty_regex,
}


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from([*WORDS, "İ", "Kirkuk's", "3rd"]), max_size=60),
       st.lists(st.integers(min_value=0, max_value=400), max_size=8),
       st.sampled_from(sorted(WINDOWED)))
def test_matcher_windowed_reads_words_cut_by_a_range_like_the_tokeniser(
    words: list[str], cuts: list[int], name: str
) -> None:
    matcher: Matcher = WINDOWED[name]()
    text = " ".join(words)
    points = sorted(cuts)
    ranges = list(zip(points[0::2], points[1::2], strict=False))
    fast = [(m.start(), m.end()) for m in matcher.finditer(text, ranges=ranges)]
    assert fast == _reference_windowed(matcher, text, ranges)


def test_matcher_index_keeps_offsets_when_lower_case_is_longer() -> None:
    # "İ".lower() is two characters: the index must not lower-case the whole text then.
    matcher = _lexicon().triggers
    text = "İİ İ rockets were fired at the base"
    plain = re.compile(matcher.regex.pattern, matcher.regex.flags)
    assert [m.span() for m in matcher.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert [m.span() for m in matcher.finditer(text)]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from([*"aZ09 .-'\n", "İ", "é", "’", "ß"]), max_size=80))
def test_matcher_index_tokens_are_the_ascii_alphanumeric_runs(text: str) -> None:
    index = _Words(text, _registry[0])
    tokens = list(_TOKEN.finditer(text))
    assert index.starts == [t.start() for t in tokens]
    assert index.ends == [t.end() for t in tokens]
    numbers = [t for t in tokens if t.group()[0].isdigit()]
    assert index.digits == [(t.start(), t.group().lower()) for t in numbers]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([*WORDS, "İ", "Kirkuk's", "3rd", "THE", "Attack"]), max_size=40),
       st.sampled_from(sorted(MATCHERS)))
def test_matcher_index_finds_every_head_token_of_a_matcher(words: list[str], name: str) -> None:
    matcher: Matcher = MATCHERS[name]()
    text = " ".join(words)
    index = _Words(text, _registry[0])
    heads = {h.lower() for h in matcher.heads}
    expected = [(t.start(), t.group().lower()) for t in _TOKEN.finditer(text)
                if t.group().lower() in heads]
    assert index.heads[matcher._id] == expected


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=200), max_size=30),
       st.lists(st.integers(min_value=0, max_value=200), max_size=12))
def test_matcher_in_ranges_keeps_the_starts_inside_a_range(
    positions: list[int], cuts: list[int]
) -> None:
    starts = [(p, "w") for p in sorted(positions)]
    points = sorted(set(cuts))
    ranges = list(zip(points[0::2], points[1::2], strict=False))
    assert _in_ranges(starts, ranges) == [s for s in starts if _inside(ranges, s[0])]
