"""One measure across groups, the employee as the unit (ADR 0041): rates with Wilson intervals, rate and impact
ratios, a two-sided exact test (or a seeded permutation) against the rest, Holm and BH, CMH across strata with a
Simpson's-paradox flag, the minimum detectable ratio, and a status with its direction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from application.fairness import permutation
from application.fairness.stats import (
    benjamini_hochberg, cochran_mantel_haenszel, fisher_two_sided, holm, kruskal_wallis,
    minimum_detectable_ratio, rate_ratio, rounded, wilson,
)

ALPHA = 0.05
MIN_EMPLOYEES = 5  # fewer employees in a group: `insufficient`, whatever the p-value
UNDETECTABLE = 2.0  # a group that could not be flagged even at twice (or half) the rest's rate: `insufficient`
STATUS_ORDER = {"flag": 0, "watch": 1, "insufficient": 2, "ok": 3}


@dataclass(frozen=True)
class Unit:
    """One employee within one group: their outcome (0/1, or a number), how many items (goals, proposals,
    decisions) it rests on, and their stratum."""

    group: str
    employee: str
    value: float
    items: int
    stratum: str = ""


def r6(value: float | None) -> float | None:
    return None if value is None else rounded(value)


def by_group(units: Sequence[Unit]) -> dict[str, list[Unit]]:
    grouped: dict[str, list[Unit]] = defaultdict(list)
    for unit in sorted(units, key=lambda u: (u.group, u.employee)):
        grouped[unit.group].append(unit)
    return dict(sorted(grouped.items()))


def binary_measure(units: Sequence[Unit], seed: str) -> dict[str, Any]:
    """A 0/1 outcome per employee: each group against the rest, then all groups together."""
    grouped = by_group(units)
    rows = [binary_row(name, mine, [u for u in units if u.group != name], len(grouped)) for name, mine in
            grouped.items()]
    highest = max((row["rate"] for row in rows), default=0.0)
    for row in rows:
        row["impact_ratio_vs_highest"] = r6(row["rate"] / highest) if highest else None
    adjust(rows)
    return {"kind": "binary", "groups": sort_rows(rows), "overall": overall(grouped, seed)}


def binary_row(name: str, mine: list[Unit], rest: list[Unit], groups: int) -> dict[str, Any]:
    a, n1 = sum(1 for u in mine if u.value), len(mine)
    c, n2 = sum(1 for u in rest if u.value), len(rest)
    rate, rest_rate = a / n1, (c / n2 if n2 else None)
    ratio = rate_ratio(a, n1, c, n2)
    low, high = wilson(a, n1)
    row: dict[str, Any] = {
        "group": name, "employees": n1, "items": sum(u.items for u in mine), "count": a, "rate": r6(rate),
        "wilson_low": r6(low), "wilson_high": r6(high), "rest_employees": n2, "rest_count": c,
        "rest_rate": r6(rest_rate), "rate_ratio": r6(ratio[0]) if ratio else None,
        "rate_ratio_low": r6(ratio[1]) if ratio else None, "rate_ratio_high": r6(ratio[2]) if ratio else None,
        "impact_ratio_vs_rest": r6(rate / rest_rate) if rest_rate else None,
        "test": "fisher_exact_two_sided", "p_value": r6(fisher_two_sided(a, n1 - a, c, n2 - c)) if n2 else None,
        "mdr_higher": r6(minimum_detectable_ratio(n1, n2, rest_rate or 0, ALPHA / groups)),
        "mdr_lower": r6(minimum_detectable_ratio(n1, n2, rest_rate or 0, ALPHA / groups, higher=False)),
        "direction": direction(rate, rest_rate), **strata_test(mine, rest, ratio),
    }
    return row


def strata_test(mine: list[Unit], rest: list[Unit], crude: tuple[float, float, float] | None) -> dict[str, Any]:
    """CMH over the strata; Simpson's paradox when the crude ratio and the stratified odds ratio point apart."""
    strata = sorted({u.stratum for u in [*mine, *rest]})
    if strata == [""]:
        return {}
    tables = []
    for stratum in strata:
        a = sum(1 for u in mine if u.stratum == stratum and u.value)
        b = sum(1 for u in mine if u.stratum == stratum) - a
        c = sum(1 for u in rest if u.stratum == stratum and u.value)
        tables.append((a, b, c, sum(1 for u in rest if u.stratum == stratum) - c))
    result = cochran_mantel_haenszel(tables)
    odds = result["odds_ratio"]
    simpson = crude is not None and odds is not None and (crude[0] - 1) * (odds - 1) < 0
    return {"cmh_p_value": r6(result["p_value"]), "mh_odds_ratio": r6(odds), "simpson": simpson}


