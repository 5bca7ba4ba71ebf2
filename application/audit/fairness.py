"""The recalibration fairness report of a cycle, per manager or org unit, computed from the log at a position.

Computed on demand from the events up to the position (ADR 0007): asked again at the same position it is the
same, byte for byte, and its `hash` (SHA-256 of the canonical JSON without the hash) says so.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from statistics import median
from typing import Any

from application.audit.fairness_stats import GroupRate, disparity
from application.audit.recalibration_facts import (
    EASED,
    MIXED,
    TIGHTENED,
    Decision,
    GoalFacts,
    Proposal,
)
from application.audit.fairness_reviews import review_sections
from application.audit.review_facts import TOPICS as REVIEW_AND_GOAL_TOPICS
from application.audit.review_facts import collect
from application.audit.verification import checked_position
from application.goals.service import Goals
from domain import rules, stored
from domain.errors import UnknownStoredValueError
from domain.values import Actor, Role

NO_GROUP = "(none)"


class GroupBy(StrEnum):
    MANAGER = "manager"
    ORG_UNIT = "org_unit"


@dataclass(frozen=True)
class FairnessReport:
    body: dict[str, Any]

    def canonical(self) -> bytes:
        """The report as canonical JSON (sorted keys, no spaces): the bytes the API serves and the hash covers."""
        return canonical_json(self.body)


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def recalibration_fairness(
    goals: Goals, cycle: str, group_by: GroupBy | str, position: int | None = None
) -> FairnessReport:
    """The report over the events up to `position` (default: the head), for the goals of one cycle."""
    group_by = GroupBy(group_by)
    until = checked_position(goals, position)
    log_facts = collect(goals.log_events(until=until, topics=REVIEW_AND_GOAL_TOPICS))
    facts = log_facts.goals
    in_cycle = [f for f in facts.values() if f.cycle_id == cycle and f.agreed_event_id is not None]
    grouped: dict[str, list[GoalFacts]] = defaultdict(list)
    for goal in in_cycle:
        for name, part in parts_of(goal, group_by):
            grouped[name].append(part)
    groups = [group_figures(name, grouped[name]) for name in sorted(grouped)]
    rates = [GroupRate(g["group"], g["eased_goals"], g["goals"]) for g in groups]
    body: dict[str, Any] = {
        "cycle": cycle,
        "group_by": str(group_by),
        "position": until,
        "groups": groups,
        "disparity": disparity(rates),
        "four_eyes_violations": four_eyes_violations(in_cycle),
        **review_sections(log_facts, cycle, by_manager=group_by is GroupBy.MANAGER),
    }
    body["hash"] = hashlib.sha256(canonical_json(body)).hexdigest()
    return FairnessReport(body)


def parts_of(goal: GoalFacts, group_by: GroupBy) -> list[tuple[str, GoalFacts]]:
    """By org unit, the goal; by manager, the goal's part under each manager who held it (ADR 0035): agreed under
    one, each proposal and decision counted for the manager of the goal when it was made."""
    if group_by is not GroupBy.MANAGER:
        return [(goal.org_unit or NO_GROUP, goal)]
    managers = dict.fromkeys([goal.agreed_manager_id or goal.manager_id]
                             + [p.manager_id for p in goal.proposals.values()] + [d.manager_id for d in goal.decisions])
    return [(manager or NO_GROUP, replace(
        goal, proposals={k: p for k, p in goal.proposals.items() if p.manager_id == manager},
        decisions=[d for d in goal.decisions if d.manager_id == manager])) for manager in managers]


def group_figures(name: str, goals: list[GoalFacts]) -> dict[str, Any]:
    """Each figure, and under event_ids the events it counts (count == number of ids, always)."""
    proposals = sorted((p for g in goals for p in g.proposals.values()), key=lambda p: id_order(p.event_id))
    decisions = [d for g in goals for d in g.decisions]
    approved = [d for d in decisions if d.approved]
    ids: dict[str, Any] = {
        "goals": in_order(str(g.agreed_event_id) for g in goals),
        "proposed": [p.event_id for p in proposals],
        "approved": in_order(d.event_id for d in approved),
        "rejected": in_order(d.event_id for d in decisions if not d.approved),
        "eased": in_order(d.event_id for d in approved if d.effect == EASED),
        "tightened": in_order(d.event_id for d in approved if d.effect == TIGHTENED),
        "mixed": in_order(d.event_id for d in approved if d.effect == MIXED),
        "cancelled": in_order(d.event_id for d in approved if d.proposal.cancels),  # counted as eased too
        "eased_goals": in_order(first_easing(g) for g in goals if first_easing(g)),
        "by_reason": by_reason(proposals),
        "median_days_before_deadline": in_order(d.event_id for d in approved if d.deadline_after),
    }
    days = [(d.deadline_after - d.decided_on).days for d in approved if d.deadline_after]
    figures = {key: len(value) for key, value in ids.items() if isinstance(value, list)}
    return {
        "group": name,
        **figures,
        "by_reason": {reason: len(events) for reason, events in ids["by_reason"].items()},
        "median_days_before_deadline": float(median(days)) if days else None,
        "event_ids": ids,
    }


def id_order(event_id: str) -> tuple[str, int]:
    """Event ids sorted by goal, then by version as a number (so that ':9' comes before ':10')."""
    goal_id, _, version = event_id.rpartition(":")
    return goal_id, int(version)


def in_order(event_ids: Iterable[str]) -> list[str]:
    return sorted(event_ids, key=id_order)


def first_easing(goal: GoalFacts) -> str:
    """The first approved recalibration that eased the goal ('' if none): the event that makes it count as eased."""
    return next((d.event_id for d in goal.decisions if d.approved and d.effect == EASED), "")


def by_reason(proposals: list[Proposal]) -> dict[str, list[str]]:
    reasons: dict[str, list[str]] = defaultdict(list)
    for proposal in proposals:
        reasons[proposal.reason].append(proposal.event_id)
    return dict(sorted(reasons.items()))


def four_eyes_violations(goals: list[GoalFacts]) -> list[dict[str, Any]]:
    """Every decision not taken by an hr person who is neither a party to the goal nor the proposal's proposer."""
    found = []
    for goal in goals:
        for decision in goal.decisions:
            broken = rules_broken(goal, decision)
            if broken:
                found.append({
                    "event_id": decision.event_id, "goal_id": goal.goal_id,
                    "recalibration_id": decision.proposal.recalibration_id,
                    "decision": "approved" if decision.approved else "rejected",
                    "decided_by": decision.decided_by, "decider_role": decision.decider_role,
                    "owner_id": decision.owner_id, "proposed_by": decision.proposal.proposed_by, "broken": broken,
                })
    return sorted(found, key=lambda v: id_order(str(v["event_id"])))


def rules_broken(goal: GoalFacts, decision: Decision) -> list[str]:
    """What a stored decision broke: only HR decides, and never a party to the goal or the proposer."""
    broken = [] if rules.decides_recalibrations(decider(decision)) else ["decider_not_hr"]
    # The parties when the decision was taken: a reassignment since does not make an earlier decision wrong.
    if rules.decider_is_a_second_person(decision.decided_by, decision.owner_id, decision.manager_id,
                                        decision.proposal.proposed_by):
        return broken
    parties = (("decider_is_owner", decision.owner_id), ("decider_is_manager", decision.manager_id),
               ("decider_is_proposer", decision.proposal.proposed_by))
    return broken + [name for name, who in parties if who == decision.decided_by]


def decider(decision: Decision) -> Actor:
    """Who decided, in the role the event stored (a role outside the vocabulary decides nothing)."""
    try:
        return Actor(decision.decided_by, stored.role(decision.decider_role))
    except UnknownStoredValueError:
        return Actor(decision.decided_by, Role.SERVICE)
