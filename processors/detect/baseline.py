"""A series' baseline: the posterior predictive of its weekly counts from its own history.

Steps 1-3 of the design in ``processors/detect/detector.py``: a penalised Poisson fit of the
level and an annual shape, past escalations down-weighted (single weeks and runs), and a
posterior over the dispersion φ on a grid, each component widened by φ's own uncertainty.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import betainc, gammainc, gammaln, ndtr, ndtri

from processors.detect.config import DetectorConfig

_YEAR_WEEKS = 365.2425 / 7.0


@dataclass(frozen=True, slots=True)
class Baseline:
    """What a series' history predicts for the weeks under test: a mixture over dispersions."""

    shape: tuple[float, ...]  # seasonal multiplier of each tested week, oldest first
    shape_var: tuple[float, ...]  # relative variance of that multiplier (the fit's uncertainty)
    weights: tuple[float, ...]  # posterior probability of each dispersion on the grid
    dispersions: tuple[float, ...]
    levels: tuple[float, ...]  # posterior mean level (events a week) under each dispersion
    level_vars: tuple[float, ...]  # and its posterior variance
    reference_weeks: int
    # The (down-weighted) reference weeks' log-likelihood under each dispersion, up to a
    # constant: what the population prior of ``processors/detect/pooling.py`` is fitted on.
    loglik: tuple[float, ...] = ()

    @property
    def dispersion(self) -> float:
        """Posterior mean of the dispersion φ."""
        return float(sum(w * d for w, d in zip(self.weights, self.dispersions, strict=True)))

    @property
    def means(self) -> tuple[float, ...]:
        """Predicted mean of each tested week."""
        level = sum(w * v for w, v in zip(self.weights, self.levels, strict=True))
        return tuple(level * s for s in self.shape)


def nb_tail(observed: int, mean: float, variance: float) -> float:
    """P(Y ≥ observed) for a negative binomial with this mean and variance (Poisson if ≤ mean)."""
    if observed <= 0:
        return 1.0
    mean = max(mean, 1e-12)
    if variance <= mean * (1.0 + 1e-9):
        return float(gammainc(observed, mean))
    size = mean * mean / (variance - mean)
    return float(betainc(observed, size, mean / (size + mean)))


def _nb_tails(y: np.ndarray, mu: np.ndarray, phi: float) -> np.ndarray:
    # P(Y >= y) week by week, variance φ·μ.
    tail = np.ones_like(y)
    pos = y > 0
    m = np.maximum(mu[pos], 1e-12)
    if phi <= 1.0 + 1e-9:
        tail[pos] = gammainc(y[pos], m)
    else:
        size = m / (phi - 1.0)
        tail[pos] = betainc(y[pos], size, m / (size + m))
    return tail


def _mixture_tails(y: np.ndarray, mu: np.ndarray, post: np.ndarray,
                   grid: Sequence[float], *, cut: float | None = None) -> np.ndarray:  # fmt: skip
    # P(Y >= y) element by element under the posterior mixture over the dispersion grid
    # (components of weight <= 1e-6 left out). With ``cut``, an element stops accumulating
    # once past it, heaviest components first: its value is then only known to exceed ``cut``.
    tail = np.zeros(len(y))
    live = np.arange(len(y))
    for k in np.argsort(post)[::-1]:
        if post[k] <= 1e-6 or not len(live):
            break
        tail[live] += post[k] * _nb_tails(y[live], mu[live], float(grid[k]))
        if cut is not None:
            live = live[tail[live] <= cut]
    return tail


def _nb_logpmf(y: np.ndarray, mu: np.ndarray, phi: float) -> np.ndarray:
    if phi <= 1.0 + 1e-9:
        return np.asarray(y * np.log(mu) - mu - gammaln(y + 1.0))
    size = mu / (phi - 1.0)
    return np.asarray(gammaln(y + size) - gammaln(size) - gammaln(y + 1.0)
                      + size * np.log(size / (size + mu)) + y * np.log(mu / (size + mu)))


