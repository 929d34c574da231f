"""Tests for processors.text.phrases: literal phrases on word boundaries, longest first."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from processors.text.phrases import PhraseMatcher

WORDS = ["army", "troops", "malian", "malian army", "al-shabaab", "u.s.", "isis", "isis-k"]


def _spans(matcher: PhraseMatcher[str], text: str) -> list[tuple[str, str]]:
    return [(text[a:b], p) for a, b, p in matcher.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Malian army said", [("Malian army", "malian army")]),
        ("Malian\ntroops and the army", [("Malian", "malian"), ("troops", "troops"),
                                         ("army", "army")]),
        ("armyworms and antiarmy", []),  # never inside a word
        ("claimed by ISIS-K on Monday", [("ISIS-K", "isis-k")]),
        ("ISIS fighters", [("ISIS", "isis")]),
        ("U.S. troops", [("U.S.", "u.s."), ("troops", "troops")]),
        ("al-Shabaab's fighters", [("al-Shabaab", "al-shabaab")]),
    ],
)
def test_phrases_word_boundaries_and_longest_match(text: str,
                                                   expected: list[tuple[str, str]]) -> None:
    matcher = PhraseMatcher((w, w) for w in WORDS)
    assert _spans(matcher, text) == expected


def test_phrases_case_sensitive_matcher_keeps_case() -> None:
    matcher = PhraseMatcher([("IS", "Islamic State"), ("AA", "Arakan Army")],
                            case_sensitive=True)
    assert _spans(matcher, "it is what IS claimed; AA fighters") == [
        ("IS", "Islamic State"), ("AA", "Arakan Army")]


def test_phrases_first_payload_for_a_phrase_wins() -> None:
    matcher = PhraseMatcher([("Taliban", 1), ("taliban", 2)])
    assert [p for _, _, p in matcher.find("the Taliban")] == [1]
    assert len(matcher) == 1


def test_phrases_empty_matcher_finds_nothing() -> None:
    assert PhraseMatcher[int]([]).find("anything at all") == []


_ALPHA = st.text(alphabet="abcd -", min_size=0, max_size=60)
_PHRASES = st.lists(st.text(alphabet="abcd", min_size=1, max_size=4), min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(phrases=_PHRASES, text=_ALPHA)
def test_phrases_agree_with_a_regex_oracle(phrases: list[str], text: str) -> None:
    matcher = PhraseMatcher((p, p) for p in phrases)
    got = [(a, b) for a, b, _ in matcher.find(text)]
    # The oracle: at each position the longest phrase that sits on word boundaries.
    alternation = "|".join(re.escape(p) for p in sorted(set(phrases), key=len, reverse=True))
    oracle: list[tuple[int, int]] = []
    pos = 0
    pattern = re.compile(rf"(?<![a-d])(?:{alternation})(?![a-d])")
    while (m := pattern.search(text, pos)) is not None:
        oracle.append((m.start(), m.end()))
        pos = m.end()
    assert got == oracle


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_phrases_any_text_gives_spans_inside_it_in_order(text: str) -> None:
    matcher = PhraseMatcher((w, w) for w in WORDS)
    found = matcher.find(text)
    assert all(0 <= a < b <= len(text) for a, b, _ in found)
    assert all(found[i][1] <= found[i + 1][0] for i in range(len(found) - 1))
    for a, b, payload in found:
        assert " ".join(text[a:b].lower().split()) == payload