def continuous_measure(units: Sequence[Unit], seed: str) -> dict[str, Any]:
    """A number per employee (a band index, an easing's size): each group's mean against the rest by a seeded
    permutation of employees, then Kruskal-Wallis and a permutation test across all groups."""
    grouped = by_group(units)
    rows = []
    for name, mine in grouped.items():
        rest = [u.value for u in units if u.group != name]
        mean = permutation.mean([u.value for u in mine])
        rest_mean = permutation.mean(rest) if rest else None
        rows.append({"group": name, "employees": len(mine), "items": sum(u.items for u in mine),
                     "mean": r6(mean), "rest_mean": r6(rest_mean), "test": "permutation_by_employee",
                     "p_value": r6(permutation.group_versus_rest([u.value for u in mine], rest, f"{seed}|{name}")),
                     "direction": direction(mean, rest_mean)})
    adjust(rows)
    kruskal = kruskal_wallis([[u.value for u in g] for g in grouped.values()])
    return {"kind": "continuous", "groups": sort_rows(rows), "overall": overall(grouped, seed),
            "kruskal_wallis": {"h": r6(kruskal[0]), "p_value": r6(kruskal[1])} if kruskal else None}


def overall(grouped: dict[str, list[Unit]], seed: str) -> dict[str, Any]:
    p_value = permutation.between_groups([[u.value for u in g] for g in grouped.values()], f"{seed}|overall")
    return {"test": "permutation_by_employee", "rounds": permutation.OVERALL_ROUNDS, "p_value": r6(p_value)}


def adjust(rows: list[dict[str, Any]]) -> None:
    """Holm's adjusted p and the BH q over the groups tested, then each group's status."""
    tested = [row for row in rows if row["p_value"] is not None]
    for row, adjusted, q in zip(tested, holm([r["p_value"] for r in tested]),
                                benjamini_hochberg([r["p_value"] for r in tested]), strict=True):
        row["holm_p_value"], row["bh_q_value"] = r6(adjusted), r6(q)
    for row in rows:
        row.setdefault("holm_p_value", None)
        row.setdefault("bh_q_value", None)
        row["status"], row["caveats"] = status(row)


def status(row: dict[str, Any]) -> tuple[str, list[str]]:
    caveats: list[str] = []
    if row["employees"] < MIN_EMPLOYEES:
        caveats.append(f"{row['employees']} employees: fewer than {MIN_EMPLOYEES}, too few to judge")
    if row["p_value"] is None:
        caveats.append("no other group to compare with")
    if "mdr_higher" in row and row["p_value"] is not None and not detectable(row):
        caveats.append(f"could not be flagged even at {UNDETECTABLE:g} times (or 1/{UNDETECTABLE:g} of) the "
                       "rest's rate: not flagged is not shown fair")
    thin = bool(caveats)
    if row.get("simpson"):
        caveats.append("Simpson's paradox: within the strata the difference points the other way")
    if row["holm_p_value"] is not None and row["holm_p_value"] < ALPHA and row["direction"]:
        return "flag", caveats
    if row["p_value"] is not None and row["p_value"] < ALPHA and row["direction"]:
        return "watch", [*caveats, "p below 0.05 before the adjustment for the number of groups"]
    return ("insufficient" if thin else "ok"), caveats


def detectable(row: dict[str, Any]) -> bool:
    higher, lower = row["mdr_higher"], row["mdr_lower"]
    return (higher is not None and higher <= UNDETECTABLE) or (lower is not None and lower >= 1 / UNDETECTABLE)


def direction(value: float, rest: float | None) -> str | None:
    if rest is None or value == rest:
        return None
    return "higher" if value > rest else "lower"


def sort_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (STATUS_ORDER[r["status"]], r["group"]))
