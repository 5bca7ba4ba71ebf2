"""The facts of a cycle folded from its plain records (ADR 0041): goals, their recalibrations judged by what they
changed in the score, readings, closures, reviews and the cycle's state. Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from application.fairness.attainment import Kpi, goal_score, reaches
from application.fairness.records import Record

EASED, TIGHTENED, MIXED, NEUTRAL = "eased", "tightened", "mixed", "neutral"
LEAVE = "leave_or_adjustment"


@dataclass(frozen=True)
class Proposal:
    event_id: str
    reason: str
    proposed_by: str
    manager_id: str  # the goal's manager when it was proposed
    cancels: bool = False  # a cancellation of the agreed goal (ADR 0029): approved, it leaves the score, so eased


@dataclass(frozen=True)
class Decision:
    event_id: str
    proposal: Proposal
    approved: bool
    decided_by: str
    decided_on: date
    manager_id: str  # the goal's manager when it was decided
    effect: str = NEUTRAL
    magnitude: Decimal = Decimal(0)  # score under the new terms minus under the old, readings at decision time
    days_before_deadline: int | None = None  # to the deadline in force before the change
    behind_pace: bool = False


@dataclass
class GoalFacts:
    goal_id: str
    cycle_id: str
    owner_id: str
    manager_id: str
    org_unit: str | None
    kpis: dict[str, Kpi]
    deadline: date | None
    period_start: date
    agreed: str | None = None
    agreed_kpis: dict[str, Kpi] = field(default_factory=dict)
    agreed_deadline: date | None = None
    proposals: dict[str, Proposal] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)
    readings: dict[str, list[tuple[date, Decimal]]] = field(default_factory=dict)
    closed: tuple[str, str] | None = None  # outcome, event id

    def latest(self) -> dict[str, Decimal]:
        """Each KPI's latest reading so far (by the day observed; a later record of the same day corrects it)."""
        return {kpi: max(values, key=lambda v: v[0])[1] for kpi, values in self.readings.items() if values}

    @property
    def pending(self) -> list[Proposal]:
        decided = {d.proposal.event_id for d in self.decisions}
        return [p for p in self.proposals.values() if p.event_id not in decided]


@dataclass(frozen=True)
class ReviewFacts:
    employee_id: str
    cycle_id: str
    decision: dict[str, Any] | None = None
    decision_id: str | None = None
    disputes: tuple[str, ...] = ()
    resolutions: tuple[tuple[str, str, str], ...] = ()  # event id, resolver, outcome


@dataclass
class CycleFacts:
    goals: dict[str, GoalFacts] = field(default_factory=dict)
    reviews: dict[str, ReviewFacts] = field(default_factory=dict)
    states: dict[str, str] = field(default_factory=dict)  # cycle id -> planning, active, review or locked


CYCLE_STATES = {"Cycle.Opened": "planning", "Cycle.Activated": "active", "Cycle.ReviewStarted": "review",
                "Cycle.Locked": "locked"}


def collect(records: Iterable[Record]) -> CycleFacts:
    facts = CycleFacts()
    cycles_by_id: dict[str, str] = {}
    for r in records:
        if r.kind in CYCLE_STATES:
            cycle = r.data.get("cycle") or cycles_by_id.get(r.originator_id, "")
            cycles_by_id[r.originator_id] = cycle
            facts.states[cycle] = CYCLE_STATES[r.kind]
        elif r.kind == "Goal.Drafted":
            facts.goals[r.originator_id] = drafted(r)
        elif r.kind.startswith("Review."):
            review_step(facts.reviews, r)
        elif r.originator_id in facts.goals:
            goal_step(facts.goals[r.originator_id], r)
    return facts


def kpi_of(stored: dict[str, Any]) -> Kpi:
    return {key: stored.get(key) for key in ("id", "direction", "baseline", "target", "low", "high")}


def drafted(r: Record) -> GoalFacts:
    data = r.data
    return GoalFacts(r.originator_id, str(data["cycle"]["id"]), data["owner_id"], data["manager_id"],
                     data.get("org_unit"), {k["id"]: kpi_of(k) for k in data["kpis"]}, data.get("deadline"),
                     data["cycle"]["start"])


def goal_step(goal: GoalFacts, r: Record) -> None:
    data = r.data
    if r.kind == "Goal.Revised":
        changes = data["changes"]
        goal.org_unit = changes.get("org_unit", goal.org_unit)
        goal.deadline = changes.get("deadline", goal.deadline)
        if "kpis" in changes:
            goal.kpis = {k["id"]: kpi_of(k) for k in changes["kpis"]}
    elif r.kind == "Goal.Agreed":
        goal.agreed, goal.agreed_kpis, goal.agreed_deadline = r.event_id, dict(goal.kpis), goal.deadline
    elif r.kind == "Goal.Reassigned":
        goal.owner_id, goal.manager_id = data["owner_id"], data["manager_id"]
    elif r.kind == "Goal.KpiRecorded":
        goal.readings.setdefault(data["kpi"], []).append((data["observed_at"], data["value"]))
    elif r.kind == "Goal.Closed":
        goal.closed = (data["outcome"], r.event_id)
    elif r.kind == "Goal.RecalibrationProposed":
        goal.proposals[data["recalibration_id"]] = Proposal(r.event_id, data["reason"], data["actor_id"],
                                                            goal.manager_id, data["changes"].get("cancel") is True)
    elif r.kind in ("Goal.Recalibrated", "Goal.RecalibrationRejected"):
        decide(goal, r)


