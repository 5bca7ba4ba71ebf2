"""Optimistic concurrency (expected versions) and idempotency keys, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta, UTC
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from application.errors import (
    IdempotencyKeyInProgressError, IdempotencyKeyReusedError, InvalidIdempotencyKeyError, VersionMismatchError,
)
from application.goals.service import Goals
from application.store.idempotency import CommandResult, IdempotencyStore, request_hash
from domain.errors import InvalidGoalInputError
from domain.values import Actor, Role
from tests.application.refusals import assert_refused, stored_state
from tests.scenarios import (
    EMPLOYEE,
    MANAGER,
    agreed,
    customer_service_terms,
    draft,
    drafting,
)

JAN_10 = date(2026, 1, 10)


def record(goals: Goals, goal_id: UUID, value: str = "15", **options: Any) -> CommandResult:
    return goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(value), observed_at=JAN_10, **options)


def test_a_command_carrying_the_current_version_is_stored(goals: Goals) -> None:
    goal_id = agreed(goals, customer_service_terms())
    assert record(goals, goal_id, expected_version=4).version == 5


@pytest.mark.parametrize("expected", [3, 5])
def test_a_command_expecting_another_version_is_refused_and_stores_nothing(goals: Goals, expected: int) -> None:
    goal_id = agreed(goals, customer_service_terms())
    error = assert_refused(goals, goal_id, lambda: record(goals, goal_id, expected_version=expected),
                           VersionMismatchError, f"expected version {expected}", "at version 4")
    assert error.context == {"goal_id": str(goal_id), "expected": expected, "actual": 4}


def test_every_command_checks_the_expected_version(goals: Goals) -> None:
    goal_id = draft(goals, customer_service_terms())
    commands = [
        lambda: goals.revise_goal(goal_id, MANAGER, {"title": "New"}, expected_version=2),
        lambda: goals.sign_goal(goal_id, EMPLOYEE, expected_version=2),
        lambda: goals.set_milestone(goal_id, MANAGER, kpi="tickets", due=JAN_10, target=Decimal(15),
                                    expected_version=2),
        lambda: goals.close_goal(goal_id, MANAGER, outcome="cancelled", summary="Dropped.", expected_version=2),
    ]
    for command in commands:
        assert_refused(goals, goal_id, command, VersionMismatchError, "expected version 2")


def test_the_same_key_and_payload_returns_the_first_result_and_stores_nothing_new(goals: Goals) -> None:
    goal_id = agreed(goals, customer_service_terms())
    first = record(goals, goal_id, idempotency_key="reading-1")
    head = stored_state(goals, goal_id)
    assert record(goals, goal_id, idempotency_key="reading-1") == first
    assert stored_state(goals, goal_id) == head
    assert len(goals.readings(goals.get_goal(goal_id))) == 1


def test_a_retried_command_with_its_expected_version_is_answered_not_refused(goals: Goals) -> None:
    goal_id = agreed(goals, customer_service_terms())
    first = record(goals, goal_id, expected_version=4, idempotency_key="retry")
    assert record(goals, goal_id, expected_version=4, idempotency_key="retry") == first


def test_a_retried_draft_returns_the_same_goal(goals: Goals) -> None:
    terms = customer_service_terms()
    first = goals.draft_goal(EMPLOYEE, **drafting(terms), idempotency_key="draft-1")
    head = goals.head_position()
    assert goals.draft_goal(EMPLOYEE, **drafting(terms), idempotency_key="draft-1") == first
    assert goals.head_position() == head and list(goals.iter_goal_ids()) == [UUID(first.goal_id)]


def test_the_same_key_with_another_payload_is_refused_and_stores_nothing(goals: Goals) -> None:
    goal_id = agreed(goals, customer_service_terms())
    record(goals, goal_id, idempotency_key="reading-1")
    assert_refused(goals, goal_id, lambda: record(goals, goal_id, value="16", idempotency_key="reading-1"),
                   IdempotencyKeyReusedError, "'reading-1'", "record_kpi")
    other_command = lambda: goals.set_milestone(  # noqa: E731
        goal_id, EMPLOYEE, kpi="tickets", due=JAN_10, target=Decimal(15), idempotency_key="reading-1")
    assert_refused(goals, goal_id, other_command, IdempotencyKeyReusedError, "'reading-1'")


def test_a_key_belongs_to_the_caller_who_sent_it(goals: Goals) -> None:
    goal_id = agreed(goals, customer_service_terms())
    mine = record(goals, goal_id, idempotency_key="k")
    theirs = goals.record_kpi(goal_id, MANAGER, kpi="tickets", value=Decimal(15), observed_at=JAN_10,
                              idempotency_key="k")
    assert theirs.version == mine.version + 1


def test_a_failed_command_frees_its_key(goals: Goals) -> None:
    goal_id = agreed(goals, customer_service_terms())
    assert_refused(goals, goal_id, lambda: record(goals, goal_id, value="NaN", idempotency_key="k"),
                   InvalidGoalInputError, "NaN")
    assert_refused(goals, goal_id, lambda: record(goals, goal_id, expected_version=9, idempotency_key="k"),
                   VersionMismatchError)
    stored = record(goals, goal_id, value="17", idempotency_key="k")
    assert stored.version == 5
    assert record(goals, goal_id, value="17", idempotency_key="k") == stored


@pytest.mark.parametrize("key", ["", "   ", "x" * 201, " padded", "line\nbreak"])
def test_a_malformed_key_has_its_own_error_not_reused(goals: Goals, key: str) -> None:
    goal_id = agreed(goals, customer_service_terms())
    refusal = assert_refused(goals, goal_id, lambda: record(goals, goal_id, idempotency_key=key),
                             InvalidIdempotencyKeyError, "1 to 200 printable characters")
    assert refusal.code == "idempotency_key_invalid"


def test_a_key_left_in_progress_by_a_crash_is_freed_after_a_bounded_time(goals: Goals) -> None:
    crashed_at = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)

    def store_at(moment: datetime) -> IdempotencyStore:
        return IdempotencyStore(goals.engine, stale_after=timedelta(minutes=2), now=lambda: moment)

    # The process claimed the key and died before it could record a result or free the key.
    assert store_at(crashed_at)._claim("emp-1", "k-crash", "record_kpi", request_hash("record_kpi", {}))
    result = CommandResult("goal-1", 5)
    with pytest.raises(IdempotencyKeyInProgressError):
        store_at(crashed_at + timedelta(seconds=30)).run("emp-1", "k-crash", "record_kpi", {}, lambda: result)
    later = store_at(crashed_at + timedelta(minutes=3))
    assert later.run("emp-1", "k-crash", "record_kpi", {}, lambda: result) == (result, False)
    assert later.run("emp-1", "k-crash", "record_kpi", {}, lambda: CommandResult("other", 1)) == (result, True)


def test_the_commands_reference_is_replayed_too(goals: Goals) -> None:
    goal_id = agreed(goals, customer_service_terms())
    manager = Actor("mgr-1", Role.MANAGER)

    def propose() -> CommandResult:
        return goals.propose_recalibration(goal_id, manager, reason="resourcing",
                                           justification="Two agents left in January.",
                                           deadline=date(2026, 5, 31), idempotency_key="p-1")

    first = propose()
    assert first.reference == "r1" and propose() == first
