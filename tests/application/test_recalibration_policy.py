"""The recalibration policy of ADR 0029, on both stores: HR says why it decides, a recalibration comes before the
deadline and before the review, past milestones are refused, cancelling an agreed goal is a recalibration, and a
parent the caller may not see answers like a missing one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from application.audit.fairness import recalibration_fairness
from application.events.cloudevents import to_cloudevent
from application.events.schemas import SCHEMAS
from application.cycles.service import Cycles
from application.goals.service import Goals
from domain import errors
from domain.values import Outcome, Status
from tests.application.refusals import assert_refused
from tests.conftest import Clock
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



def test_an_agreed_goal_is_not_closed_as_cancelled_by_its_manager_alone(goals: Goals) -> None:
    goal_id = agreed(goals, customer_service_terms())
    assert_refused(goals, goal_id, lambda: goals.close_goal(goal_id, MANAGER, outcome="cancelled", summary="Dropped."),
                   errors.ClosureRuleError, "recalibration")
    assert_refused(goals, goal_id, lambda: goals.close_goal(goal_id, HR, outcome="cancelled", summary="Dropped."),
                   errors.ClosureRuleError, "recalibration")


def test_cancelling_an_agreed_goal_is_a_recalibration_hr_decides_with_four_eyes(goals: Goals) -> None:
    goal_id = agreed(goals, customer_service_terms())
    proposal = goals.propose_recalibration(goal_id, MANAGER, reason="priority_shift", justification=WHY, cancel=True)
    recalibration_id = proposal.reference or ""
    goal = goals.get_goal(goal_id)
    assert (goal.status, goal.recalibration(recalibration_id).cancels) == (Status.AGREED, True)
    assert_refused(goals, goal_id, lambda: goals.approve_recalibration(goal_id, MANAGER, recalibration_id,
                                                                       note="I agree with myself."),
                   errors.PermissionDeniedError, "only HR")
    goals.approve_recalibration(goal_id, HR, recalibration_id, note="The product line was closed.")
    goal = goals.get_goal(goal_id)
    assert (goal.status, goal.outcome, goal.closed_by) == (Status.CLOSED, Outcome.CANCELLED, HR.id)
    # The system's words: the justification stays in the proposal, under its author's key (ADR 0051).
    assert goal.summary == f"cancelled by recalibration {recalibration_id}"
    assert goal.recalibration(recalibration_id).justification == WHY


def test_a_cancellation_changes_nothing_else(goals: Goals) -> None:
    goal_id = agreed(goals, customer_service_terms())
    assert_refused(goals, goal_id, lambda: goals.propose_recalibration(
        goal_id, MANAGER, reason="priority_shift", justification=WHY, deadline=date(2026, 5, 31), cancel=True,
    ), errors.RecalibrationRuleError, "cancellation changes nothing else")


def test_the_fairness_report_counts_an_approved_cancellation_as_eased(goals: Goals) -> None:
    goal_id = agreed(goals, customer_service_terms())
    proposal = goals.propose_recalibration(goal_id, MANAGER, reason="priority_shift", justification=WHY, cancel=True)
    goals.approve_recalibration(goal_id, HR, proposal.reference or "", note="The product line was closed.")
    [figures] = recalibration_fairness(goals, "2026-H1", "manager").body["groups"]
    assert (figures["approved"], figures["eased"], figures["cancelled"], figures["eased_goals"]) == (1, 1, 1, 1)


def test_a_recalibration_after_the_goals_deadline_is_refused(goals: Goals, clock: Clock) -> None:
    goal_id = agreed(goals, customer_service_terms(deadline=date(2026, 3, 31)))
    clock.current = date(2026, 4, 1)
    refusal = assert_refused(goals, goal_id, lambda: goals.propose_recalibration(
        goal_id, MANAGER, reason="external_factor", justification=WHY, targets={"csat": {"target": Decimal(85)}},
    ), errors.DeadlinePassedError, "2026-03-31", "2026-04-01")
    assert refusal.code == "deadline_passed"


def test_a_proposal_pending_past_the_goals_deadline_is_not_approved(goals: Goals, clock: Clock) -> None:
    goal_id = agreed(goals, customer_service_terms(deadline=date(2026, 3, 31)))
    proposal = goals.propose_recalibration(goal_id, MANAGER, reason="external_factor", justification=WHY,
                                           targets={"csat": {"target": Decimal(85)}})
    clock.current = date(2026, 4, 1)
    refusal = assert_refused(goals, goal_id, lambda: goals.approve_recalibration(
        goal_id, HR, proposal.reference or "", note="Outage confirmed."), errors.DeadlinePassedError, "2026-03-31")
    assert refusal.code == "deadline_passed"
    goals.reject_recalibration(goal_id, HR, proposal.reference or "", note="Too late to change.")


def test_a_recalibration_once_the_cycle_is_in_review_is_refused(goals: Goals) -> None:
    goal_id = agreed(goals, customer_service_terms())
    proposal = goals.propose_recalibration(goal_id, MANAGER, reason="external_factor", justification=WHY,
                                           targets={"csat": {"target": Decimal(85)}})
    cycles = Cycles(goals)
    cycles.activate(HR, "2026-H1")
    cycles.start_review(HR, "2026-H1")
    refusal = assert_refused(goals, goal_id, lambda: goals.approve_recalibration(
        goal_id, HR, proposal.reference or "", note="Outage confirmed."), errors.CycleInReviewError, "2026-H1")
    assert refusal.code == "cycle_in_review"
    goals.reject_recalibration(goal_id, HR, proposal.reference or "", note="The review has started.")
    refusal = assert_refused(goals, goal_id, lambda: goals.propose_recalibration(
        goal_id, MANAGER, reason="external_factor", justification=WHY, deadline=date(2026, 5, 31),
    ), errors.CycleInReviewError, "in review")
    assert refusal.code == "cycle_in_review"


def test_a_recalibration_setting_a_milestone_in_the_past_is_refused(goals: Goals, clock: Clock) -> None:
    goal_id = agreed(goals, customer_service_terms())
    clock.current = date(2026, 3, 1)
    past = {"kpi": "tickets", "due": date(2026, 2, 15), "target": Decimal(16)}
    assert_refused(goals, goal_id, lambda: goals.propose_recalibration(
        goal_id, MANAGER, reason="external_factor", justification=WHY, milestones=[past],
    ), errors.MilestoneRuleError, "2026-02-15", "in the past")


def test_a_proposed_milestone_that_fell_due_while_pending_is_not_approved(goals: Goals, clock: Clock) -> None:
    goal_id = agreed(goals, customer_service_terms())
    soon = {"kpi": "tickets", "due": date(2026, 2, 15), "target": Decimal(16)}
    proposal = goals.propose_recalibration(goal_id, MANAGER, reason="external_factor", justification=WHY,
                                           milestones=[soon])
    clock.current = date(2026, 3, 1)
    assert_refused(goals, goal_id, lambda: goals.approve_recalibration(
        goal_id, HR, proposal.reference or "", note="Outage confirmed."), errors.MilestoneRuleError, "in the past")


def test_a_cancellation_and_its_approval_validate_against_the_published_event_schemas(goals: Goals) -> None:
    goal_id = agreed(goals, customer_service_terms())
    head = goals.head_position()
    proposal = goals.propose_recalibration(goal_id, MANAGER, reason="priority_shift", justification=WHY, cancel=True)
    goals.approve_recalibration(goal_id, HR, proposal.reference or "", note="The product line was closed.")
    cloudevents = [to_cloudevent(e.event, e.position) for e in goals.log_events() if (e.position or 0) > head]
    assert [e["type"] for e in cloudevents] == [
        "goal.recalibration_proposed.v1", "goal.recalibrated.v1", "goal.closed.v1"]
    assert cloudevents[0]["data"]["changes"]["cancel"] is True
    for cloudevent in cloudevents:
        Draft202012Validator(SCHEMAS[cloudevent["type"]], format_checker=FormatChecker()).validate(cloudevent["data"])
