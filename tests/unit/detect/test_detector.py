"""processors.detect.detector: tail probabilities, baselines, the test and its floor, severity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from scipy import stats

from processors.detect.detector import (
    QUIET,
    DetectorConfig,
    assess,
    fit_baseline,
    nb_tail,
    severity_of,
)

CONFIG = DetectorConfig()
END = 2800  # an absolute week number; only its phase in the year matters


def flat(mean: float, weeks: int = 104, seed: int = 0) -> list[int]:
    return np.random.default_rng(seed).poisson(mean, weeks).tolist()


@settings(max_examples=200, deadline=None)
@given(observed=st.integers(0, 60), mean=st.floats(0.01, 30.0),
       extra=st.floats(0.0, 5.0))  # fmt: skip
def test_detector_nb_tail_matches_scipy(observed: int, mean: float, extra: float) -> None:
    variance = mean * (1.0 + extra)
    got = nb_tail(observed, mean, variance)
    if extra * mean <= mean * 1e-9:
        want = stats.poisson.sf(observed - 1, mean)
    else:
        size = mean * mean / (variance - mean)
        want = stats.nbinom.sf(observed - 1, size, size / (size + mean))
    assert got == pytest.approx(want, rel=1e-6, abs=1e-12)
    assert 0.0 <= got <= 1.0


@pytest.mark.parametrize("mean", [0.1, 0.5, 1.0, 3.0, 8.0])
def test_detector_baseline_recovers_a_flat_mean(mean: float) -> None:
    history = flat(mean, 104, seed=3)
    baseline = fit_baseline(history, first_week=END - 107, test_weeks=[END], config=CONFIG)
    assert baseline.means[0] == pytest.approx(np.mean(history[-60:]), rel=0.5, abs=0.1)
    assert baseline.dispersion >= 1.0


def test_detector_baseline_ignores_a_past_surge() -> None:
    history = flat(2.0, 104, seed=4)
    surged = list(history)
    for w in range(60, 64):
        surged[w] += 25
    plain = fit_baseline(history, first_week=END - 107, test_weeks=[END], config=CONFIG)
    robust = fit_baseline(surged, first_week=END - 107, test_weeks=[END], config=CONFIG)
    naive = np.mean(surged) / np.mean(history)
    assert robust.means[0] / plain.means[0] < 1 + (naive - 1) / 2


@pytest.mark.parametrize("mean", [0.1, 0.2, 0.5])
def test_detector_past_surge_run_does_not_raise_the_bar(mean: float) -> None:
    # Regression: five weeks of three extra events a week in a sparse series read as heavy-
    # tailed noise (no single week of it looked extreme once the run had inflated φ), so it
    # kept its weight and raised the count a later week needs to alarm from 4-5 to 7-9.
    history = flat(mean, 110, seed=0)
    surged = [c + 3 if 50 <= w < 55 else c for w, c in enumerate(history)]

    def bar(series: list[int]) -> int:
        return next(c for c in range(3, 40) if assess([*series, c], end_week=END,
                                                      last_alarm_age=None, config=CONFIG).alarm)

    assert bar(surged) <= bar(history) + 1


def test_detector_seasonal_baseline_follows_the_season() -> None:
    weeks = np.arange(END - 160, END - 3)
    mu = 4.0 * np.exp(0.6 * np.sin(2 * np.pi * weeks / (365.2425 / 7)))
    history = np.random.default_rng(5).poisson(mu).tolist()
    peak = int(weeks[np.argmax(mu)]) + 52 * 3  # the same phase three years on... approximately
    trough = int(weeks[np.argmin(mu)]) + 52 * 3
    high = fit_baseline(history[-104:], first_week=int(weeks[-104]), test_weeks=[peak],
                        config=CONFIG)  # fmt: skip
    low = fit_baseline(history[-104:], first_week=int(weeks[-104]), test_weeks=[trough],
                       config=CONFIG)  # fmt: skip
    assert high.means[0] > 1.5 * low.means[0]


@pytest.mark.parametrize("mean", [0.1, 0.3, 1.0, 2.0, 5.0])
def test_detector_flat_baseline_rarely_alarms(mean: float) -> None:
    rng = np.random.default_rng(int(mean * 100))
    series = rng.poisson(mean, 400).tolist()
    alarms = 0
    last: int | None = None
    for t in range(120, 400):
        verdict = assess(series[t - 110:t + 1], end_week=END + t, config=CONFIG,
                         last_alarm_age=None if last is None else t - last)  # fmt: skip
        if verdict.alarm:
            alarms += 1
            last = t
    assert alarms <= 3  # 280 weeks at a nominal rate well under 1 %


@pytest.mark.parametrize(("mean", "spike"), [(0.2, 5), (1.0, 8), (3.0, 14), (5.0, 20)])
def test_detector_clear_spike_alarms(mean: float, spike: int) -> None:
    series = [*flat(mean, 110, seed=11), spike]
    verdict = assess(series, end_week=END, last_alarm_age=None, config=CONFIG)
    assert verdict.alarm
    assert verdict.observed == spike
    assert verdict.severity is not None
    assert verdict.p_value <= CONFIG.alpha_week


@pytest.mark.parametrize("current", [1, 2])
def test_detector_floor_blocks_zero_to_one_or_two(current: int) -> None:
    series = [0] * 110 + [current]
    verdict = assess(series, end_week=END, last_alarm_age=None, config=CONFIG)
    assert not verdict.alarm


def test_detector_three_events_in_a_quiet_region_alarm_low() -> None:
    verdict = assess([0] * 110 + [3], end_week=END, last_alarm_age=None, config=CONFIG)
    assert verdict.alarm
    assert verdict.severity == "low"


def test_detector_scan_catches_a_sustained_rise() -> None:
    base = flat(1.0, 108, seed=21)
    rise = [4, 4, 4]
    weekly = [assess(base + rise[:i], end_week=END + i, last_alarm_age=None, config=CONFIG,
                     ) for i in range(1, 4)]  # fmt: skip
    single = DetectorConfig(scan_weeks=1, guard_weeks=3)
    alone = [assess(base + rise[:i], end_week=END + i, last_alarm_age=None, config=single)
             for i in range(1, 4)]  # fmt: skip
    assert any(v.alarm and v.weeks > 1 for v in weekly)
    assert not any(v.alarm for v in alone)


def test_detector_scan_skips_windows_with_an_alarmed_week() -> None:
    base = flat(1.0, 108, seed=21)
    series = [*base, 4, 4, 4]
    fresh = assess(series, end_week=END, last_alarm_age=None, config=CONFIG)
    after = assess(series, end_week=END, last_alarm_age=1, config=CONFIG)
    assert fresh.alarm and fresh.weeks > 1
    assert not after.alarm


@pytest.mark.parametrize("history", [0, 5, 10])
def test_detector_short_history_never_alarms(history: int) -> None:
    verdict = assess([0] * history + [50], end_week=END, last_alarm_age=None, config=CONFIG)
    assert verdict.alarm is False


def test_detector_empty_week_is_quiet_unless_asked_for_its_baseline() -> None:
    series = [*flat(2.0, 110, seed=2), 0]
    assert assess(series, end_week=END, last_alarm_age=None, config=CONFIG) is QUIET
    full = assess(series, end_week=END, last_alarm_age=None, config=CONFIG, full=True)
    assert not full.alarm and full.expected > 0.5


@pytest.mark.parametrize(("z", "excess", "severity"), [
    (3.0, 3.0, "low"), (5.0, 6.0, "medium"), (30.0, 3.0, "low"), (8.0, 12.0, "high"),
    (8.0, 7.0, "medium"), (15.0, 40.0, "critical"),
])  # fmt: skip
def test_detector_severity_needs_both_sd_and_event_excess(z: float, excess: float,
                                                           severity: str) -> None:
    assert severity_of(z, excess, CONFIG) == severity


def test_detector_config_needs_a_guard_as_wide_as_the_scan() -> None:
    with pytest.raises(ValidationError):
        DetectorConfig(scan_weeks=5, guard_weeks=2)


def test_detector_version_changes_with_the_config() -> None:
    assert CONFIG.version == DetectorConfig().version
    assert CONFIG.version != DetectorConfig(alpha_week=0.001).version
    assert CONFIG.version.startswith("nbscan-5/")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=0, max_size=130), st.integers(-5, 5))
def test_detector_assess_is_total_and_deterministic(series: list[int], age: int) -> None:
    last = None if age < 1 else age
    first = assess(series, end_week=END, last_alarm_age=last, config=CONFIG, full=True)
    again = assess(list(series), end_week=END, last_alarm_age=last, config=CONFIG, full=True)
    assert first == again
    assert 0.0 <= first.p_value <= 1.0
    assert first.score >= 0.0
    assert first.alarm == (first.severity is not None)


def negbin(mean: float, phi: float, weeks: int, seed: int) -> list[int]:
    rng = np.random.default_rng(seed)
    if phi <= 1.0:
        return rng.poisson(mean, weeks).tolist()
    size = mean / (phi - 1.0)
    return rng.negative_binomial(size, size / (size + mean), weeks).tolist()


def test_detector_scan_reaches_six_weeks() -> None:
    # A rise of one to two events a week over a mean of one: no 1..4-week window is unusual
    # enough, six weeks of it are (α 0.006 / 0.003: at 0.004 / 0.002 the rise was 3 3 2 3 2 3).
    series = [*flat(1.0, 110, seed=21), 3, 2, 2, 3, 2, 3]
    four = DetectorConfig(scan_weeks=4, guard_weeks=5)
    earlier = [assess(series[:-i], end_week=END - i, last_alarm_age=None, config=CONFIG)
               for i in range(1, 6)]  # fmt: skip
    six = assess(series, end_week=END, last_alarm_age=None, config=CONFIG)
    assert not any(v.alarm for v in earlier)
    assert six.alarm and six.weeks == 6
    assert not assess(series, end_week=END, last_alarm_age=None, config=four).alarm


@pytest.mark.parametrize("mean", [0.5, 2.0, 5.0])
def test_detector_dispersion_prior_centres_on_poisson(mean: float) -> None:
    estimates = [fit_baseline(negbin(mean, 1.0, 104, seed), first_week=END - 109,
                              test_weeks=[END], config=CONFIG).dispersion
                 for seed in range(20)]  # fmt: skip
    assert float(np.median(estimates)) < 1.15


@pytest.mark.parametrize("mean", [0.5, 2.0, 5.0])
def test_detector_dispersion_not_optimistic_on_heavy_tails(mean: float) -> None:
    estimates = [fit_baseline(negbin(mean, 8.0, 104, seed), first_week=END - 109,
                              test_weeks=[END], config=CONFIG).dispersion
                 for seed in range(20)]  # fmt: skip
    assert float(np.median(estimates)) >= 7.0


@pytest.mark.parametrize("phi", [1.0, 3.0, 8.0])
def test_detector_false_alarm_rate_on_noise_is_bounded(phi: float) -> None:
    # Stationary negative-binomial noise with no past surge in the baseline: the hardest
    # case for calibration (a past surge makes the baseline cautious). Measured on 1,500
    # weeks per dispersion: about 0.2 % (φ 1) to 0.5 % (φ 3-8) of weeks (the old defaults:
    # 0.5 % and 1-1.4 %). At 0.5 % the bound of 1.2 % (18 alarms, 7.5 expected) fails a
    # regression to the old rate about half the time and a correct detector almost never.
    alarms = weeks = 0
    for j, mean in enumerate([0.2, 0.5, 1.0, 2.0, 5.0]):
        series = negbin(mean, phi, 410, seed=100 * j + int(10 * phi))
        last: int | None = None
        for t in range(110, 410):
            weeks += 1
            if series[t] == 0:
                continue
            verdict = assess(series[t - 115:t + 1], end_week=END + t, config=CONFIG,
                             last_alarm_age=None if last is None else t - last)  # fmt: skip
            if verdict.alarm:
                alarms += 1
                last = t
    assert alarms / weeks <= 0.012


def test_detector_quiet_heavy_tailed_weeks_keep_their_weight() -> None:
    # Regression: Farrington's Anscombe-residual reweighting treated the ordinary upper tail
    # of overdispersed noise as past surges and biased the level 5-15 % low.
    unweighted = CONFIG.model_copy(update={"reweight_threshold": 1e9})
    fits = [[fit_baseline(negbin(2.0, 3.0, 104, seed), first_week=END - 109, test_weeks=[END],
                          config=config).means[0] for seed in range(40)]
            for config in (CONFIG, unweighted)]  # fmt: skip
    assert float(np.mean(fits[0])) > 0.95 * float(np.mean(fits[1]))


def test_detector_dispersion_posterior_follows_the_data() -> None:
    # The posterior over the dispersion grid sits on the Poisson for Poisson noise and moves
    # off it for overdispersed noise of the same mean.
    poisson = fit_baseline(negbin(2.0, 1.0, 104, 5), first_week=END - 109, test_weeks=[END],
                           config=CONFIG)  # fmt: skip
    clumped = fit_baseline(negbin(2.0, 3.0, 104, 5), first_week=END - 109, test_weeks=[END],
                           config=CONFIG)  # fmt: skip
    assert abs(sum(poisson.weights) - 1.0) < 1e-9 and abs(sum(clumped.weights) - 1.0) < 1e-9
    low = sum(w for w, d in zip(poisson.weights, CONFIG.dispersion_grid, strict=True) if d < 1.5)
    high = sum(w for w, d in zip(clumped.weights, CONFIG.dispersion_grid, strict=True) if d >= 2)
    assert low > 0.5
    assert high > 0.5


def test_detector_season_uncertainty_widens_only_seasonal_fits() -> None:
    weeks = np.arange(104)
    mu = 3.0 * np.exp(0.5 * np.sin(2 * np.pi * weeks / 52.18))
    seasonal = np.random.default_rng(3).poisson(mu).tolist()
    fitted = fit_baseline(seasonal, first_week=END - 109, test_weeks=[END], config=CONFIG)
    sparse = fit_baseline(flat(0.1, 104, seed=3), first_week=END - 109, test_weeks=[END],
                          config=CONFIG)  # fmt: skip
    assert fitted.shape_var[0] > 0.0
    assert sparse.shape_var == (0.0,)


def test_detector_short_history_spends_less_alpha() -> None:
    # 12 reference weeks of a quiet series, then a spike whose tail probability lies between
    # the scaled alpha (12/26 of it) and the full one: alarms only without the scaling.
    series = [*flat(1.0, 17, seed=8), 0]
    spent = CONFIG.model_copy(update={"full_history_weeks": 0})
    for spike in range(3, 12):
        series[-1] = spike
        full = assess(series, end_week=END, last_alarm_age=None, config=spent)
        if full.alarm:
            break
    assert full.alarm and full.p_value > CONFIG.alpha_week * 12 / 26
    assert not assess(series, end_week=END, last_alarm_age=None, config=CONFIG).alarm


def test_detector_false_alarm_rate_on_short_histories_is_bounded() -> None:
    # 8-25 weeks of history, no escalation: the level and dispersion are barely known, and
    # the old plug-in baseline alarmed on 1-2 % of such weeks at φ ≥ 1.5 (now about 0.1 %).
    # 2,160 weeks: at 1 % about 22 alarms would be expected; the bound is 9.
    alarms = weeks = 0
    for j, (mean, phi) in enumerate([(1.0, 1.5), (2.0, 2.0), (5.0, 3.0)]):
        for rep in range(40):
            series = negbin(mean, phi, 31, seed=1000 * j + rep)
            last: int | None = None
            for t in range(13, 31):
                weeks += 1
                verdict = assess(series[:t + 1], end_week=END + t, config=CONFIG,
                                 last_alarm_age=None if last is None else t - last)  # fmt: skip
                if verdict.alarm:
                    alarms += 1
                    last = t
    assert weeks == 2160
    assert alarms <= 9