def _design(weeks: np.ndarray, seasonal: bool) -> np.ndarray:
    cols = [np.ones_like(weeks)]
    if seasonal:
        angle = 2.0 * math.pi * weeks / _YEAR_WEEKS
        cols += [np.sin(angle), np.cos(angle)]
    return np.stack(cols, axis=1)


def _fit_shape(y: np.ndarray, x: np.ndarray, w: np.ndarray,
               prior_sd: float) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    # Penalised Poisson IRLS; the intercept is nearly free, the harmonics are shrunk to 0.
    # Returns the coefficients and their covariance (inverse penalised information).
    penalty = np.diag([1e-6] + [1.0 / prior_sd**2] * (x.shape[1] - 1))
    beta = np.zeros(x.shape[1])
    beta[0] = math.log((float(np.sum(w * y)) + 0.5) / (float(np.sum(w)) + 1.0))
    info = penalty
    for _ in range(8):
        eta = np.clip(x @ beta, -30.0, 30.0)
        mu = np.exp(eta)
        z = eta + (y - mu) / mu
        wx = x * (w * mu)[:, None]
        info = x.T @ wx + penalty
        beta = np.linalg.solve(info, wx.T @ z)
    return beta, np.linalg.inv(info)


def dispersion_prior(config: DetectorConfig) -> tuple[float, ...]:
    """The configured prior over ``dispersion_grid`` (what pooling starts from and shrinks to)."""
    return tuple(float(v) for v in np.exp(_log_dispersion_prior(config)))


def _log_dispersion_prior(config: DetectorConfig) -> np.ndarray:
    # A point mass on the Poisson, the rest exponential in φ - 1 (scale dispersion_prior_scale)
    # spread over the uneven grid by cell width.
    grid = np.asarray(config.dispersion_grid)
    width = np.gradient(grid) if len(grid) > 1 else np.ones(1)
    cont = np.exp(-(grid - 1.0) / config.dispersion_prior_scale) * width
    cont[0] = 0.0
    if cont.sum() > 0.0:
        cont *= (1.0 - config.dispersion_poisson_prior) / cont.sum()
    cont[0] = config.dispersion_poisson_prior
    return np.log(np.maximum(cont, 1e-300))


def _run_residuals(y: np.ndarray, mu: np.ndarray, post: np.ndarray,
                   config: DetectorConfig) -> np.ndarray:  # fmt: skip
    # Each reference week's residual as part of a run: the normal quantile of the mixture
    # tail of the most unusual window of 2..reweight_window_weeks weeks containing it, where
    # that passes reweight_window_threshold; only weeks above expectation take it (a window's
    # quiet weeks are not the surge). 0 elsewhere.
    n = len(y)
    out = np.zeros(n)
    lengths = range(2, min(config.reweight_window_weeks, n) + 1)
    if not lengths:
        return out
    cy = np.concatenate(([0.0], np.cumsum(y)))
    cm = np.concatenate(([0.0], np.cumsum(mu)))
    size = np.concatenate([np.full(n - m + 1, m) for m in lengths])
    first = np.concatenate([np.arange(n - m + 1) for m in lengths])
    total = cy[first + size] - cy[first]
    mean = cm[first + size] - cm[first]
    rising = np.flatnonzero(total > mean)
    cut = float(ndtr(-config.reweight_window_threshold))
    # A sum of independent weeks of variance φ·μ is negative binomial again.
    tail = _mixture_tails(total[rising], mean[rising], post, config.dispersion_grid, cut=cut)
    for j, window_tail in zip(rising, tail, strict=True):
        if window_tail > cut:
            continue
        span = slice(int(first[j]), int(first[j] + size[j]))
        out[span] = np.maximum(out[span], float(-ndtri(max(float(window_tail), 1e-300))))
    return np.where(y > mu, out, 0.0)


