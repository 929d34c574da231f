#!/usr/bin/env python3
"""Generate ``seeds/history.jsonl``: a year of fictional past incidents for the detector's baseline.

The demo articles in ``seeds/articles.jsonl`` report events of 2024-03-03 .. 2024-04-13. The
escalation detector needs to know what "normal" looks like for each region before that, so this
script writes one Incident JSON line per past event from 2023-03-01 to 2024-03-03, for the
regions the articles talk about, at low and sparse rates (events per week, Poisson, fixed seed):

    Diyala 0.5, Anbar 0.3, Kirkuk 0.4, Nineveh 0.3, Baghdad 0.6, Salahuddin 0.5, Deir ez-Zor 0.8

The output is deterministic: the same seed gives the same bytes. The default seed is one whose
sampled year sits close to the nominal rates above (Poisson noise over 52 weeks is otherwise
+-30%). Standard library only.

    python scripts/make_history.py                  # writes seeds/history.jsonl
    python scripts/make_history.py --seed 7 --out /tmp/h.jsonl
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START = dt.date(2023, 3, 1)
END = dt.date(2024, 3, 3)  # inclusive; the demo articles are published from 2024-03-05
SEED = 20240372

# region key -> (country, admin1, events per week, [(place, latitude, longitude), ...])
REGIONS: dict[str, tuple[str, str, float, list[tuple[str, float, float]]]] = {
    "diyala": ("IQ", "IQ-DI", 0.5, [
        ("Baquba", 33.7540, 44.6052), ("Muqdadiya", 33.9786, 44.9369),
        ("Khalis", 33.8081, 44.5334), ("Balad Ruz", 33.6963, 45.0778),
        ("Khanaqin", 34.3482, 45.3907), ("Mandali", 33.7481, 45.5550),
        ("Jalawla", 34.2710, 45.1680)]),
    "anbar": ("IQ", "IQ-AN", 0.3, [
        ("Ramadi", 33.4206, 43.3078), ("Fallujah", 33.3491, 43.7860),
        ("Hit", 33.6366, 42.8277), ("Haditha", 34.1366, 42.3773),
        ("Rutba", 33.0372, 40.2859), ("Al Qaim", 34.3925, 40.9895),
        ("Rawa", 34.4823, 41.9190)]),
    "kirkuk": ("IQ", "IQ-KI", 0.4, [
        ("Kirkuk", 35.4681, 44.3922), ("Hawija", 35.3259, 43.7727),
        ("Daquq", 35.1392, 44.4491), ("Dibis", 35.6748, 44.0707),
        ("Riyadh", 35.2696, 43.9107), ("Abbasi", 35.2752, 43.5959)]),
    "nineveh": ("IQ", "IQ-NI", 0.3, [
        ("Mosul", 36.3350, 43.1189), ("Sinjar", 36.3209, 41.8766),
        ("Tal Afar", 36.3791, 42.4481), ("Qayyarah", 35.7993, 43.2945),
        ("Baaj", 36.0426, 41.7163), ("Hatra", 35.5729, 42.7340)]),
    "baghdad": ("IQ", "IQ-BG", 0.6, [
        ("Baghdad", 33.3406, 44.4009), ("Abu Ghraib", 33.3056, 44.1848),
        ("Mahmudiyah", 33.0622, 44.3656), ("Tarmiyah", 33.6744, 44.3958),
        ("Sadr City", 33.3889, 44.4583)]),
    "salahuddin": ("IQ", "IQ-SD", 0.5, [
        ("Tikrit", 34.6158, 43.6786), ("Samarra", 34.1959, 43.8857),
        ("Baiji", 34.9292, 43.4888), ("Tuz Khurmatu", 34.8881, 44.6326),
        ("Balad", 34.0149, 44.1457), ("Sharqat", 35.5172, 43.2281),
        ("Dujail", 33.8467, 44.2344)]),
    "deir_ez_zor": ("SY", "SY-DY", 0.8, [
        ("Deir ez-Zor", 35.3359, 40.1408), ("Al Mayadin", 35.0198, 40.4515),
        ("Albu Kamal", 34.4523, 40.9185), ("Hajin", 34.6951, 40.8314),
        ("Dhiban", 35.0150, 40.5103), ("al-Busayrah", 35.1562, 40.4272),
        ("Al Asharah", 34.9213, 40.5601)]),
}

# event-type mix per region (weights)
EVENT_MIX: dict[str, dict[str, float]] = {
    "diyala": {"remote_explosive_ied": 3, "attack": 3, "armed_clash": 2, "abduction": 1,
               "property_destruction": 1},
    "anbar": {"remote_explosive_ied": 3, "attack": 2, "armed_clash": 2,
              "shelling_artillery_missile": 1},
    "kirkuk": {"remote_explosive_ied": 3, "armed_clash": 3, "attack": 2, "property_destruction": 1},
    "nineveh": {"remote_explosive_ied": 2, "attack": 2, "armed_clash": 2, "abduction": 1},
    "baghdad": {"remote_explosive_ied": 4, "attack": 3, "grenade": 1, "abduction": 1},
    "salahuddin": {"remote_explosive_ied": 3, "armed_clash": 3, "attack": 2,
                   "property_destruction": 1},
    "deir_ez_zor": {"attack": 4, "remote_explosive_ied": 2, "armed_clash": 2,
                    "shelling_artillery_missile": 1},
}

# who tends to be hit, per event type (weights); Syria's local forces are outside the
# schema's target list, so they are left as null there
TARGET_MIX: dict[str, dict[str | None, float]] = {
    "remote_explosive_ied": {"security_forces": 6, "civilians": 4},
    "attack": {"civilians": 6, "security_forces": 3, "government": 1},
    "armed_clash": {"security_forces": 1},
    "abduction": {"civilians": 1},
    "property_destruction": {"infrastructure": 1},
    "grenade": {"civilians": 1},
    "shelling_artillery_missile": {"us_forces": 1},
}
SYRIA_TARGET_MIX: dict[str, dict[str | None, float]] = {
    "remote_explosive_ied": {None: 5, "civilians": 5},
    "attack": {"civilians": 7, None: 3},
    "armed_clash": {None: 1},
    "shelling_artillery_missile": {"us_forces": 1},
}
# share of events with a stated perpetrator (always Islamic State in this synthetic history)
PERPETRATOR_SHARE: dict[str, float] = {
    "remote_explosive_ied": 0.45, "attack": 0.5, "armed_clash": 0.8, "abduction": 0.3,
    "property_destruction": 0.7, "grenade": 0.1, "shelling_artillery_missile": 0.0,
}


def poisson(rng: random.Random, lam: float) -> int:
    """Knuth's method; fine for the small rates used here."""
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def weighted(rng: random.Random, weights: dict) -> object:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys], k=1)[0]


