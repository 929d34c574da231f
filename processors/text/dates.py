"""Date expressions: find them in text (match), resolve them against a base day (apply).

Absolute calendar forms ("July 24", "24 July 2020", "August 3, 9, 23, September 2") are read
by dateparser, one small span at a time and cached by span text; the year, when missing, is
taken as the most recent past one (dateparser's ``PREFER_DATES_FROM: past``) relative to the
publication day. Relative forms follow the conventions of the gold files, which dateparser
does not share: "last week" is the Monday of the previous week, "over the weekend" the last
Saturday (both precision "week"), a rolling window ("over the past week", "in recent days")
has no representative day (precision "week", no date).
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache

from processors.models import DatePrecision
from processors.text.matcher import Matcher

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
             "saturday": 5, "sunday": 6}
_SMALL = {"one": 1, "a": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9, "ten": 10}

# Month names must be capitalised: "may" is a modal verb and all-caps lines are bylines.
_MON = (r"(?-i:(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?"
        r"|July?|Aug(?:ust|\.)?|Sept?(?:ember|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?"
        r"|Dec(?:ember|\.)?)(?![a-z]))")
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?![\w])"
# A list item must not be followed by a noun: "on July 24, 27 people died" is one date.
_ITEM = rf"{_DAY}(?=\s*(?:,|;|\.|\)|$|and\b|or\b|{_MON}\b|\s*$))"
_YEAR = r"(?:19|20)\d{2}(?!\d)"
_WD = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_PART = r"(?:\s+(?:morning|afternoon|evening|night|overnight))?"
_NUMW = r"(?:\d{1,2}|one|a|two|three|four|five|six|seven|eight|nine|ten)"

def _after(*words: str) -> str:
    """A zero-width check that one of ``words`` and a space come just before."""
    return "(?:" + "|".join(f"(?<={w} )" for w in words) + ")"


# Each alternative starts at its most distinctive word (a month, a weekday, "weekend") so the
# matcher tries it rarely; leading words it needs ("in", "the") are checked behind it.
_PREP = _after("in", "since", "during", "until", "by", "of")
_DATE_PARTS = [
    rf"(?P<mdlist>{_MON}\s+{_DAY}(?:(?:\s*,\s*|\s+and\s+|\s*,\s*and\s+)(?:{_MON}\s+)?{_ITEM})*"
    rf"(?:,?\s*{_YEAR})?)",
    rf"(?P<dmlist>{_DAY}(?:(?:\s*,\s*|\s+and\s+){_DAY})*\s+(?:of\s+)?{_MON}(?:,?\s*{_YEAR})?)",
    r"(?P<iso>(?:19|20)\d{2}-[01]\d-[0-3]\d)",
    rf"(?P<monthyear>(?:(?:early|mid|late)[\s-]+)?{_MON}(?:,?\s+{_YEAR})"
    rf"|{_PREP}(?:(?:early|mid|late)[\s-]+)?{_MON})",
    rf"(?P<year>{_after('in', 'since', 'during')}{_YEAR})",
    r"(?P<lastmonth>(?:late |early )?last month|(?:earlier |late |early )?this month)",
    r"(?P<lastyear>last year|this year)",
    rf"(?P<weekday>{_WD}(?:'s)?{_PART})",
    r"(?P<ago>(?:days?|weeks?)\s+ago)",
    r"(?P<today>today(?:'s)?|tonight|this (?:morning|afternoon|evening)|earlier today)",
    r"(?P<yesterday>yesterday(?:'s)?|last night|overnight)",
    rf"(?P<rolling>{_after('over the', 'in the', 'during the', 'within the', 'over', 'in')}"
    r"(?:past|last|previous)\s+(?:(?:few|several|two|three|couple of)\s+)?"
    r"(?:days?|weeks?|24 hours|48 hours)|" + _after("in", "over") + r"recent (?:days|weeks))",
    r"(?P<lastweek>(?:late |early )?last week(?:'s)?|(?:earlier |late |early )?this week"
    r"(?:'s)?)",
    r"(?P<weekend>weekend)",
    rf"(?P<same>{_after('the')}same\s+(?:day|night|morning|evening)|{_after('that')}day"
    r"|hours\s+later|later\s+that\s+day)",
    rf"(?P<next>{_after('the')}(?:next|following)\s+day|{_after('a')}day\s+later"
    rf"|{_after('the')}day\s+after)",
    rf"(?P<prev>{_after('the')}(?:previous\s+)?day\s+before|{_after('a')}day\s+earlier"
    rf"|{_after('the')}previous\s+day)",
    # "two days later", "a week earlier"; "this comes a week after <the event it names>"
    rf"(?P<shift>{_NUMW}\s+(?:days?|weeks?)\s+(?:earlier|later)"
    rf"|(?:comes|came)\s+(?:just\s+|only\s+)?{_NUMW}\s+(?:days?|weeks?)\s+after)",
]
_DATES = Matcher(_DATE_PARTS, flags=re.IGNORECASE, prefix=r"(?<![\w-])")
_LAST_BEFORE = re.compile(r"\blast\s+$", re.IGNORECASE)
_COUNT_BEFORE = re.compile(rf"\b({_NUMW})\s+$", re.IGNORECASE)
_DAY_NUM = re.compile(r"\d{1,2}")
_SHIFT_COUNT = re.compile(rf"\b({_NUMW})\s+(?:days?|weeks?)\b")
_YEAR_RE = re.compile(_YEAR)
_MON_RE = re.compile(_MON)


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date expression found in text; ``items`` are (year or 0, month, day) for calendars."""

    start: int
    end: int
    text: str
    kind: str
    items: tuple[tuple[int, int, int], ...] = ()
    value: int = 0


