"""A dispersion prior pooled over regions (empirical Bayes), refitted as weeks close.

Why. A sparse region's own history (0.1–0.5 events a week: a dozen events in two years)
barely tells a Poisson series from one whose attacks come in rare bursts, so its posterior
over the dispersion φ stays close to the prior. The configured prior
(``dispersion_poisson_prior``, ``dispersion_prior_scale``) has to allow heavy tails anywhere,
and a sparse region pays for that with a threshold of five or six events where three would
do. Regions that see enough events do identify φ. Pooling lets them tell the sparse ones
what dispersions occur in this data: the population distribution of φ over the grid is fitted
to every region's likelihood (a nonparametric maximum-likelihood mixing distribution, EM on
the grid, Laird 1978; the hierarchical step of Farrington-style surveillance over many
series), shrunk towards the configured prior by ``pooling_strength`` pseudo-regions so a
handful of regions cannot make it sharp. Each region's own likelihood then updates the pooled
prior as before: a region whose own weeks show bursts still gets heavy tails.

When. The engine refits the prior when it closes a week whose number is a multiple of
``pooling_every_weeks`` (4), from each region's reference weeks for that week (the weeks
the week's own test reads: closed, behind the guard band), before that week's verdicts; the
early verdicts of later weeks use the newest prior. So a final verdict depends only on the
closed history of all regions, the same in any arrival order, and the prior is part of the
engine's state (``meta``).

What is pooled. The ``all`` series of every region with at least ``min_history_weeks``
reference weeks and one event in them: provinces and country totals alike (φ is a ratio of
variance to mean and roughly comparable across scales; a deployment whose country totals
are far more clumped than its provinces may want ``dispersion_pooling`` off).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from processors.detect.aggregate import RegionState
from processors.detect.baseline import dispersion_prior
from processors.detect.detector import BaselineCache, DetectorConfig, week_baseline

EM_ROUNDS = 100


def pooled_prior(logliks: Sequence[Sequence[float]], base: Sequence[float], *,
                 strength: float, rounds: int = EM_ROUNDS) -> tuple[float, ...]:  # fmt: skip
    """The mixing distribution over the grid that maximises the regions' marginal likelihood
    (``logliks``: one row per region, log-likelihood of each grid point up to a constant),
    with ``base`` worth ``strength`` pseudo-regions: EM's fixed point, after ``rounds``."""
    prior = np.asarray(base, dtype=float)
    prior = prior / prior.sum()
    if not len(logliks):
        return tuple(float(v) for v in prior)
    ll = np.asarray(logliks, dtype=float)
    if ll.ndim != 2 or ll.shape[1] != len(prior):
        raise ValueError("every region needs one log-likelihood per grid point")
    ll = ll - ll.max(axis=1, keepdims=True)
    like = np.exp(ll)
    pi = prior.copy()
    for _ in range(rounds):
        post = like * pi
        post /= np.maximum(post.sum(axis=1, keepdims=True), 1e-300)
        pi = (post.sum(axis=0) + strength * prior) / (len(ll) + strength)
    pi = np.maximum(pi, 1e-12)
    return tuple(float(v) for v in pi / pi.sum())


def region_logliks(regions: Mapping[str, RegionState], week: int, *, origin: int,
                   config: DetectorConfig, cache: BaselineCache | None = None,
                   ) -> list[tuple[float, ...]]:  # fmt: skip
    """Each region's log-likelihood over the dispersion grid from the reference weeks of
    ``week``'s test (regions with too little history or no event there are left out)."""
    span = config.baseline_weeks + config.guard_weeks + config.scan_weeks
    out: list[tuple[float, ...]] = []
    for code in sorted(regions):
        counts = regions[code].series("all", first=max(origin, week - span), last=week)
        if sum(counts[: len(counts) - 1 - config.guard_weeks]) <= 0:
            continue
        baseline = week_baseline(counts, end_week=week, config=config, cache=cache)
        if baseline is not None and baseline.loglik:
            out.append(baseline.loglik)
    return out


def refit_prior(regions: Mapping[str, RegionState], week: int, *, origin: int,
                config: DetectorConfig, cache: BaselineCache | None = None,
                ) -> tuple[float, ...] | None:  # fmt: skip
    """The pooled prior for the tests of ``week`` and after (None: no region to pool)."""
    logliks = region_logliks(regions, week, origin=origin, config=config, cache=cache)
    if not logliks:
        return None
    return pooled_prior(logliks, dispersion_prior(config), strength=config.pooling_strength)


__all__ = ["EM_ROUNDS", "pooled_prior", "refit_prior", "region_logliks"]
