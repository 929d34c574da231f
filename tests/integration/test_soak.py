"""The chaos soak, short: three minutes of faults of every kind on a dedicated broker.
``make soak`` runs the same for thirty minutes."""

from __future__ import annotations

from pathlib import Path

from harness.soak import run_soak

MINUTES = 3.0
SEED = 20


def test_soak_three_minutes_of_faults_lose_duplicate_and_misroute_nothing(
    tmp_path: Path,
) -> None:
    verdict = run_soak(tmp_path, minutes=MINUTES, seed=SEED, rate=5.0, faults=5)
    kinds = verdict["faults_by_kind"]
    assert verdict["faults"] >= 5 and len(kinds) >= 3, verdict
    assert {"kill", "broker_restart", "hostile_burst"} <= set(kinds), verdict
    assert verdict["incidents_expected"] > 0 and verdict["alerts_expected"] > 0, verdict
    assert verdict["found"] == verdict["incidents_expected"], verdict
    assert verdict["missing"] == verdict["conflicting"] == verdict["unexpected"] == 0, verdict
    assert verdict["dead_letters_found"] == verdict["dead_letters_expected"] > 0, verdict
    assert verdict["good_on_dlq"] == 0, verdict
    assert verdict["alerts_equal"] and verdict["offline_alerts_equal"], verdict
    assert verdict["worker_exits_unexpected"] == 0, verdict
    assert verdict["ok"], verdict
