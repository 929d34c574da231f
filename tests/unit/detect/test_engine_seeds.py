"""The alert engine on incidents extracted from a real seed article (issue 4's acceptance case).

The seed article dated 2020-09-24 reports a summer of rocket and IED attacks in Iraq. Its
extracted incidents, on top of a quiet generated history, must raise an alert for Iraq in the
summer of 2020, and the alert must resolve once the counts fall back.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import orjson
import pytest

from processors.detect.alerting import hold_level
from processors.detect.detector import DetectorConfig
from processors.detect.offline import run_offline
from processors.extract.pipeline import extract_incidents
from processors.models import Incident
from processors.validate import Limits, parse_article

SEEDS = Path(__file__).resolve().parents[4] / "shared" / "seeds" / "articles.jsonl"
SUMMER_2020 = (dt.date(2020, 6, 1), dt.date(2020, 9, 30))


def _seed_article_incidents(published: str) -> list[Incident]:
    if not SEEDS.exists():
        pytest.fail(f"the seed articles are expected beside the checkout: {SEEDS}")
    for line in SEEDS.read_bytes().splitlines():
        if line.strip() and orjson.loads(line).get("published_at") == published:
            return extract_incidents(parse_article(line, limits=Limits()))
    pytest.fail(f"no seed article published on {published}")


def _quiet_history(*, start: dt.date, end: dt.date, seed: int) -> list[Incident]:
    """About one attack a fortnight somewhere in Iraq, on random days, from start to end."""
    rng = random.Random(seed)
    provinces = ("IQ-BG", "IQ-AN", "IQ-NI", "IQ-SD", "IQ-DI", "IQ-KI")
    out: list[Incident] = []
    day = start
    n = 0
    while day <= end:
        if rng.random() < 1 / 14:
            n += 1
            out.append(Incident(
                incident_id=f"hist-{n}", event_id=f"hist-{n}", article_id=f"hist-a{n}",
                event_date=day, date_precision="day", country="IQ",
                admin1=rng.choice(provinces), event_type="attack",
                perpetrator="Islamic State", confidence=1.0, extractor_version="test",
            ))  # fmt: skip
        day += dt.timedelta(days=1)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_engine_seed_article_raises_an_iraq_alert_in_summer_2020_that_resolves(seed: int) -> None:
    extracted = _seed_article_incidents("2020-09-24")
    dated = [i for i in extracted if i.country == "IQ" and i.event_date is not None]
    assert len(dated) >= 5, "the article's attacks must be extracted before they can alert"
    history = _quiet_history(start=dt.date(2018, 1, 1), end=dt.date(2020, 12, 31), seed=seed)
    incidents = history + extracted
    random.Random(seed).shuffle(incidents)

    alerts = [a for a in run_offline(incidents, config=DetectorConfig()) if a.region == "IQ"]

    raised = [a for a in alerts if a.status == "raised"]
    assert raised, "no alert for Iraq"
    first = raised[0]
    assert SUMMER_2020[0] <= first.window_end <= SUMMER_2020[1], first
    assert first.observed > first.expected
    assert set(first.event_ids) & {i.event_id for i in extracted}
    resolved = [a for a in alerts if a.status == "resolved" and a.window_end > first.window_end]
    assert resolved, f"the Iraq alert never resolved: {[a.status for a in alerts]}"
    assert resolved[0].window_end <= dt.date(2020, 12, 31)
    # Resolved means back to normal: the resolving week's count is ordinary again, and the
    # summer's sustained attacks make one episode, not a raise-resolve-raise flutter.
    assert resolved[0].observed <= hold_level(resolved[0].expected), resolved[0]
    summer = [a for a in raised if SUMMER_2020[0] <= a.window_end <= SUMMER_2020[1]]
    assert len(summer) == 1, [(a.status, a.window_end) for a in alerts]
    quiet_before = [a for a in alerts if a.window_end < SUMMER_2020[0]]
    assert quiet_before == [], "the quiet history alone must not alert"
