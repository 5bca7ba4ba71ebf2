"""The seed article's example goals, drafted through the application, for tests of every layer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.application import AggregateNotFoundError

from application.cycles.service import Cycles
from application.goals.checks import find_cycle
from application.goals.service import Goals
from domain.cycle import NAMESPACE, CycleStatus
from domain.objective import Objective
from domain.terms import GoalTerms
from domain.values import Actor, Cadence, Cycle, Direction, Kpi, Role, Status

EMPLOYEE = Actor("emp-1", Role.EMPLOYEE)
MANAGER = Actor("mgr-1", Role.MANAGER)
HR = Actor("hr-7", Role.HR)
OTHER_HR = Actor("hr-8", Role.HR)
STRANGER = Actor("emp-9", Role.EMPLOYEE)
AUDITOR = Actor("aud-1", Role.AUDITOR)

H1 = Cycle("2026-H1", date(2026, 1, 1), date(2026, 6, 30))
YEAR = Cycle("2026", date(2026, 1, 1), date(2026, 12, 31))
H2 = Cycle("2026-H2", date(2026, 7, 1), date(2026, 12, 31))
# The organisation's quality objective for 2026, which the defect-rate goal aligns to (a fixed id, for the tests).
QUALITY_OBJECTIVE_ID = uuid5(NAMESPACE, "objective:org-quality-2026")


# How many events ensure_cycles writes into an empty store by default (the two cycles and the objective): tests of
# the log's shape count them first.
SETUP_EVENTS = 3


def ensure_cycles(goals: Goals, *periods: Cycle) -> None:
    """Open the test cycles (H1 and the year, or those given) and the quality objective, unless they exist."""
    cycles = Cycles(goals)
    for period in periods or (H1, YEAR):
        if find_cycle(goals.repository, period.id) is None:  # looked up first: a refused insert leaves a gap on PG
            cycles.open_cycle(HR, cycle_id=period.id, name=f"Cycle {period.id}", start=period.start, end=period.end)
    if YEAR not in (periods or (YEAR,)):
        return
    try:
        goals.repository.get(QUALITY_OBJECTIVE_ID, deepcopy_from_cache=False)
    except AggregateNotFoundError:
        goals.save(Objective.set(actor=HR, title="Product quality", cycle_id=YEAR.id, org_unit="quality",
                                 owner_id=HR.id, description="Fewer defects", objective_id=QUALITY_OBJECTIVE_ID))

def start_cycles(goals: Goals, *cycle_ids: str) -> None:
    """HR starts the test cycles (H1 and the year, or those named) that are still in planning: bands are decided
    only in a cycle that has started."""
    cycles = Cycles(goals)
    for cycle_id in cycle_ids or (H1.id, YEAR.id):
        found = find_cycle(goals.repository, cycle_id)
        if found is not None and found.status is CycleStatus.PLANNING:
            cycles.activate(HR, cycle_id)

def release_ratings(goals: Goals, cycle_id: str = H1.id) -> None:
    """HR moves the cycle on, from wherever it stands, until its ratings are released (employees then answer them)."""
    cycles = Cycles(goals)
    steps = {"planning": cycles.activate, "active": cycles.start_review, "review": cycles.release}
    while (status := str(cycles.get_cycle(cycle_id).status)) in steps:
        steps[status](HR, cycle_id)


TICKETS = Kpi("tickets", "Tickets resolved per day", "tickets/day", Direction.INCREASE, Decimal(14),
              Cadence.WEEKLY, target=Decimal(20))
CSAT = Kpi("csat", "Average customer satisfaction", "%", Direction.INCREASE, Decimal(82), Cadence.MONTHLY,
           target=Decimal(90))
DEFECTS = Kpi("defects", "Product defect rate", "%", Direction.DECREASE, Decimal("5.0"), Cadence.MONTHLY,
              target=Decimal("2.0"))
SURVEY = Kpi("survey", "Customer satisfaction survey score", "%", Direction.INCREASE, Decimal(70),
             Cadence.MONTHLY, target=Decimal(85))
RESPONSE_TIME = Kpi("response", "First response time", "hours", Direction.RANGE, Decimal(3), Cadence.WEEKLY,
                    low=Decimal("0.5"), high=Decimal(2))


def customer_service_terms(**overrides: Any) -> dict[str, Any]:
    """'Resolve at least 20 support tickets per day with an average CSAT of 90% or higher, by the end of Q2.'"""
    terms: dict[str, Any] = {
        "cycle": H1,
        "owner_id": EMPLOYEE.id,
        "manager_id": MANAGER.id,
        "org_unit": "support",
        "title": "Support throughput and satisfaction",
        "statement": "Resolve at least 20 support tickets per day with an average customer satisfaction "
        "rating of 90% or higher, by the end of Q2",
        "kpis": [TICKETS, CSAT],
        "deadline": date(2026, 6, 30),
        "weight": Decimal(60),
        "rationale": "Customer support quality is this year's first company objective.",
    }
    return {**terms, **overrides}


def defect_rate_terms(**overrides: Any) -> dict[str, Any]:
    """'Reduce product defect rate from 5% to 2% by the end of the year.'"""
    terms: dict[str, Any] = {
        "cycle": YEAR,
        "owner_id": EMPLOYEE.id,
        "manager_id": MANAGER.id,
        "org_unit": "quality",
        "title": "Reduce defect rate",
        "statement": "Reduce product defect rate from 5% to 2% by the end of the year through weekly "
        "quality audits and team training",
        "kpis": [DEFECTS],
        "deadline": date(2026, 12, 31),
        "weight": Decimal(40),
        "parent_goal_id": str(QUALITY_OBJECTIVE_ID),
    }
    return {**terms, **overrides}


def survey_terms(**overrides: Any) -> dict[str, Any]:
    """'Increase the customer satisfaction survey score from 70% to 85% in the next six months.'"""
    terms: dict[str, Any] = {
        "cycle": H1,
        "owner_id": EMPLOYEE.id,
        "manager_id": MANAGER.id,
        "org_unit": "support",
        "title": "Customer satisfaction survey",
        "statement": "Increase the customer satisfaction survey score from 70% to 85% in the next six months",
        "kpis": [SURVEY],
        "deadline": date(2026, 6, 30),
        "weight": Decimal(40),
        "rationale": "Customer satisfaction is a company objective.",
    }
    return {**terms, **overrides}


def drafting(terms: dict[str, Any]) -> dict[str, Any]:
    """A flat dict of draft fields (as the builders above give) as the keyword arguments drafting takes."""
    fixed = {name: terms[name] for name in ("cycle", "owner_id", "manager_id")}
    given = {name: value for name, value in terms.items() if name not in fixed}
    return {**fixed, "terms": GoalTerms(**{**given, "kpis": tuple(given["kpis"])})}


def draft(goals: Goals, terms: dict[str, Any], actor: Actor = EMPLOYEE) -> UUID:
    ensure_cycles(goals)
    return UUID(goals.draft_goal(actor, **drafting(terms)).goal_id)


def agreed(goals: Goals, terms: dict[str, Any]) -> UUID:
    goal_id = draft(goals, terms)
    goals.sign_goal(goal_id, Actor(terms["owner_id"], Role.EMPLOYEE))
    goals.sign_goal(goal_id, Actor(terms["manager_id"], Role.MANAGER))
    return goal_id


def agree_milestone(goals: Goals, goal_id: UUID, *, kpi: str, due: date, target: Decimal) -> None:
    """After agreement a milestone holds once both parties set it: the manager proposes, the owner confirms."""
    goal = goals.get_goal(goal_id)
    goals.set_milestone(goal_id, Actor(goal.manager_id, Role.MANAGER), kpi=kpi, due=due, target=target)
    if goal.status is not Status.DRAFT:  # a draft's milestone holds at once; the signatures agree to it
        goals.set_milestone(goal_id, Actor(goal.owner_id, Role.EMPLOYEE), kpi=kpi, due=due, target=target)
