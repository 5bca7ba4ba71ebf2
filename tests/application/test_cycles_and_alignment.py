"""Goals live in review cycles that exist, align to objectives or goals that exist, and freeze when HR locks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from application.cycles.service import Cycles
from application.goals.service import Goals
from application.cycles.objectives import Objectives
from domain.cycle import CycleStatus
from domain.errors import (
    AlignmentCycleError, CycleExistsError, CycleLockedError, CyclePeriodMismatchError, GoalError,
    UnknownCycleError, UnknownParentError,
)
from domain.values import Actor, Cycle, Outcome, Role, Status
from tests.conftest import Clock
from tests.scenarios import (
    EMPLOYEE, H1, HR, MANAGER, QUALITY_OBJECTIVE_ID, agreed, customer_service_terms, draft, drafting,
)

H2 = Cycle("2026-H2", date(2026, 7, 1), date(2026, 12, 31))


def test_a_goal_names_its_cycle_by_id_and_takes_the_cycles_period(goals: Goals) -> None:
    args = drafting(customer_service_terms())
    result = goals.draft_goal(EMPLOYEE, **{**args, "cycle": "2026-H1"})
    assert goals.get_goal(UUID(result.goal_id)).cycle == H1


@pytest.mark.parametrize(("cycle", "error"), [
    ("2031", UnknownCycleError),
    (Cycle("2031", date(2031, 1, 1), date(2031, 6, 30)), UnknownCycleError),
    (Cycle("2026-H1", date(2026, 1, 1), date(2026, 12, 31)), CyclePeriodMismatchError),
])
def test_a_goal_in_a_cycle_nobody_opened_or_with_another_period_is_refused(
    goals: Goals, cycle: Cycle | str, error: type[GoalError]
) -> None:
    head = goals.head_position()
    with pytest.raises(error):
        goals.draft_goal(EMPLOYEE, **{**drafting(customer_service_terms()), "cycle": cycle})
    assert goals.head_position() == head


def test_hr_opens_each_cycle_once_and_moves_it_forward(goals: Goals) -> None:
    cycles = Cycles(goals)
    cycles.open_cycle(HR, cycle_id="2026-H2", name="Second half", start=H2.start, end=H2.end)
    with pytest.raises(CycleExistsError):
        cycles.open_cycle(HR, cycle_id="2026-H2", name="Again", start=H2.start, end=H2.end)
    cycles.activate(HR, "2026-H2")
    cycles.start_review(HR, "2026-H2")
    assert cycles.get_cycle("2026-H2").status is CycleStatus.REVIEW
    assert [c.cycle_id for c in cycles.list_cycles()] == ["2026-H1", "2026", "2026-H2"]


def test_locking_a_cycle_freezes_its_goals_but_not_their_reading(goals: Goals, clock: Clock) -> None:
    goal_id = agreed(goals, customer_service_terms())
    other_year = draft(goals, customer_service_terms(cycle="2026", deadline=date(2026, 12, 31)))
    Cycles(goals).lock(HR, "2026-H1")
    clock.current = date(2026, 2, 2)
    with pytest.raises(CycleLockedError):
        goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(15), observed_at=date(2026, 1, 30))
    with pytest.raises(CycleLockedError):
        goals.close_goal(goal_id, HR, outcome="missed", summary="late")
    with pytest.raises(CycleLockedError):
        goals.draft_goal(EMPLOYEE, **drafting(customer_service_terms()))
    assert goals.get_goal(goal_id).status is Status.AGREED and goals.goal_events(goal_id)
    goals.sign_goal(other_year, EMPLOYEE)  # a goal of another cycle goes on


def test_a_lock_made_by_another_process_is_seen_by_the_next_command_here(goals: Goals, clock: Clock) -> None:
    goal_id = agreed(goals, customer_service_terms())
    clock.current = date(2026, 2, 2)
    goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(15), observed_at=date(2026, 1, 30))
    other = Goals(goals.settings, today=clock)  # a second worker on the same store, its own cache
    try:
        Cycles(other).lock(HR, "2026-H1")
    finally:
        other.close()
    with pytest.raises(CycleLockedError):
        goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(16), observed_at=date(2026, 1, 31))


def test_hr_carries_an_open_goal_over_to_the_next_cycle_with_both_ends_in_the_trail(goals: Goals) -> None:
    cycles = Cycles(goals)
    cycles.open_cycle(HR, cycle_id="2026-H2", name="Second half", start=H2.start, end=H2.end)
    old_id = agreed(goals, customer_service_terms())
    result = cycles.carry_over(old_id, HR, to_cycle="2026-H2", reason="The helpdesk migration moved to Q3.")
    old, new = goals.get_goal(old_id), goals.get_goal(UUID(result.goal_id))
    assert (old.status, old.outcome, old.carried_over_to) == (Status.CLOSED, Outcome.CANCELLED, str(new.id))
    assert (new.status, new.cycle, new.deadline, new.carried_over_from) == (Status.DRAFT, H2, H2.end, str(old_id))
    assert [type(e).__name__ for e in goals.goal_events(new.id)] == ["Drafted", "CarriedIn"]
    assert type(goals.goal_events(old_id)[-1]).__name__ == "CarriedOver"


def test_a_goal_aligns_to_an_objective_or_a_goal_that_exists(goals: Goals) -> None:
    objective = Objectives(goals).set_objective(HR, title="Support quality", cycle_id="2026-H1", org_unit="support",
                                                owner_id="hr-7", description="")
    team_goal = draft(goals, customer_service_terms(parent_goal_id=objective.goal_id, rationale=None), MANAGER)
    mine = draft(goals, customer_service_terms(parent_goal_id=str(team_goal), rationale=None))
    assert goals.smart_report(mine).passes
    with pytest.raises(UnknownParentError):
        draft(goals, customer_service_terms(parent_goal_id="this-goal-does-not-exist"))
    with pytest.raises(UnknownParentError):
        draft(goals, customer_service_terms(parent_goal_id=str(QUALITY_OBJECTIVE_ID).replace("5", "6", 1)))


def test_goals_never_align_to_each_other_in_a_circle(goals: Goals) -> None:
    first = draft(goals, customer_service_terms(parent_goal_id=str(QUALITY_OBJECTIVE_ID)))
    second = draft(goals, customer_service_terms(parent_goal_id=str(first)))
    with pytest.raises(AlignmentCycleError):
        goals.revise_goal(first, EMPLOYEE, {"parent_goal_id": str(second)})
    with pytest.raises(AlignmentCycleError):
        goals.revise_goal(first, EMPLOYEE, {"parent_goal_id": str(first)})


def test_hr_reassigns_a_goal_and_the_new_manager_acts_on_it_from_then_on(goals: Goals, clock: Clock) -> None:
    goal_id = agreed(goals, customer_service_terms())
    goals.reassign_goal(goal_id, HR, manager_id="mgr-2", reason="Support moved to Lena's team.")
    clock.current = date(2026, 2, 2)
    with pytest.raises(GoalError):
        goals.record_kpi(goal_id, MANAGER, kpi="tickets", value=Decimal(15), observed_at=date(2026, 1, 30))
    goals.record_kpi(goal_id, Actor("mgr-2", Role.MANAGER), kpi="tickets", value=Decimal(15),
                     observed_at=date(2026, 1, 30))
    reassigned = [e for e in goals.goal_events(goal_id) if type(e).__name__ == "Reassigned"]
    assert [(e.previous_manager_id, e.manager_id, e.actor_id) for e in reassigned] == [("mgr-1", "mgr-2", "hr-7")]
