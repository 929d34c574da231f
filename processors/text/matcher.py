"""Fast matching of large rule regexes: try them only where one of their first words starts.

Python's ``re`` tries every alternative of a big alternation at every position of the text;
with hundreds of rule patterns that costs milliseconds per article. A ``Matcher`` works out,
from each pattern, the words a match can begin with (``heads``), cuts the text into word
tokens once, and runs the compiled regex anchored at the tokens that are heads only. When a
pattern's first word cannot be worked out (it starts with ``\\w+``, say) the matcher falls
back to scanning, so results never depend on the optimisation.
"""

from __future__ import annotations

import bisect
import re
import string
from collections.abc import Iterator, Sequence
from functools import lru_cache

import ahocorasick
import numpy as np

from processors.text.heads import DIGIT as _DIGIT
from processors.text.heads import heads_of

_MAX_WORDS = 4096  # words as written whose regex ``Matcher._for`` remembers


class Matcher:
    """Alternative regexes run only at tokens that can start them (see module docstring).

    ``parts`` are the alternatives in priority order (the first that matches at a position
    wins, as in one big alternation); ``prefix`` and ``suffix`` wrap each of them.
    """

    def __init__(self, parts: Sequence[str], *, flags: int = 0, prefix: str = "",
                 suffix: str = "", windowed: bool = False) -> None:
        self.parts = list(parts)
        self.flags, self.prefix, self.suffix = flags, prefix, suffix
        body = "|".join(self.parts) if self.parts else r"(?!x)x"
        self.regex = re.compile(f"{prefix}(?:{body}){suffix}", flags)
        self.ignore_case = bool(flags & re.IGNORECASE)
        heads = [heads_of(p, ignore_case=self.ignore_case) for p in self.parts]
        self.dispatch = all(h is not None for h in heads)
        self.by_head: dict[str, list[int]] = {}
        for i, part_heads in enumerate(heads):
            for head in part_heads or ():
                self.by_head.setdefault(head, []).append(i)
        self.heads = frozenset(self.by_head)
        self._compiled: dict[str, re.Pattern[str]] = {}
        self._by_word: dict[str, re.Pattern[str]] = {}  # the word as written: no lower()
        # A windowed matcher runs only inside small ranges: it reads its head tokens there.
        self.windowed = windowed
        self._id = _register(self.heads) if self.dispatch else -1

    def prime(self) -> None:
        """Compile the regex of every head now rather than on first sight of the word."""
        for head in self.heads:
            self._for(head if head != _DIGIT else "0")

    def _for(self, word: str) -> re.Pattern[str]:
        """The regex of just the alternatives that can start with ``word``, compiled once."""
        regex = self._by_word.get(word)
        if regex is None:
            regex = self._lookup(word)
            if len(self._by_word) < _MAX_WORDS:
                self._by_word[word] = regex
        return regex

    def _lookup(self, word: str) -> re.Pattern[str]:
        word = word if not self.ignore_case else word.lower()
        key = word if word in self.heads else _DIGIT
        if word in self.heads and word[0].isdigit():
            key = word + _DIGIT
        regex = self._compiled.get(key)
        if regex is None:
            indices = set(self.by_head.get(word, ()))
            if word[0].isdigit():
                indices |= set(self.by_head.get(_DIGIT, ()))
            body = "|".join(self.parts[i] for i in sorted(indices))
            regex = re.compile(f"{self.prefix}(?:{body}){self.suffix}", self.flags)
            self._compiled[key] = regex
        return regex

    def finditer(
        self, text: str, pos: int = 0, endpos: int | None = None, *,
        ranges: Sequence[tuple[int, int]] | None = None,
    ) -> Iterator[re.Match[str]]:
        """Non-overlapping matches, left to right, as ``regex.finditer`` would find them.

        With ``ranges`` (sorted, disjoint), only matches starting inside one of them.
        """
        end = len(text) if endpos is None else endpos
        if not self.dispatch:
            for found in self.regex.finditer(text, pos, end):
                if ranges is None or _inside(ranges, found.start()):
                    yield found
            return
        if self.windowed:
            yield from self._windowed(text, pos, end, ranges)
            return
        index = _index(text)
        starts = self._candidates(text, index)
        if _DIGIT in self.heads:
            heads = self.heads
            starts = sorted(starts + [d for d in self._digits(text, index) if d[1] not in heads])
        if ranges is not None:
            starts = _in_ranges(starts, ranges)
        by_word = self._by_word
        last = pos
        for start, word in starts:
            if start < last or start >= end:
                continue
            regex = by_word.get(word)
            hit = (regex or self._for(word)).match(text, start, end)
            if hit is not None and hit.end() > start:
                yield hit
                last = hit.end()

    def _candidates(self, text: str, index: _Words) -> list[tuple[int, str]]:
        """(start, word) of the tokens that are one of this matcher's heads, in text order."""
        found = index.heads[self._id]
        if self.ignore_case:
            return found
        heads = self.heads
        spelled = [(start, text[start : start + len(key)]) for start, key in found]
        return [pair for pair in spelled if pair[1] in heads]

    def _digits(self, text: str, index: _Words) -> list[tuple[int, str]]:
        """(start, word) of the tokens that start with a digit, lower-cased unless case matters."""
        if self.ignore_case:
            return index.digits
        return [(start, text[start : start + len(key)]) for start, key in index.digits]

    def _windowed(
        self, text: str, pos: int, end: int, ranges: Sequence[tuple[int, int]] | None
    ) -> Iterator[re.Match[str]]:
        # The tokens of a range are the runs of ``[A-Za-z0-9]`` inside it, so a word the
        # range cuts is read from (or up to) the cut; the whole ones are this matcher's head
        # tokens of the article (and its numbers) that lie inside the range.
        index = _index(text)
        starts, ends = index.starts, index.ends
        heads, digits = self.heads, _DIGIT in self.heads
        candidates = self._candidates(text, index)
        numbers = self._digits(text, index) if digits else []
        by_word = self._by_word
        last = pos
        for lo, hi in ranges if ranges is not None else [(pos, end)]:
            a, b = max(lo, last, pos), min(hi, end)
            if a >= b:
                continue
            j, k = bisect.bisect_left(starts, a), bisect.bisect_left(starts, b)
            cut_first = j > 0 and ends[j - 1] > a
            cut_last = k > j and ends[k - 1] > b
            bound = (a,), (starts[k - 1] if cut_last else b,)  # whole tokens start in here
            words: list[tuple[int, str]] = []
            if cut_first:
                words.append((a, text[a : min(ends[j - 1], b)]))
            picked = candidates[bisect.bisect_left(candidates, bound[0]) :
                                bisect.bisect_left(candidates, bound[1])]
            if numbers:
                inside = numbers[bisect.bisect_left(numbers, bound[0]) :
                                 bisect.bisect_left(numbers, bound[1])]
                if inside:
                    picked = sorted({*picked, *inside})
            words.extend(picked)
            if cut_last:
                words.append((starts[k - 1], text[starts[k - 1] : b]))
            for start, word in words:
                if start < last:
                    continue
                regex = by_word.get(word)  # only words that passed the test below are in it
                if regex is None:
                    key = word.lower() if self.ignore_case else word
                    if key not in heads and not (digits and word[0].isdigit()):
                        continue
                    regex = self._for(word)
                found = regex.match(text, start, end)
                if found is not None and found.end() > start:
                    yield found
                    last = found.end()