@dataclass(frozen=True, slots=True)
class ResolvedDate:
    """A resolved event day (or none) with how precisely the text pins it."""

    day: dt.date | None
    precision: DatePrecision


UNKNOWN = ResolvedDate(None, "unknown")
_ADJACENT = re.compile(r"\s*,?\s*(?:on|of|in)?\s*")
# Which of two adjacent expressions says more: a calendar day beats a weekday beats "overnight".
_RANK = {"calendar": 0, "weekday": 1, "yesterday": 2, "today": 2, "ago": 2, "month": 3,
         "year": 4, "lastweek": 3, "weekend": 3, "rolling": 4, "lastmonth": 4, "lastyear": 5,
         "same": 5, "next": 5, "prev": 5, "shift": 5}
RELATIVE_KINDS = frozenset({"weekday", "ago", "today", "yesterday", "lastweek", "weekend",
                            "rolling", "lastmonth", "lastyear"})
ANAPHORIC_KINDS = frozenset({"same", "next", "prev", "shift"})


def find_dates(text: str, start: int = 0, end: int | None = None) -> list[DateMention]:
    """Every date expression in ``text[start:end]``, in order, with offsets into ``text``."""
    found: list[DateMention] = []
    stop = len(text) if end is None else end
    for match in _DATES.finditer(text, start, stop):
        kind = match.lastgroup or ""
        mention = _mention(text, match, kind)
        if mention is not None:
            found.append(mention)
    return _fuse_adjacent(text, found)


def _fuse_adjacent(text: str, found: list[DateMention]) -> list[DateMention]:
    """"overnight on Saturday", "Saturday, July 3": adjacent expressions name one day."""
    out: list[DateMention] = []
    for mention in found:
        if out and _ADJACENT.fullmatch(text, out[-1].end, mention.start):
            previous = out[-1]
            keep = previous if _RANK[previous.kind] <= _RANK[mention.kind] else mention
            out[-1] = keep
            continue
        out.append(mention)
    return out


