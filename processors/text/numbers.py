"""Counts in text ("twelve", "two dozen", "at least 10", "dozens") and casualty phrases.

Killed, injured and kidnapped stay apart; a number is a casualty figure only inside a casualty
phrase ("10 people were killed", "killing 10", "left five dead", "minor injuries to two
personnel"), so rocket counts, years, percentages and troop numbers never are.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

from processors.text.matcher import Matcher
from processors.text.rules import compile_alternation, load_rules

_UNITS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
          "|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy"
          "|eighty|ninety|hundred|thousand")
_WORDS = rf"(?:(?:{_UNITS})(?:(?:[\s-]+|\s+and\s+)(?:{_UNITS}))*)"
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?![\d,.]*\s*(?:%|percent|per cent))"
_DOZEN = re.compile(r"(\d+)\s+dozen", re.IGNORECASE)
# A casualty phrase starts at most this far before its verb ("five U.S. soldiers died").
_BEFORE = 120
_PLAIN = re.compile(r"\d[\d,]*")

# Words allowed between a count and its casualty verb: nouns and modifiers, never a clause.
_FILLER = (r"(?:(?:(?!(?:and|but|while|after|before|when|who|which|that|in|on|at|by|from|said)\b)"
           # "five U.S. soldiers died": initials and titles, never a sentence's full stop
           r"(?:(?:[A-Za-z]\.){2,3}|(?:Gen|Lt|Col|Sgt|Capt|Maj|Brig|Cpl|Pvt|Dr|Mr|St)\.|[A-Za-z'’-]+)"
           # "7 members of the GNR (National Guard) died": an aside in brackets
           # "peacekeepers from Chad have been killed": where the victims came from
           r"|\([^()]{1,40}\)|from\s+[A-Za-z'’-]+)\s+){0,8}?"
           # "four guards on Sunday were killed": a day between the victims and the verb
           r"(?:(?:late |early )?on\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|"
           r"sunday)\s+)?")
_PART_OF = re.compile(r"\s+of\s+(?:the|its|their|those|these)\s+"
                      r"(?:\d[\d,]*|two|three|four|five|six|seven|eight|nine|ten|dozens|"
                      r"wounded|injured|dead|killed|victims|casualties|hostages|abducted|"
                      r"kidnapped)\b", re.IGNORECASE)
_AUX = (r"(?:(?:were|was|have been|had been|has been|are|is|got|being|been|reportedly|also|all|"
        r"later|have|has|had)\s+){0,3}")
# The auxiliaries hold a passive marker: "two gunmen were killed" (the gunmen died).
_PASSIVE = (r"(?=(?:(?:reportedly|also|all|later|have|has|had)\s+){0,2}"
            r"(?:were|was|are|is|got|being|been)\s)")
# What an active verb's object starts with: "two gunmen killed a policeman", "... killed him"
# (the count before the verb is the attackers); "three killed a day after" is no object.
_OBJECT = (r"\s+(?:(?:a|an|the|his|her|their|its|another)\s+(?!(?:day|days|week|weeks|month|"
           r"months|year|years|night|morning|evening|afternoon|weekend|same|previous|following|"
           r"next|last|first|second)\b)|(?:him|them|several|dozens|scores|hundreds)\b)")


@dataclass(frozen=True, slots=True)
class Casualty:
    """A casualty figure of one kind ("killed", "injured", "kidnapped") found in text."""

    start: int
    end: int
    kind: str
    value: int
    subset: bool
    vague: bool = False
    # A figure the text states ("12", "at least a dozen"), not a vague word ("dozens", "several")
    stated: bool = True


@cache
def _count_pattern() -> str:
    data = load_rules("casualties")
    approx = "|".join(sorted(map(_spaced, data["approximators"]), key=len, reverse=True))
    vague = "|".join(sorted(map(_spaced, data["vague_counts"]), key=len, reverse=True))
    return (rf"(?:(?:{approx})\s+)?(?:{_DIGITS}(?:\s+dozen)?|{_WORDS}(?:\s+dozen)?"
            rf"|(?:{vague})(?:\s+of)?)")


@cache
def _casualty_regex() -> Matcher:
    data = load_rules("casualties")
    count = _count_pattern()
    parts: list[str] = []
    for kind, verbs in data["verbs"].items():
        alts = "|".join(sorted(verbs, key=len, reverse=True))
        # "Two explosions have injured 187 people": a count right after the verb is its
        # object, so the count before it is the agent, not the victims.
        parts.append(rf"(?P<p_{kind}>(?P<n_{kind}>{count})\s+{_FILLER}{_PASSIVE}{_AUX}(?:{alts}))")
        parts.append(rf"(?P<i_{kind}>(?P<j_{kind}>{count})\s+{_FILLER}{_AUX}(?:{alts}))"
                     rf"(?!\s+{count}(?![\w-])|{_OBJECT})")
    for kind, verbs in data["active_verbs"].items():
        alts = "|".join(sorted(verbs, key=len, reverse=True))
        parts.append(rf"(?P<a_{kind}>(?:{alts})\s+(?P<m_{kind}>{count}))")
    for kind, nouns in data["noun_phrases"].items():
        alts = "|".join(sorted(nouns, key=len, reverse=True))
        if kind == "killed":
            counted = "|".join(data["counted_nouns"])
            claimed = "|".join(data["claimed_lives"])
            parts.append(rf"(?P<x_{kind}>(?P<q_{kind}>{count})\s+(?:{counted})"
                         rf"|(?:{claimed})\s+(?P<g_{kind}>{count})\s+lives"
                         rf"|(?:{alts})\s+(?P<r_{kind}>{count})(?!\s+(?:injured|wounded|hurt)))")
        else:
            parts.append(rf"(?P<x_{kind}>(?:{alts})\s+(?P<r_{kind}>{count}))")
    for kind, phrases in data["zero"].items():
        alts = "|".join(phrases)
        parts.append(rf"(?P<z_{kind}>{alts})")
    persons = "|".join(sorted(map(re.escape, data["person_nouns"]), key=len, reverse=True))
    person = rf"(?:a|an|the|one|his|her|their|another)\s+(?:[\w-]+\s+){{0,2}}?(?:{persons})s?"
    for kind, verbs in data["active_verbs"].items():
        alts = "|".join(sorted(verbs, key=len, reverse=True))
        parts.append(rf"(?P<o_{kind}>(?:{alts})\s+(?P<l_{kind}>{person}"
                     rf"(?:(?:\s*,\s*|\s+and\s+|\s*,\s*and\s+){person}){{0,3}}))")
        # "killed one person and injured another": one more person
        parts.append(rf"(?P<y_{kind}>(?:{alts})\s+another)"
                     rf"(?=\s*[.,;]|\s+(?:in|on|at|and|when|while|near|during)\b)")
    singular = "|".join(sorted(data["verbs"]["killed"] + data["verbs"]["injured"]
                               + data["verbs"]["kidnapped"], key=len, reverse=True))
    parts.append(rf"(?P<s_one>(?<![\w-])(?:a|an)\s+(?:[A-Za-z.'’-]+\s+){{1,3}}?"
                 rf"(?:was|has been|had been)\s+(?:reportedly\s+)?(?P<sv>{singular}))")
    return Matcher(parts, flags=re.IGNORECASE, prefix=r"(?<![\w-])", suffix=r"(?![\w-])",
                   windowed=True)


@cache
def _subset_regex() -> re.Pattern[str]:
    markers = "|".join(sorted(load_rules("casualties")["subset_markers"], key=len, reverse=True))
    return re.compile(rf"(?:{markers})\s*$", re.IGNORECASE)


@lru_cache(maxsize=4096)
def parse_count(span: str) -> int | None:
    """The number a count phrase stands for ("at least twelve" 12, "two dozen" 24), or None."""
    data = load_rules("casualties")
    text = " ".join(span.split()).lower()
    for approx in sorted(data["approximators"], key=len, reverse=True):
        if text.startswith(approx + " "):
            text = text[len(approx) + 1 :].strip()
            break
    text = re.sub(r"\s+of$", "", text)
    vague = data["vague_counts"]
    if text in vague:
        return int(vague[text])
    if not text[:1].isdigit():
        from numerizer import numerize  # lazily: only word numbers need it

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            text = numerize(text)
    dozen = _DOZEN.fullmatch(text)
    if dozen:
        return int(dozen.group(1)) * 12
    plain = _PLAIN.fullmatch(text)
    if plain is None:
        return None
    value = int(plain.group(0).replace(",", ""))
    return value if value < 1_000_000 else None


@cache
def _keywords() -> Matcher:
    return compile_alternation(load_rules("casualties")["keywords"])


def _windows(text: str, start: int, stop: int) -> list[tuple[int, int]]:
    """Stretches of text around casualty words: the only places a casualty phrase can start."""
    windows: list[tuple[int, int]] = []
    for match in _keywords().finditer(text, start, stop):
        lo, hi = max(start, match.start() - _BEFORE), match.end() + 1
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], hi))
        else:
            windows.append((lo, hi))
    return windows


def find_casualties(text: str, start: int = 0, end: int | None = None) -> list[Casualty]:
    """Casualty figures in ``text[start:end]`` with offsets into ``text``."""
    stop = len(text) if end is None else end
    found: list[Casualty] = []
    subset = _subset_regex()
    windows = _windows(text, start, stop)
    if not windows:
        return found
    for match in _casualty_regex().finditer(text, start, stop, ranges=windows):
        group = match.lastgroup or ""
        prefix, _, kind = group.partition("_")
        if prefix == "z":
            kinds = ("killed", "injured") if kind == "both" else (kind,)
            found.extend(Casualty(match.start(), match.end(), k, 0, False) for k in kinds)
            continue
        if prefix == "s":
            verb = match.group("sv").lower()
            kind = _kind_of(verb)
            found.append(Casualty(match.start(), match.end(), kind, 1, False))
            continue
        if prefix in ("o", "y"):
            people = _person_regex().findall(match.group(f"l_{kind}")) if prefix == "o" else [1]
            found.append(Casualty(match.start(), match.end(), kind, len(people), False))
            continue
        number_group = _COUNT_GROUPS[prefix] + "_" + kind
        count_span = match.group(number_group)
        if count_span is None and prefix == "x" and kind == "killed":
            number_group = next(g for g in ("q_killed", "g_killed") if match.group(g))
            count_span = match.group(number_group)
        if count_span is None:
            continue
        value = parse_count(count_span)
        if value is None or _looks_like_year(count_span):
            continue
        before = text[max(0, match.start() - 20) : match.start()]
        lo = match.start()
        if prefix in ("p", "i"):
            lead = _coordinated_regex().search(text, max(start, lo - _COORDINATED_REACH), lo)
            if lead is not None and (not found or found[-1].end <= lead.start()):
                # "two police officers and three agents were killed": one verb, both groups
                value += (parse_count(lead.group("c")) or 1) if lead.group("c") else 1
                lo = lead.start()
        # "one of the four killed", "one of its wounded fighters": a part of a toll told before
        part_of = _PART_OF.match(text, match.end(number_group)) is not None
        vague = _is_vague(count_span)
        found.append(Casualty(lo, match.end(), kind, value,
                              subset.search(before) is not None or part_of, vague,
                              not vague or _is_figure_word(count_span)))
    return found


_COORDINATED_REACH = 100
# The group holding the count of each kind of phrase (see ``_casualty_regex``).
_COUNT_GROUPS = {"p": "n", "i": "j", "a": "m", "x": "r"}


def _spaced(phrase: str) -> str:
    """A literal phrase as a regex whose spaces match any run of white space ("more\\nthan")."""
    return r"\s+".join(map(re.escape, phrase.split()))


@cache
def _coordinated_regex() -> re.Pattern[str]:
    """A group of victims coordinated before a passive casualty phrase: "two police officers
    and" (its count), "the provincial police chief of Kandahar and" (one person)."""
    data = load_rules("casualties")
    nouns = "|".join(sorted(map(re.escape, data["person_nouns"]), key=len, reverse=True))
    count = _count_pattern()
    return re.compile(
        rf"(?<![\w-])(?:(?P<c>{count})|the|a|an|his|her|their)\s+(?:[\w-]+\s+){{0,3}}?"
        rf"(?:{nouns})s?(?:\s+(?:of|in|from)\s+(?:the\s+)?[\w-]+)?\s*,?\s+and\s+$",
        re.IGNORECASE)


