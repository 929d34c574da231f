"""The places stage: towns, facilities, provinces, countries and regions named in the text.

``tag_places`` looks places up in the paragraphs that report something (the only ones a
mention or the article's dominant country is read from) and sets the dominant country.

Matching is token based: the text is folded (``processors.text.fold``) keeping its length, cut
into word tokens, and every capitalised token that can start a known name walks the name
index (``processors.extract.gazetteer``) for the longest name it begins. A candidate is kept only
if its words are capitalised (``hit`` and ``mosul`` are not places), it is not a modifier
(``Iran-backed``, ``pro-Iran``), a person (``Muqtada al-Sadr``) or, for small villages and
ambiguous words, part of a longer capitalised name (``Hamdi Malik``). The phrases around it
then refine it (``processors.extract.place_phrases``): provinces, regions, nearness and borders.
Phrases such as ``Quds Force`` or ``Kurdistan Workers' Party`` hide the places inside them.
Overlaps are settled longest first.

For ``Syrian border`` or ``border with Syria`` the match's country is the one named (Syria):
the caller should prefer the country of the surrounding story when it has one.
"""

from __future__ import annotations

import re
import string
from bisect import bisect_left
from collections.abc import Iterable
from itertools import compress
from operator import itemgetter
from typing import Final

import pycountry

from processors.extract.document import Document, PlaceMatch
from processors.extract.gazetteer import Entry, Gazetteer, ProvinceInfo, gazetteer
from processors.extract.place_context import country_evidence, resolve_places, without_datelines
from processors.extract.place_phrases import (
    Hit,
    Token,
    borders,
    capitals,
    province_lists,
    refine,
    spaced,
)
from processors.text.fold import ARTICLES, STRONG_ARTICLES, fold, inner_key, iter_tokens, name_key
from processors.text.fold import token_key as _key
from processors.text.indexed import Indexed, holds_any
from processors.text.sentences import Sentence

__all__ = [  # noqa: F822 - GAZETTEER_VERSION comes from the module __getattr__
    "GAZETTEER_VERSION",
    "PlaceMatch",
    "ProvinceInfo",
    "country_name",
    "find_places",
    "fold",
    "gazetteer_version",
    "lookup_province",
    "province_of",
    "tag_places",
]

_CAPITAL: Final = frozenset(string.ascii_uppercase + string.digits)
_SENTENCE_END: Final = frozenset(".!?:\n")
_OPENERS: Final = " \t\"'([«\u201c\u201e\u2018\u2039"  # fold keeps curly double quotes
_JOINERS: Final = frozenset({" ", "-", "'", " - ", "' ", " '", "-'"})  # "Tall 'Afar"
_CLOSE: Final = re.compile(r"\s+")
_HAND_WRITTEN: Final = 1e5  # entries scored at least this come from hand-written data
_LARGE_TOWN: Final = 6.0  # log10 of a million people: a name the world knows
_RESOLVABLE: Final = frozenset({"city", "province", "facility"})
_MAX_ALTERNATIVES: Final = 12
_PARTICLE: Final = 4  # longest lower-case word inside a name ("au", "des", "bou")
_WHOLE_BODY: Final = 0.6  # above this share of busy paragraphs, one gazetteer pass over the body




def gazetteer_version() -> str:
    """The version string of the place data files in use (loads them on first call)."""
    return gazetteer().version


def __getattr__(name: str) -> str:
    # GAZETTEER_VERSION is computed from the data files, which load lazily on first use.
    if name == "GAZETTEER_VERSION":
        return gazetteer_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def country_name(code: str) -> str:
    """The common English name of an ISO 3166-1 alpha-2 country code (the code if unknown)."""
    known = gazetteer().countries.get(code.upper())
    if known:
        return known
    country = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)


def lookup_province(name: str) -> ProvinceInfo | None:
    """The province a name or ISO 3166-2 code means ("Salahuddin", "Anbar province", "IQ-AN")."""
    g = gazetteer()
    if name.strip().upper() in g.provinces:
        return g.provinces[name.strip().upper()]
    key = name_key(name)
    whole = g.province_names.get(key)  # "Kurdistan Region" is a name, not "Kurdistan" + word
    if whole:
        return g.provinces.get(whole)
    province_words = g.words["province"]
    while len(key) > 1 and key[-1] in province_words:
        key = key[:-1]
    if len(key) > 2 and key[0] in province_words and key[1] == "of":
        key = name_key(" ".join(key[2:]))
    code = g.province_names.get(key)
    return g.provinces.get(code) if code else None