def _mention(text: str, match: re.Match[str], kind: str) -> DateMention | None:
    span = match.group(0)
    if kind in ("mdlist", "dmlist"):
        items = _calendar_items(span, kind)
        if not items:
            return None
        return DateMention(match.start(), match.end(), span, "calendar", items)
    if kind == "iso":
        y, m, d = (int(p) for p in span.split("-"))
        return DateMention(match.start(), match.end(), span, "calendar", ((y, m, d),))
    if kind == "monthyear":
        month = _MON_RE.search(span)
        if month is None:
            return None
        year = _YEAR_RE.search(span)
        number = _MONTHS[month.group(0)[:3].lower()]
        return DateMention(match.start(), match.end(), span, "month",
                           ((int(year.group(0)) if year else 0, number, 1),))
    if kind == "year":
        year = _YEAR_RE.search(span)
        return DateMention(match.start(), match.end(), span, "year",
                           ((int(year.group(0)) if year else 0, 1, 1),))
    if kind == "weekday":
        lowered = span.lower()
        day = next(v for k, v in _WEEKDAYS.items() if k in lowered)
        last = _LAST_BEFORE.search(text, max(0, match.start() - 6), match.start()) is not None
        return DateMention(match.start(), match.end(), span, kind, value=day + (7 if last else 0))
    if kind == "shift":
        lowered = span.lower()
        count = _SHIFT_COUNT.search(lowered)
        if count is None:
            return None
        word = count.group(1)
        number = int(word) if word.isdigit() else _SMALL[word]
        days = number * (7 if "week" in lowered else 1)
        later = lowered.endswith("later")
        return DateMention(match.start(), match.end(), span, kind, value=days if later else -days)
    if kind == "ago":
        count = _COUNT_BEFORE.search(text, max(0, match.start() - 8), match.start())
        if count is None:
            return None
        word = count.group(1).lower()
        number = int(word) if word.isdigit() else _SMALL[word]
        unit = 7 if span.lower().startswith("week") else 1
        return DateMention(count.start(1), match.end(), text[count.start(1) : match.end()], kind,
                           value=number * unit)
    if kind == "lastmonth":
        return DateMention(match.start(), match.end(), span, kind,
                           value=1 if "last" in span.lower() else 0)
    if kind == "lastyear":
        return DateMention(match.start(), match.end(), span, kind,
                           value=1 if "last" in span.lower() else 0)
    if kind == "lastweek":
        return DateMention(match.start(), match.end(), span, kind,
                           value=1 if "last" in span.lower() else 0)
    return DateMention(match.start(), match.end(), span, kind)


def _calendar_items(span: str, kind: str) -> tuple[tuple[int, int, int], ...]:
    """(year or 0, month, day) for each day of a month-day list, via the cached parser."""
    year_match = _YEAR_RE.search(span)
    year = int(year_match.group(0)) if year_match else 0
    body = span[: year_match.start()] if year_match else span
    items: list[tuple[int, int, int]] = []
    if kind == "dmlist":
        month_match = _MON_RE.search(body)
        if month_match is None:
            return ()
        month = month_match.group(0)
        for day in _DAY_NUM.findall(body[: month_match.start()]):
            parsed = _parse_calendar(f"{_month_name(month)} {int(day)}")
            if parsed is not None:
                items.append((year, *parsed))
        return tuple(items)
    month = ""
    for token in re.finditer(rf"{_MON}|\d{{1,2}}", body, re.IGNORECASE):
        if token.group(0)[0].isalpha():
            month = token.group(0)
            continue
        parsed = _parse_calendar(f"{_month_name(month)} {int(token.group(0))}")
        if parsed is not None:
            items.append((year, *parsed))
    return tuple(items)


_FULL_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")


def _month_name(written: str) -> str:
    """The full month name of a written form ("Sept." -> "September"), or it unchanged."""
    number = _MONTHS.get(written[:3].lower())
    return _FULL_MONTHS[number - 1] if number else written


def warm_calendar() -> None:
    """Parse every "Month D" once, so articles never wait for dateparser."""
    for month in _FULL_MONTHS:
        for day in range(1, 32):
            _parse_calendar(f"{month} {day}")


@lru_cache(maxsize=1024)
def _parse_calendar(span: str) -> tuple[int, int] | None:
    """(month, day) of a short "Month D" span, or None when it is no real day."""
    import dateparser  # imported lazily: it takes a moment and most spans are cached

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # A leap-year base keeps "February 29" valid; the year itself is resolved later.
        parsed = dateparser.parse(
            span, languages=["en"],
            settings={"RELATIVE_BASE": dt.datetime(2000, 12, 31), "PREFER_DATES_FROM": "past",
                      "REQUIRE_PARTS": ["day", "month"]},
        )
    return None if parsed is None else (parsed.month, parsed.day)


