"""History for the baselines: incident JSON lines or ACLED CSV rows, as ``Incident`` records.

``read_backfill(lines)`` reads either format, told apart by the first non-blank line (a JSON
object, or a CSV header with ``event_id_cnty``). JSON lines are incidents in SCHEMA.md's
prediction format (``incident_from_prediction``: the fields sitrep adds are optional). It
yields an ``Incident`` per usable record and a ``Skipped`` (line number, reason, detail) for
every other one, so nothing is dropped silently; the callers (``sitrep backfill FILE``,
``sitrep alerts FILE``) open the file, report the skipped lines and use the incidents.

ACLED's sub-event types map onto sitrep's snake_case event types; demonstrations and
strategic developments other than weapon seizures and property destruction are not violent
events and are skipped ("not_violent"). ACLED's ``time_precision`` 1/2/3 becomes day/week/
month, ``iso`` (ISO 3166-1 numeric) the country code, ``admin1`` an ISO 3166-2 code through the
place gazetteer, ``actor1`` the perpetrator and ``actor2`` / ``civilian_targeting`` the target.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Any, get_args

import orjson
import pycountry
from pydantic import ValidationError

from processors.extract.actors import find_actors
from processors.extract.places import lookup_province
from processors.extract.world import country_code, state_name
from processors.models import DatePrecision, EventType, Incident, Target
from processors.text.fold import fold

ACLED_VERSION = "acled-csv/1"
ACLED_SUB_EVENTS: dict[str, EventType | None] = {
    "armed clash": "armed_clash",
    "government regains territory": "armed_clash",
    "non-state actor overtakes territory": "armed_clash",
    "air/drone strike": "air_drone_strike",
    "suicide bomb": "suicide_bomb",
    "shelling/artillery/missile attack": "shelling_artillery_missile",
    "remote explosive/landmine/ied": "remote_explosive_ied",
    "grenade": "grenade",
    "chemical weapon": "attack",
    "attack": "attack",
    "sexual violence": "attack",
    "abduction/forced disappearance": "abduction",
    "looting/property destruction": "property_destruction",
    "disrupted weapons use": "disrupted_weapons_use",
    "excessive force against protesters": "attack",
    "mob violence": "attack",
    # Not violent events: no incident.
    "violent demonstration": None,
    "peaceful protest": None,
    "protest with intervention": None,
    "agreement": None,
    "arrests": None,
    "change to group/activity": None,
    "headquarters or base established": None,
    "non-violent transfer of territory": None,
    "other": None,
}
_PRECISION: dict[str, DatePrecision] = {"1": "day", "2": "week", "3": "month"}
_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y", "%d/%m/%Y")
_STATE_FORCES = re.compile(r"^(?:military|police) forces of (?:the )?([^(]+?)\s*(?:\(|$)", re.I)
_COALITION = re.compile(r"coalition|inherent resolve|nato|military forces of (?:the )?(?:united "
                        r"kingdom|france|germany|italy|australia|canada|netherlands|denmark|"
                        r"spain|norway)", re.I)  # fmt: skip
_TARGETS: frozenset[str] = frozenset(get_args(Target))


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record that does not become an incident, and why."""

    line: int
    reason: str
    detail: str


def read_backfill(lines: Iterable[str]) -> Iterator[Incident | Skipped]:
    """Incidents (and skipped records) from incident JSON lines or an ACLED CSV export."""
    it = iter(lines)
    head: list[str] = []
    for line in it:
        head.append(line)
        if line.strip():
            break
    first = head[-1].lstrip("\ufeff").strip() if head else ""
    rest = chain(head, it)
    if not first:
        return
    if first.startswith("{"):
        yield from _json_lines(rest)
    elif "event_id_cnty" in first:
        yield from _acled_rows(rest, blank_lines=len(head) - 1)
    else:
        yield Skipped(len(head), "unknown_format", "neither a JSON object nor an ACLED header")


def _json_lines(lines: Iterable[str]) -> Iterator[Incident | Skipped]:
    for number, line in enumerate(lines, start=1):
        text = line.lstrip("\ufeff").strip()
        if not text:
            continue
        try:
            record = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            yield Skipped(number, "not_json", str(exc))
            continue
        if not isinstance(record, dict):
            yield Skipped(number, "invalid_incident", "record: not a JSON object")
            continue
        try:
            yield incident_from_prediction(record, digest=hashlib.sha1(text.encode()).hexdigest())
        except ValidationError as exc:
            yield Skipped(number, "invalid_incident", _first_error(exc))


def incident_from_prediction(record: Mapping[str, Any], *, digest: str) -> Incident:
    """An incident from a line of SCHEMA.md's prediction format, or from sitrep's own output.

    The fields sitrep adds are optional: ``incident_id`` defaults to ``line-`` and ``digest``
    (a hash of the line, so the same line always gets the same id), ``event_id`` to the
    incident id, ``article_id`` to "unknown", ``confidence`` to 1.0, ``extractor_version`` to
    "external", ``date_precision`` to "day" when there is a date. Unknown fields (such as
    ``published_at``) are ignored; a target outside sitrep's list is dropped (only target
    dimensions read it). ``ValidationError`` when what is left is not an incident.
    """
    data = dict(record)
    incident_id = data.get("incident_id") or f"line-{digest[:16]}"
    data["incident_id"] = incident_id
    data.setdefault("event_id", incident_id)
    data.setdefault("article_id", "unknown")
    data.setdefault("confidence", 1.0)
    data.setdefault("extractor_version", "external")
    data.setdefault("country", None)
    data.setdefault("event_date", None)
    data.setdefault("date_precision", "day" if data["event_date"] else "unknown")
    if data.get("target") is not None and data["target"] not in _TARGETS:
        data["target"] = None
    return Incident.model_validate(data)


