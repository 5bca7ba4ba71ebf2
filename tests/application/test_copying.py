"""A cached goal's copy for a command equals a deep copy, and nothing done to it reaches the cached goal."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from application.goals.copying import fresh_copy
from application.goals.service import Goals
from domain.values import Actor, Role
from tests.conftest import Clock
from tests.scenarios import (
    EMPLOYEE,
    HR,
    MANAGER,
    agree_milestone,
    agreed,
    customer_service_terms,
)


@dataclass(frozen=True)
class FrozenWithList:
    items: list[int] = field(default_factory=list)


class Holder:
    def __init__(self) -> None:
        self.frozen = FrozenWithList([1, 2])
        self.nested = {"a": [{"b": Decimal(1)}]}


def a_goal_with_everything(goals: Goals, clock: Clock) -> object:
    goal_id = agreed(goals, customer_service_terms())
    agree_milestone(goals, goal_id, kpi="tickets", due=date(2026, 3, 31), target=Decimal(17))
    clock.current = date(2026, 4, 2)
    goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal("16.5"), observed_at=date(2026, 3, 31))
    goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal("16.0"), observed_at=date(2026, 3, 31))
    goals.propose_recalibration(goal_id, MANAGER, reason="external_factor",
                                justification="Ticketing outage in March cost two weeks.",
                                targets={"tickets": {"target": Decimal(19)}})
    return goals.repository.get(goal_id, deepcopy_from_cache=False)


def test_the_copy_of_a_goal_equals_its_deep_copy(goals: Goals, clock: Clock) -> None:
    goal = a_goal_with_everything(goals, clock)
    assert vars(fresh_copy(goal)) == vars(copy.deepcopy(goal))
    assert type(fresh_copy(goal)) is type(goal)


def test_commands_on_the_copy_leave_the_original_as_it_was(goals: Goals, clock: Clock) -> None:
    goal = a_goal_with_everything(goals, clock)
    before = copy.deepcopy(vars(goal))
    duplicate = fresh_copy(goal)
    duplicate.record_kpi("csat", Decimal(88), date(2026, 3, 31), EMPLOYEE, today=clock.current)
    # changes a Recalibration in place
    duplicate.approve_recalibration("r1", HR, note="Outage confirmed by IT.", today=clock.current)
    duplicate.close("achieved", "On target.", MANAGER)
    assert vars(goal) == before
    assert duplicate.version > goal.version and duplicate.status == "closed" and goal.status == "agreed"
    assert goal.recalibrations[0].status == "proposed" != duplicate.recalibrations[0].status


def test_mutable_values_are_copied_and_only_unchangeable_ones_are_shared(goals: Goals, clock: Clock) -> None:
    goal = a_goal_with_everything(goals, clock)
    duplicate = fresh_copy(goal)
    assert duplicate.readings is not goal.readings and duplicate.readings == goal.readings
    assert duplicate.readings.versions is not goal.readings.versions
    assert duplicate.readings.latest["tickets"] is goal.readings.latest["tickets"]  # frozen: sharing it is safe
    assert duplicate.recalibrations[0] is not goal.recalibrations[0]  # a recalibration changes when decided
    assert duplicate.signatures is not goal.signatures


def test_a_frozen_value_holding_a_list_is_copied_not_shared() -> None:
    holder = Holder()
    duplicate = fresh_copy(holder)
    assert duplicate.frozen is not holder.frozen and duplicate.frozen == holder.frozen
    duplicate.frozen.items.append(3)
    duplicate.nested["a"][0]["b"] = Decimal(2)
    assert holder.frozen.items == [1, 2] and holder.nested == {"a": [{"b": Decimal(1)}]}


def test_two_commands_from_the_cache_see_only_their_own_changes(goals: Goals, clock: Clock) -> None:
    goal_id = agreed(goals, customer_service_terms())
    clock.current = date(2026, 4, 2)
    first, second = goals.get_goal(goal_id), goals.get_goal(goal_id)
    first.record_kpi("tickets", Decimal(15), date(2026, 3, 1), Actor("emp-1", Role.EMPLOYEE), today=clock.current)
    assert second.readings.last_day() is None and goals.get_goal(goal_id).readings.last_day() is None