def _past_year(month: int, day: int, base: dt.date) -> dt.date | None:
    """The most recent (month, day) not after ``base`` (a day of slack for time zones)."""
    for year in (base.year, base.year - 1, base.year - 4):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate <= base + dt.timedelta(days=1):
            return candidate
    return None


def _lower(precision: DatePrecision) -> DatePrecision:
    """One step less precise: used when the base day is a record timestamp, not a dateline."""
    return {"day": "week", "week": "month", "month": "month"}.get(precision, "unknown")  # type: ignore[return-value]


def resolve_date(
    mention: DateMention, base: dt.date | None, *, base_is_fallback: bool = False,
    anchor: ResolvedDate | None = None,
) -> list[ResolvedDate]:
    """The day(s) a date expression stands for, against ``base`` (usually publication day)."""
    kind = mention.kind
    if kind in ANAPHORIC_KINDS:
        if anchor is None or anchor.day is None:
            return [UNKNOWN]
        shift = mention.value if kind == "shift" else {"same": 0, "next": 1, "prev": -1}[kind]
        return [ResolvedDate(anchor.day + dt.timedelta(days=shift), anchor.precision)]
    if kind == "calendar":
        out = []
        for year, month, day in mention.items:
            out.append(_calendar_day(year, month, day, base))
        return out
    if kind in ("month", "year"):
        return [_month_or_year(mention, base)]
    if base is None:
        return [UNKNOWN]
    resolved = _relative(mention, base)
    if base_is_fallback and resolved.precision != "unknown":
        resolved = ResolvedDate(resolved.day, _lower(resolved.precision))
    return [resolved]


def _calendar_day(year: int, month: int, day: int, base: dt.date | None) -> ResolvedDate:
    if year:
        try:
            return ResolvedDate(dt.date(year, month, day), "day")
        except ValueError:
            return UNKNOWN
    if base is None:
        return UNKNOWN
    resolved = _past_year(month, day, base)
    return UNKNOWN if resolved is None else ResolvedDate(resolved, "day")


def _month_or_year(mention: DateMention, base: dt.date | None) -> ResolvedDate:
    year, month, _ = mention.items[0]
    if mention.kind == "year":
        return ResolvedDate(None, "unknown") if not year else ResolvedDate(
            dt.date(year, 1, 1), "unknown")
    if not year:
        if base is None:
            return UNKNOWN
        year = base.year if month <= base.month else base.year - 1
    return ResolvedDate(dt.date(year, month, 1), "month")


def _relative(mention: DateMention, base: dt.date) -> ResolvedDate:
    kind = mention.kind
    if kind == "today":
        return ResolvedDate(base, "day")
    if kind == "yesterday":
        return ResolvedDate(base - dt.timedelta(days=1), "day")
    if kind == "weekday":
        weekday, last = mention.value % 7, mention.value >= 7
        back = (base.weekday() - weekday) % 7
        if last and back == 0:
            back = 7
        return ResolvedDate(base - dt.timedelta(days=back), "day")
    if kind == "ago":
        day = base - dt.timedelta(days=mention.value)
        if mention.value % 7 == 0 and mention.value >= 7 and "week" in mention.text.lower():
            return ResolvedDate(day - dt.timedelta(days=day.weekday()), "week")
        return ResolvedDate(day, "day")
    if kind == "lastweek":
        monday = base - dt.timedelta(days=base.weekday() + 7 * mention.value)
        return ResolvedDate(monday, "week")
    if kind == "weekend":
        back = (base.weekday() - 5) % 7
        return ResolvedDate(base - dt.timedelta(days=back), "week")
    if kind == "rolling":
        return ResolvedDate(None, "week")
    if kind == "lastmonth":
        first = base.replace(day=1)
        if mention.value:
            first = (first - dt.timedelta(days=1)).replace(day=1)
        return ResolvedDate(first, "month")
    if kind == "lastyear":
        return ResolvedDate(dt.date(base.year - mention.value, 1, 1), "unknown")
    return UNKNOWN
