"""Is the eased rate alike across groups? A test over all groups, then each group against the rest (ADR 0007).

The unit is a goal in force: it counts as eased when at least one approved recalibration in the cycle made it
easier. Across all groups: Fisher's exact test for two groups, chi-square on the groups x (eased, not eased)
table for more. A group is flagged when its eased rate is above the rest's by a one-sided Fisher's exact test
whose p-value, Bonferroni-adjusted for the number of groups, is below ALPHA.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


ALPHA = 0.05
MIN_EXPECTED = 5


@dataclass(frozen=True)
class GroupRate:
    group: str
    eased: int
    goals: int


EASED_MEASURE = "goals eased at least once / goals in force"


def disparity(rates: Sequence[GroupRate], measure: str = EASED_MEASURE) -> dict[str, Any]:
    """The test, its p-value, per-group p-values, the flagged groups and a caveat when the figures are thin.

    `eased` and `goals` are the counted and the whole of any rate (the review report: upward overrides/decisions).
    """
    tested = [r for r in rates if r.goals > 0]
    eased = sum(r.eased for r in tested)
    total = sum(r.goals for r in tested)
    result: dict[str, Any] = {"measure": measure, "alpha": ALPHA,
                              "test": "none", "p_value": None, "flagged": [], "groups": [], "caveat": None}
    if len(tested) < 2:
        result["caveat"] = "fewer than two groups with goals in force: there is nothing to compare"
        return result
    if eased in (0, total):
        result["caveat"] = f"the rate is {'0' if eased == 0 else '1'} in every group: the rates cannot differ"
        return result
    table = [[r.eased, r.goals - r.eased] for r in tested]
    result["test"], result["p_value"] = overall_test(table)
    result["groups"] = [versus_rest(r, eased, total, len(tested)) for r in tested]
    result["flagged"] = [g["group"] for g in result["groups"] if g["flagged"]]
    result["caveat"] = small_counts_caveat(table, result["test"])
    return result


def band_disparity(bands: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Do the bands decided differ across groups? Chi-square on groups x bands (Fisher's exact test for 2 x 2)."""
    names = sorted({band for counts in bands.values() for band in counts})
    table = [[counts.get(band, 0) for band in names] for _group, counts in sorted(bands.items())]
    result: dict[str, Any] = {"measure": "bands decided per group", "alpha": ALPHA, "bands": names,
                              "test": "none", "p_value": None, "differs": False, "caveat": None}
    if len(table) < 2 or len(names) < 2:
        result["caveat"] = "fewer than two groups or two bands decided: there is nothing to compare"
        return result
    if len(names) == 2 and len(table) == 2:
        result["test"], result["p_value"] = "fisher_exact", rounded(_stats().fisher_exact(table).pvalue)
    else:
        result["test"], result["p_value"] = "chi2_contingency", rounded(_stats().chi2_contingency(table).pvalue)
    result["differs"] = result["p_value"] < ALPHA
    result["caveat"] = thin_table_caveat(table)
    return result


def thin_table_caveat(table: list[list[int]]) -> str | None:
    total = sum(map(sum, table))
    columns = [sum(row[i] for row in table) for i in range(len(table[0]))]
    thin = sum(1 for row in table for column in columns if sum(row) * column / total < MIN_EXPECTED)
    if thin == 0:
        return None
    return (f"{thin} of {len(table) * len(columns)} expected counts are below {MIN_EXPECTED}: read the p-value as a "
            "hint only; groups that do not differ here are not thereby shown to be treated alike")


def overall_test(table: list[list[int]]) -> tuple[str, float]:
    if len(table) == 2:
        return "fisher_exact", rounded(_stats().fisher_exact(table).pvalue)
    return "chi2_contingency", rounded(_stats().chi2_contingency(table).pvalue)


def versus_rest(rate: GroupRate, eased: int, total: int, groups: int) -> dict[str, Any]:
    """One group against all the others: is its eased rate higher than theirs?"""
    rest_eased, rest_goals = eased - rate.eased, total - rate.goals
    table = [[rate.eased, rate.goals - rate.eased], [rest_eased, rest_goals - rest_eased]]
    p_value = float(_stats().fisher_exact(table, alternative="greater").pvalue)
    adjusted = min(1.0, p_value * groups)
    return {
        "group": rate.group,
        "eased_goals": rate.eased,
        "goals": rate.goals,
        "rate": round(rate.eased / rate.goals, 4),
        "rest_rate": round(rest_eased / rest_goals, 4) if rest_goals else None,
        "p_value": rounded(p_value),
        "adjusted_p_value": rounded(adjusted),
        "flagged": adjusted < ALPHA,
    }


def small_counts_caveat(table: list[list[int]], test: str) -> str | None:
    """Say so when expected counts are below MIN_EXPECTED: the groups are too small for the test to mean much."""
    total = sum(map(sum, table))
    columns = [sum(row[i] for row in table) for i in (0, 1)]
    expected = [sum(row) * column / total for row in table for column in columns]
    thin = sum(1 for e in expected if e < MIN_EXPECTED)
    if thin == 0:
        return None
    meaning = ("the chi-square approximation is unreliable; read its p-value as a hint only"
               if test == "chi2_contingency" else "the exact test stays valid but has little power")
    return (f"{thin} of {len(expected)} expected counts are below {MIN_EXPECTED}: {meaning}; "
            "a group that is not flagged is not thereby shown to be treated alike")


def rounded(value: float) -> float:
    """Six significant digits: enough to read, and the same bytes on every run."""
    return float(f"{float(value):.6g}")


def _stats() -> Any:
    # scipy.stats takes about a second to import: loaded when a report is computed, so that every other
    # goalengine command (and the CLI's parser, which imports every subcommand) starts quickly.
    import scipy.stats

    return scipy.stats
