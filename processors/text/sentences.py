"""Sentence and paragraph segmentation with offsets, boilerplate lines and quoted spans."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache

from processors.text.matcher import Matcher
from processors.text.rules import compile_alternation, load_rules

# A sentence ends at . ! ? (optionally closed by a quote or bracket) before a capital, a digit
# or an opening quote; the word before the stop is checked against the abbreviations.
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
# The word before a stop: the run of word characters and dots that ends there, read backwards
# (a regex only matches forwards) over at most ``_WORD_REACH`` characters.
_WORD_RUN = re.compile(r"[\w.]*")
_WORD_REACH = 20
_QUOTE = re.compile(r"“[^”\n]{1,600}”|\"[^\"\n]{1,600}\"")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of a body: offsets, its paragraph and whether it is boilerplate."""

    index: int
    start: int
    end: int
    paragraph: int
    boilerplate: bool
    question: bool


@cache
def _boilerplate() -> tuple[re.Pattern[str], Matcher, tuple[str, ...]]:
    data = load_rules("text")
    starts = re.compile("|".join(f"(?:{p})" for p in data["boilerplate_line_starts"]),
                        re.IGNORECASE)
    contains = compile_alternation(data["boilerplate_line_contains"])
    return starts, contains, tuple(data["boilerplate_symbols"])


@cache
def _abbreviations() -> frozenset[str]:
    return frozenset(load_rules("text")["abbreviations"])


@cache
def regional_countries() -> frozenset[str]:
    """ISO codes of the countries whose mentions decide an article's dominant country."""
    return frozenset(load_rules("text")["regional_countries"])


def _ends_sentence(text: str, stop: int) -> bool:
    """Whether the stop character at ``stop`` ends a sentence (not an abbreviation/initial)."""
    run = _WORD_RUN.match(text[max(0, stop - _WORD_REACH) : stop][::-1])
    if run is None or not run.end():
        return True
    word = run.group()[::-1].lower().rstrip(".")
    if len(word) == 1 and word.isalpha():
        return False
    return word not in _abbreviations()


def split_sentences(text: str, *, folded: str | None = None) -> list[Sentence]:
    """Sentences of ``text`` with offsets; every line break also ends a sentence.

    ``folded`` is ``fold(text)`` when the caller has it (the matchers share its word index).
    """
    sentences: list[Sentence] = []
    starts, contains, symbols = _boilerplate()
    flagged = [m.start() for m in contains.finditer(folded if folded is not None else text)]
    symbols = tuple(symbol for symbol in symbols if symbol in text)
    paragraph = 0
    for line_start, line_end in _logical_lines(text):
        line = text[line_start:line_end]
        stripped = line.lstrip()
        if not stripped:
            continue
        first = bisect.bisect_left(flagged, line_start)
        is_boiler = (
            (first < len(flagged) and flagged[first] < line_end)
            or starts.match(stripped) is not None
            or any(symbol in line for symbol in symbols)
        )
        cut = line_start
        for match in _BOUNDARY.finditer(text, line_start, line_end):
            if not _ends_sentence(text, match.start()):
                continue
            _append(sentences, text, cut, match.end(), paragraph, is_boiler)
            cut = match.end()
        _append(sentences, text, cut, line_end, paragraph, is_boiler)
        paragraph += 1
    return sentences


_LINE_END = re.compile(r"[.!?:;\"'”’)\]|]\s*$")


def _logical_lines(text: str) -> list[tuple[int, int]]:
    """The lines of ``text`` with hard wraps undone: a line that stops mid-sentence continues
    on the next when that starts in lower case ("shook the\nresort"). (A wrap before a capital
    is left alone: it cannot be told from a headline over its first line.)"""
    lines = text.split("\n")
    spans: list[tuple[int, int]] = []
    pos = 0
    joined = False
    for k, line in enumerate(lines):
        start, end = pos, pos + len(line)
        pos = end + 1
        if joined:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
        nxt = lines[k + 1].lstrip()[:1] if k + 1 < len(lines) else ""
        tail = line.rstrip()
        joined = bool(tail) and nxt.islower() and _LINE_END.search(tail) is None
    return spans


def _append(
    out: list[Sentence], text: str, start: int, end: int, paragraph: int, boiler: bool
) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        question = text[end - 1] == "?" or text[end - 2 : end] in ('?"', "?”")
        out.append(Sentence(len(out), start, end, paragraph, boiler, question))


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans of direct speech in double quotes, which report but rarely introduce events."""
    return [(m.start(), m.end()) for m in _QUOTE.finditer(text)]
