"""The phrases around a place name that change what it means (read by ``places``).

- ``Basra province`` / ``province of Basra`` / ``Basra and Maysan provinces``: the province;
- ``southern Iraq`` / ``western Anbar``: a region of the country or province (precision 2);
- ``Idlib countryside`` / ``rural Damascus``: a region, or the province that is the city's
  countryside (Rif Dimashq);
- ``near Kirkuk`` / ``20 km north of Baghdad`` / ``outskirts of Mosul`` / ``Sinjar district``:
  the town itself at precision 2;
- ``the Mora military base`` / ``the Dadaab refugee camp`` / ``the airport in Baidoa`` /
  ``a base near Mora``: a facility at the town (precision 2 when near it);
- ``Pakistan's capital`` / ``the Afghan capital`` / ``capital of Mali``: the capital town;
- ``Iraq-Syria border`` / ``Syrian border`` / ``border with Turkey`` / ``Iraq's border with
  Syria``: a border region of the first country named.

Matches are worked on as ``Hit`` records over a token list of the folded text.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from itertools import pairwise
from typing import Final

from processors.extract.gazetteer import Entry, Gazetteer
from processors.text.fold import token_key

Token = tuple[int, int, str]  # start, end, the token as written (folded)

_BORDER_RE: Final = re.compile(r"(?i)\b(?:border|frontier)")
_SPACED: Final = frozenset({" ", "-"})


@dataclass(slots=True)
class Hit:
    """A match under construction: token range, character span and what it means."""

    ti: int
    tj: int
    start: int
    end: int
    entry: Entry
    candidates: tuple[Entry, ...]
    kind: str
    precision: int
    admin1: str | None
    place_span: tuple[int, int]  # where the place's own name is, for ``place``
    phrase: bool = False  # the whole phrase is the place ("southern Iraq", "Syrian border")

    @property
    def size(self) -> int:
        """Length in characters."""
        return self.end - self.start


def spaced(folded: str, toks: list[Token], j: int) -> bool:
    """Whether tokens j and j+1 are adjacent words of one phrase (a space or hyphen between)."""
    return 0 <= j < len(toks) - 1 and folded[toks[j][1] : toks[j + 1][0]] in _SPACED


def _words_before(folded: str, toks: list[Token], i: int, limit: int = 3) -> list[str]:
    """Up to ``limit`` lower-cased words directly before token i, in text order."""
    out: list[str] = []
    j = i - 1
    while j >= 0 and len(out) < limit and spaced(folded, toks, j):
        out.append(toks[j][2].lower())
        j -= 1
    out.reverse()
    return out


def _ends_with(words: list[str], phrases: frozenset[str]) -> int:
    """How many of ``words`` (from the end) form one of ``phrases``; 0 for none."""
    for n in range(len(words), 0, -1):
        if " ".join(words[-n:]) in phrases:
            return n
    return 0


def refine(g: Gazetteer, folded: str, toks: list[Token], hit: Hit) -> None:
    """Apply the context around a base match: province words, directions, nearness, area."""
    if hit.kind == "blocked":
        return
    w = g.words
    province = next((c for c in hit.candidates if c.kind == "province"), None)
    nxt = toks[hit.tj + 1][2].lower() if spaced(folded, toks, hit.tj) else ""
    before = _words_before(folded, toks, hit.ti)
    if province is not None:
        if nxt in w["province"]:
            _become(hit, province)
            _extend_right(toks, hit)
            if n := _ends_with(before, w["directional"]):  # "western Anbar province"
                _extend_left(toks, hit, n)
                hit.kind, hit.precision, hit.phrase = "region", 2, True
            return
        n = _ends_with(before, w["province_of"])
        if n:
            _become(hit, province)
            _extend_left(toks, hit, n)
            return
        if hit.entry is province and province.score < 0:
            # A unit named by an English word ("North", "Plateau", "Rivers") that no town of
            # its name outranks is the unit only as "North region" or "state of Plateau".
            hit.kind = "blocked"
            return
    if hit.kind == "city" and _facility(folded, toks, hit, w):
        return
    settled = hit.kind in ("city", "facility")
    if nxt in w["countryside"] and hit.kind in ("city", "province"):
        _extend_right(toks, hit)
        _to_countryside(g, hit)
        return
    if nxt in w["area"] and settled:
        _extend_right(toks, hit)
        hit.precision = 2
        return
    if nxt in w["city_suffix"] and hit.kind == "city":
        _extend_right(toks, hit)
    if hit.kind in ("city", "province") and (n := _ends_with(before, w["countryside_of"])):
        _extend_left(toks, hit, n)
        _to_countryside(g, hit)
    elif settled and (n := _ends_with(before, w["near"])):
        _extend_left(toks, hit, n)
        hit.precision = 2
    elif hit.kind != "facility" and (n := _ends_with(before, w["directional"])):
        _extend_left(toks, hit, n)
        if hit.kind != "city":  # "eastern Mosul" is still Mosul; "eastern Syria" a region
            hit.kind, hit.precision, hit.phrase = "region", 2, True


def _facility(folded: str, toks: list[Token], hit: Hit, w: dict[str, frozenset[str]]) -> bool:
    """``the Mora military base``, ``the Dadaab refugee camp``, ``the airport in Baidoa``,
    ``a base near Mora``: a facility at the town (nearness: precision 2), as written."""
    after: list[str] = []
    j = hit.tj
    while len(after) < 3 and spaced(folded, toks, j):
        j += 1
        after.append(toks[j][2].lower())
    n = next((n for n in range(len(after), 0, -1)
              if " ".join(after[:n]) in w["facility_nouns"]), 0)
    if n:
        for _ in range(n):
            _extend_right(toks, hit)
    else:
        before = _words_before(folded, toks, hit.ti, limit=4)
        n = _ends_with(before, w["facility_before"])
        if not n:
            return False
        _extend_left(toks, hit, n)
        if _ends_with(before, w["near"]):
            hit.precision = 2
    hit.kind, hit.phrase = "facility", True
    return True


def _extend_right(toks: list[Token], hit: Hit) -> None:
    hit.tj += 1
    hit.end = toks[hit.tj][1]


def _extend_left(toks: list[Token], hit: Hit, n: int) -> None:
    hit.ti -= n
    hit.start = toks[hit.ti][0]


def _become(hit: Hit, province: Entry) -> None:
    hit.entry, hit.kind, hit.precision, hit.admin1 = province, "province", 3, province.admin1


def _to_countryside(g: Gazetteer, hit: Hit) -> None:
    admin1 = hit.entry.admin1
    hit.admin1 = g.countryside.get(admin1, admin1) if admin1 else None
    hit.kind, hit.precision, hit.phrase = "region", 2, True


def province_lists(g: Gazetteer, toks: list[Token], hits: list[Hit]) -> None:
    """``Basra and Maysan provinces``: the plural reaches back over the first name."""
    for a, b in pairwise(hits):
        if (
            b.kind == "province"
            and a.kind != "province"
            and b.ti == a.tj + 2
            and toks[a.tj + 1][2].lower() in ("and", "or")
            and toks[b.tj][2].lower() in g.words["province_plural"]
        ):
            province = next((c for c in a.candidates if c.kind == "province"), None)
            if province is not None:
                _become(a, province)


def capitals(g: Gazetteer, folded: str, toks: list[Token]) -> list[Hit]:
    """``Pakistan's capital``, ``the Afghan capital``, ``capital of Mali``: the capital town."""
    if "capital" not in folded.lower():
        return []
    out: list[Hit] = []
    cw = g.country_words
    for c, (_, _, raw) in enumerate(toks):
        if raw.lower() != "capital":
            continue
        first = last = c
        code = None
        if c > 0 and spaced(folded, toks, c - 1) and toks[c - 1][2][:1].isupper():
            code, first = cw.get(token_key(toks[c - 1][2])), c - 1  # "the Afghan capital"
        elif c > 1 and toks[c - 1][2] == "s" and toks[c - 2][2][:1].isupper():
            code, first = cw.get(token_key(toks[c - 2][2])), c - 2  # "Pakistan's capital"
        if code is None and c + 2 < len(toks) and toks[c + 1][2] == "of" and spaced(
                folded, toks, c) and spaced(folded, toks, c + 1) and toks[c + 2][2][:1].isupper():
            code, first, last = cw.get(token_key(toks[c + 2][2])), c, c + 2  # "capital of Mali"
        entry = g.capitals.get(code) if code else None
        if entry is None:
            continue
        span = (toks[first][0], toks[last][1])
        out.append(Hit(first, last, *span, entry, (entry,), "city", 1, entry.admin1, span))
    return out