def province_of(place: PlaceMatch) -> str | None:
    """The English name of the province a match lies in, when it is known."""
    info = gazetteer().provinces.get(place.admin1) if place.admin1 else None
    return info.name if info else None


def find_places(text: str, *, offset: int = 0) -> list[PlaceMatch]:
    """All place mentions in ``text``: non-overlapping, longest first, sorted by start.

    ``offset`` is added to every match's offsets (``text`` is a slice of a longer body).
    """
    g = gazetteer()
    folded = fold(text)
    toks: list[Token] = [(m.start(), m.end(), m.group()) for m in iter_tokens(folded)]
    hits = _base_hits(g, folded, toks)
    for hit in hits:
        refine(g, folded, toks, hit)
    province_lists(g, toks, hits)
    hits.extend(borders(g, folded, toks))
    capital = capitals(g, folded, toks)
    kept = _longest_first(hits + capital)
    if capital:
        # "in central Baghdad ..., the deadliest attack in the Iraqi capital": a capital
        # named beside its own name refers back to it and adds no place.
        ids = {id(h) for h in capital}
        named = [h for h in kept if id(h) not in ids]
        kept = [h for h in kept if id(h) not in ids or not any(
            (n.entry.country, n.admin1) == (h.entry.country, h.admin1)
            and _one_sentence(folded, n, h) for n in named)]
    return [_to_match(text, folded, h, offset) for h in kept if h.kind != "blocked"]


def _one_sentence(folded: str, a: Hit, b: Hit) -> bool:
    """Whether two matches lie in one sentence (no sentence end between them)."""
    lo, hi = min(a.end, b.end), max(a.start, b.start)
    return not any(c in _SENTENCE_END for c in folded[lo:hi])


def _longest_first(hits: list[Hit]) -> list[Hit]:
    """Keep the longest of overlapping matches; the result is sorted by start."""
    kept: list[Hit] = []
    starts: list[int] = []
    for hit in sorted(hits, key=lambda h: (-h.size, h.start)):
        pos = bisect_left(starts, hit.start)
        if pos > 0 and kept[pos - 1].end > hit.start:
            continue
        if pos < len(kept) and kept[pos].start < hit.end:
            continue
        kept.insert(pos, hit)
        starts.insert(pos, hit.start)
    return kept


def _base_hits(g: Gazetteer, folded: str, toks: list[Token]) -> list[Hit]:
    hits: list[Hit] = []
    starts, resume = g.starts, 0
    # Names start capitalised, or with a lower-case article kept in a few ("al-Hol"). A token
    # starts with a capital or a digit exactly when it sorts before "[": the tokens that can
    # start a name are picked in C, not word by word.
    raws = list(map(itemgetter(2), toks))
    at = range(len(raws))
    firsts: Iterable[int] = compress(at, map("[".__gt__, raws))
    if not STRONG_ARTICLES.isdisjoint(raws):
        firsts = sorted({*firsts, *compress(at, map(STRONG_ARTICLES.__contains__, raws))})
    for i in firsts:
        if i < resume:
            continue
        key = _key(raws[i])
        if key in starts and (hit := _longest(g, folded, toks, i, key)) is not None:
            hits.append(hit)
            resume = hit.tj + 1
    return hits


def _longest(g: Gazetteer, folded: str, toks: list[Token], i: int, first: str) -> Hit | None:
    """The longest acceptable name starting at token i."""
    found: list[tuple[int, tuple[Entry, ...]]] = []
    key: tuple[str, ...] = (first,)
    j, n = i, len(toks)
    while True:
        cands = g.index.get(key)
        if cands:
            found.append((j, cands))
        if key not in g.prefixes or j + 1 >= n or not _joined(folded, toks, j):
            break
        j += 1
        key = (*key, inner_key(_key(toks[j][2])))
    for j, cands in reversed(found):
        hit = _accept(g, folded, toks, i, j, cands)
        if hit is not None:
            return hit
    return None