def _in_ranges(
    starts: list[tuple[int, str]], ranges: Sequence[tuple[int, int]]
) -> list[tuple[int, str]]:
    """The (sorted) ``starts`` that lie inside one of ``ranges`` (sorted, disjoint)."""
    kept: list[tuple[int, str]] = []
    at = [s for s, _ in starts]
    for lo, hi in ranges:
        kept.extend(starts[bisect.bisect_left(at, lo) : bisect.bisect_left(at, hi)])
    return kept


def _inside(ranges: Sequence[tuple[int, int]], position: int) -> bool:
    i = bisect.bisect_right(ranges, (position, _FAR)) - 1
    return i >= 0 and ranges[i][0] <= position < ranges[i][1]


_FAR = 1 << 62


# Every head of every dispatching matcher, lower-cased, with the matchers (by id) it heads.
_HEADED: dict[str, list[int]] = {}
_registry = [0]  # how many matchers registered: the version the word index is built for


def _register(heads: frozenset[str]) -> int:
    """Record a matcher's heads for the word index; the matcher's id."""
    ident = _registry[0]
    for head in {head.lower() for head in heads} - {_DIGIT}:
        _HEADED.setdefault(head, []).append(ident)
    _registry[0] += 1
    return ident


@lru_cache(maxsize=2)
def _automaton(version: int) -> ahocorasick.Automaton | None:
    """Every registered head as a whole word (" word "), for one scan of a text."""
    automaton = ahocorasick.Automaton()
    for head, idents in _HEADED.items():
        automaton.add_word(f" {head} ", (len(head), head, tuple(idents)))
    if not len(automaton):
        return None
    automaton.make_automaton()
    return automaton