def casualties(rng: random.Random, event_type: str) -> tuple[int | None, int | None]:
    if event_type in ("abduction", "property_destruction"):
        return None, None
    killed = rng.choices([None, 0, 1, 2, 3, 4, 5], weights=[2, 2, 5, 4, 2, 1, 1], k=1)[0]
    injured = rng.choices([None, 0, 1, 2, 3, 4, 6], weights=[3, 1, 4, 4, 2, 1, 1], k=1)[0]
    if event_type == "shelling_artillery_missile":  # rockets at bases rarely hurt anyone
        killed, injured = rng.choice([(0, 0), (None, None), (0, 1)])
    return killed, injured


def generate(seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    events: list[tuple[dt.date, str, dict]] = []
    day = START
    while day <= END:
        for region, (country, admin1, per_week, places) in REGIONS.items():
            for _ in range(poisson(rng, per_week / 7.0)):
                place, lat, lon = rng.choice(places)
                event_type = str(weighted(rng, EVENT_MIX[region]))
                mix = SYRIA_TARGET_MIX if country == "SY" else TARGET_MIX
                target = weighted(rng, mix[event_type])
                perpetrator = ("Islamic State"
                               if rng.random() < PERPETRATOR_SHARE[event_type] else None)
                killed, injured = casualties(rng, event_type)
                events.append((day, region, {
                    "country": country, "admin1": admin1, "place": place,
                    "latitude": lat, "longitude": lon, "event_type": event_type,
                    "perpetrator": perpetrator, "target": target,
                    "killed": killed, "injured": injured,
                }))
        day += dt.timedelta(days=1)

    records = []
    for n, (day, _region, e) in enumerate(events, start=1):
        records.append({
            "schema_version": 1,
            "incident_id": f"hist-{n}",
            "event_id": f"hist-{n}",
            "article_id": "history",
            "event_date": day.isoformat(),
            "date_precision": "day",
            "country": e["country"],
            "admin1": e["admin1"],
            "place": e["place"],
            "latitude": e["latitude"],
            "longitude": e["longitude"],
            "geo_precision": 1,
            "event_type": e["event_type"],
            "perpetrator": e["perpetrator"],
            "attribution": "stated" if e["perpetrator"] else None,
            "target": e["target"],
            "killed": e["killed"],
            "injured": e["injured"],
            "kidnapped": None,
            "background": False,
            "evidence": [],
            "confidence": 1.0,
            "extractor_version": "history-1",
            "version": 1,
            "sources": ["history"],
            "corroboration": 1,
        })
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=ROOT / "seeds" / "history.jsonl")
    args = parser.parse_args()
    records = generate(args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="\n") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    print(f"wrote {len(records)} past incidents ({START} .. {END}) to {args.out}")


if __name__ == "__main__":
    main()
