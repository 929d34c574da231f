"""The world's airports and air bases for ``world_places.json.gz`` (used by build_world_gazetteer).

Source: the ``airportsdata`` package (ICAO and IATA codes, name, city, subdivision name,
country, coordinates of some 28,000 airports and landing strips), a build-time dependency
like countryinfo and reverse_geocoder: the extractor reads only the generated file, so the
worker loads no package data it does not use and the shipped names stay reviewable in one
place. Kept: every airport with an IATA code (the ones news names) and every military
field (air bases, air force, army and naval air stations), landing strips without either
left out.

Each airport is mapped to the first-level unit its country's towns are mapped to: its
subdivision name matched to the country's ISO 3166-2 units (``match_subdivision``), raised
to the level the GeoNames mapping uses; failing that, the unit of the nearest mapped town
of the same country within ``_NEAR_KM``. Names are those news uses: the official name (with
and without a parenthesised alias, "International" dropped too), and for a city's main
civil airport "X airport", "X's airport" (and "X International Airport" if it is one); an
air base's stem gets the base family of suffixes ("X air base", "X airbase", "X military
base", ...).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import Any

from processors.text.fold import fold, name_key

_MILITARY = re.compile(
    r"(?i)\b(air ?base|air force|military|army|naval|air station|garrison|airfield)\b")
_TYPE_TAIL = re.compile(
    r"(?i)\s+(international\s+)?(airport|airfield|air ?base|aerodrome|airstrip|air station|"
    r"air force base|army air ?field|army air base|military air base|naval air base|"
    r"naval air station|military airport|regional airport|domestic airport)$")
_FACILITY_WORDS = frozenset({
    "airport", "airfield", "airbase", "base", "aerodrome", "airstrip", "station", "field"})
_NEAR_KM = 40.0


def _latin(name: str) -> bool:
    folded = fold(name)
    return folded.isascii() and any(c.isalpha() for c in folded)


def _has_facility_word(name: str) -> bool:
    return bool(set(name_key(name)) & _FACILITY_WORDS)


def keep(airport: dict[str, Any]) -> bool:
    """Whether news is likely to name this airport: it has an IATA code or is military."""
    return bool(airport["iata"]) or bool(_MILITARY.search(airport["name"]))


def official_names(name: str) -> list[str]:
    """'Leonardo Da Vinci (Fiumicino) International Airport' -> the name without the
    bracket, the bracket's name with the type, and each without 'International'."""
    name = fold(name).strip()
    out = [name]
    bracket = re.search(r"\s*\(([^)]*)\)\s*", name)
    if bracket:
        plain = (name[: bracket.start()] + " " + name[bracket.end():]).strip()
        out.append(re.sub(r"\s+", " ", plain))
        tail = _TYPE_TAIL.search(plain)
        if tail and bracket.group(1).strip():
            out.append(f"{bracket.group(1).strip()} {tail.group(0).strip()}")
    for n in list(out):
        if "(" not in n and re.search(r"(?i)\binternational airport$", n):
            out.append(re.sub(r"(?i)\s*international airport$", " Airport", n).strip())
    return [n for n in dict.fromkeys(out) if _latin(n) and _has_facility_word(n)]


def stem(name: str) -> str | None:
    """The name without its type words: 'Al Asad Airbase' -> 'Al Asad'."""
    plain = re.sub(r"\s*\([^)]*\)\s*", " ", fold(name)).strip()
    tail = _TYPE_TAIL.search(plain)
    if not tail:
        return None
    rest = plain[: tail.start()].strip()
    return rest if rest and _latin(rest) else None


def _rank(airport: dict[str, Any]) -> tuple[int, int, str]:
    """A city's main airport first: international, with an IATA code, civil, by code."""
    name = airport["name"].lower()
    return (-("international" in name), -bool(airport["iata"]),
            int(bool(_MILITARY.search(name))), airport["icao"])


class _Grid:
    """Mapped towns on a one-degree grid, for the nearest town's unit."""

    def __init__(self, towns: list[dict[str, Any]]) -> None:
        self.cells: dict[tuple[str, int, int], list[dict[str, Any]]] = defaultdict(list)
        for t in towns:
            if t.get("a1"):
                self.cells[(t["cc"], math.floor(t["lat"]), math.floor(t["lon"]))].append(t)

    def nearest(self, cc: str, lat: float, lon: float) -> str | None:
        best, best_km = None, _NEAR_KM
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                for t in self.cells.get((cc, math.floor(lat) + dy, math.floor(lon) + dx), ()):
                    km = _km(lat, lon, t["lat"], t["lon"])
                    if km < best_km:
                        best, best_km = t["a1"], km
        return best


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dlat = math.radians(lat2 - lat1)
    dlon = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6371.0 * math.hypot(dlat, dlon)


def build_airports(airports: dict[str, dict[str, Any]], towns: list[dict[str, Any]],
                   subdivisions: dict[str, list[Any]], level: dict[str, set[str]],
                   match: Any) -> tuple[list[dict[str, Any]], Counter[str]]:
    """Facility records for the kept airports, and how each got its unit.

    ``subdivisions``: country -> pycountry subdivisions; ``level``: country -> the ISO codes
    its towns map to; ``match``: ``match_subdivision`` of the build script.
    """
    grid = _Grid(towns)
    parents = {s.code: s.parent_code for subs in subdivisions.values() for s in subs}
    how: Counter[str] = Counter()
    kept = sorted((a for a in airports.values() if keep(a)), key=lambda a: a["icao"])
    main: dict[tuple[str, str], dict[str, Any]] = {}
    for a in sorted(kept, key=_rank):
        if a["city"] and _latin(a["city"]):
            main.setdefault((a["country"], fold(a["city"]).strip()), a)
    out = []
    for a in kept:
        cc = a["country"]
        code = _unit_from_name(a, subdivisions.get(cc, []), level.get(cc, set()), parents, match)
        if code:
            how["subdivision name"] += 1
        else:
            code = grid.nearest(cc, float(a["lat"]), float(a["lon"]))
            how["nearest town" if code else "none"] += 1
        names = official_names(a["name"])
        city = fold(a["city"]).strip() if a["city"] else ""
        military = bool(_MILITARY.search(a["name"]))
        if city and main.get((cc, city)) is a and not military:
            names += [f"{city} airport", f"{city}'s airport"]
            if "international" in a["name"].lower():
                names.append(f"{city} International Airport")
        record: dict[str, Any] = {
            "name": names[0] if names else fold(a["name"]), "type":
            "air_base" if military else "airport", "cc": cc, "a1": code,
            "lat": round(float(a["lat"]), 4), "lon": round(float(a["lon"]), 4),
            "names": list(dict.fromkeys(names)), "icao": a["icao"]}
        if military and (s := stem(a["name"])):
            record["stems"] = [s]
        if record["names"] or record.get("stems"):
            out.append(record)
    return out, how


def _unit_from_name(a: dict[str, Any], subs: list[Any], level: set[str],
                    parents: dict[str, str | None], match: Any) -> str | None:
    if not a["subd"] or not subs or not level:
        return None
    code = match(a["subd"], subs, taken=set())
    seen = 0
    while code and code not in level and seen < 3:
        code, seen = parents.get(code), seen + 1
    return code if code in level else None