class _Words:
    """The word tokens of one text: where each starts and ends, which are numbers, and, for
    each matcher, where its head words are."""

    __slots__ = ("digits", "ends", "heads", "starts")

    def __init__(self, text: str, version: int) -> None:
        # Tokens are runs of ASCII letters and digits, so any other character, accented or
        # not, separates them: encoding it as one "?" keeps every offset. Per-character work
        # (cutting, lower-casing, finding token edges) runs in bytes.translate and numpy; one
        # Aho-Corasick scan of the lower-cased text, its separators made spaces, finds the
        # head words as whole words without making a string of every token.
        data = text.encode("ascii", "replace")
        codes = np.frombuffer(data, dtype=np.uint8)
        word = np.concatenate(([False], _IS_WORD.take(codes), [False]))
        edges = np.flatnonzero(word[1:] != word[:-1])
        first = edges[0::2]
        self.starts: list[int] = first.tolist()
        self.ends: list[int] = edges[1::2].tolist()
        starts, ends = self.starts, self.ends
        self.digits: list[tuple[int, str]] = [
            (starts[i], text[starts[i] : ends[i]].lower())
            for i in np.flatnonzero(_IS_DIGIT.take(codes.take(first))).tolist()]
        self.heads: list[list[tuple[int, str]]] = [[] for _ in range(version)]
        automaton = _automaton(version)
        if automaton is None:
            return
        heads = self.heads
        hay = f" {data.translate(_SEPARATORS_TO_SPACE).decode('ascii')} "
        for last, (length, key, idents) in automaton.iter(hay):
            found = (last - length - 1, key)  # the key ends at hay[last - 1], hay[0] is added
            for ident in idents:
                heads[ident].append(found)


# Lower-cases ASCII letters and turns every other byte into a space.
_SEPARATORS_TO_SPACE = bytes(
    (ord(chr(c).lower()) if c < 128 and chr(c).isalnum() else 32) for c in range(256))
_IS_WORD = np.zeros(256, dtype=np.bool_)
_IS_WORD[[ord(c) for c in string.ascii_letters + string.digits]] = True
_IS_DIGIT = np.zeros(256, dtype=np.bool_)
_IS_DIGIT[[ord(c) for c in string.digits]] = True


def _index(text: str) -> _Words:
    """The word tokens of ``text``, with where each head word and digit token starts."""
    # Every matcher of an article asks for the index of the same string object: an identity
    # test answers that before the cache has to hash and compare the text.
    global _last
    version = _registry[0]
    if _last is not None and _last[0] is text and _last[1] == version:
        return _last[2]
    words = _index_for(text, version)
    _last = (text, version, words)
    return words


_last: tuple[str, int, _Words] | None = None  # the last text asked for, its registry version, index


@lru_cache(maxsize=8)
def _index_for(text: str, version: int) -> _Words:
    return _Words(text, version)
