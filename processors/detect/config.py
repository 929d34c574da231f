"""The detector's configuration: every knob of the aggregator, the tests and the lifecycle.

Why each default is what it is: ``processors/detect/detector.py`` (design) and
``processors/detect/early.py`` (early verdicts). The configuration's fingerprint is stamped on
every alert (``DetectorConfig.version``).
"""

from __future__ import annotations

import hashlib
import itertools
import json

from pydantic import BaseModel, ConfigDict, Field, model_validator

from processors.models import Severity

DETECTOR_NAME = "nbscan-5"
SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high", "critical")


class DetectorConfig(BaseModel):
    """Every knob of the aggregator, the detector and the alert lifecycle (defaults documented)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Windows and event time.
    week_start: int = Field(default=0, ge=0, le=6, description="0 = Monday (ISO weeks)")
    grace_days: int = Field(default=14, ge=0, le=366)
    count_precisions: tuple[str, ...] = ("day", "week")
    country_totals: bool = True
    dimension_alerts: bool = False
    # Baseline.
    baseline_weeks: int = Field(default=104, ge=8, le=520)
    guard_weeks: int = Field(default=5, ge=0, le=26)
    min_history_weeks: int = Field(default=8, ge=2)
    full_history_weeks: int = Field(default=26, ge=0)
    season_min_weeks: int = Field(default=52, ge=26)
    season_min_events: int = Field(default=26, ge=0)
    season_prior_sd: float = Field(default=0.3, gt=0.0)
    prior_events: float = Field(default=0.5, gt=0.0)
    prior_weeks: float = Field(default=1.0, gt=0.0)
    reweight_threshold: float = Field(default=2.58, gt=0.0)
    reweight_rounds: int = Field(default=2, ge=0, le=5)
    reweight_window_weeks: int = Field(default=6, ge=1, le=12)
    reweight_window_threshold: float = Field(default=3.09, gt=0.0)
    level_half_life_weeks: float | None = Field(default=52.0, gt=0.0)
    dispersion_grid: tuple[float, ...] = (1.0, 1.15, 1.3, 1.5, 1.75, 2.0, 2.4, 3.0, 3.75,
                                          4.75, 6.0, 8.0, 10.5, 14.0)
    dispersion_poisson_prior: float = Field(default=0.15, ge=0.0, le=1.0)
    dispersion_prior_scale: float = Field(default=3.0, gt=0.0)
    dispersion_uncertainty: float = Field(default=1.0, ge=0.0)
    # The dispersion prior pooled over regions (processors/detect/pooling.py).
    dispersion_pooling: bool = True
    pooling_strength: float = Field(default=20.0, gt=0.0)
    pooling_every_weeks: int = Field(default=4, ge=1, le=52)
    # Early verdicts on open weeks (processors/detect/early.py).
    early_alerts: bool = True
    alpha_early: float = Field(default=0.025, ge=0.0, lt=0.5)
    alpha_early_scan: float = Field(default=0.0125, ge=0.0, lt=0.5)
    # Tests.
    scan_weeks: int = Field(default=6, ge=1, le=12)
    alpha_week: float = Field(default=0.006, gt=0.0, lt=0.5)
    alpha_scan: float = Field(default=0.003, gt=0.0, lt=0.5)
    scan_current_quantile: float = Field(default=0.25, gt=0.0, le=1.0)
    min_events: int = Field(default=3, ge=1)
    min_excess: float = Field(default=1.5, ge=0.0)
    # Severity bands (medium, high, critical).
    severity_z: tuple[float, float, float] = (4.0, 7.0, 12.0)
    severity_excess: tuple[float, float, float] = (5.0, 10.0, 25.0)
    # Lifecycle and alert content.
    resolve_after_weeks: int = Field(default=2, ge=1)
    max_event_ids: int = Field(default=100, ge=0)
    top_perpetrators: int = Field(default=3, ge=0)

    @model_validator(mode="after")
    def _check(self) -> DetectorConfig:
        if self.guard_weeks < self.scan_weeks - 1:
            raise ValueError("guard_weeks must be at least scan_weeks - 1")
        grid = self.dispersion_grid
        if not grid or grid[0] != 1.0 or any(b <= a for a, b in itertools.pairwise(grid)):
            raise ValueError("dispersion_grid must start at 1.0 and increase")
        return self

    @property
    def version(self) -> str:
        """Detector name plus a fingerprint of this configuration, stamped on every alert."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()
        return f"{DETECTOR_NAME}/{hashlib.sha256(blob).hexdigest()[:8]}"