def decide(goal: GoalFacts, r: Record) -> None:
    proposal = goal.proposals.get(r.data["recalibration_id"])
    if proposal is None:
        return  # a decision without its proposal cannot be on a chain that verifies; nothing to count
    decided_on = r.data["timestamp"].date()
    common = {"event_id": r.event_id, "proposal": proposal, "decided_by": r.data["actor_id"],
              "decided_on": decided_on, "manager_id": goal.manager_id}
    if r.kind == "Goal.RecalibrationRejected":
        goal.decisions.append(Decision(approved=False, **common))
        return
    before_kpis, before_deadline = goal.kpis, goal.deadline
    goal.kpis, goal.deadline = applied(goal.kpis, goal.deadline, r.data["after"])
    latest = goal.latest()
    old, new = goal_score(before_kpis, latest), goal_score(goal.kpis, latest)
    judged = EASED if proposal.cancels else effect(new - old, before_kpis, goal.kpis, before_deadline, goal.deadline)
    goal.decisions.append(Decision(
        approved=True, effect=judged,
        magnitude=new - old, behind_pace=behind(old, goal.period_start, decided_on, before_deadline),
        days_before_deadline=(before_deadline - decided_on).days if before_deadline else None, **common))


def applied(kpis: dict[str, Kpi], deadline: date | None, after: dict[str, Any]) -> tuple[dict[str, Kpi], date | None]:
    changed = {kpi_id: {**kpi, **after.get("targets", {}).get(kpi_id, {})} for kpi_id, kpi in kpis.items()}
    return changed, after.get("deadline") or deadline


def effect(magnitude: Decimal, old: dict[str, Kpi], new: dict[str, Kpi], old_deadline: date | None,
           new_deadline: date | None) -> str:
    """By the score when the readings tell (magnitude not 0), else by each target's stretch; the deadline too."""
    signs = [_sign(magnitude)] if magnitude else [s for k in new if old[k] != new[k] for s in stretch(old[k], new[k])]
    if old_deadline and new_deadline:
        signs.append(_sign(Decimal((new_deadline - old_deadline).days)))
    eased, tightened = any(s > 0 for s in signs), any(s < 0 for s in signs)
    if eased and tightened:
        return MIXED
    return EASED if eased else TIGHTENED if tightened else NEUTRAL


def stretch(old: Kpi, new: Kpi) -> list[int]:
    """[+1] easier, [-1] harder; a range moved wholly outside its old band, unjudged without a reading: both."""
    if old["direction"] == "range":
        if None in (old["low"], old["high"], new["low"], new["high"]):
            return []
        if new["high"] < old["low"] or new["low"] > old["high"]:
            return [1, -1]  # mixed: listed for a person to judge, never silently neutral
        return [_sign((new["high"] - new["low"]) - (old["high"] - old["low"]))]
    if old["target"] is None or new["target"] is None:
        return []
    gap = old["target"] - new["target"]
    return [_sign(gap if old["direction"] == "increase" else -gap)]


def behind(score: Decimal, start: date, on: date, deadline: date | None) -> bool:
    """Behind pace: the score short of the share of the period (start to deadline in force) already gone."""
    if deadline is None or deadline <= start:
        return False
    return score < Decimal(min((on - start).days, (deadline - start).days)) / Decimal((deadline - start).days)


def achieved_only_by_recalibration(goal: GoalFacts) -> bool:
    """Closed achieved, every KPI reached under the terms in force, but not under the terms first agreed."""
    if goal.closed is None or goal.closed[0] != "achieved" or not goal.agreed_kpis:
        return False
    latest = goal.latest()
    now = all(reaches(k, latest.get(i)) for i, k in goal.kpis.items())
    return now and not all(reaches(k, latest.get(i)) for i, k in goal.agreed_kpis.items())


def review_step(reviews: dict[str, ReviewFacts], r: Record) -> None:
    key, data = r.originator_id, r.data
    if r.kind == "Review.Opened":
        reviews[key] = ReviewFacts(data["employee_id"], data["cycle_id"])
        return
    review = reviews.get(key)
    if review is None:
        return
    if r.kind == "Review.DecisionRecorded":
        reviews[key] = ReviewFacts(review.employee_id, review.cycle_id, data, r.event_id, review.disputes,
                                   review.resolutions)
    elif r.kind == "Review.Disputed":
        reviews[key] = ReviewFacts(review.employee_id, review.cycle_id, review.decision, review.decision_id,
                                   (*review.disputes, r.event_id), review.resolutions)
    elif r.kind == "Review.DisputeResolved":
        reviews[key] = ReviewFacts(review.employee_id, review.cycle_id, review.decision, review.decision_id,
                                   review.disputes, (*review.resolutions, (r.event_id, data["actor_id"],
                                                                           data["outcome"])))


def _sign(value: Decimal) -> int:
    return (value > 0) - (value < 0)