def fit_baseline(reference: Sequence[int], *, first_week: int, test_weeks: Sequence[int] | range,
                 config: DetectorConfig,
                 prior: Sequence[float] | None = None) -> Baseline:  # fmt: skip
    """Fit a baseline on ``reference`` (weeks from ``first_week`` on) for ``test_weeks``;
    ``prior`` (probabilities over ``dispersion_grid``) replaces the configured prior on φ."""
    y = np.asarray(reference, dtype=float)
    n = len(y)
    weeks = np.arange(first_week, first_week + n, dtype=float)
    seasonal = n >= config.season_min_weeks and float(y.sum()) >= config.season_min_events
    x = _design(weeks, seasonal)
    xt = _design(np.asarray(test_weeks, dtype=float), seasonal)
    if config.level_half_life_weeks is None:
        decay = np.ones(n)
    else:
        decay = 0.5 ** ((n - 1 - np.arange(n)) / config.level_half_life_weeks)
    grid = np.asarray(config.dispersion_grid)
    if prior is None:
        log_prior = _log_dispersion_prior(config)
    else:
        if len(prior) != len(grid):
            raise ValueError("the dispersion prior must have one weight per grid point")
        log_prior = np.log(np.maximum(np.asarray(prior, dtype=float), 1e-300))
    w = decay.copy()
    shape = np.ones(n)
    shape_t = np.ones(len(test_weeks))
    cov = np.zeros((x.shape[1], x.shape[1]))
    post = np.exp(log_prior)
    loglik = np.zeros(len(grid))
    sw_y = sw_s = 0.0
    for step in range(config.reweight_rounds + 1):
        if seasonal:
            beta, cov = _fit_shape(y, x, w, config.season_prior_sd)
            shape = np.exp(x[:, 1:] @ beta[1:])
            shape_t = np.exp(xt[:, 1:] @ beta[1:])
        sw_y = float(np.sum(w * y))
        sw_s = float(np.sum(w * shape))
        mu = np.maximum((config.prior_events + sw_y) / (config.prior_weeks + sw_s) * shape, 1e-9)
        loglik = np.array([float(np.sum(w * _nb_logpmf(y, mu, float(phi)))) for phi in grid])
        log_post = log_prior + loglik
        post = np.exp(log_post - log_post.max())
        post /= post.sum()
        if step < config.reweight_rounds:
            tail = _mixture_tails(y, mu, post, config.dispersion_grid)
            resid = np.asarray(-ndtri(np.clip(tail, 1e-300, 1.0)))
            if config.reweight_window_weeks > 1:
                resid = np.maximum(resid, _run_residuals(y, mu, post, config))
            high = resid > config.reweight_threshold
            w = decay * np.where(high, 1.0 / np.maximum(resid, 1.0) ** 2, 1.0)
    # The level's Gamma posterior under the quasi-likelihood (counts and prior alike / φ).
    a_post = (config.prior_events + sw_y) / grid
    b_post = (config.prior_weeks + sw_s) / grid
    phi_mean = float(np.sum(post * grid))
    spread = grid
    if config.dispersion_uncertainty > 0.0:
        # A sample's dispersion is uncertain in proportion to the counts' skew: widen each
        # component by that many relative standard errors of a sample variance.
        weeks_eff = max(float(np.sum(w)), 1.0)
        level0 = max(sw_y / max(sw_s, 1e-9), 1e-6)
        size = level0 / np.maximum(grid - 1.0, 1e-9)
        rel_sd = np.minimum(np.sqrt((2.0 + 6.0 / size) / weeks_eff), 1.0)
        spread = 1.0 + (grid - 1.0) * (1.0 + config.dispersion_uncertainty * rel_sd)
    if seasonal:
        h = xt[:, 1:]
        shape_var = np.einsum("ij,jk,ik->i", h, cov[1:, 1:], h) * phi_mean
    else:
        shape_var = np.zeros(len(test_weeks))
    return Baseline(
        shape=tuple(float(v) for v in shape_t),
        shape_var=tuple(float(v) for v in shape_var),
        weights=tuple(float(v) for v in post),
        dispersions=tuple(float(v) for v in spread),
        levels=tuple(float(v) for v in a_post / b_post),
        level_vars=tuple(float(v) for v in a_post / b_post**2),
        reference_weeks=n,
        loglik=tuple(float(v) for v in loglik - loglik.max()),
    )
