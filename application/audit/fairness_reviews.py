"""The review side of the fairness report (ADR 0025): overrides of the computed band by group and direction, the
bands decided per group with a disparity test, and goals closed "achieved" whose data does not support it.

Each figure lists the events it counts, as the recalibration figures do (application/audit/fairness.py).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from application.audit.fairness_stats import GroupRate, band_disparity, disparity
from application.audit.recalibration_facts import GoalFacts
from application.audit.review_facts import LogFacts, ReviewFacts, unsupported_achievement

NO_GROUP = "(none)"
OVERRIDE_MEASURE = "decisions overriding the computed band upwards / decisions"


def review_sections(facts: LogFacts, cycle: str, by_manager: bool) -> dict[str, Any]:
    """The report's `review_decisions` and `unsupported_achievements` for one cycle."""
    decided = [r for r in facts.reviews.values() if r.cycle_id == cycle and r.decision is not None]
    grouped: dict[str, list[ReviewFacts]] = defaultdict(list)
    for review in decided:
        grouped[review_group(review, facts.goals, by_manager)].append(review)
    groups = [decision_figures(name, grouped[name]) for name in sorted(grouped)]
    rates = [GroupRate(g["group"], g["overrides_up"], g["decisions"]) for g in groups]
    bands = {g["group"]: g["bands"] for g in groups}
    return {
        "review_decisions": {
            "groups": groups,
            "override_disparity": disparity(rates, OVERRIDE_MEASURE),
            "band_disparity": band_disparity(bands),
        },
        "unsupported_achievements": unsupported(facts, cycle),
    }


def review_group(review: ReviewFacts, goals: dict[str, GoalFacts], by_manager: bool) -> str:
    """Grouped by the manager who decided, or by the org unit of the employee's first goal in the cycle."""
    assert review.decision is not None
    if by_manager:
        return review.decision.actor_id
    mine = [g for g in goals.values() if g.owner_id == review.employee_id and g.cycle_id == review.cycle_id]
    return next((g.org_unit for g in mine if g.org_unit), NO_GROUP)


def decision_figures(name: str, reviews: list[ReviewFacts]) -> dict[str, Any]:
    decisions = {r.review_id: r.decision for r in reviews if r.decision is not None}
    ids = {rid: f"{rid}:{d.originator_version}" for rid, d in decisions.items()}
    by_band: dict[str, list[str]] = defaultdict(list)
    for rid, decision in decisions.items():
        by_band[decision.band].append(ids[rid])
    event_ids: dict[str, Any] = {
        "decisions": sorted(ids.values()),
        "overrides_up": sorted(ids[r] for r, d in decisions.items() if d.override_direction == "up"),
        "overrides_down": sorted(ids[r] for r, d in decisions.items() if d.override_direction == "down"),
        "overrides_without_computed_band": sorted(
            ids[r] for r, d in decisions.items() if d.computed_band is None),
        "disputed": sorted(e for r in reviews for e in r.disputes),
        "changed_on_dispute": sorted(r.changed_band[1] for r in reviews if r.changed_band),
        "bands": {band: sorted(events) for band, events in sorted(by_band.items())},
    }
    counts = {key: len(value) for key, value in event_ids.items() if isinstance(value, list)}
    return {"group": name, **counts, "bands": {b: len(e) for b, e in event_ids["bands"].items()},
            "event_ids": event_ids}


def unsupported(facts: LogFacts, cycle: str) -> list[dict[str, Any]]:
    flagged = []
    for goal_id in sorted(facts.goals):
        goal, readings = facts.goals[goal_id], facts.readings.get(goal_id)
        if goal.cycle_id != cycle or readings is None:
            continue
        for finding in unsupported_achievement(goal, readings):
            flagged.append({"goal_id": goal_id, "owner_id": goal.owner_id, "manager_id": goal.manager_id,
                            **finding})
    return flagged
