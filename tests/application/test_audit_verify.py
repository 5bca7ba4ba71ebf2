"""Verifying the trail finds every kind of tampering with the stored rows, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from application.audit.verification import LogPositionError, verify_trail
from application.audit.leaf import unseal
from application.goals.service import Goals
from tests.application import tampering
from tests.scenarios import EMPLOYEE, agreed, customer_service_terms, survey_terms


@dataclass(frozen=True)
class Trail:
    """After the test cycles and objective (positions 1-3): goal A, versions 1-7 at positions 4-10 (three KPI
    readings at 8-10); goal B, versions 1-4 at 11-14."""

    a: UUID
    b: UUID


@pytest.fixture
def trail(goals: Goals) -> Trail:
    a = agreed(goals, customer_service_terms())
    for day, value in ((5, "15"), (6, "16.5"), (7, "17")):
        goals.record_kpi(a, EMPLOYEE, kpi="tickets", value=Decimal(value), observed_at=date(2026, 1, day))
    b = agreed(goals, survey_terms())
    return Trail(a, b)


def links_up_to(goals: Goals, position: int) -> list[str]:
    rows = goals.recorder.select_notifications(0, 1000, stop=position, inclusive_of_start=False)
    return [str(getattr(unseal(row.state), "field", None)) for row in rows]


def test_an_untouched_trail_is_intact_with_its_event_count_and_digest(goals: Goals, trail: Trail) -> None:
    result = verify_trail(goals)
    expected = hashlib.sha256("".join(f"{link}\n" for link in links_up_to(goals, 14)).encode()).hexdigest()
    assert (result.intact, result.events, result.position, result.digest) == (True, 14, 14, expected)


def test_the_digest_at_a_position_stays_the_same_as_events_are_added(goals: Goals, trail: Trail) -> None:
    before = verify_trail(goals, position=10)
    goals.record_kpi(trail.b, EMPLOYEE, kpi="survey", value=Decimal(72), observed_at=date(2026, 1, 9))
    after = verify_trail(goals, position=10)
    assert (after.digest, after.events) == (before.digest, 10)
    assert verify_trail(goals).digest != before.digest


def test_an_empty_log_has_the_digest_of_nothing(bare_goals: Goals) -> None:
    result = verify_trail(bare_goals)
    assert (result.intact, result.events, result.digest) == (True, 0, hashlib.sha256(b"").hexdigest())


def test_a_changed_value_inside_a_row_names_that_event(goals: Goals, trail: Trail) -> None:
    tampering.change_value(goals, trail.a, 6, "value", {"_type_": "decimal_str", "_data_": "19"})
    problem = verify_trail(goals).problem
    assert problem is not None
    assert (problem.kind, problem.goal_id, problem.version, problem.position) == ("changed", str(trail.a), 6, 9)


def test_a_changed_last_event_is_reported_as_forged_because_nothing_vouches_for_it(
    goals: Goals, trail: Trail
) -> None:
    tampering.change_value(goals, trail.b, 4, "actor_id", "mgr-2")
    problem = verify_trail(goals).problem
    assert problem is not None
    assert (problem.kind, problem.goal_id, problem.version, problem.position) == ("forged", str(trail.b), 4, 14)


def test_a_deleted_middle_row_is_named_as_the_missing_version(goals: Goals, trail: Trail) -> None:
    tampering.delete_event(goals, trail.a, 5)
    problem = verify_trail(goals).problem
    assert problem is not None
    assert (problem.kind, problem.goal_id, problem.version, problem.position) == ("removed", str(trail.a), 5, 9)


def test_a_deleted_first_event_is_named_as_version_one(goals: Goals, trail: Trail) -> None:
    tampering.delete_event(goals, trail.b, 1)
    problem = verify_trail(goals).problem
    assert problem is not None
    assert (problem.kind, problem.goal_id, problem.version) == ("removed", str(trail.b), 1)


def test_two_swapped_rows_are_reported_as_reordered_at_the_first(goals: Goals, trail: Trail) -> None:
    tampering.swap_states(goals, trail.a, 5, 7)
    problem = verify_trail(goals).problem
    assert problem is not None
    assert (problem.kind, problem.goal_id, problem.version, problem.position) == ("reordered", str(trail.a), 5, 8)
    assert "signed as version 7" in problem.detail


def test_two_swapped_neighbours_are_reported_as_reordered(goals: Goals, trail: Trail) -> None:
    tampering.swap_states(goals, trail.a, 2, 3)
    problem = verify_trail(goals).problem
    assert problem is not None
    assert (problem.kind, problem.goal_id, problem.version) == ("reordered", str(trail.a), 2)


def test_an_appended_row_with_a_made_up_link_is_forged(goals: Goals, trail: Trail) -> None:
    state = tampering.forged_state(goals, trail.a, 7, value={"_type_": "decimal_str", "_data_": "25"})
    tampering.append_row(goals, trail.a, 8, "goalengine:Goal.KpiRecorded", state)
    problem = verify_trail(goals).problem
    assert problem is not None
    assert (problem.kind, problem.goal_id, problem.version, problem.position) == ("forged", str(trail.a), 8, 15)


def test_a_forged_goal_that_does_not_start_with_a_draft_is_inserted(goals: Goals, trail: Trail) -> None:
    stranger = uuid4()
    tampering.append_row(goals, stranger, 1, "goalengine:Goal.KpiRecorded", tampering.forged_state(goals, trail.a, 5))
    problem = verify_trail(goals).problem
    assert problem is not None
    assert (problem.kind, problem.goal_id, problem.version) == ("inserted", str(stranger), 1)


@pytest.mark.parametrize(("goal", "version"), [("a", 7), ("b", 4)], ids=["goal-tail", "log-tail"])
def test_a_deleted_last_event_shows_only_against_an_anchored_digest(
    goals: Goals, trail: Trail, goal: str, version: int
) -> None:
    anchor = verify_trail(goals)
    tampering.delete_event(goals, getattr(trail, goal), version)
    assert verify_trail(goals).intact  # the chains alone cannot see it (ADR 0004)
    checked = verify_trail(goals, position=anchor.position, expected_digest=anchor.digest)
    assert checked.problem is not None
    assert (checked.problem.kind, checked.problem.position) == ("digest_mismatch", 14)


def test_an_anchored_digest_that_still_matches_is_intact(goals: Goals, trail: Trail) -> None:
    anchor = verify_trail(goals, position=12)
    goals.record_kpi(trail.b, EMPLOYEE, kpi="survey", value=Decimal(72), observed_at=date(2026, 1, 9))
    assert verify_trail(goals, position=12, expected_digest=anchor.digest.upper()).intact


def test_a_position_beyond_the_head_is_refused_without_an_anchor(goals: Goals, trail: Trail) -> None:
    with pytest.raises(LogPositionError, match="position 15 is not in the log: it runs from 0 to 14"):
        verify_trail(goals, position=15)
