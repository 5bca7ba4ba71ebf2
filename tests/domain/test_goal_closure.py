"""Closing a goal: an outcome and a summary; a draft can only be cancelled; a closed goal takes no command."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, UTC
from decimal import Decimal

import pytest
from freezegun import freeze_time

from domain.errors import (
    ClosureRuleError,
    GoalClosedError,
    InvalidGoalInputError,
    PermissionDeniedError,
    RecalibrationPendingError,
)
from domain.goal import Goal
from domain.values import Outcome, Status
from tests.domain.support import (
    TODAY,
    agreed,
    closed,
    drafted,
    event_names,
    propose_on,
    refused,
    with_pending_recalibration,
)
from tests.scenarios import EMPLOYEE, HR, MANAGER, OTHER_HR

CLOSED_AT = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)


def test_closing_keeps_the_outcome_the_summary_who_and_when() -> None:
    goal = agreed()
    with freeze_time(CLOSED_AT):
        goal.close("partially_achieved", "18 tickets a day, CSAT 91%.", MANAGER)
    assert event_names(goal) == ["Closed"]
    assert (goal.status, goal.outcome, goal.summary) == (
        Status.CLOSED, Outcome.PARTIALLY_ACHIEVED, "18 tickets a day, CSAT 91%.")
    assert (goal.closed_at, goal.closed_by) == (CLOSED_AT, "mgr-1")


def test_the_outcome_must_be_one_of_the_four() -> None:
    goal = agreed()
    with refused(goal, InvalidGoalInputError, "outcome", "'done'", "partially_achieved"):
        goal.close("done", "Finished.", MANAGER)


def test_a_summary_is_required() -> None:
    goal = agreed()
    with refused(goal, InvalidGoalInputError, "summary", "must not be empty"):
        goal.close("achieved", "  ", MANAGER)


def test_the_owner_cannot_close_their_own_goal() -> None:
    goal = agreed()
    with refused(goal, PermissionDeniedError, "'emp-1'", "only the manager ('mgr-1') or HR"):
        goal.close("achieved", "I did it.", EMPLOYEE)


@pytest.mark.parametrize("outcome", ["achieved", "partially_achieved", "missed"])
def test_a_draft_can_only_be_cancelled(outcome: str) -> None:
    goal = drafted()
    with refused(goal, ClosureRuleError, "only be closed as cancelled", outcome):
        goal.close(outcome, "Never agreed.", MANAGER)
    goal.close("cancelled", "Role changed before agreement.", HR)
    assert goal.status == Status.CLOSED and goal.outcome == Outcome.CANCELLED


def test_a_goal_with_a_pending_recalibration_is_not_closed_until_hr_decides() -> None:
    goal, recalibration_id = with_pending_recalibration()
    with refused(goal, RecalibrationPendingError, repr(recalibration_id)):
        goal.close("missed", "Outage.", MANAGER)


COMMANDS: dict[str, Callable[[Goal], object]] = {
    "revise": lambda g: g.revise({"title": "Another title"}, MANAGER),
    "sign": lambda g: g.sign(MANAGER, today=TODAY),
    "set_milestone": lambda g: g.set_milestone("csat", date(2026, 3, 31), Decimal(85), MANAGER, today=TODAY),
    "record_kpi": lambda g: g.record_kpi("tickets", Decimal(15), date(2026, 1, 10), EMPLOYEE, today=TODAY),
    "propose_recalibration": lambda g: propose_on(
        g, MANAGER, "other", "Reorganisation of the team.", deadline=date(2026, 5, 31), today=TODAY),
    "approve_recalibration": lambda g: g.approve_recalibration("r1", OTHER_HR, today=TODAY, note="Checked it."),
    "reject_recalibration": lambda g: g.reject_recalibration("r1", OTHER_HR, note="Checked evidence."),
    "close": lambda g: g.close("missed", "Again.", HR),
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("how", ["agreed", "cancelled draft"])
def test_a_closed_goal_refuses_every_command(command: str, how: str) -> None:
    if how == "agreed":
        goal = closed("missed")
    else:
        goal = drafted()
        goal.close("cancelled", "Never started.", MANAGER)
        goal.collect_events()
    with refused(goal, GoalClosedError, str(goal.id), "takes no further command"):
        COMMANDS[command](goal)
