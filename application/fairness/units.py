"""Which employee counts in which group, with which outcome, for each measure of the report (ADR 0041)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from application.fairness.facts import EASED, LEAVE, CycleFacts, Decision, GoalFacts, ReviewFacts, effect
from application.fairness.attainment import goal_score
from application.fairness.measures import Unit

NO_GROUP = "(none)"
NO_PROPOSAL = "(no proposal)"


def counted_easings(goal: GoalFacts) -> list[Decision]:
    """Approved easings that count towards leniency: every reason but leave or adjustment (reported apart)."""
    return [d for d in goal.decisions if d.approved and d.effect == EASED and d.proposal.reason != LEAVE]


def goal_group(goal: GoalFacts, group_by: str) -> str:
    """The goal's manager when it was first eased (else now), or its org unit."""
    if group_by == "org_unit":
        return goal.org_unit or NO_GROUP
    easings = counted_easings(goal)
    return easings[0].manager_id if easings else goal.manager_id


def stratum(goal: GoalFacts, strata: str | None) -> str:
    if strata == "org_unit":
        return goal.org_unit or NO_GROUP
    if strata == "reason":
        return next((p.reason for p in goal.proposals.values()), NO_PROPOSAL)
    return ""


def net_eased(goal: GoalFacts) -> bool:
    """Easier now than as agreed (an easing later restored is not), by the score at the latest readings."""
    if not any(d.approved and d.proposal.reason != LEAVE for d in goal.decisions):
        return False
    latest = goal.latest()
    magnitude = goal_score(goal.kpis, latest) - goal_score(goal.agreed_kpis, latest)
    return effect(magnitude, goal.agreed_kpis, goal.kpis, goal.agreed_deadline, goal.deadline) == EASED


def per_employee(goals: Iterable[GoalFacts], group_by: str, strata: str | None,
                 outcome: Callable[[list[GoalFacts]], float]) -> list[Unit]:
    buckets: dict[tuple[str, str], list[GoalFacts]] = defaultdict(list)
    for goal in goals:
        buckets[(goal_group(goal, group_by), goal.owner_id)].append(goal)
    return [Unit(group, employee, outcome(mine), len(mine), stratum(mine[0], strata))
            for (group, employee), mine in sorted(buckets.items())]


def goal_units(goals: list[GoalFacts], group_by: str, strata: str | None) -> dict[str, list[Unit]]:
    return {
        "eased": per_employee(goals, group_by, strata, lambda g: float(any(counted_easings(x) for x in g))),
        "eased_net": per_employee(goals, group_by, strata, lambda g: float(any(net_eased(x) for x in g))),
        "easing_magnitude": per_employee(goals, group_by, strata, lambda g: float(sum(
            d.magnitude for x in g for d in x.decisions if d.approved and d.proposal.reason != LEAVE))),
    }


def approval_units(goals: list[GoalFacts], group_by: str, strata: str | None) -> list[Unit]:
    """HR's approvals: an employee counts as approved in a group when one of their decided proposals was."""
    buckets: dict[tuple[str, str], list[tuple[GoalFacts, Decision]]] = defaultdict(list)
    for goal in goals:
        for decision in goal.decisions:
            group = (decision.decided_by if group_by == "decider" else
                     goal.org_unit or NO_GROUP if group_by == "org_unit" else decision.proposal.manager_id)
            buckets[(group, goal.owner_id)].append((goal, decision))
    return [Unit(group, employee, float(any(d.approved for _, d in mine)), len(mine), stratum(mine[0][0], strata))
            for (group, employee), mine in sorted(buckets.items())]


def review_units(facts: CycleFacts, cycle: str, group_by: str, strata: str | None) -> dict[str, list[Unit]]:
    """Review decisions: grouped by the manager who decided, or by the org unit of the employee's first goal."""
    goals_of: dict[str, list[GoalFacts]] = defaultdict(list)
    for goal in facts.goals.values():
        if goal.cycle_id == cycle:
            goals_of[goal.owner_id].append(goal)
    decided = sorted((r for r in facts.reviews.values() if r.cycle_id == cycle and r.decision), key=lambda r:
                     r.employee_id)
    measures: dict[str, list[Unit]] = {"overrides_up": [], "overrides_down": [], "override_net": [],
                                       "band_index": []}
    for review in decided:
        first = goals_of[review.employee_id][0] if goals_of[review.employee_id] else None
        group = review_group(review, first, group_by)
        at = stratum(first, strata) if first else ""
        decision: dict[str, Any] = review.decision or {}
        up, down = decision.get("override_direction") == "up", decision.get("override_direction") == "down"
        bands = list(decision.get("bands") or [])
        for name, value in (("overrides_up", up), ("overrides_down", down), ("override_net", int(up) - int(down))):
            measures[name].append(Unit(group, review.employee_id, float(value), 1, at))
        if decision.get("band") in bands:
            measures["band_index"].append(Unit(group, review.employee_id,
                                               float(len(bands) - 1 - bands.index(decision["band"])), 1, at))
    return measures


def review_group(review: ReviewFacts, first: GoalFacts | None, group_by: str) -> str:
    if group_by == "org_unit":
        return (first.org_unit if first else None) or NO_GROUP
    return str((review.decision or {}).get("actor_id", NO_GROUP))
