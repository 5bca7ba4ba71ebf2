"""The recalibration policy of ADR 0029, on both stores: HR says why it decides, a recalibration comes before the
deadline and before the review, past milestones are refused, cancelling an agreed goal is a recalibration, and a
parent the caller may not see answers like a missing one."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from application.goals.service import Goals
from domain import errors
from tests.application.refusals import assert_refused
from tests.scenarios import HR, MANAGER, OTHER_HR, agreed, customer_service_terms

WHY = "A supplier outage halted deliveries for a month."


def proposed(goals: Goals) -> tuple[UUID, str]:
    goal_id = agreed(goals, customer_service_terms())
    proposal = goals.propose_recalibration(goal_id, MANAGER, reason="external_factor", justification=WHY,
                                           deadline=date(2026, 5, 31))
    return goal_id, proposal.reference or ""


@pytest.mark.parametrize("approve", [True, False])
@pytest.mark.parametrize("note", ["", "   ", "Ok.", "  too short  ", "123456789"])
def test_a_decision_without_a_reason_of_ten_characters_is_refused(goals: Goals, approve: bool, note: str) -> None:
    goal_id, recalibration_id = proposed(goals)
    decide = goals.approve_recalibration if approve else goals.reject_recalibration
    refusal = assert_refused(goals, goal_id, lambda: decide(goal_id, OTHER_HR, recalibration_id, note=note),
                             errors.InvalidGoalInputError, "note")
    assert isinstance(refusal, errors.InvalidGoalInputError) and refusal.field == "note"


def test_a_decision_with_a_reason_of_ten_characters_stands(goals: Goals) -> None:
    goal_id, recalibration_id = proposed(goals)
    goals.reject_recalibration(goal_id, HR, recalibration_id, note="  Not needed  ")  # 10 once stripped
    assert goals.get_goal(goal_id).recalibration(recalibration_id).note == "  Not needed  "

