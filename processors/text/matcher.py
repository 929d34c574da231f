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
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import compress, repeat

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
        # A windowed matcher runs only inside small ranges: it reads the shared token list
        # there itself, so its (often very common) head words stay out of the head index.
        self.windowed = windowed
        if self.dispatch and not windowed:
            _register(self.heads, self.ignore_case)

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
        heads = self.heads
        if self.ignore_case:
            # The index keeps the tokens that are some matcher's head, in text order: this
            # matcher's are picked from them in C, so they come out sorted.
            picked: Iterable[int] = compress(index.head_tokens,
                                             map(heads.__contains__, index.head_keys))
            if _DIGIT in heads:
                keys = index.keys
                picked = sorted({*picked, *(i for i in index.digit_tokens
                                            if keys[i] not in heads)})
            at, keys = index.starts, index.keys
            starts = [(at[i], keys[i]) for i in picked]
        else:
            raw = index.raw
            starts = []
            for head in heads & raw.keys():
                starts.extend(zip(raw[head], repeat(head)))
            if _DIGIT in heads:
                starts.extend((s, w) for s, w in index.digits if w not in heads)
            starts.sort()
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

    def _windowed(
        self, text: str, pos: int, end: int, ranges: Sequence[tuple[int, int]] | None
    ) -> Iterator[re.Match[str]]:
        # The tokens of a range are the runs of ``[A-Za-z0-9]`` inside it, so a word the
        # range cuts is read from (or up to) the cut. The article's token list (shared with
        # the word index) is filtered for head words in C, not word by word.
        index = _index(text)
        starts, keys = index.starts, index.keys
        heads, digits = self.heads, _DIGIT in self.heads
        is_head = heads.__contains__
        by_word = self._by_word
        last = pos
        for lo, hi in ranges if ranges is not None else [(pos, end)]:
            a, b = max(lo, last, pos), min(hi, end)
            if a >= b:
                continue
            j, k = bisect.bisect_left(starts, a), bisect.bisect_left(starts, b)
            cut_first = j > 0 and starts[j - 1] + len(keys[j - 1]) > a
            cut_last = k > j and starts[k - 1] + len(keys[k - 1]) > b
            whole = range(j, k - 1 if cut_last else k)
            names = keys[whole.start : whole.stop]
            if not self.ignore_case:
                names = [text[starts[i] : starts[i] + len(keys[i])] for i in whole]
            if digits:  # a token starts with a digit exactly when it sorts before ":"
                picked: Iterable[int] = sorted(
                    {*compress(whole, map(is_head, names)),
                     *compress(whole, map(":".__gt__, names))})
            else:
                picked = compress(whole, map(is_head, names))
            words: list[tuple[int, str]] = []
            if cut_first:
                words.append((a, text[a : min(starts[j - 1] + len(keys[j - 1]), b)]))
            words.extend([(starts[i], names[i - j]) for i in picked])
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


# Every head of every matcher: the word index records these words only.
_HEADS_LOWER: set[str] = set()
_HEADS_RAW: set[str] = set()
_HEADS_RAW_LOWER: set[str] = set()  # the case-sensitive heads, lower-cased: a cheap pre-test
_registry = [0]


def _register(heads: frozenset[str], ignore_case: bool) -> None:
    lowered = {head.lower() for head in heads}  # ignore-case heads are lower-case already
    if ignore_case:
        _HEADS_LOWER.update(lowered)
    else:
        _HEADS_RAW.update(heads)
        _HEADS_RAW_LOWER.update(lowered)
    _registry[0] += 1


class _Words:
    """The word tokens of one text (lower-cased), and where head words and numbers start."""

    __slots__ = ("digit_tokens", "digits", "head_keys", "head_tokens", "keys", "raw", "starts")

    def __init__(self, text: str) -> None:
        # Per-character work (cutting, lower-casing, finding where tokens start) runs in
        # bytes.translate and numpy, and the tests of tokens against the head sets in C
        # (``compress``). Tokens are runs of ASCII letters and digits, so any other character,
        # accented or not, separates them: encoding it as one "?" keeps every offset.
        data = text.encode("ascii", "replace")
        keys = data.translate(_SEPARATORS_TO_SPACE).decode("ascii").split()
        codes = np.frombuffer(data, dtype=np.uint8)
        word = _IS_WORD.take(codes)
        first = np.flatnonzero(word[1:] & ~word[:-1]) + 1
        if len(word) and word[0]:
            first = np.concatenate(([0], first))
        starts: list[int] = first.tolist()
        numbers: list[int] = np.flatnonzero(_IS_DIGIT.take(codes.take(first))).tolist()
        starts.append(len(text))
        self.keys: list[str] = keys
        self.starts: list[int] = starts  # and the text's length after the last token
        self.digit_tokens: list[int] = numbers
        self.digits: list[tuple[int, str]] = [(starts[i], keys[i]) for i in numbers]
        # The tokens that are the head of an ignore-case matcher, and their words.
        lower = list(map(_HEADS_LOWER.__contains__, keys))
        self.head_tokens: list[int] = list(compress(range(len(keys)), lower))
        self.head_keys: list[str] = list(compress(keys, lower))
        # The case-sensitive heads, as spelled, with where they start.
        self.raw: dict[str, list[int]] = {}
        raw, heads_raw = self.raw, _HEADS_RAW
        for i in compress(range(len(keys)), map(_HEADS_RAW_LOWER.__contains__, keys)):
            start = starts[i]
            spelled = text[start : start + len(keys[i])]
            if spelled in heads_raw:
                raw.setdefault(spelled, []).append(start)


# Lower-cases ASCII letters and turns every other byte into a space, so ``split`` gives the
# lower-cased tokens.
_SEPARATORS_TO_SPACE = bytes(
    (ord(chr(c).lower()) if c < 128 and chr(c).isalnum() else 32) for c in range(256))
_IS_WORD = np.zeros(256, dtype=np.bool_)
_IS_WORD[[ord(c) for c in string.ascii_letters + string.digits]] = True
_IS_DIGIT = np.zeros(256, dtype=np.bool_)
_IS_DIGIT[[ord(c) for c in string.digits]] = True


def _index(text: str) -> _Words:
    """The word tokens of ``text``, with where each head word and digit token starts."""
    return _index_for(text, _registry[0])


@lru_cache(maxsize=8)
def _index_for(text: str, version: int) -> _Words:
    return _Words(text)
