"""Every rule of the goal, broken through the application: the error names the value, and nothing is stored."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from application.goals.service import Goals
from domain import errors
from domain.values import Actor, Role
from tests.application.refusals import (
    a_closed_goal,
    a_draft,
    an_agreed_goal,
    assert_refused,
    with_milestone,
    with_pending_recalibration,
)
from tests.conftest import Clock
from tests.scenarios import (
    EMPLOYEE,
    HR,
    MANAGER,
    OTHER_HR,
    RESPONSE_TIME,
    STRANGER,
    TICKETS,
    customer_service_terms,
    defect_rate_terms,
    draft,
    drafting,
)

HR_OWNER = Actor("hr-3", Role.HR)
WHY = "Two of five agents left in February."
Setup = Callable[[Goals], UUID | None]
Command = Callable[[Goals, UUID, Clock], Any]


@dataclass(frozen=True)
class Rule:
    setup: Setup
    command: Command
    error: type[errors.GoalError]
    named: tuple[str, ...]


def rule(setup: Setup, command: Command, error: type[errors.GoalError], *named: str) -> Rule:
    return Rule(setup, command, error, named)


def nothing(goals: Goals) -> None:
    return None


def draft_as(actor: Actor, **overrides: Any) -> Command:
    return lambda goals, _, __: goals.draft_goal(actor, **drafting(customer_service_terms(**overrides)))


def record(kpi: str = "tickets", value: str = "15", observed_at: date = date(2026, 1, 10)) -> Command:
    return lambda goals, goal_id, _: goals.record_kpi(
        goal_id, EMPLOYEE, kpi=kpi, value=Decimal(value), observed_at=observed_at)


def milestone(kpi: str, due: date, target: str) -> Command:
    return lambda goals, goal_id, _: goals.set_milestone(goal_id, MANAGER, kpi=kpi, due=due, target=Decimal(target))


def propose(actor: Actor = MANAGER, reason: str = "resourcing", justification: str = WHY, **changes: Any) -> Command:
    return lambda goals, goal_id, _: goals.propose_recalibration(
        goal_id, actor, reason=reason, justification=justification, **changes)


def decide(actor: Actor, approve: bool = True, recalibration_id: str = "r1") -> Command:
    command = Goals.approve_recalibration if approve else Goals.reject_recalibration
    return lambda goals, goal_id, _: command(goals, goal_id, actor, recalibration_id, note="Checked the evidence.")


def close(actor: Actor = MANAGER, outcome: str = "achieved", summary: str = "Done.") -> Command:
    return lambda goals, goal_id, _: goals.close_goal(goal_id, actor, outcome=outcome, summary=summary)


def sign(actor: Actor, read_version: int | None = None) -> Command:
    return lambda goals, goal_id, _: goals.sign_goal(goal_id, actor, read_version=read_version)


def signed_by_owner(goals: Goals) -> UUID:
    goal_id = a_draft(goals)
    goals.sign_goal(goal_id, EMPLOYEE)
    return goal_id


def revised_once(goals: Goals) -> UUID:
    goal_id = a_draft(goals)
    goals.revise_goal(goal_id, MANAGER, {"title": "Support throughput"})
    return goal_id


def sign_after_the_deadline(goals: Goals, goal_id: UUID, clock: Clock) -> Any:
    clock.current = date(2026, 7, 1)
    return goals.sign_goal(goal_id, EMPLOYEE)


def record_in_the_future(goals: Goals, goal_id: UUID, clock: Clock) -> Any:
    clock.current = date(2026, 2, 10)
    return record(observed_at=date(2026, 2, 11))(goals, goal_id, clock)


def record_after_the_period(goals: Goals, goal_id: UUID, clock: Clock) -> Any:
    clock.current = date(2026, 8, 1)
    return record(observed_at=date(2026, 7, 1))(goals, goal_id, clock)


RULES: dict[str, Rule] = {
    # Drafting
    "a stranger drafts": rule(nothing, draft_as(STRANGER), errors.PermissionDeniedError, "'emp-9'"),
    "the owner is their own manager": rule(
        nothing, draft_as(EMPLOYEE, manager_id="emp-1"), errors.InvalidGoalInputError, "manager_id", "'emp-1'"),
    "a non-finite target": rule(
        nothing, draft_as(EMPLOYEE, kpis=[replace(TICKETS, target=Decimal("NaN"))]), errors.InvalidGoalInputError,
        "kpis[0].target", "NaN"),
    # Revising
    "revise an agreed goal": rule(
        an_agreed_goal, lambda g, i, _: g.revise_goal(i, MANAGER, {"title": "New"}), errors.GoalNotDraftError,
        "agreed"),
    "revise nothing": rule(
        a_draft, lambda g, i, _: g.revise_goal(i, MANAGER, {"weight": Decimal(60)}), errors.InvalidGoalInputError,
        "changes nothing"),
    "revise the owner": rule(
        a_draft, lambda g, i, _: g.revise_goal(i, MANAGER, {"owner_id": "emp-2"}), errors.InvalidGoalInputError,
        "owner_id"),
    "a stranger revises": rule(
        a_draft, lambda g, i, _: g.revise_goal(i, STRANGER, {"title": "Mine"}), errors.PermissionDeniedError,
        "'emp-9'"),
    # Agreement
    "a stranger signs": rule(a_draft, sign(STRANGER), errors.NotAPartyError, "'emp-9'"),
    "hr signs": rule(a_draft, sign(HR), errors.NotAPartyError, "'hr-7'"),
    "the owner signs twice": rule(signed_by_owner, sign(EMPLOYEE), errors.AlreadySignedError, "owner", "'emp-1'"),
    "a signature on stale terms": rule(revised_once, sign(EMPLOYEE, 1), errors.StaleVersionError, "version 1"),
    "a goal failing SMART is signed": rule(
        lambda g: a_draft(g, rationale=None), sign(EMPLOYEE), errors.SmartCheckFailedError, "relevant"),
    "signed after the deadline passed": rule(
        a_draft, sign_after_the_deadline, errors.SmartCheckFailedError, "2026-06-30", "2026-07-01"),
    "an agreed goal is signed": rule(an_agreed_goal, sign(MANAGER), errors.GoalNotDraftError, "signed"),
    # KPI values
    "a value on a draft": rule(a_draft, record(), errors.GoalNotAgreedError, "draft"),
    "a value on a closed goal": rule(a_closed_goal, record(), errors.GoalClosedError, "closed"),
    "a value for an unknown KPI": rule(an_agreed_goal, record(kpi="nps"), errors.UnknownKpiError, "'nps'"),
    "a non-finite value": rule(an_agreed_goal, record(value="Infinity"), errors.InvalidGoalInputError, "Infinity"),
    "a value observed in the future": rule(
        an_agreed_goal, record_in_the_future, errors.MeasurementInFutureError, "2026-02-11"),
    "a value observed before the period": rule(
        an_agreed_goal, record(observed_at=date(2025, 12, 31)), errors.MeasurementOutOfPeriodError, "2025-12-31"),
    "a value observed after the deadline": rule(
        an_agreed_goal, record_after_the_period, errors.MeasurementOutOfPeriodError, "2026-07-01"),
    # Milestones
    "a milestone after the deadline": rule(
        a_draft, milestone("tickets", date(2026, 7, 1), "17"), errors.MilestoneRuleError, "2026-07-01"),
    "an increase milestone beyond its target": rule(
        a_draft, milestone("tickets", date(2026, 3, 31), "25"), errors.MilestoneRuleError, "25", "target 20"),
    "a decrease milestone above its baseline": rule(
        lambda g: draft(g, defect_rate_terms()), milestone("defects", date(2026, 3, 31), "6"),
        errors.MilestoneRuleError, "6", "baseline 5.0"),
    "a range milestone outside its range": rule(
        lambda g: a_draft(g, kpis=[TICKETS, RESPONSE_TIME]), milestone("response", date(2026, 3, 31), "3"),
        errors.MilestoneRuleError, "0.5..2"),
    "a milestone for an unknown KPI": rule(
        a_draft, milestone("nps", date(2026, 3, 31), "17"), errors.UnknownKpiError, "'nps'"),
    "an agreed milestone moved": rule(
        with_milestone, milestone("tickets", date(2026, 3, 31), "18"), errors.MilestoneLockedError,
        "'tickets@2026-03-31'"),
    # Recalibration
    "a draft recalibrated": rule(a_draft, propose(deadline=date(2026, 5, 31)), errors.GoalNotAgreedError, "draft"),
    "a closed goal recalibrated": rule(a_closed_goal, propose(deadline=date(2026, 5, 31)), errors.GoalClosedError),
    "a reason outside the categories": rule(
        an_agreed_goal, propose(reason="bad_luck", deadline=date(2026, 5, 31)), errors.InvalidGoalInputError,
        "'bad_luck'"),
    "a justification too short": rule(
        an_agreed_goal, propose(justification="Busy.", deadline=date(2026, 5, 31)), errors.RecalibrationRuleError,
        "'Busy.'"),
    "a recalibration that changes nothing": rule(
        an_agreed_goal, propose(), errors.RecalibrationRuleError, "must change"),
    "hr proposes": rule(an_agreed_goal, propose(HR, deadline=date(2026, 5, 31)), errors.NotAPartyError, "'hr-7'"),
    "a second proposal while one is pending": rule(
        with_pending_recalibration, propose(deadline=date(2026, 5, 15)), errors.RecalibrationPendingError, "'r1'"),
    "the manager approves": rule(
        with_pending_recalibration, decide(MANAGER), errors.PermissionDeniedError, "only HR", "'mgr-1'"),
    "the owner, from hr, approves": rule(
        lambda g: with_pending_recalibration(g, owner_id=HR_OWNER.id), decide(HR_OWNER),
        errors.FourEyesViolationError, "'hr-3'", "owner"),
    "the proposer, from hr, rejects": rule(
        lambda g: with_pending_recalibration(g, proposer=HR_OWNER, manager_id=HR_OWNER.id),
        decide(HR_OWNER, approve=False), errors.FourEyesViolationError, "'hr-3'", "manager of the goal"),
    "an unknown recalibration approved": rule(
        with_pending_recalibration, decide(HR, recalibration_id="r7"), errors.UnknownRecalibrationError, "'r7'"),
    # Closure
    "an outcome outside the four": rule(an_agreed_goal, close(outcome="done"), errors.InvalidGoalInputError, "'done'"),
    "no summary": rule(an_agreed_goal, close(summary=" "), errors.InvalidGoalInputError, "summary"),
    "the owner closes": rule(an_agreed_goal, close(EMPLOYEE), errors.PermissionDeniedError, "'emp-1'"),
    "a draft closed as achieved": rule(a_draft, close(), errors.ClosureRuleError, "cancelled", "achieved"),
    "closed while a recalibration waits": rule(
        with_pending_recalibration, close(HR, "missed"), errors.RecalibrationPendingError, "'r1'"),
    "a closed goal closed again": rule(a_closed_goal, close(HR, "missed"), errors.GoalClosedError, "closed"),
}


@pytest.mark.parametrize("name", RULES)
def test_a_broken_rule_is_refused_and_nothing_is_stored(name: str, goals: Goals, clock: Clock) -> None:
    case = RULES[name]
    goal_id = case.setup(goals)
    assert_refused(
        goals, goal_id, lambda: case.command(goals, goal_id, clock), case.error, *case.named  # type: ignore[arg-type]
    )


def test_a_decided_recalibration_is_not_decided_again(goals: Goals, clock: Clock) -> None:
    goal_id = with_pending_recalibration(goals)
    goals.approve_recalibration(goal_id, HR, "r1", note="Checked against the evidence.")
    assert_refused(goals, goal_id, lambda: decide(OTHER_HR, approve=False)(goals, goal_id, clock),
                   errors.RecalibrationDecidedError, "'r1'", "approved")
