"""The words a rule regex can begin with: what lets a ``Matcher`` try it only at those words.

``heads_of`` reads a pattern's first words (literals, small classes, groups, optional parts)
and returns them folded, or None when they cannot be listed (``\\w+``, too many states).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DIGIT = "#"  # the head of a pattern that starts with a digit
_DIGIT = DIGIT
_MAX_STATES = 4000


class _GiveUp(Exception):
    """The pattern's first words cannot be listed."""


@dataclass(frozen=True, slots=True)
class _Lit:
    char: str


@dataclass(frozen=True, slots=True)
class _Class:
    alnum: bool
    digits_only: bool
    letters: str = ""  # a short explicit list such as [sz], expanded like alternatives


@dataclass(frozen=True, slots=True)
class _Group:
    alternatives: tuple[tuple[tuple[object, int, int], ...], ...]


@dataclass(frozen=True, slots=True)
class _Zero:
    """A zero-width assertion or anchor."""


class _Parser:
    """A parser for the regex subset the rule files use; anything else gives up."""

    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0

    def parse(self) -> _Group:
        group = self._alternation()
        if self.i != len(self.p):
            raise _GiveUp
        return group

    def _alternation(self) -> _Group:
        alts = [self._sequence()]
        while self.i < len(self.p) and self.p[self.i] == "|":
            self.i += 1
            alts.append(self._sequence())
        return _Group(tuple(alts))

    def _sequence(self) -> tuple[tuple[object, int, int], ...]:
        items: list[tuple[object, int, int]] = []
        while self.i < len(self.p) and self.p[self.i] not in "|)":
            atom = self._atom()
            lo, hi = self._quantifier()
            items.append((atom, lo, hi))
        return tuple(items)

    def _atom(self) -> object:
        c = self.p[self.i]
        if c == "(":
            return self._group()
        if c == "[":
            return self._class()
        if c == "\\":
            return self._escape()
        self.i += 1
        if c in "^$":
            return _Zero()
        if c == ".":
            return _Class(alnum=True, digits_only=False)
        if c in "*+?{":
            raise _GiveUp
        return _Lit(c)

    def _group(self) -> object:
        self.i += 1
        zero = False
        if self.p.startswith("?", self.i):
            head = re.match(r"\?(?::|P<\w+>|=|!|<=|<!|-?[imsx]+:)", self.p[self.i :])
            if head is None:
                raise _GiveUp
            zero = head.group(0) in ("?=", "?!", "?<=", "?<!")
            self.i += len(head.group(0))
        inner = self._alternation()
        if self.i >= len(self.p) or self.p[self.i] != ")":
            raise _GiveUp
        self.i += 1
        return _Zero() if zero else inner

    def _class(self) -> _Class:
        end = self.i + 1
        if self.p.startswith("^", end):
            end += 1
        if self.p.startswith("]", end):
            end += 1
        while end < len(self.p) and self.p[end] != "]":
            end += 2 if self.p[end] == "\\" else 1
        body = self.p[self.i + 1 : end]
        self.i = end + 1
        negated = body.startswith("^")
        inner = re.sub(r"\\[sS]", " ", body.lstrip("^"))
        alnum = (negated or "\\w" in inner or "\\W" in inner
                 or bool(re.search(r"[A-Za-z0-9]", inner)))
        digits = not negated and re.fullmatch(r"(?:\\d|[0-9]|[0-9]-[0-9])+", inner) is not None
        letters = inner if not negated and re.fullmatch(r"[A-Za-z]{1,6}", inner) else ""
        return _Class(alnum=alnum, digits_only=digits, letters=letters)

    def _escape(self) -> object:
        c = self.p[self.i + 1]
        self.i += 2
        if c in "bBAZ":
            return _Zero()
        if c == "d":
            return _Class(alnum=True, digits_only=True)
        if c in "wWS":
            return _Class(alnum=True, digits_only=False)
        if c in "sD":
            return _Class(alnum=c == "D", digits_only=False)
        if c.isalnum():
            raise _GiveUp
        return _Lit(c)

    def _quantifier(self) -> tuple[int, int]:
        if self.i >= len(self.p):
            return 1, 1
        c = self.p[self.i]
        bounds = {"?": (0, 1), "*": (0, 99), "+": (1, 99)}.get(c)
        if bounds is not None:
            self.i += 1
        elif c == "{":
            m = re.match(r"\{(\d*)(,?)(\d*)\}", self.p[self.i :])
            if m is None:
                return 1, 1
            self.i += len(m.group(0))
            lo = int(m.group(1) or 0)
            hi = int(m.group(3)) if m.group(3) else (99 if m.group(2) else lo)
            bounds = (lo, hi)
        else:
            return 1, 1
        if self.i < len(self.p) and self.p[self.i] in "?+":
            self.i += 1
        return bounds


_State = tuple[str, bool]


def _expand(states: set[_State], item: tuple[object, int, int], lower: bool) -> set[_State]:
    node, lo, hi = item
    result: set[_State] = set(states) if lo == 0 else set()
    current = states
    for rep in range(1, min(hi, 3) + 1):
        current = _once(current, node, lower)
        if rep >= lo or all(done for _, done in current):
            result |= current
        if all(done for _, done in current):
            break
    else:
        if hi > 3 and not all(done for _, done in current):
            raise _GiveUp
    if len(result) > _MAX_STATES:
        raise _GiveUp
    return result


def _once(states: set[_State], node: object, lower: bool = True) -> set[_State]:
    if isinstance(node, _Zero):
        return states
    out: set[_State] = set()
    for prefix, done in states:
        if done:
            out.add((prefix, done))
        elif isinstance(node, _Lit):
            c = node.char
            if c.isalnum():
                out.add((prefix + (c.lower() if lower else c), False))
            else:
                out.add((prefix, True))
        elif isinstance(node, _Class):
            if not node.alnum:
                out.add((prefix, True))
            elif node.digits_only and (prefix in ("", _DIGIT) or prefix.isdigit()):
                out.add((_DIGIT, True))
            elif node.letters:
                out.update((prefix + (c.lower() if lower else c), False) for c in node.letters)
            else:
                raise _GiveUp
        elif isinstance(node, _Group):
            for alternative in node.alternatives:
                seq = {(prefix, False)}
                for sub in alternative:
                    seq = _expand(seq, sub, lower)
                out |= seq
    return out


def heads_of(pattern: str, *, ignore_case: bool = True) -> frozenset[str] | None:
    """Words a match of ``pattern`` can begin with (lower-cased unless case matters)."""
    try:
        group = _Parser(pattern).parse()
        states = _once({("", False)}, group, ignore_case)
    except (_GiveUp, IndexError):
        return None
    heads = frozenset(prefix for prefix, _ in states)
    return None if "" in heads else heads
