"""Literal phrases by the thousand, found in one pass over the text (Aho-Corasick).

A ``PhraseMatcher`` holds any number of literal phrases (group aliases, "nigerian troops",
"malian army" for every state) in a pyahocorasick automaton. ``find`` scans the text once,
keeps the matches that start and end on word boundaries, and returns the leftmost-longest
non-overlapping ones with their payloads. Case is folded unless the matcher is
case-sensitive (acronyms that are also English words: "IS", "AA"); whitespace in a phrase
matches one space. Offsets are offsets into the text given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final, Generic, TypeVar

import ahocorasick

T = TypeVar("T")

_SPACES: Final = re.compile(r"\s+")
_WHITESPACE: Final = str.maketrans({c: " " for c in "\t\n\r\x0b\x0c"})


def normalise_phrase(phrase: str, *, case_sensitive: bool = False) -> str:
    """A phrase as the automaton stores it: single spaces, lower case unless case matters."""
    text = _SPACES.sub(" ", phrase.strip())
    return text if case_sensitive else text.lower()


def _lowered(text: str) -> str:
    """``text`` lower-cased without changing its length (a few letters lower to two)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


class PhraseMatcher(Generic[T]):
    """Literal phrases with payloads, matched on word boundaries (see module docstring)."""

    def __init__(self, phrases: Iterable[tuple[str, T]], *, case_sensitive: bool = False
                 ) -> None:
        self.case_sensitive = case_sensitive
        self._payloads: list[T] = []
        self._automaton = ahocorasick.Automaton()
        for phrase, payload in phrases:
            key = normalise_phrase(phrase, case_sensitive=case_sensitive)
            if not key or key in self._automaton:
                continue  # the first payload given for a phrase wins
            self._automaton.add_word(key, (len(self._payloads), len(key)))
            self._payloads.append(payload)
        self.size = len(self._payloads)
        if self.size:
            self._automaton.make_automaton()

    def __len__(self) -> int:
        return self.size

    def find(self, text: str) -> list[tuple[int, int, T]]:
        """Leftmost-longest non-overlapping matches on word boundaries: (start, end, payload)."""
        if not self.size or not text:
            return []
        hay = text.translate(_WHITESPACE)
        if not self.case_sensitive:
            hay = _lowered(hay)
        found: list[tuple[int, int, int]] = []
        n = len(hay)
        for last, (index, length) in self._automaton.iter(hay):
            start, end = last - length + 1, last + 1
            if start > 0 and _is_word_char(hay[start - 1]) and _is_word_char(hay[start]):
                continue
            if end < n and _is_word_char(hay[end]) and _is_word_char(hay[end - 1]):
                continue
            found.append((start, end, index))
        found.sort(key=lambda m: (m[0], m[0] - m[1]))
        out: list[tuple[int, int, T]] = []
        reach = 0
        for start, end, index in found:
            if start < reach:
                continue
            out.append((start, end, self._payloads[index]))
            reach = end
        return out


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"
