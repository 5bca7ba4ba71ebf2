"""The facts a fairness report needs, folded from the event log: goals, proposals, decisions and their effect.

Only reads events. An event is named by its CloudEvents id, "<goal id>:<version>" (ADR 0007), so that every
figure of the report can list the events it counts and an auditor can find each one in the trail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from application.goals.service import LoggedEvent
from domain import recalibration as recal
from domain import stored
from domain.goal import Goal
from domain.values import Direction, Kpi

TOPICS = tuple(cls.TOPIC for cls in (Goal.Drafted, Goal.Revised, Goal.Agreed, Goal.RecalibrationProposed,
                                      Goal.Recalibrated, Goal.RecalibrationRejected, Goal.Reassigned))
EASED, TIGHTENED, MIXED, NEUTRAL = "eased", "tightened", "mixed", "neutral"


def event_id(event: Goal.Event) -> str:
    return f"{event.originator_id}:{event.originator_version}"


@dataclass(frozen=True)
class Proposal:
    event_id: str
    goal_id: str
    recalibration_id: str
    reason: str
    proposed_by: str
    manager_id: str = ""  # who managed the goal when it was proposed (a reassignment may have moved it since)
    cancels: bool = False  # a cancellation of the agreed goal: approved, it drops out of the score (eased)


@dataclass(frozen=True)
class Decision:
    """HR's approval or rejection of a proposal; an approval's effect and the deadline in force after it."""

    event_id: str
    goal_id: str
    proposal: Proposal
    approved: bool
    decided_by: str
    decider_role: str
    decided_on: date
    effect: str = NEUTRAL
    deadline_after: date | None = None
    owner_id: str = ""  # who held the goal when it was decided: the four-eyes rule is about them
    manager_id: str = ""


@dataclass
class GoalFacts:
    goal_id: str
    cycle_id: str
    owner_id: str
    manager_id: str
    org_unit: str | None
    kpis: dict[str, Kpi]
    deadline: date | None
    agreed_event_id: str | None = None
    agreed_manager_id: str | None = None
    proposals: dict[str, Proposal] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)


def collect_facts(logged: Iterable[LoggedEvent]) -> dict[str, GoalFacts]:
    """Every goal's facts, keyed by goal id, from the recalibration-relevant events in log order."""
    goals: dict[str, GoalFacts] = {}
    for item in logged:
        event = item.event
        if isinstance(event, Goal.Drafted):
            goals[str(event.originator_id)] = drafted(event)
            continue
        facts = goals.get(str(event.originator_id))
        if facts is not None and isinstance(event, Goal.Event):
            apply(facts, event)
    return goals


def drafted(event: Goal.Drafted) -> GoalFacts:
    return GoalFacts(
        goal_id=str(event.originator_id), cycle_id=str(event.cycle["id"]), owner_id=event.owner_id,
        manager_id=event.manager_id, org_unit=event.org_unit, kpis={k["id"]: stored.kpi(k) for k in event.kpis},
        deadline=event.deadline,
    )


def apply(facts: GoalFacts, event: Goal.Event) -> None:
    if isinstance(event, Goal.Revised):
        changes = event.changes
        facts.org_unit = changes.get("org_unit", facts.org_unit)
        facts.deadline = changes.get("deadline", facts.deadline)
        if "kpis" in changes:
            facts.kpis = {k["id"]: stored.kpi(k) for k in changes["kpis"]}
    elif isinstance(event, Goal.Agreed):
        facts.agreed_event_id, facts.agreed_manager_id = event_id(event), facts.manager_id
    elif isinstance(event, Goal.Reassigned):
        facts.owner_id, facts.manager_id = event.owner_id, event.manager_id
    elif isinstance(event, Goal.RecalibrationProposed):
        facts.proposals[event.recalibration_id] = Proposal(
            event_id(event), facts.goal_id, event.recalibration_id, event.reason, event.actor_id, facts.manager_id,
            recal.Changes.from_stored(event.changes).cancel,
        )
    elif isinstance(event, (Goal.Recalibrated, Goal.RecalibrationRejected)):
        decide(facts, event)


def decide(facts: GoalFacts, event: Goal.Recalibrated | Goal.RecalibrationRejected) -> None:
    proposal = facts.proposals.get(event.recalibration_id)
    if proposal is None:
        return  # a decision without its proposal cannot be on a chain that verifies; nothing to count
    approved = isinstance(event, Goal.Recalibrated)
    effect = NEUTRAL
    if isinstance(event, Goal.Recalibrated):
        before, after = recal.Side.from_stored(event.before), recal.Side.from_stored(event.after)
        effect = EASED if proposal.cancels else recalibration_effect(facts.kpis, before, after)
        in_force = recal.apply(recal.InForce(tuple(facts.kpis.values()), facts.deadline, ()), after, ())
        facts.kpis, facts.deadline = {k.id: k for k in in_force.kpis}, in_force.deadline
    facts.decisions.append(Decision(
        event_id=event_id(event), goal_id=facts.goal_id, proposal=proposal, approved=approved,
        decided_by=event.actor_id, decider_role=event.actor_role, decided_on=event.timestamp.date(),
        effect=effect, deadline_after=facts.deadline if approved else None,
        owner_id=facts.owner_id, manager_id=facts.manager_id,
    ))


def recalibration_effect(kpis: dict[str, Kpi], before: recal.Side, after: recal.Side) -> str:
    """Eased if some change makes the goal easier and none harder; tightened the reverse; mixed if both."""
    signs = [easing_sign(kpis[kpi_id], before.targets[kpi_id], change) for kpi_id, change in after.targets.items()]
    if after.deadline is not None and before.deadline is not None:
        signs.append(_sign(Decimal((after.deadline - before.deadline).days)))
    eased, tightened = any(s > 0 for s in signs), any(s < 0 for s in signs)
    if eased and tightened:
        return MIXED
    return EASED if eased else TIGHTENED if tightened else NEUTRAL


def easing_sign(kpi: Kpi, old: recal.TargetChange, new: recal.TargetChange) -> int:
    """+1 if the new target is easier for the KPI's direction, -1 if harder, 0 if neither (a shifted range)."""
    was, now = old.applied_to(kpi), new.applied_to(kpi)
    if kpi.direction is Direction.INCREASE and was.target is not None and now.target is not None:
        return _sign(was.target - now.target)
    if kpi.direction is Direction.DECREASE and was.target is not None and now.target is not None:
        return _sign(now.target - was.target)
    if None in (was.low, was.high, now.low, now.high):
        return 0
    return _sign((now.high - now.low) - (was.high - was.low))  # type: ignore[operator]


def _sign(value: Decimal) -> int:
    return (value > 0) - (value < 0)
