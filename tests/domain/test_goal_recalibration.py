"""Recalibration: proposed by a party with a reason, decided by a second person from HR, before and after kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, UTC
from decimal import Decimal
from typing import Any

import pytest
from freezegun import freeze_time

from domain.errors import (
    FourEyesViolationError,
    GoalClosedError,
    GoalNotAgreedError,
    InvalidGoalInputError,
    MilestoneRuleError,
    NotAPartyError,
    PermissionDeniedError,
    RecalibrationDecidedError,
    RecalibrationPendingError,
    RecalibrationRuleError,
    TargetRuleError,
    UnknownKpiError,
    UnknownRecalibrationError,
)
from domain.goal import Goal
from domain.values import Actor, RecalibrationStatus, Role
from tests.domain.support import (
    TODAY,
    agreed,
    agreed_milestone,
    closed,
    drafted,
    event_names,
    propose_on,
    refused,
    with_pending_recalibration,
)
from tests.scenarios import (
    CSAT,
    EMPLOYEE,
    HR,
    MANAGER,
    OTHER_HR,
    STRANGER,
    TICKETS,
    customer_service_terms,
)

WHY = "A supplier outage halted deliveries for a month."
DECIDED = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)


def propose(
    goal: Goal, actor: Actor = MANAGER, reason: str = "external_factor", justification: str = WHY, **changes: Any
) -> str:
    return propose_on(goal, actor, reason, justification, **changes)


def test_an_approved_recalibration_takes_effect_and_keeps_before_and_after() -> None:
    goal = agreed()
    agreed_milestone(goal, "tickets", date(2026, 3, 31), Decimal(17))
    recalibration_id = propose(
        goal, targets={"tickets": {"target": Decimal(18)}}, deadline=date(2026, 6, 15),
        milestones=[{"kpi": "tickets", "due": date(2026, 4, 30), "target": Decimal(16),
                     "replaces": "tickets@2026-03-31"}],
    )
    assert recalibration_id == "r1" and goal.kpi("tickets").target == Decimal(20), "a proposal changes nothing yet"
    with freeze_time(DECIDED):
        goal.approve_recalibration("r1", HR, note="Outage confirmed.", today=TODAY)
    assert event_names(goal) == ["MilestoneProposed", "MilestoneSet", "RecalibrationProposed", "Recalibrated"]
    recalibration = goal.recalibration("r1")
    assert (recalibration.status, recalibration.decided_by, recalibration.decided_at) == (
        RecalibrationStatus.APPROVED, "hr-7", DECIDED)
    assert recalibration.before.to_stored() == {
        "targets": {"tickets": {"target": Decimal(20)}}, "deadline": date(2026, 6, 30),
        "milestones": [{"id": "tickets@2026-03-31", "kpi": "tickets", "due": date(2026, 3, 31), "target": Decimal(17)}],
    }
    assert recalibration.after.deadline == date(2026, 6, 15)
    assert (goal.kpi("tickets").target, goal.deadline) == (Decimal(18), date(2026, 6, 15))
    assert [m.id for m in goal.milestones] == ["tickets@2026-04-30"]
    assert (goal.original_kpis[0].target, goal.original_deadline) == (Decimal(20), date(2026, 6, 30))


def test_a_rejected_recalibration_leaves_the_goal_as_it_was() -> None:
    goal, recalibration_id = with_pending_recalibration()
    goal.reject_recalibration(recalibration_id, OTHER_HR, note="The outage lasted two days.")
    assert goal.recalibration(recalibration_id).status == RecalibrationStatus.REJECTED
    assert goal.kpi("tickets").target == Decimal(20) and goal.pending_recalibration() is None


def test_a_draft_cannot_be_recalibrated() -> None:
    goal = drafted()
    with refused(goal, GoalNotAgreedError, "draft", "only an agreed goal can be recalibrated"):
        propose(goal, targets={"tickets": {"target": Decimal(18)}})


def test_a_closed_goal_cannot_be_recalibrated() -> None:
    goal = closed()
    with refused(goal, GoalClosedError, "closed"):
        propose(goal, targets={"tickets": {"target": Decimal(18)}})


def test_the_reason_must_be_one_of_the_categories() -> None:
    goal = agreed()
    with refused(goal, InvalidGoalInputError, "reason", "'bad_luck'", "external_factor", "data_correction"):
        propose(goal, reason="bad_luck", targets={"tickets": {"target": Decimal(18)}})


@pytest.mark.parametrize(("justification", "error", "named"), [
    ("", InvalidGoalInputError, "must not be empty"),
    ("Outage.", RecalibrationRuleError, "'Outage.'"),
])
def test_a_written_justification_is_required(justification: str, error: type, named: str) -> None:
    goal = agreed()
    with refused(goal, error, "justification", named):
        propose(goal, justification=justification, targets={"tickets": {"target": Decimal(18)}})


@pytest.mark.parametrize("actor", [STRANGER, HR])
def test_only_the_owner_or_the_manager_proposes(actor: Actor) -> None:
    goal = agreed()
    with refused(goal, NotAPartyError, repr(actor.id)):
        propose(goal, actor=actor, targets={"tickets": {"target": Decimal(18)}})


def test_the_owner_may_propose() -> None:
    goal = agreed()
    assert propose(goal, actor=EMPLOYEE, deadline=date(2026, 6, 1)) == "r1"


@pytest.mark.parametrize(("changes", "error", "named"), [
    ({}, RecalibrationRuleError, "must change targets, the deadline or milestones"),
    ({"targets": {"tickets": {"target": Decimal(20)}}}, RecalibrationRuleError, "'tickets' already has"),
    ({"targets": {"tickets": {"target": Decimal(10)}}}, TargetRuleError, "target 10"),
    ({"targets": {"tickets": {"low": Decimal(10)}}}, InvalidGoalInputError, "targets.tickets"),
    ({"targets": {"tickets": {"target": Decimal("NaN")}}}, InvalidGoalInputError, "targets.tickets.target"),
    ({"targets": {"nps": {"target": Decimal(50)}}}, UnknownKpiError, "'nps'"),
    ({"deadline": date(2026, 6, 30)}, RecalibrationRuleError, "already 2026-06-30"),
    ({"deadline": date(2026, 1, 10)}, RecalibrationRuleError, "2026-01-10"),
    ({"milestones": [{"kpi": "tickets", "due": date(2026, 7, 15), "target": Decimal(18)}]}, MilestoneRuleError,
     "2026-07-15"),
    ({"milestones": [{"kpi": "tickets", "due": date(2026, 4, 1)}]}, InvalidGoalInputError, "milestones[0].target"),
    ({"milestones": [{"kpi": "tickets", "due": date(2026, 4, 1), "target": Decimal(18), "replaces": "x@1"}]},
     InvalidGoalInputError, "'x@1'"),
])
def test_a_proposal_must_change_something_valid(changes: dict[str, object], error: type, named: str) -> None:
    goal = agreed()
    with refused(goal, error, named):
        propose(goal, **changes)


def test_one_proposal_at_a_time() -> None:
    goal, recalibration_id = with_pending_recalibration()
    with refused(goal, RecalibrationPendingError, repr(recalibration_id), "awaits HR"):
        propose(goal, deadline=date(2026, 5, 31))


@pytest.mark.parametrize("actor", [MANAGER, EMPLOYEE, Actor("aud-1", Role.AUDITOR)])
def test_only_hr_decides(actor: Actor) -> None:
    goal, recalibration_id = with_pending_recalibration()
    with refused(goal, PermissionDeniedError, "only HR decides", repr(actor.id)):
        goal.approve_recalibration(recalibration_id, actor, today=TODAY, note="Checked against the evidence.")
    with refused(goal, PermissionDeniedError, "only HR decides"):
        goal.reject_recalibration(recalibration_id, actor, note="Checked against the evidence.")


def test_hr_who_owns_the_goal_cannot_decide_its_recalibration() -> None:
    hr_owner = Actor("hr-7", Role.HR)
    goal = agreed(customer_service_terms(owner_id=hr_owner.id))
    _, recalibration_id = with_pending_recalibration(goal)
    with refused(goal, FourEyesViolationError, "'hr-7'", "owner of the goal"):
        goal.approve_recalibration(recalibration_id, hr_owner, today=TODAY, note="Checked against the evidence.")


def test_hr_who_proposed_cannot_decide_their_own_proposal() -> None:
    hr_manager = Actor("hr-7", Role.HR)
    goal = agreed(customer_service_terms(manager_id=hr_manager.id))
    recalibration_id = propose(goal, actor=hr_manager, deadline=date(2026, 5, 31))
    goal.collect_events()
    with refused(goal, FourEyesViolationError, "'hr-7'", "manager of the goal"):
        goal.reject_recalibration(recalibration_id, hr_manager, note="Checked against the evidence.")
    goal.approve_recalibration(recalibration_id, OTHER_HR, today=TODAY, note="Checked against the evidence.")
    assert goal.recalibration(recalibration_id).decided_by == OTHER_HR.id


def test_a_decided_or_unknown_recalibration_cannot_be_decided() -> None:
    goal, recalibration_id = with_pending_recalibration()
    goal.approve_recalibration(recalibration_id, HR, today=TODAY, note="Checked against the evidence.")
    goal.collect_events()
    with refused(goal, RecalibrationDecidedError, repr(recalibration_id), "approved"):
        goal.reject_recalibration(recalibration_id, OTHER_HR, note="Checked against the evidence.")
    with refused(goal, UnknownRecalibrationError, "'r9'"):
        goal.approve_recalibration("r9", OTHER_HR, today=TODAY, note="Checked against the evidence.")


def test_a_new_deadline_before_a_milestone_must_move_that_milestone_too() -> None:
    goal = agreed()
    agreed_milestone(goal, "tickets", date(2026, 5, 31), Decimal(18))
    goal.collect_events()
    with refused(goal, MilestoneRuleError, "'tickets@2026-05-31'", "2026-04-30"):
        propose(goal, deadline=date(2026, 4, 30))
    propose(goal, deadline=date(2026, 4, 30), milestones=[
        {"kpi": "tickets", "due": date(2026, 4, 15), "target": Decimal(18), "replaces": "tickets@2026-05-31"}])


def test_a_lower_target_cannot_leave_a_milestone_beyond_it() -> None:
    goal = agreed()
    agreed_milestone(goal, "tickets", date(2026, 5, 31), Decimal(19))
    goal.collect_events()
    with refused(goal, MilestoneRuleError, "'tickets@2026-05-31'", "at most the target 18"):
        propose(goal, targets={"tickets": {"target": Decimal(18)}})


def test_a_milestone_set_while_a_proposal_waits_must_fit_it_before_approval() -> None:
    goal, recalibration_id = with_pending_recalibration()  # tickets target 20 -> 18
    agreed_milestone(goal, "tickets", date(2026, 5, 31), Decimal(19))
    goal.collect_events()
    with refused(goal, MilestoneRuleError, "'tickets@2026-05-31'", "at most the target 18"):
        goal.approve_recalibration(recalibration_id, HR, today=TODAY, note="Checked against the evidence.")
    goal.reject_recalibration(recalibration_id, HR, note="Checked against the evidence.")


def test_a_revision_cannot_leave_a_drafts_milestone_behind() -> None:
    goal = drafted()
    agreed_milestone(goal, "tickets", date(2026, 5, 31), Decimal(18))
    goal.collect_events()
    with refused(goal, MilestoneRuleError, "'tickets@2026-05-31'", "at most the target 17"):
        goal.revise({"kpis": [replace(TICKETS, target=Decimal(17)), CSAT]}, MANAGER)
    with refused(goal, MilestoneRuleError, "'tickets@2026-05-31'", "lose its KPI 'tickets'"):
        goal.revise({"kpis": [CSAT]}, MANAGER)
    with refused(goal, MilestoneRuleError, "'tickets@2026-05-31'", "2026-04-30"):
        goal.revise({"deadline": date(2026, 4, 30)}, MANAGER)
    goal.revise({"kpis": [replace(TICKETS, target=Decimal(19)), CSAT]}, MANAGER)
