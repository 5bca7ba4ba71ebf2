"""Goals in each state a rule can be broken from, and a check that a refused command stored nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from application.errors import ApplicationError, GoalNotFoundError
from application.goals.service import Goals
from domain.errors import GoalError
from domain.values import Actor, Role
from tests.scenarios import HR, MANAGER, agree_milestone, customer_service_terms, draft


def stored_state(goals: Goals, goal_id: UUID | None) -> tuple[int, int | None, int]:
    """The log's head, the goal's version and its number of stored events (0 when there is no goal)."""
    if goal_id is None:
        return goals.head_position(), None, 0
    try:
        version = goals.get_goal(goal_id).version
    except GoalNotFoundError:
        return goals.head_position(), None, 0
    return goals.head_position(), version, len(goals.goal_events(goal_id))


def assert_refused(
    goals: Goals,
    goal_id: UUID | None,
    command: Callable[[], object],
    error: type[GoalError] | type[ApplicationError],
    *named: str,
) -> GoalError | ApplicationError:
    """The command raises `error` naming each of `named`, and nothing at all is stored."""
    before = stored_state(goals, goal_id)
    with pytest.raises(error) as caught:
        command()
    assert caught.value.code == error.code
    for text in named:
        assert text in caught.value.message, f"{text!r} not named in {caught.value.message!r}"
    assert stored_state(goals, goal_id) == before
    return caught.value


def a_draft(goals: Goals, **overrides: object) -> UUID:
    """The customer-service goal, drafted by HR so that any owner or manager may be swapped in."""
    return draft(goals, customer_service_terms(**overrides), actor=HR)


def an_agreed_goal(goals: Goals, **overrides: object) -> UUID:
    goal_id = a_draft(goals, **overrides)
    goal = goals.get_goal(goal_id)
    goals.sign_goal(goal_id, Actor(goal.owner_id, Role.EMPLOYEE))
    goals.sign_goal(goal_id, Actor(goal.manager_id, Role.MANAGER))
    return goal_id


def with_milestone(goals: Goals) -> UUID:
    goal_id = a_draft(goals)
    agree_milestone(goals, goal_id, kpi="tickets", due=date(2026, 3, 31), target=Decimal(17))
    goals.sign_goal(goal_id, Actor("emp-1", Role.EMPLOYEE))
    goals.sign_goal(goal_id, MANAGER)
    return goal_id


def with_pending_recalibration(goals: Goals, proposer: Actor = MANAGER, **overrides: object) -> UUID:
    goal_id = an_agreed_goal(goals, **overrides)
    goals.propose_recalibration(
        goal_id, proposer, reason="resourcing", justification="Two of five agents left in February.",
        deadline=date(2026, 5, 31),
    )
    return goal_id


def a_closed_goal(goals: Goals) -> UUID:
    goal_id = an_agreed_goal(goals)
    goals.close_goal(goal_id, HR, outcome="missed", summary="Team disbanded in May.")
    return goal_id
