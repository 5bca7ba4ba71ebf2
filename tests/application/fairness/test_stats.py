"""Each statistic of the fairness report against scipy (tests only) or a hand computation (ADR 0041)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats
from scipy.stats.contingency import relative_risk

from application.fairness import permutation
from application.fairness.stats import (
    benjamini_hochberg,
    chi2_sf,
    cochran_mantel_haenszel,
    fisher_two_sided,
    holm,
    kruskal_wallis,
    minimum_detectable_ratio,
    rate_ratio,
    wilson,
)

counts = st.integers(min_value=0, max_value=40)


@given(counts, counts, counts, counts)
@settings(max_examples=200, deadline=None)
def test_the_two_sided_exact_test_is_scipys_fisher_exact(a: int, b: int, c: int, d: int) -> None:
    expected = scipy_stats.fisher_exact([[a, b], [c, d]], alternative="two-sided").pvalue
    assert fisher_two_sided(a, b, c, d) == pytest.approx(expected, rel=1e-9, abs=1e-12)


@given(st.integers(min_value=1, max_value=200), st.data())
@settings(max_examples=100, deadline=None)
def test_the_wilson_interval_is_scipys(trials: int, data: st.DataObject) -> None:
    successes = data.draw(st.integers(min_value=0, max_value=trials))
    interval = scipy_stats.binomtest(successes, trials).proportion_ci(method="wilson")
    low, high = wilson(successes, trials)
    assert (low, high) == pytest.approx((interval.low, interval.high), abs=1e-12)


def test_the_rate_ratio_and_its_katz_interval_are_scipys() -> None:
    result = relative_risk(12, 40, 9, 80)
    interval = result.confidence_interval(0.95)
    ratio = rate_ratio(12, 40, 9, 80)
    assert ratio == pytest.approx((result.relative_risk, interval.low, interval.high), rel=1e-12)


def test_a_zero_cell_gets_half_a_count_in_each_cell() -> None:
    ratio, low, high = rate_ratio(0, 20, 16, 40) or (0, 0, 0)
    assert ratio == pytest.approx((0.5 / 21) / (16.5 / 41))
    se = math.sqrt(1 / 0.5 - 1 / 21 + 1 / 16.5 - 1 / 41)
    assert (low, high) == pytest.approx((ratio * math.exp(-1.959963984540054 * se),
                                         ratio * math.exp(1.959963984540054 * se)))
    assert rate_ratio(0, 20, 0, 40) is None


def test_holm_by_hand() -> None:
    # sorted 0.01, 0.02, 0.03, 0.04: x4, x3, x2, x1 = 0.04, 0.06, 0.06 (monotone), 0.06 (monotone)
    assert holm([0.03, 0.01, 0.04, 0.02]) == pytest.approx([0.06, 0.04, 0.06, 0.06])


def test_benjamini_hochberg_is_scipys() -> None:
    p_values = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216]
    assert benjamini_hochberg(p_values) == pytest.approx(list(scipy_stats.false_discovery_control(p_values)))


@pytest.mark.parametrize("df", [1, 2, 3, 7])
@pytest.mark.parametrize("x", [0.01, 0.5, 1.0, 3.84, 10.0, 40.0])
def test_the_chi_square_tail_is_scipys(x: float, df: int) -> None:
    assert chi2_sf(x, df) == pytest.approx(scipy_stats.chi2.sf(x, df), rel=1e-10, abs=1e-300)


def test_kruskal_wallis_with_ties_is_scipys() -> None:
    samples = [[0, 1, 1, 2, 3], [1, 2, 2, 3, 3, 4], [0, 0, 1]]
    h, p = kruskal_wallis([[float(v) for v in s] for s in samples]) or (0, 0)
    expected = scipy_stats.kruskal(*samples)
    assert (h, p) == pytest.approx((expected.statistic, expected.pvalue), rel=1e-12)
    assert kruskal_wallis([[1.0, 1.0], [1.0]]) is None


def test_cochran_mantel_haenszel_by_hand() -> None:
    # two strata: [[4, 6], [2, 8]] and [[9, 1], [5, 5]]
    # E[a] = 10*6/20 + 10*14/20 = 3 + 7 = 10; a = 13
    # Var = 10*10*6*14/(400*19) + 10*10*14*6/(400*19) = 2 * 8400/7600
    result = cochran_mantel_haenszel([(4, 6, 2, 8), (9, 1, 5, 5)])
    variance = 2 * 8400 / 7600
    assert result["statistic"] == pytest.approx(9 / variance)
    assert result["p_value"] == pytest.approx(scipy_stats.chi2.sf(9 / variance, 1))
    assert result["odds_ratio"] == pytest.approx((4 * 8 / 20 + 9 * 5 / 20) / (6 * 2 / 20 + 1 * 5 / 20))


def test_the_minimum_detectable_ratio_reaches_80_percent_power_and_no_less() -> None:
    ratio = minimum_detectable_ratio(40, 200, 0.15, 0.05) or 0
    p1, p0 = 0.15 * ratio, 0.15
    pooled = (40 * p1 + 200 * p0) / 240
    z = scipy_stats.norm
    power = z.cdf((abs(p1 - p0) - z.ppf(0.975) * math.sqrt(pooled * (1 - pooled) * (1 / 40 + 1 / 200)))
                  / math.sqrt(p1 * (1 - p1) / 40 + p0 * (1 - p0) / 200))
    assert power == pytest.approx(0.8, abs=1e-6)
    lower = minimum_detectable_ratio(40, 200, 0.5, 0.05, higher=False) or 2
    assert 0 < lower < 1


def test_a_team_of_three_could_only_be_flagged_at_six_times_the_rate() -> None:
    # ten groups: the strictest Holm step tests at 0.005; 3 of 3 eased against 12 of 77 is p 0.0055
    assert (minimum_detectable_ratio(3, 77, 0.15, 0.005) or 0) > 6
    assert fisher_two_sided(3, 0, 12, 65) * 10 > 0.05
    assert minimum_detectable_ratio(3, 77, 0.9, 0.005) is None


def test_permutation_p_values_are_the_same_for_the_same_seed_and_sensible() -> None:
    high, low = [1.0] * 8 + [0.0] * 2, [0.0] * 30 + [1.0] * 3
    first = permutation.group_versus_rest(high, low, "seed")
    assert first == permutation.group_versus_rest(high, low, "seed")
    assert first is not None and first < 0.01
    alike = permutation.group_versus_rest([0.0, 1.0] * 5, [0.0, 1.0] * 15, "seed")
    assert alike == 1.0
    overall = permutation.between_groups([high, low, [0.0, 1.0]], "seed")
    assert overall is not None and overall < 0.01