def _joined(folded: str, toks: list[Token], j: int) -> bool:
    """Whether tokens j and j+1 can be one name (a space, hyphen or apostrophe between)."""
    sep = folded[toks[j][1] : toks[j + 1][0]]
    # "U.S." and "K.S.A.": a full stop joins only after a single letter.
    return sep in _JOINERS or (sep in (".", ". ") and toks[j][1] - toks[j][0] == 1)


def _accept(
    g: Gazetteer, folded: str, toks: list[Token], i: int, j: int, cands: tuple[Entry, ...]
) -> Hit | None:
    generic = g.words["generic"]
    for t, (_, _, raw) in enumerate(toks[i : j + 1], start=i):
        # "Port-au-Prince", "Dar es Salaam", "Croix-des-Bouquets": a short lower-case
        # particle inside a name whose first and last words are capitalised.
        if (raw[0] not in _CAPITAL and (k := _key(raw)) not in ARTICLES and k not in generic
                and not (i < t < j and len(raw) <= _PARTICLE and toks[j][2][0] in _CAPITAL)):
            return None
    entry = cands[0]
    word = toks[i][2]
    # "ABS", "SHUT", "IDNA": acronyms and code words; datelines ("MOSUL, Iraq") name big
    # places, which are neither weak nor short generated names.
    shouted = i == j and word.isupper() and len(word) > 1
    if shouted and (entry.weak or (len(word) <= 3 and entry.score < _HAND_WRITTEN)):
        return None
    if entry.strict and not _standalone(g, folded, toks, i, j):
        return None
    if entry.weak and not _isolated(g, folded, toks, i, j):
        return None
    if entry.kind != "blocked" and _compound(folded, toks, i, j):
        return None
    start, end = toks[i][0], toks[j][1]
    hit = Hit(
        i, j, start, end, entry, cands, entry.kind, entry.precision, entry.admin1, (start, end)
    )
    if i > 0 and spaced(folded, toks, i - 1) and entry.kind != "blocked":
        art = toks[i - 1][2].lower()
        # "al-Qaim", "Al Qaim", "As-Suwayda"; but "As Israel ..." starts a sentence.
        if art in STRONG_ARTICLES or (art in ARTICLES and folded[toks[i - 1][1]] == "-"):
            # "al-Qaim" is the place; "Muqtada al-Sadr" or "Bashar al-Assad" is a person.
            if spaced(folded, toks, i - 2) and _is_name_word(g, toks[i - 2][2]):
                return None
            hit.ti, hit.start, hit.place_span = i - 1, toks[i - 1][0], (toks[i - 1][0], end)
    return hit


def _compound(folded: str, toks: list[Token], i: int, j: int) -> bool:
    """``Iran-backed``, ``Baghdad-based``, ``pro-Iran``, ``anti-Israel``: a modifier."""
    end = toks[j][1]
    after = j + 1 < len(toks) and toks[j + 1][0] == end + 1 and folded[end] == "-"
    if after and toks[j + 1][2][0].islower():
        return True
    start = toks[i][0]
    if i > 0 and toks[i - 1][1] == start - 1 and folded[start - 1] == "-":
        before = toks[i - 1][2]
        return before[0].islower() and before.lower() not in ARTICLES
    return False


def _is_name_word(g: Gazetteer, raw: str) -> bool:
    return raw[0].isupper() and raw.lower() not in g.words["not_a_name"]


def _standalone(g: Gazetteer, folded: str, toks: list[Token], i: int, j: int) -> bool:
    """An ambiguous name counts only capitalised mid-sentence and not inside a longer name."""
    if any(t[2].isupper() and len(t[2]) > 1 for t in toks[i : j + 1]):
        return False
    before = folded[max(0, toks[i][0] - 40) : toks[i][0]]
    stripped = before.rstrip(_OPENERS)
    if not stripped or stripped[-1] in _SENTENCE_END or "\n" in before[len(stripped) :]:
        return False
    return _isolated(g, folded, toks, i, j)


