"""A goal's whole life, through every kind of event there is: for tests of the event contract and its channels."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from uuid import UUID

from application.goals.warnings import WarningLedger
from application.cycles.service import Cycles
from application.goals.service import Goals
from application.reviews.decisions import ReviewDecisions
from domain.check_ins import CheckIn
from domain.goal_warnings import Evidence, MissedMilestone, OverdueReading, PaceChange
from domain.review_values import DecisionBasis
from tests.conftest import Clock
from tests.scenarios import (
    CSAT,
    EMPLOYEE,
    H2,
    HR,
    MANAGER,
    OTHER_HR,
    TICKETS,
    agree_milestone,
    customer_service_terms,
    draft,
    ensure_cycles,
    start_cycles,
    release_ratings,
)

WHOLE_LIFE_EVENTS = 17


def whole_life(goals: Goals, clock: Clock) -> UUID:
    """A goal that goes through every kind of event: revised after a signature, recalibrated twice, closed."""
    goal_id = draft(goals, customer_service_terms())
    goals.sign_goal(goal_id, EMPLOYEE)
    goals.revise_goal(goal_id, MANAGER, {
        "title": "Support throughput", "deadline": date(2026, 6, 15), "weight": Decimal("55.5"),
        "kpis": [TICKETS, replace(CSAT, target=Decimal(91))], "org_unit": None,
    })
    goals.sign_goal(goal_id, EMPLOYEE)
    goals.sign_goal(goal_id, MANAGER)
    agree_milestone(goals, goal_id, kpi="tickets", due=date(2026, 3, 31), target=Decimal(17))
    clock.current = date(2026, 4, 2)
    for value in ("16.5", "16.75"):  # the second reading of the day corrects the first
        goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(value), observed_at=date(2026, 3, 31))
    goals.check_in(goal_id, EMPLOYEE, CheckIn.of("at_risk", 3, note="March outage", blockers="Ticketing tool down",
                                                 next_steps="Catch up in April"))
    moved = [{"kpi": "tickets", "due": date(2026, 4, 30), "target": Decimal(16), "replaces": "tickets@2026-03-31"}]
    first = goals.propose_recalibration(
        goal_id, MANAGER, reason="external_factor", justification="Ticketing outage in March cost two weeks.",
        targets={"tickets": {"target": Decimal(17)}}, milestones=moved,
    )
    goals.reject_recalibration(goal_id, HR, first.reference or "", note="Too generous.")
    second = goals.propose_recalibration(
        goal_id, EMPLOYEE, reason="resourcing", justification="Two colleagues left the team in March.",
        targets={"csat": {"target": Decimal(88)}}, deadline=date(2026, 6, 30), milestones=moved,
    )
    goals.approve_recalibration(goal_id, OTHER_HR, second.reference or "", note="Confirmed.")
    goals.close_goal(goal_id, MANAGER, outcome="partially_achieved", summary="19 tickets/day, 89% CSAT.")
    return goal_id


REVIEW_BANDS = ("outstanding", "exceeds_expectations", "meets_expectations", "needs_improvement", "unsatisfactory")


def other_aggregates_life(goals: Goals, goal_id: UUID) -> None:
    """Every kind of event of the other aggregates in the log: a review decided, disputed and resolved, another
    acknowledged, and each kind of early warning on the goal."""
    decisions = ReviewDecisions(goals)
    basis = DecisionBasis("2026.1", "sha256:" + "0" * 64, goals.head_position(), "meets_expectations", REVIEW_BANDS,
                          frozenset({MANAGER.id}))
    start_cycles(goals, "2026-H1", "2026")
    for cycle in ("2026-H1", "2026"):
        decisions.assess_self(EMPLOYEE.id, cycle, EMPLOYEE, text="I kept the queue down through the outage.")
        decisions.decide(EMPLOYEE.id, cycle, MANAGER, band="exceeds_expectations", summary="A strong half.",
                         override_reason="The outage work is not in the numbers.", basis=basis)
    for cycle in ("2026-H1", "2026"):
        release_ratings(goals, cycle)
    decisions.dispute(EMPLOYEE.id, "2026-H1", EMPLOYEE, reason="The outage deserved more.")
    decisions.resolve_dispute(EMPLOYEE.id, "2026-H1", "d1", HR, outcome="changed", band="outstanding",
                              note="Confirmed by the support lead.")
    decisions.acknowledge(EMPLOYEE.id, "2026", EMPLOYEE)
    ledger, evidence = WarningLedger(goals), Evidence(goals.head_position(), (f"{goal_id}:1",))
    for warning in (OverdueReading("tickets", "weekly", None, date(2026, 1, 22)), PaceChange("at_risk"),
                    MissedMilestone("tickets@2026-03-31", "tickets", date(2026, 3, 31), Decimal(17), None)):
        ledger.record(str(goal_id), warning, evidence, today=date(2026, 4, 2))


def cycle_life(goals: Goals) -> UUID:
    """The events of cycles and HR's moves of goals: a goal reassigned, then carried over to a later cycle that HR
    activates, reviews and locks; the continued goal is returned."""
    cycles = Cycles(goals)
    ensure_cycles(goals, H2)
    goal_id = draft(goals, customer_service_terms(title="Carried"))
    goals.reassign_goal(goal_id, HR, manager_id="mgr-2", reason="Support moved to another team.")
    carried = cycles.carry_over(goal_id, HR, to_cycle=H2.id, reason="The helpdesk migration moved to Q3.")
    cycles.activate(HR, H2.id)
    cycles.start_review(HR, H2.id)
    cycles.lock(HR, H2.id)
    return UUID(carried.goal_id)


def directory_life(goals: Goals) -> None:
    """Every kind of directory event: people provisioned, updated, moved, deactivated and reactivated; a group
    created, renamed, given members and deleted (ADR 0033)."""
    from application.directory.service import Directory
    from tests.application.directory.support import PROVISIONER, details, small_organisation

    directory = Directory(goals)
    small_organisation(directory)
    directory.replace_person(PROVISIONER, "emp-dev", details("emp-dev", title="Lead"), manager_id="mgr-zed",
                             active=False)
    directory.replace_person(PROVISIONER, "emp-dev", details("emp-dev", title="Lead"), manager_id="mgr-zed",
                             active=True)
    group = directory.create_group(PROVISIONER, "Auditors", {"emp-eve"})
    directory.replace_group(PROVISIONER, group.id, "auditors", {"emp-dev"})
    directory.delete_group(PROVISIONER, group.id)
