"""processors.detect.pooling: the dispersion prior pooled over regions (empirical Bayes)."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from processors.detect.baseline import dispersion_prior, fit_baseline
from processors.detect.detector import DetectorConfig
from processors.detect.engine import AlertEngine
from processors.detect.pooling import pooled_prior, refit_prior
from processors.models import Incident

CONFIG = DetectorConfig()
GRID = len(CONFIG.dispersion_grid)
BASE = dispersion_prior(CONFIG)
END = 3000

logliks = st.lists(st.lists(st.floats(-50.0, 0.0), min_size=GRID, max_size=GRID), max_size=12)


@given(rows=logliks, strength=st.floats(0.5, 100.0))
@settings(max_examples=60, deadline=None)
def test_pooling_prior_is_a_distribution_whatever_the_regions_say(
        rows: list[list[float]], strength: float) -> None:  # fmt: skip
    prior = pooled_prior(rows, BASE, strength=strength)
    assert len(prior) == GRID
    assert all(p > 0.0 for p in prior)
    assert sum(prior) == pytest.approx(1.0)


@given(rows=logliks)
@settings(max_examples=40, deadline=None)
def test_pooling_prior_does_not_depend_on_the_order_of_regions(rows: list[list[float]]) -> None:
    forward = pooled_prior(rows, BASE, strength=20.0)
    backward = pooled_prior(rows[::-1], BASE, strength=20.0)
    assert forward == pytest.approx(backward, abs=1e-9)


def test_pooling_without_regions_or_with_flat_likelihoods_keeps_the_configured_prior() -> None:
    assert pooled_prior([], BASE, strength=20.0) == pytest.approx(BASE)
    assert pooled_prior([[0.0] * GRID] * 30, BASE, strength=20.0) == pytest.approx(BASE)


def test_pooling_follows_regions_that_know_their_dispersion() -> None:
    # 200 regions whose data single out phi = 1.5: the pooled prior moves its mass there, and
    # more so the weaker the pull of the configured prior.
    row = [-0.0 if d == 1.5 else -30.0 for d in CONFIG.dispersion_grid]
    k = CONFIG.dispersion_grid.index(1.5)
    strong = pooled_prior([row] * 200, BASE, strength=200.0)
    weak = pooled_prior([row] * 200, BASE, strength=5.0)
    assert BASE[k] < strong[k] < weak[k]
    assert weak[k] > 0.9


def test_pooling_rejects_rows_of_the_wrong_length() -> None:
    with pytest.raises(ValueError):
        pooled_prior([[0.0, 0.0]], BASE, strength=20.0)


def test_pooling_prior_of_poisson_regions_sharpens_a_sparse_baseline() -> None:
    # Dense Poisson regions tell a sparse one that heavy tails are rare here: its predictive
    # chance of a 4-event week falls (a lower threshold: the point of pooling).
    rng = np.random.default_rng(5)
    rows = [fit_baseline(rng.poisson(3.0, 104).tolist(), first_week=END - 104,
                         test_weeks=[END], config=CONFIG).loglik for _ in range(60)]  # fmt: skip
    prior = pooled_prior(rows, BASE, strength=20.0)
    sparse = rng.poisson(0.2, 104).tolist()
    own = fit_baseline(sparse, first_week=END - 104, test_weeks=[END], config=CONFIG)
    pooled = fit_baseline(sparse, first_week=END - 104, test_weeks=[END], config=CONFIG,
                          prior=prior)  # fmt: skip
    assert pooled.dispersion < own.dispersion


def _incident(n: int, region: str, day: dt.date) -> Incident:
    return Incident(incident_id=f"{region}-{n}", event_id=f"{region}-{n}", article_id="a",
                    event_date=day, date_precision="day", country=region, event_type="attack",
                    confidence=0.9, extractor_version="test", version=1)  # fmt: skip


def _regions(weeks: int) -> list[Incident]:
    rng = np.random.default_rng(3)
    start = dt.date(2024, 1, 1)
    out = []
    for r, mean in enumerate([0.3, 1.0, 2.0, 4.0]):
        region = "ABCD"[r] + "Q"
        for w, count in enumerate(rng.poisson(mean, weeks).tolist()):
            out += [_incident(100 * w + j, region, start + dt.timedelta(days=7 * w + j % 7))
                    for j in range(count)]  # fmt: skip
    return out


def test_engine_pools_the_prior_and_keeps_it_in_its_state() -> None:
    engine = AlertEngine(CONFIG)
    for inc in _regions(60):
        engine.add(inc)
    engine.advance(dt.date(2025, 3, 1))
    meta = engine.to_state()["entries"]["meta"]
    assert meta["dispersion_prior"] is not None
    assert meta["dispersion_prior"] != pytest.approx(list(BASE))
    restored = AlertEngine.from_state(json.loads(json.dumps(engine.to_state())), CONFIG)
    assert restored.to_state() == engine.to_state()


def test_engine_without_pooling_keeps_the_configured_prior() -> None:
    config = DetectorConfig(dispersion_pooling=False)
    engine = AlertEngine(config)
    for inc in _regions(60):
        engine.add(inc)
    engine.advance(dt.date(2025, 3, 1))
    assert engine.to_state()["entries"]["meta"]["dispersion_prior"] is None


def test_refit_prior_is_none_without_history() -> None:
    assert refit_prior({}, END, origin=END - 10, config=CONFIG) is None
