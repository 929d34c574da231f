"""Deterministic test corpora for the fault runs: event articles, and malformed or hostile input.

``event_articles(n)`` writes ``n`` wire-style reports from templates (places across Iraq's
provinces, actors, weapons, casualty figures, weekdays and calendar dates), spread over weeks,
with a surge in one province and some events reported twice, so that correlation merges
reports and the detector raises alerts. ``hostile_messages()`` gives every kind of bad input
the validator must dead-letter and the edge cases it must accept. Nothing reads the clock:
the same arguments give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import orjson

START = dt.date(2024, 1, 1)
WEEKS = 26
SURGE_PROVINCE = "Diyala"

# (town, province) pairs the gazetteer knows; the province appears in the text as well.
PLACES: tuple[tuple[str, str], ...] = (
    ("Kirkuk", "Kirkuk"), ("Hawija", "Kirkuk"), ("Daquq", "Kirkuk"),
    ("Tikrit", "Salahuddin"), ("Samarra", "Salahuddin"), ("Baiji", "Salahuddin"),
    ("Baqubah", "Diyala"), ("Muqdadiyah", "Diyala"), ("Khanaqin", "Diyala"),
    ("Jalawla", "Diyala"), ("Mandali", "Diyala"), ("Khalis", "Diyala"), ("Balad Ruz", "Diyala"),
    ("Mosul", "Nineveh"), ("Sinjar", "Nineveh"), ("Tal Afar", "Nineveh"),
    ("Ramadi", "Anbar"), ("Fallujah", "Anbar"), ("Haditha", "Anbar"),
    ("Abu Ghraib", "Baghdad"), ("Tarmiyah", "Baghdad"),
    ("Hillah", "Babil"), ("Jurf al-Sakhar", "Babil"),
    ("Basra", "Basra"), ("Erbil", "Erbil"), ("Kut", "Wasit"),
)
SURGE_PLACES = tuple(p for p in PLACES if p[1] == SURGE_PROVINCE)
_QUIET_PLACES = tuple(p for p in PLACES if p[1] != SURGE_PROVINCE)
ACTORS = ("Islamic State militants", "suspected Islamic State fighters", "unidentified gunmen",
          "an Iran-backed militia", "insurgents")
VICTIMS = (("soldiers", "an army patrol"), ("policemen", "a police checkpoint"),
           ("civilians", "a market"), ("members of the Popular Mobilisation Forces",
                                       "a PMF position"), ("shepherds", "a village"))
NUMBERS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twelve")
SOURCES = ("Tigris Wire", "Northern Desk", "Euphrates Daily", "Gulf Bulletin")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

_LEADS = (
    "{n_killed} {victims} were killed and {n_injured} wounded on {when} when a roadside bomb "
    "struck {target} in {town}, in {province} province, security officials said.",
    "{actor} attacked {target} in {town} in {province} province on {when}, killing "
    "{n_killed} {victims} and wounding {n_injured}, a local official said.",
    "A suicide bomber blew himself up at {target} in {town}, {province} province, on {when}, "
    "killing {n_killed} {victims}, police said.",
    "Gunmen kidnapped {n_killed} {victims} in {town} in {province} province on {when}, "
    "a security source said.",
    "Mortar rounds hit {target} in {town} in {province} province on {when}, killing "
    "{n_killed} {victims}, officials said.",
)
_FILLER = (
    "No group immediately claimed responsibility.",
    "The wounded were taken to a hospital in the provincial capital.",
    "Security forces sealed off the area and launched a search operation.",
    "Local officials called for reinforcements to the area.",
)


@dataclass(frozen=True, slots=True)
class _Event:
    day: dt.date
    town: str
    province: str
    lead: int
    actor: str
    victims: tuple[str, str]
    killed: str
    injured: str


def _when(day: dt.date, published: dt.date, style: int) -> str:
    """How a report names the event day: a weekday within the week, or a calendar date."""
    if style == 0 and 0 < (published - day).days < 7:
        return WEEKDAYS[day.weekday()]
    return f"{MONTHS[day.month - 1]} {day.day}"


def _body(event: _Event, published: dt.date, rng: random.Random) -> tuple[str, str]:
    when = _when(event.day, published, rng.randrange(2))
    lead = _LEADS[event.lead].format(
        n_killed=event.killed, n_injured=event.injured, victims=event.victims[0],
        target=event.victims[1], town=event.town, province=event.province, actor=event.actor,
        when=when)
    lead = lead[0].upper() + lead[1:]
    filler = " ".join(rng.sample(_FILLER, 2))
    dateline = f"{event.town.upper()}, Iraq, {MONTHS[published.month - 1]} {published.day} - "
    title = f"{event.killed.capitalize()} {event.victims[0]} hit in {event.town}"
    return title, f"{title}\n\n{dateline}{lead}\n\n{filler}"


def _event(rng: random.Random, week: int, weeks: int) -> _Event:
    # The surge province is quiet (one report in thirty) except in three weeks near the end.
    surge_weeks = range(weeks - 4, weeks - 1)
    surge = rng.random() < (0.6 if week in surge_weeks else 0.03)
    town, province = rng.choice(SURGE_PLACES if surge else _QUIET_PLACES)
    return _Event(day=START + dt.timedelta(days=7 * week + rng.randrange(7)), town=town,
                  province=province, lead=rng.randrange(len(_LEADS)), actor=rng.choice(ACTORS),
                  victims=rng.choice(VICTIMS), killed=rng.choice(NUMBERS),
                  injured=rng.choice(NUMBERS))


def event_articles(n: int, *, seed: int = 7, prefix: str = "rel",
                   weeks: int = WEEKS) -> list[tuple[bytes, bytes]]:
    """``n`` (key, value) article records over ``weeks`` weeks, in publication order; about
    one in eight reports an event an earlier article already reported (another source)."""
    rng = random.Random(seed)
    per_week = max(1, n // weeks)
    records: list[tuple[dt.date, bytes, bytes]] = []
    reported: list[_Event] = []
    for number in range(n):
        week = min(number // per_week, weeks - 1)
        if reported and rng.random() < 0.125:
            event = rng.choice(reported[-20:])  # a second report of a recent event
        else:
            event = _event(rng, week, weeks)
            reported.append(event)
        published = event.day + dt.timedelta(days=rng.randrange(1, 3))
        title, body = _body(event, published, rng)
        article_id = f"{prefix}-{number:05d}"
        value = orjson.dumps({"id": article_id, "url": None,
                              "source": rng.choice(SOURCES), "title": title,
                              "published_at": published.isoformat(), "body": body})
        records.append((published, article_id.encode(), value))
    records.sort(key=lambda r: r[0])  # stable: publication order, then generation order
    return [(key, value) for _, key, value in records]


@dataclass(frozen=True, slots=True)
class Message:
    """One message of the bad-input corpus: its kind, bytes, and whether it must be rejected."""

    kind: str
    key: bytes
    value: bytes
    bad: bool


def _article(article_id: str, body: object, **fields: object) -> bytes:
    record: dict[str, object] = {"id": article_id, "url": None, "source": "Test Wire",
                                 "title": "Test", "published_at": "2024-05-02", "body": body}
    record.update(fields)
    return orjson.dumps({k: v for k, v in record.items() if v is not ...})


_GOOD_BODY = ("Gunmen attacked a police checkpoint near Tikrit in Salahuddin province on "
              "Wednesday, killing two policemen and wounding three others, officials said.")


def hostile_messages(*, several_mb: int = 3_000_000) -> list[Message]:
    """Every kind of malformed and hostile input, and the edge cases that are valid."""
    nested = b"[" * 40 + b"]" * 40
    bad = [
        ("not_json", b"this is not json {"),
        ("not_json", b""),
        ("invalid_utf8", b"\xff\xfe\xfd\x00\x80"),
        ("invalid_utf8", b'{"id": "u-1", "body": "caf\xe9 bomb"}'),
        ("not_an_object", b"[1, 2, 3]"),
        ("not_an_object", b'"just a string"'),
        ("wrong_types", _article("wt-1", 42)),
        ("wrong_types", _article("wt-2", ["a", "list"])),
        ("wrong_types", _article("wt-3", _GOOD_BODY, title={"nested": 1})),
        ("wrong_types", orjson.dumps({"id": 17, "body": _GOOD_BODY})),
        ("missing_fields", orjson.dumps({"id": "mf-1", "title": "no body"})),
        ("missing_fields", orjson.dumps({"body": _GOOD_BODY})),
        ("empty_fields", _article("", _GOOD_BODY)),
        ("empty_fields", _article("ef-2", "")),
        ("empty_fields", _article("ef-3", "   \n\t ")),
        ("huge_body", _article("huge-1", "bomb " * (several_mb // 5))),
        ("huge_message", _article("huge-2", "x", padding="p" * (several_mb * 2))),
        ("deep_json", b'{"id": "deep-1", "body": "b", "x": ' + nested + b"}"),
        ("deep_json", b"[" * 100_000 + b"]" * 100_000),
        ("bad_date", _article("date-1", _GOOD_BODY, published_at="1900-01-01")),
        ("bad_date", _article("date-2", _GOOD_BODY, published_at="2999-01-01")),
        ("bad_date", _article("date-3", _GOOD_BODY, published_at="not a date")),
    ]
    good = [
        ("plain", _article("ok-1", _GOOD_BODY)),
        ("html", _article("ok-html", "<html><body><p>" + _GOOD_BODY + "</p><script>alert(1)"
                                     "</script></body></html>")),
        ("non_english", _article("ok-ar", "هجوم صاروخي على قاعدة عين الأسد في الأنبار. "
                                          "Attaque à la roquette près de Ramadi.")),
        ("non_english", _article("ok-zh", "巴格达发生爆炸 — 两人死亡。")),
        ("control_chars", _article("ok-ctl", _GOOD_BODY + "\u0000\u202e\ufeff")),
        ("extra_fields", _article("ok-extra", _GOOD_BODY, extra={"a": [1, 2]}, more=None)),
        ("duplicate_id", _article("dup-1", _GOOD_BODY)),
        ("duplicate_id", _article("dup-1", _GOOD_BODY.replace("two policemen",
                                                              "four policemen"))),
        ("duplicate_id", _article("dup-1", _GOOD_BODY)),  # a plain redelivery of version one
        ("date_time", _article("ok-dt", _GOOD_BODY, published_at="2024-05-02T10:00:00+03:00")),
        ("no_date", _article("ok-nodate", _GOOD_BODY, published_at=None)),
    ]
    out = [Message(kind, f"bad-{n}".encode(), value, True) for n, (kind, value) in enumerate(bad)]
    out += [Message(kind, f"good-{n}".encode(), value, False)
            for n, (kind, value) in enumerate(good)]
    return out


__all__ = ["Message", "event_articles", "hostile_messages"]