@cache
def _person_regex() -> re.Pattern[str]:
    nouns = load_rules("casualties")["person_nouns"]
    alts = "|".join(sorted(map(re.escape, nouns), key=len, reverse=True))
    return re.compile(rf"\b(?:{alts})s?\b", re.IGNORECASE)


def _is_vague(span: str) -> bool:
    """Whether a count is a vague word ("dozens", "several") rather than a figure."""
    text = " ".join(span.lower().split())
    return _vague_regex().search(text) is not None and not any(
        w[:1].isdigit() for w in text.split())


def _is_figure_word(span: str) -> bool:
    """Whether a vague-looking count is a figure after all ("a dozen", "a couple of")."""
    return _figure_word_regex().search(" ".join(span.lower().split())) is not None


@cache
def _vague_regex() -> re.Pattern[str]:
    words = "|".join(map(re.escape, load_rules("casualties")["vague_counts"]))
    return re.compile(rf"(?<!\S)(?:{words})(?!\S)")


@cache
def _figure_word_regex() -> re.Pattern[str]:
    words = "|".join(map(re.escape, load_rules("casualties")["figure_words"]))
    return re.compile(rf"(?<!\S)(?:{words})(?:\s+of)?$")


def _kind_of(verb: str) -> str:
    verbs = load_rules("casualties")["verbs"]
    for kind in ("killed", "injured", "kidnapped"):
        if verb in verbs[kind]:
            return kind
    return "killed"


def _looks_like_year(span: str) -> bool:
    digits = span.strip()
    return len(digits) == 4 and digits.isdigit() and 1900 <= int(digits) <= 2100


def clause_toll(casualties: Iterable[Casualty], kind: str) -> int | None:
    """The toll of one ``kind`` a clause states: its figures added up ("two police officers
    were killed ... and three soldiers"), None when it states none. A vague count
    ("dozens were wounded", "several killed") states no figure (SCHEMA.md: null when not
    stated), even beside a stated one of another kind."""
    values = [c.value for c in casualties if c.kind == kind and c.stated]
    return sum(values) if values else None
