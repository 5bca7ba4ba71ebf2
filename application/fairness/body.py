"""The fairness report's body, version 2 (ADR 0041), from the plain records alone: a pure function of the events
up to a position, in the standard library only, so that docs/audit/recompute_fairness.py can do the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from statistics import median
from typing import Any

from application.fairness.facts import LEAVE, CycleFacts, GoalFacts, achieved_only_by_recalibration, collect
from application.fairness.measures import ALPHA, MIN_EMPLOYEES, Unit, binary_measure, continuous_measure
from application.fairness.records import Record
from application.fairness.units import approval_units, goal_group, goal_units, review_units

REPORT_VERSION = 2
ADRS = ("0041", "0042")
BINARY = ("eased", "eased_net", "approved", "overrides_up", "overrides_down")
PRIMARY = {"manager": "eased", "org_unit": "eased", "decider": "approved"}
NOUNS = {"manager": "managers", "org_unit": "org units", "decider": "HR deciders"}


def report_body(records: Iterable[Record], cycle: str, group_by: str, strata: str | None) -> dict[str, Any]:
    facts = collect(records)
    goals = sorted((g for g in facts.goals.values() if g.cycle_id == cycle and g.agreed), key=lambda g: g.goal_id)
    units: dict[str, list[Unit]] = {"approved": approval_units(goals, group_by, strata)}
    if group_by != "decider":
        units |= goal_units(goals, group_by, strata) | review_units(facts, cycle, group_by, strata)
    seed = f"{cycle}|{group_by}|{strata or ''}"
    measures = {name: (binary_measure if name in BINARY else continuous_measure)(found, f"{seed}|{name}")
                for name, found in sorted(units.items())}
    state = facts.states.get(cycle)
    return {
        "report_version": REPORT_VERSION, "adrs": list(ADRS), "cycle": cycle, "cycle_state": state,
        "provisional": state != "locked", "group_by": group_by, "strata": strata, "alpha": ALPHA,
        "min_employees": MIN_EMPLOYEES, "policy_versions": policy_versions(facts, cycle),
        "summary": summary(measures[PRIMARY[group_by]], group_by),
        "measures": measures, "figures": figures(goals, group_by) if group_by != "decider" else [],
        "deciders": deciders(goals), "dispute_resolvers": resolvers(facts, cycle),
        "pending_proposals": sorted(p.event_id for g in goals for p in g.pending),
        "achieved_only_by_recalibration": [g.goal_id for g in goals if achieved_only_by_recalibration(g)],
    }


def policy_versions(facts: CycleFacts, cycle: str) -> list[str]:
    return sorted({str(r.decision["policy_version"]) for r in facts.reviews.values()
                   if r.cycle_id == cycle and r.decision and "policy_version" in r.decision})


def summary(measure: dict[str, Any], group_by: str) -> str:
    """One sentence first: "2 of 14 managers flagged, 1 lower; 9 too small to judge"."""
    rows = measure["groups"]
    flagged = [r for r in rows if r["status"] == "flag"]
    lower = sum(1 for r in flagged if r["direction"] == "lower")
    small = sum(1 for r in rows if r["status"] == "insufficient")
    watch = sum(1 for r in rows if r["status"] == "watch")
    text = f"{len(flagged)} of {len(rows)} {NOUNS[group_by]} flagged"
    text += f", {lower} lower" if lower else ""
    text += f"; {watch} to watch" if watch else ""
    return text + (f"; {small} too small to judge" if small else "")


def figures(goals: list[GoalFacts], group_by: str) -> list[dict[str, Any]]:
    """Per group: the new figures of ADR 0041, each with the events it counts."""
    grouped: dict[str, list[GoalFacts]] = defaultdict(list)
    for goal in goals:
        grouped[goal_group(goal, group_by)].append(goal)
    rows = []
    for name, mine in sorted(grouped.items()):
        approved = [d for g in mine for d in g.decisions if d.approved]
        days = [d.days_before_deadline for d in approved if d.days_before_deadline is not None]
        ids = {
            "eased_while_behind_pace": sorted(d.event_id for d in approved if d.effect == "eased" and d.behind_pace
                                              and d.proposal.reason != LEAVE),
            "leave_or_adjustment_approvals": sorted(d.event_id for d in approved if d.proposal.reason == LEAVE),
            "cancelled": sorted(d.event_id for d in approved if d.proposal.cancels),  # counted as eased too
            "pending_proposals": sorted(p.event_id for g in mine for p in g.pending),
            "achieved_only_by_recalibration": sorted(g.goal_id for g in mine if achieved_only_by_recalibration(g)),
        }
        rows.append({"group": name, "goals": len(mine), **{k: len(v) for k, v in ids.items()},
                     "median_days_before_deadline": float(median(days)) if days else None, "event_ids": ids})
    return rows


def deciders(goals: list[GoalFacts]) -> list[dict[str, Any]]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for decision in (d for g in goals for d in g.decisions):
        counts[decision.decided_by][0 if decision.approved else 1] += 1
    return [{"decider": who, "approved": a, "rejected": r} for who, (a, r) in sorted(counts.items())]


def resolvers(facts: CycleFacts, cycle: str) -> list[dict[str, Any]]:
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for review in (r for r in facts.reviews.values() if r.cycle_id == cycle):
        for _event, resolver, outcome in review.resolutions:
            counts[resolver][outcome] = counts[resolver].get(outcome, 0) + 1
    return [{"resolver": who, "outcomes": dict(sorted(found.items()))} for who, found in sorted(counts.items())]
