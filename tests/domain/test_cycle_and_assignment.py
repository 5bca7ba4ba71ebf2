"""Review cycles move forward only under HR; HR reassigns a goal or carries it over to a later cycle."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.cycle import Cycle, CycleStatus, cycle_uuid
from domain.errors import (
    CarryOverRuleError, CycleLockedError, CycleStateError, GoalClosedError, GoalError, InvalidGoalInputError,
    NotReleasedError, PermissionDeniedError, ReassignmentRuleError, RecalibrationPendingError,
)
from domain.goal import Goal
from domain.values import Actor, Cycle as Period, Outcome, Party, Role, Status
from tests.domain.support import agreed, drafted, propose_on, refused
from tests.scenarios import EMPLOYEE, HR, MANAGER

H2 = Period("2026-H2", date(2026, 7, 1), date(2026, 12, 31))


def opened(cycle_id: str = "2026-H1") -> Cycle:
    cycle = Cycle.open(actor=HR, cycle_id=cycle_id, name="First half", start=date(2026, 1, 1), end=date(2026, 6, 30))
    cycle.collect_events()
    return cycle


def test_hr_opens_a_cycle_in_planning_under_an_id_derived_from_its_own() -> None:
    cycle = opened()
    assert (cycle.status, cycle.id, cycle.period) == (
        CycleStatus.PLANNING, cycle_uuid("2026-H1"), Period("2026-H1", date(2026, 1, 1), date(2026, 6, 30)))


def test_a_cycle_must_end_after_it_starts_and_only_hr_opens_one() -> None:
    with pytest.raises(InvalidGoalInputError) as caught:
        Cycle.open(actor=HR, cycle_id="x", name="x", start=date(2026, 6, 30), end=date(2026, 6, 30))
    assert caught.value.field == "end"
    with pytest.raises(PermissionDeniedError):
        Cycle.open(actor=MANAGER, cycle_id="x", name="x", start=date(2026, 1, 1), end=date(2026, 6, 30))


def test_a_cycle_moves_from_planning_to_active_to_review_to_locked() -> None:
    cycle = opened()
    cycle.activate(HR)
    cycle.start_review(HR)
    cycle.lock(HR)
    assert [type(e).__name__ for e in cycle.collect_events()] == ["Activated", "ReviewStarted", "Locked"]
    assert cycle.locked
    with pytest.raises(CycleLockedError):
        cycle.require_unlocked()


def test_hr_releases_the_ratings_of_a_cycle_in_review_and_a_locked_cycle_counts_as_released() -> None:
    cycle = opened()
    cycle.activate(HR)
    with pytest.raises(CycleStateError):
        cycle.release(HR)
    with pytest.raises(NotReleasedError):
        cycle.require_released()
    cycle.start_review(HR)
    assert not cycle.ratings_released
    cycle.release(HR)
    assert (cycle.status, cycle.ratings_released) == (CycleStatus.RELEASED, True)
    cycle.lock(HR)
    assert [type(e).__name__ for e in cycle.collect_events()] == ["Activated", "ReviewStarted", "Released", "Locked"]
    locked_early = opened()
    locked_early.activate(HR)
    locked_early.start_review(HR)
    locked_early.lock(HR)  # as cycles were locked before releases existed: their ratings stay shown
    assert locked_early.ratings_released


@given(st.lists(st.sampled_from(["activate", "start_review", "release", "lock"]), max_size=6))
def test_a_cycle_never_moves_backwards_and_nothing_moves_a_locked_one(moves: list[str]) -> None:
    cycle, order = opened(), list(CycleStatus)
    for move in moves:
        before = cycle.status
        try:
            getattr(cycle, move)(HR)
        except GoalError:
            assert cycle.status == before
            continue
        assert order.index(cycle.status) > order.index(before)


def test_only_hr_moves_a_cycle_and_only_forward() -> None:
    with pytest.raises(PermissionDeniedError):
        opened().lock(MANAGER)
    with pytest.raises(CycleStateError):
        opened().start_review(HR)


def test_hr_reassigns_a_goal_to_a_new_manager_with_a_reason() -> None:
    goal = agreed()
    goal.reassign(HR, "Reorganisation: support moved to Lena's team.", manager_id="mgr-2")
    events = goal.collect_events()
    assert [type(e).__name__ for e in events] == ["Reassigned"]
    assert (goal.owner_id, goal.manager_id) == ("emp-1", "mgr-2")
    assert isinstance(events[0], Goal.Reassigned) and events[0].previous_manager_id == "mgr-1"
    assert goal.party_of(Actor("mgr-2", Role.MANAGER)) is Party.MANAGER
    assert goal.party_of(MANAGER) is None


def test_reassigning_a_draft_voids_the_replaced_partys_signature_only() -> None:
    goal = drafted()
    goal.sign(EMPLOYEE, today=date(2026, 1, 15))
    goal.collect_events()
    goal.reassign(HR, "New owner after a transfer.", owner_id="emp-2")
    assert [type(e).__name__ for e in goal.collect_events()] == ["Reassigned", "SignatureVoided"]
    assert goal.signatures == {}


def test_a_signature_lapsed_by_a_reassignment_says_why_in_the_system_s_words_never_in_hr_s() -> None:
    goal = drafted()
    goal.sign(EMPLOYEE, today=date(2026, 1, 15))
    goal.collect_events()
    goal.reassign(HR, "Moved after her complaint about Sam.", owner_id="emp-2", manager_id="mgr-2")
    reassigned, voided = goal.collect_events()
    assert isinstance(reassigned, Goal.Reassigned) and reassigned.reason == "Moved after her complaint about Sam."
    assert isinstance(voided, Goal.SignatureVoided) and (voided.party, voided.reason) == (
        "owner", f"the goal was reassigned to another owner at version {reassigned.originator_version}")


def test_a_signature_lapsed_by_the_owner_s_reporting_line_says_so() -> None:
    goal = drafted()
    goal.sign(MANAGER, today=date(2026, 1, 15))
    goal.collect_events()
    goal.follow_reporting_line(Actor("svc-directory", Role.SERVICE), "mgr-2", follows="person-event-id:2")
    reassigned, voided = goal.collect_events()
    assert isinstance(voided, Goal.SignatureVoided) and (voided.party, voided.reason) == (
        "manager", f"the goal followed the owner's reporting line to another manager at version "
                   f"{reassigned.originator_version}")


@pytest.mark.parametrize(("actor", "error", "changes", "reason"), [
    (MANAGER, PermissionDeniedError, {"manager_id": "mgr-2"}, "Reorg"),
    (HR, InvalidGoalInputError, {"manager_id": "mgr-2"}, " "),
    (HR, ReassignmentRuleError, {"manager_id": "mgr-1"}, "Reorg"),
    (HR, InvalidGoalInputError, {"manager_id": "emp-1"}, "Reorg"),
])
def test_a_reassignment_needs_hr_a_reason_a_change_and_two_people(
    actor: Actor, error: type[GoalError], changes: dict[str, str], reason: str
) -> None:
    goal = agreed()
    with refused(goal, error):
        goal.reassign(actor, reason, **changes)


def test_carrying_over_closes_the_goal_here_and_gives_terms_within_the_later_cycle() -> None:
    goal = agreed()
    new_id = cycle_uuid("new")
    terms = goal.carry_over(HR, H2, "Launch slipped to Q3.", new_id)
    assert (goal.status, goal.outcome, goal.carried_over_to) == (Status.CLOSED, Outcome.CANCELLED, str(new_id))
    assert terms.deadline == H2.end and terms.kpis == goal.kpis
    with pytest.raises(GoalClosedError):
        goal.reassign(HR, "too late", manager_id="mgr-2")


def test_a_goal_is_carried_over_only_by_hr_and_only_to_a_later_cycle() -> None:
    goal = agreed()
    with refused(goal, PermissionDeniedError):
        goal.carry_over(MANAGER, H2, "Slipped", cycle_uuid("x"))
    with refused(goal, CarryOverRuleError, "2025"):
        goal.carry_over(HR, Period("2025", date(2025, 1, 1), date(2025, 12, 31)), "Slipped", cycle_uuid("x"))


def test_a_goal_awaiting_a_recalibration_decision_is_not_carried_over() -> None:
    goal = agreed()
    propose_on(goal, MANAGER, "resourcing", "Two colleagues left the team.", targets={"csat": {"target": Decimal(88)}})
    goal.collect_events()
    with refused(goal, RecalibrationPendingError, "r1"):
        goal.carry_over(HR, H2, "Slipped", cycle_uuid("x"))