def _acled_rows(lines: Iterable[str], *, blank_lines: int) -> Iterator[Incident | Skipped]:
    cleaned = (line.lstrip("\ufeff") for line in lines if line.strip())
    for number, row in enumerate(csv.DictReader(cleaned), start=2 + blank_lines):
        try:
            yield incident_from_acled(row)
        except SkipRecord as skip:
            yield Skipped(number, skip.reason, str(skip))


class SkipRecord(ValueError):
    """Raised by ``incident_from_acled`` for a row that is not a usable violent event."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def incident_from_acled(row: Mapping[str, str | None]) -> Incident:
    """The incident an ACLED CSV row describes; ``SkipRecord`` when it describes none."""
    def field(name: str) -> str:
        return (row.get(name) or "").strip()

    event_id = field("event_id_cnty")
    if not event_id:
        raise SkipRecord("invalid_incident", "no event_id_cnty")
    sub_event = field("sub_event_type").lower()
    if sub_event not in ACLED_SUB_EVENTS:
        raise SkipRecord("unknown_sub_event_type", f"{event_id}: {field('sub_event_type')!r}")
    event_type = ACLED_SUB_EVENTS[sub_event]
    if event_type is None:
        raise SkipRecord("not_violent", f"{event_id}: {field('sub_event_type')}")
    event_date = parse_acled_date(field("event_date"))
    if event_date is None:
        raise SkipRecord("invalid_incident", f"{event_id}: bad event_date {field('event_date')!r}")
    country = acled_country(field("iso"), field("country"))
    admin1 = None
    if field("admin1"):
        info = lookup_province(field("admin1"))
        admin1 = info.code if info is not None and info.country == country else None
    civilians = "civilian" in field("civilian_targeting").lower()
    try:
        return _acled_incident(row, event_id, event_date, event_type, country, admin1, civilians)
    except ValidationError as exc:
        raise SkipRecord("invalid_incident", f"{event_id}: {_first_error(exc)}") from exc


def _acled_incident(row: Mapping[str, str | None], event_id: str, event_date: dt.date,
                    event_type: EventType, country: str | None, admin1: str | None,
                    civilians: bool) -> Incident:  # fmt: skip
    def field(name: str) -> str:
        return (row.get(name) or "").strip()

    return Incident(
        incident_id=f"acled-{event_id}",
        event_id=f"acled-{event_id}",
        article_id=f"acled-{event_id}",
        event_date=event_date,
        date_precision=_PRECISION.get(field("time_precision"), "day"),
        country=country,
        admin1=admin1,
        place=field("location") or None,
        latitude=_number(field("latitude")),
        longitude=_number(field("longitude")),
        geo_precision=_geo_precision(field("geo_precision")),
        event_type=event_type,
        perpetrator=acled_perpetrator(field("actor1")),
        target="civilians" if civilians else acled_target(field("actor2"), country=country),
        killed=_count(field("fatalities")),
        confidence=1.0,
        extractor_version=ACLED_VERSION,
        sources=[s.strip() for s in field("source").split(";") if s.strip()],
    )


def parse_acled_date(text: str) -> dt.date | None:
    """An ACLED ``event_date`` ("2020-07-24", "24 July 2020", "24-July-2020"), or None."""
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def acled_country(iso: str, name: str) -> str | None:
    """ISO 3166-1 alpha-2 code from ACLED's numeric ``iso`` column, else from the name."""
    found = None
    if iso.strip().isdigit():
        found = pycountry.countries.get(numeric=iso.strip().zfill(3))
    if found is None and name:
        try:
            found = pycountry.countries.lookup(name)
        except LookupError:
            found = None
    return str(found.alpha_2) if found is not None else None


def _state_code(name: str) -> str | None:
    """The ISO code of the state an ACLED "Military Forces of X" names."""
    return country_code(fold(name.strip())) or acled_country("", name.strip())


def acled_perpetrator(actor: str) -> str | None:
    """The canonical perpetrator an ACLED ``actor1`` names, or None (unidentified, other)."""
    if not actor or actor.lower().startswith("unidentified") or _COALITION.search(actor):
        return None
    forces = _STATE_FORCES.match(actor)
    if forces:
        code = _state_code(forces.group(1))
        return state_name(code) if code else None  # SCHEMA v2: a state's forces are the state
    named = [m.name for m in find_actors(fold(actor)) if m.name]
    return named[0] if named else None


def acled_target(actor: str, *, country: str | None = None) -> Target | None:
    """The target class an ACLED ``actor2`` belongs to, or None; a state's forces are
    ``security_forces`` where the event happened (``country``), ``foreign_forces`` abroad."""
    if not actor:
        return None
    low = actor.lower()
    if low.startswith(("civilians", "protesters")):
        return "civilians"
    if _COALITION.search(actor):
        return "coalition_forces"
    forces = _STATE_FORCES.match(actor)
    if forces:
        code = _state_code(forces.group(1))
        if code == "US":
            return "us_forces"
        if code is None or country is None or code == country:
            return "security_forces" if code else None
        return "foreign_forces"
    if low.startswith("government of"):
        return "government"
    for mention in find_actors(fold(actor)):
        if mention.target in _TARGETS:
            return mention.target  # type: ignore[return-value]
    return None


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _count(text: str) -> int | None:
    try:
        value = int(float(text))
    except (ValueError, OverflowError):
        return None
    return value if value >= 0 else None


def _geo_precision(text: str) -> int | None:
    return int(text) if text in ("1", "2", "3") else None


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ())) or "record"
    return f"{where}: {err.get('msg', 'invalid')}"