def _isolated(g: Gazetteer, folded: str, toks: list[Token], i: int, j: int) -> bool:
    """Not next to another capitalised word that would make it part of a person's name."""
    if spaced(folded, toks, i - 1) and _is_name_word(g, toks[i - 1][2]):
        return False
    if spaced(folded, toks, j):
        nxt = toks[j + 1][2]
        return not (nxt[0].isupper() and _key(nxt) not in g.words["generic"])
    return True


def _to_match(text: str, folded: str, hit: Hit, offset: int) -> PlaceMatch:
    e = hit.entry
    if hit.kind in ("province", "country"):
        place = None
    elif hit.phrase:
        place = _written(folded, hit.start, hit.end)
    else:
        place = e.name or _written(folded, *hit.place_span)
    return PlaceMatch(
        start=hit.start + offset,
        end=hit.end + offset,
        text=text[hit.start : hit.end],
        place=place,
        country=e.country,
        admin1=hit.admin1,
        latitude=e.latitude,
        longitude=e.longitude,
        geo_precision=hit.precision,
        kind=hit.kind,
        alternatives=_alternatives(hit),
        curated=e.score >= _HAND_WRITTEN or (e.kind == "city" and e.score >= _LARGE_TOWN),
        weak=e.weak,
    )


def _alternatives(hit: Hit) -> tuple[Entry, ...]:
    """Other countries' readings of a match's name (``place_context`` chooses among them)."""
    e = hit.entry
    if hit.phrase or hit.kind != e.kind:
        return ()
    if hit.kind in _RESOLVABLE:
        return tuple(c for c in hit.candidates[1:_MAX_ALTERNATIVES]
                     if c.country != e.country and c.kind in _RESOLVABLE)
    if hit.kind == "country":
        # Georgia the country or the American state: units elsewhere sharing the name.
        return tuple(c for c in hit.candidates[1:_MAX_ALTERNATIVES]
                     if c.country != e.country and c.kind == "province" and c.score > 0)
    return ()


def _written(folded: str, start: int, end: int) -> str:
    written = _CLOSE.sub(" ", folded[start:end]).strip()
    return written.title() if written.isupper() else written  # datelines: "MOSUL" is "Mosul"


def tag_places(doc: Document) -> None:
    """Set ``places`` (of the paragraphs that report something) and the dominant ``country``."""
    # Ambiguous names are read in the article's best-supported country (``place_context``).
    found = _busy_places(doc.body, doc.sentences, doc.busy)
    resolved = resolve_places(found)
    doc.places = Indexed(resolved)
    doc.country = _dominant_country(doc)
    # A dateline votes for the article's country but is no venue where its sentence names one.
    spans = [(s.start, s.end) for s in doc.sentences]
    doc.places = Indexed(without_datelines(resolved, doc.folded, spans, found=found))


def _busy_places(
    body: str, sentences: list[Sentence], busy: list[tuple[int, int]]
) -> list[PlaceMatch]:
    """Places of the paragraphs that report something (the only ones mentions or the
    article's dominant country are read from); the gazetteer never sees the rest."""
    if not busy:
        return []
    paragraphs: dict[int, tuple[int, int]] = {}
    for s in sentences:
        lo, hi = paragraphs.get(s.paragraph, (s.start, s.end))
        paragraphs[s.paragraph] = (min(lo, s.start), max(hi, s.end))
    busy_starts = sorted(a for a, _ in busy)
    wanted = sorted({paragraphs[s.paragraph] for s in sentences
                     if holds_any(s.start, s.end, busy_starts)})
    if sum(hi - lo for lo, hi in wanted) > _WHOLE_BODY * len(body):
        return find_places(body)
    found: list[PlaceMatch] = []
    for lo, hi in wanted:
        found.extend(find_places(body[lo:hi], offset=lo))
    return found


def _dominant_country(doc: Document) -> str | None:
    """The article's country: its places' votes (``country_evidence``), outside boilerplate;
    a tie goes to the country named first."""
    boiler = [(s.start, s.end) for s in doc.sentences if s.boilerplate]
    places = [p for p in doc.places if not any(a <= p.start < b for a, b in boiler)]
    votes = country_evidence(places)
    if not votes:
        return None
    first = {p.country: i for i, p in reversed(list(enumerate(places)))}
    return max(votes, key=lambda c: (votes[c], -first[c]))
