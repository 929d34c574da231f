"""Length-preserving text folding and the name tokeniser shared by the gazetteer and extractor.

``fold`` maps every character to exactly one character (accents dropped, typographic
apostrophes and dashes made ASCII), so an offset into the folded text is an offset into the
original. ``name_key`` turns a place name, or a run of text tokens, into the tuple that the
gazetteer indexes, with the spelling noise of romanised Arabic (``al-``/``Al ``/``ad-``/``ez-``,
hyphens, ayn and hamza marks) taken out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Final

# Romanisations mark ayn and hamza with these; news copy uses curly quotes for apostrophes.
_APOSTROPHES: Final = "\u2019\u2018\u02bc\u02bb\u02bf\u02be\u0060\u00b4\u2032\u201b\u02c8"
_DASHES: Final = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
_SPACES: Final = (
    "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
)
# Letters whose decomposition does not start with an ASCII letter, or that stand for two.
_SPECIAL: Final = {
    "ß": "s",
    "æ": "a",
    "Æ": "A",
    "œ": "o",
    "Œ": "O",
    "ø": "o",
    "Ø": "O",
    "đ": "d",
    "Đ": "D",
    "ł": "l",
    "Ł": "L",
    "ı": "i",
    "ħ": "h",
    "Ħ": "H",
    "ŧ": "t",
    "Ŧ": "T",
    "ð": "d",
    "Ð": "D",
    "þ": "t",
    "Þ": "T",
    "ŀ": "l",
    "Ŀ": "L",
    "ĸ": "k",
    "ſ": "s",
}


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0]
        if base.isascii() and base.isalpha():
            table[code] = base
    for char, repl in _SPECIAL.items():
        table[ord(char)] = repl
    table.update({ord(c): "'" for c in _APOSTROPHES})
    table.update({ord(c): "-" for c in _DASHES})
    table.update({ord(c): " " for c in _SPACES})
    return table


_TABLE: Final = _build_table()
assert all(len(v) == 1 for v in _TABLE.values())  # the whole offset contract rests on this

# A possessive "'s" is not part of the word, so "Iraq's" yields "Iraq" then "s".
_TOKEN_RE: Final = re.compile(
    r"[A-Za-z0-9\u0300-\u036f]+(?:'(?![sS](?![A-Za-z0-9]))[A-Za-z0-9\u0300-\u036f]+)*"
)
_STRIP_RE: Final = re.compile(r"['\u0300-\u036f]")
_DOUBLE_RE: Final = re.compile(r"([a-z])\1+")

#: Forms of the Arabic article as romanised in names ("ad-Dawr", "Deir ez-Zor", "Ras el-Ain").
ARTICLES: Final = frozenset(
    {
        "al",
        "el",
        "il",
        "ul",
        "ad",
        "ar",
        "as",
        "ash",
        "at",
        "az",
        "an",
        "adh",
        "ath",
        "ed",
        "er",
        "es",
        "esh",
        "et",
        "ez",
        "en",
    }
)
#: Article forms that are unambiguous even lower-case before a name ("al-Qaim", "el-Arish").
STRONG_ARTICLES: Final = frozenset({"al", "el"})


_NON_ASCII: Final = re.compile(r"[^\x00-\x7f]+")


def _fold_run(match: re.Match[str]) -> str:
    return match.group().translate(_TABLE)


def fold(text: str) -> str:
    """Fold accents, apostrophes, dashes and odd spaces to ASCII, one character for one."""
    # News copy is mostly ASCII with a few curly quotes: translating only the non-ASCII runs
    # is several times faster than translating the whole text.
    if text.isascii():
        return text
    return _NON_ASCII.sub(_fold_run, text)


def iter_tokens(folded: str) -> Iterator[re.Match[str]]:
    """Yield the word tokens of already folded text."""
    return _TOKEN_RE.finditer(folded)


@lru_cache(maxsize=1 << 16)
def token_key(token: str) -> str:
    """The index form of one token: lower case, apostrophes and combining marks removed."""
    key = token.lower()
    if "'" in key or not key.isascii():
        key = _STRIP_RE.sub("", key)
    # Romanisations disagree on doubled consonants, "ou"/"u" and a final "h" after "a"
    # (Falluja / Fallujah / Fallouja, Baqubah / Baaqubah, Raqqa / Raqa): fold them away.
    key = _DOUBLE_RE.sub(_single, key).replace("ou", "u")
    if key.endswith("ah") and len(key) > 3:
        key = key[:-1]
    return key


def _single(match: re.Match[str]) -> str:
    # A function, not the template r"\1": re would parse the template on every call.
    return match.group(1)


def inner_key(key: str) -> str:
    """Normalise a token that is not the first of a name (any article form becomes ``al``)."""
    return "al" if key in ARTICLES else key


def name_key(name: str, *, keep_article: bool = False) -> tuple[str, ...]:
    """The tuple a place name is indexed under; a leading article is dropped unless kept."""
    keys = [k for k in map(token_key, _TOKEN_RE.findall(fold(name))) if k]
    if len(keys) > 1 and keys[0] in ARTICLES and not keep_article:
        keys = keys[1:]
    return tuple(keys[:1] + [inner_key(k) for k in keys[1:]])


def join_key(keys: Sequence[str]) -> str:
    """A readable single string for a key tuple (used in data files and messages)."""
    return " ".join(keys)
