"""The fairness report reads reassignments: each recalibration counts for the manager of the goal at that time, and
the four-eyes check judges a decision by the goal's parties when it was taken (ADR 0035)."""

from __future__ import annotations

from decimal import Decimal

from application.audit.fairness import recalibration_fairness
from application.goals.service import Goals
from domain.values import Actor, Role
from tests.conftest import Clock
from tests.projections.fairness_seed import EASE, recalibrate
from tests.scenarios import HR, MANAGER, OTHER_HR, agreed, customer_service_terms


def test_recalibrations_count_for_the_manager_of_their_time_and_later_owners_break_no_earlier_rule(
        goals: Goals, clock: Clock) -> None:
    goal_id = agreed(goals, customer_service_terms())
    recalibrate(goals, clock, goal_id, MANAGER, EASE, approve=True)  # under mgr-1, decided by hr-7 (HR)
    goals.reassign_goal(goal_id, OTHER_HR, reason="Reorganisation of support.", manager_id="mgr-2")
    recalibrate(goals, clock, goal_id, Actor("mgr-2", Role.MANAGER),
                {"targets": {"tickets": {"target": Decimal(17)}}}, approve=True)
    goals.reassign_goal(goal_id, OTHER_HR, reason="Moved into HR.", owner_id=HR.id)  # hr-7 owns it now
    report = recalibration_fairness(goals, "2026-H1", "manager").body
    by_manager = {group["group"]: (group["approved"], group["eased"]) for group in report["groups"]}
    assert by_manager == {"mgr-1": (1, 1), "mgr-2": (1, 1)}
    assert report["four_eyes_violations"] == []  # hr-7 decided both while emp-1 owned the goal
