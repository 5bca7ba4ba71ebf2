"""The fairness report's statistics (ADR 0041), in the standard library only, so that anyone can recompute them.

Each function is the textbook formula named in its docstring; tests check each against scipy or a hand
computation. Floats are rounded by `rounded` before they reach a report, so the bytes are the same on every run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

Z95 = NormalDist().inv_cdf(0.975)
FISHER_TOLERANCE = 1 + 1e-7  # tables as likely as the observed one, up to float error (as scipy's fisher_exact)


def rounded(value: float) -> float:
    """Six significant digits: enough to read, and the same bytes on every run."""
    return float(f"{float(value):.6g}")


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (Wilson 1927); (0, 1) for no trials."""
    if trials == 0:
        return 0.0, 1.0
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    # at 0 (or all) successes the bound is exactly 0 (or 1); the float formula leaves an error of about 1e-17
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    return low, 1.0 if successes == trials else min(1.0, centre + half)


def rate_ratio(a: int, n1: int, c: int, n2: int, z: float = Z95) -> tuple[float, float, float] | None:
    """Risk ratio (a/n1)/(c/n2) with Katz's log interval; 0.5 added to each cell when a or c is zero.

    None when either side has no trials, or both rates are zero (there is no ratio to speak of)."""
    if n1 == 0 or n2 == 0 or (a == 0 and c == 0):
        return None
    if a == 0 or c == 0:
        a_, c_, n1_, n2_ = a + 0.5, c + 0.5, n1 + 1.0, n2 + 1.0
    else:
        a_, c_, n1_, n2_ = float(a), float(c), float(n1), float(n2)
    ratio = (a_ / n1_) / (c_ / n2_)
    se = math.sqrt(max(0.0, 1 / a_ - 1 / n1_ + 1 / c_ - 1 / n2_))
    return ratio, math.exp(math.log(ratio) - z * se), math.exp(math.log(ratio) + z * se)


def fisher_two_sided(a: int, b: int, c: int, d: int) -> float:
    """Fisher's exact test on [[a, b], [c, d]], two-sided: the probability of tables no likelier than this one."""
    row1, column1, total = a + b, a + c, a + b + c + d
    low, high = max(0, column1 - (total - row1)), min(row1, column1)
    denominator = math.comb(total, column1)

    def pmf(x: int) -> float:
        return math.comb(row1, x) * math.comb(total - row1, column1 - x) / denominator

    observed = pmf(a)
    return min(1.0, sum(p for p in map(pmf, range(low, high + 1)) if p <= observed * FISHER_TOLERANCE))


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment (1979): controls the chance of any false flag at alpha."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted, running = [0.0] * len(p_values), 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg q-values (1995): control the expected share of false flags among the flagged."""
    count = len(p_values)
    order = sorted(range(count), key=lambda i: p_values[i], reverse=True)
    adjusted, running = [0.0] * count, 1.0
    for step, index in enumerate(order):
        running = min(running, p_values[index] * count / (count - step))
        adjusted[index] = running
    return adjusted


def chi2_sf(statistic: float, df: int) -> float:
    """P(X >= statistic) for X chi-square with df degrees of freedom: the regularised upper gamma Q(df/2, x/2)."""
    if statistic <= 0:
        return 1.0
    return upper_gamma_regularised(df / 2, statistic / 2)


def upper_gamma_regularised(a: float, x: float) -> float:
    """Q(a, x) by its series below a + 1 and Lentz's continued fraction above (Numerical Recipes 6.2)."""
    log_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        term = total = 1 / a
        n = a
        while abs(term) > abs(total) * 1e-16:
            n += 1
            term *= x / n
            total += term
        return max(0.0, 1 - total * math.exp(log_front))
    tiny = 1e-300
    b = x + 1 - a
    c, d = 1 / tiny, 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        h *= d * c
        if abs(d * c - 1) < 1e-16:
            break
    return min(1.0, math.exp(log_front) * h)


Table = tuple[int, int, int, int]  # [[a, b], [c, d]]: the group's yes and no, the rest's yes and no


def cochran_mantel_haenszel(tables: Sequence[Table]) -> dict[str, float | None]:
    """The CMH test of no association across strata (no continuity correction) and the Mantel-Haenszel odds ratio.

    Strata of fewer than two units carry no information and are left out."""
    used = [t for t in tables if sum(t) >= 2]
    numerator = expected = variance = or_top = or_bottom = 0.0
    for a, b, c, d in used:
        n = a + b + c + d
        row1, row2, column1, column2 = a + b, c + d, a + c, b + d
        numerator += a
        expected += row1 * column1 / n
        variance += row1 * row2 * column1 * column2 / (n * n * (n - 1))
        or_top += a * d / n
        or_bottom += b * c / n
    if variance == 0:
        return {"statistic": None, "p_value": None, "odds_ratio": None}
    statistic = (numerator - expected) ** 2 / variance
    odds = or_top / or_bottom if or_bottom else None
    return {"statistic": statistic, "p_value": chi2_sf(statistic, 1), "odds_ratio": odds}


def minimum_detectable_ratio(n1: int, n2: int, rest_rate: float, alpha: float, power: float = 0.8,
                             higher: bool = True) -> float | None:
    """The smallest ratio (largest, below 1, when not `higher`) of the group's rate to the rest's that a two-sided
    test at `alpha` would detect with `power`, by the normal approximation for two proportions (Fleiss 1981, 3.2).
    None when no rate in (0, 1] would do, or the rest's rate is 0."""
    if n1 == 0 or n2 == 0 or rest_rate <= 0:
        return None
    z_alpha, z_power = NormalDist().inv_cdf(1 - alpha / 2), NormalDist().inv_cdf(power)

    def power_reached(p1: float) -> bool:
        pooled = (n1 * p1 + n2 * rest_rate) / (n1 + n2)
        null_se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        alt_se = math.sqrt(p1 * (1 - p1) / n1 + rest_rate * (1 - rest_rate) / n2)
        return abs(p1 - rest_rate) >= z_alpha * null_se + z_power * alt_se

    near, far = rest_rate, (1.0 if higher else 0.0)
    if not power_reached(far):
        return None
    for _ in range(60):
        middle = (near + far) / 2
        near, far = (near, middle) if power_reached(middle) else (middle, far)
    return far / rest_rate


def average_ranks(values: Sequence[float]) -> list[float]:
    """Ranks from 1, ties sharing the mean of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            ranks[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def kruskal_wallis(samples: Sequence[Sequence[float]]) -> tuple[float, float] | None:
    """Kruskal-Wallis H with the tie correction, and its chi-square p-value on k-1 degrees of freedom.

    None with fewer than two non-empty samples or when every value ties."""
    samples = [s for s in samples if s]
    values = [v for s in samples for v in s]
    if len(samples) < 2:
        return None
    ranks, n = average_ranks(values), len(values)
    ties = _tie_sum(values)
    if ties == n ** 3 - n:
        return None
    h, start = 0.0, 0
    for sample in samples:
        rank_sum = sum(ranks[start:start + len(sample)])
        h += rank_sum * rank_sum / len(sample)
        start += len(sample)
    h = (12 / (n * (n + 1)) * h - 3 * (n + 1)) / (1 - ties / (n ** 3 - n))
    return h, chi2_sf(h, len(samples) - 1)


def _tie_sum(values: Sequence[float]) -> int:
    counts: dict[float, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return sum(t ** 3 - t for t in counts.values())
