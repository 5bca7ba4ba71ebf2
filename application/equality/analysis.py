"""The fairness measures by a protected characteristic (ADR 0042): aggregate only, no ids, a minimum cell with
complementary suppression, and beside the tests of ADR 0041 the four-fifths rule (29 CFR 1607.4(D)) and the
two-standard-deviation test (Hazelwood School District v. United States, 1977). Standard library only."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from application.fairness.body import BINARY, REPORT_VERSION, ADRS
from application.fairness.facts import collect
from application.fairness.measures import Unit, binary_measure, continuous_measure
from application.fairness.records import Record
from application.fairness.units import approval_units, goal_units, review_units

NOT_GIVEN = "(not given)"
MEASURES = ("eased", "eased_net", "approved", "overrides_up", "overrides_down", "band_index")
ADVERSE = frozenset({"overrides_down"})  # the four-fifths rule compares the rates of being spared these
HIDDEN = ("rest_employees", "rest_count")


def by_attribute(units: Iterable[Unit], values: dict[str, str]) -> list[Unit]:
    """One unit per employee: regrouped by their value, outcomes merged (any 0/1, the largest number)."""
    merged: dict[str, Unit] = {}
    for unit in units:
        group = values.get(unit.employee, NOT_GIVEN)
        seen = merged.get(unit.employee)
        merged[unit.employee] = Unit(group, unit.employee, max(unit.value, seen.value if seen else 0.0),
                                               unit.items + (seen.items if seen else 0), unit.stratum)
    return [merged[e] for e in sorted(merged)]


def attribute_body(records: Iterable[Record], cycle: str, name: str, values: dict[str, str], min_cell: int,
                   strata: str | None) -> dict[str, Any]:
    facts = collect(records)
    goals = sorted((g for g in facts.goals.values() if g.cycle_id == cycle and g.agreed), key=lambda g: g.goal_id)
    units = {"approved": approval_units(goals, "manager", strata)} | goal_units(goals, "manager", strata) \
        | review_units(facts, cycle, "manager", strata)
    seed = f"{cycle}|attribute:{name}|{strata or ''}"
    measures = {}
    for measure in MEASURES:
        regrouped = by_attribute(units[measure], values)
        if measure in BINARY:
            found = suppressed(binary_measure(regrouped, f"{seed}|{measure}"), min_cell)
            add_adverse_impact(found, regrouped, measure in ADVERSE)
        else:
            found = suppressed(continuous_measure(regrouped, f"{seed}|{measure}"), min_cell)
        measures[measure] = found
    state = facts.states.get(cycle)
    return {"report_version": REPORT_VERSION, "adrs": list(ADRS), "cycle": cycle, "cycle_state": state,
            "provisional": state != "locked", "group_by": f"attribute:{name}", "strata": strata,
            "min_cell": min_cell, "summary": summary(name, measures["eased"]), "measures": measures}


def summary(name: str, eased: dict[str, Any]) -> str:
    """One sentence first: "by sex, 2 groups shown, 1 hidden; eased: 0 flagged, 1 below four-fifths"."""
    shown = [r for r in eased["groups"] if not r["suppressed"]]
    flagged = sum(1 for r in shown if r["status"] == "flag")
    below = sum(1 for r in shown if r["four_fifths"] == "below")
    beyond = sum(1 for r in shown if r["two_sd"] == "beyond")
    return (f"by {name}, {len(shown)} groups shown, {len(eased['groups']) - len(shown)} hidden; eased: {flagged} "
            f"flagged, {below} below four-fifths, {beyond} beyond two standard deviations")


def add_adverse_impact(measure: dict[str, Any], units: list[Unit], adverse: bool) -> None:
    """The four-fifths rule on the (favourable) rates of the groups shown (a hidden group's rate must not show
    through a ratio), and each shown group's z against the overall rate, which the standard report gives anyway."""
    employees = len(units)
    overall = sum(u.value for u in units) / employees if employees else 0.0
    shown = [r for r in measure["groups"] if not r["suppressed"]]
    favourable = {r["group"]: (1 - r["rate"] if adverse else r["rate"]) for r in shown}
    best = max(favourable.values(), default=0.0)
    for row in shown:
        row["impact_ratio_vs_highest"] = float(f"{row['rate'] / max(r['rate'] for r in shown):.6g}") if any(
            r["rate"] for r in shown) else None
        ratio = favourable[row["group"]] / best if best else None
        row["four_fifths_ratio"] = None if ratio is None else float(f"{ratio:.6g}")
        row["four_fifths"] = None if ratio is None else ("below" if ratio < 0.8 else "meets")
        spread = math.sqrt(row["employees"] * overall * (1 - overall))
        z = (row["count"] - row["employees"] * overall) / spread if spread else None
        row["two_sd_z"] = None if z is None else float(f"{z:.6g}")
        row["two_sd"] = None if z is None else ("beyond" if abs(z) > 2 else "within")


def suppressed(measure: dict[str, Any], min_cell: int) -> dict[str, Any]:
    """Groups under the minimum cell show no figures; if only one is hidden, the next smallest is hidden too, so
    that no hidden group can be found by subtracting the shown ones from the totals of the standard report."""
    rows = measure["groups"]
    hidden = {r["group"] for r in rows if r["employees"] < min_cell}
    shown = sorted((r for r in rows if r["group"] not in hidden), key=lambda r: (r["employees"], r["group"]))
    if len(hidden) == 1 and shown:
        hidden.add(shown[0]["group"])
    out = []
    for row in rows:
        if row["group"] in hidden:
            out.append({"group": row["group"], "suppressed": True})
        else:
            out.append({**{k: v for k, v in row.items() if k not in HIDDEN}, "suppressed": False})
    return {**measure, "groups": sorted(out, key=lambda r: r["suppressed"])}  # stable: shown rows keep their order