def borders(g: Gazetteer, folded: str, toks: list[Token]) -> list[Hit]:
    """Border regions: ``Iraq-Syria border``, ``Syrian border``, ``border with Turkey``."""
    if folded.isascii():  # lower() then folds A-Z only: a substring test is an exact pre-test
        lowered = folded.lower()
        if "border" not in lowered and "frontier" not in lowered:
            return []  # the common case, decided without the regex trying every position
    found = [m.start() for m in _BORDER_RE.finditer(folded)]
    if not found:
        return []
    starts = [t[0] for t in toks]
    out: list[Hit] = []
    for pos in found:
        b = bisect_left(starts, pos)
        if b < len(toks) and starts[b] == pos and toks[b][2].lower() in g.words["border"]:
            hit = _border_at(g, folded, toks, b)
            if hit is not None:
                out.append(hit)
    return out


def _border_at(g: Gazetteer, folded: str, toks: list[Token], b: int) -> Hit | None:
    cw = g.country_words

    def country(t: int) -> str | None:
        return cw.get(token_key(toks[t][2])) if 0 <= t < len(toks) else None

    first, last, code = -1, b, None
    if spaced(folded, toks, b - 1) and (code := country(b - 1)):
        first = b - 1
        sep = folded[toks[b - 2][1] : toks[b - 1][0]].strip() if b > 1 else ""
        if sep in ("-", "/") and (other := country(b - 2)):  # "Iraq-Syria border"
            first, code = b - 2, other
        elif b > 2 and toks[b - 2][2].lower() == "and" and (other := country(b - 3)):
            first, code = b - 3, other  # "Iraq and Syria border"
        if not toks[first][2][0].isupper():
            return None
    elif spaced(folded, toks, b) and toks[b + 1][2].lower() in ("with", "between"):
        target = toks[b + 2][2] if b + 2 < len(toks) else ""
        if not (target[:1].isupper() and (code := country(b + 2))):
            return None
        first, last = b, b + 2
        if b + 4 < len(toks) and toks[b + 3][2].lower() == "and" and country(b + 4):
            last = b + 4  # "border between Iraq and Syria"
        if b > 1 and toks[b - 1][2] == "s" and (own := country(b - 2)):
            first, code = b - 2, own  # "Iraq's border with Syria"
    if code is None or first < 0:
        return None
    entry = Entry(None, "region", code, None, None, None, 2, 0.0)
    span = (toks[first][0], toks[last][1])
    return Hit(first, last, *span, entry, (entry,), "region", 2, None, span, True)
