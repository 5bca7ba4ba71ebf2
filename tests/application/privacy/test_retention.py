"""Retention: the dry run lists exactly whom the real run erases; a person with a cycle still in time is kept."""

from __future__ import annotations

from datetime import date


from application.goals.service import Goals
from application.privacy.registry import ERASED
from application.privacy.retention import due_erasures, run_retention, years_after
from tests.application.privacy.support import employee_with_history, locked_on, other_employee_goal
from tests.conftest import Clock
from tests.scenarios import MANAGER, YEAR, customer_service_terms, draft


def test_the_dry_run_lists_exactly_what_the_real_run_erases(goals: Goals, clock: Clock) -> None:
    old_goal = employee_with_history(goals, clock)  # emp-1, cycle 2026-H1 (ends 2026-06-30) and a draft in H1
    other = other_employee_goal(goals)  # emp-2, H1 too
    draft(goals, customer_service_terms(owner_id="emp-3", cycle=YEAR, rationale="Still in time"), actor=MANAGER)
    today = date(2029, 7, 10)
    assert run_retention(goals, today, 3, dry_run=True) == [], "no cycle is locked: nobody is due"
    locked_on(goals, "2026-H1", date(2026, 7, 3))
    listed = run_retention(goals, today, 3, dry_run=True)
    assert [(d.person_id, d.cycle_id, d.due_on) for d in listed] == [
        ("emp-1", "2026-H1", date(2029, 7, 3)), ("emp-2", "2026-H1", date(2029, 7, 3))]
    assert goals.get_goal(old_goal).summary != ERASED  # a dry run erases nothing
    erased = run_retention(goals, today, 3)
    assert erased == listed
    assert goals.get_goal(old_goal).summary == ERASED and goals.get_goal(other).terms.rationale == ERASED
    assert due_erasures(goals, today, 3) == []  # nothing is due twice
    assert due_erasures(goals, date(2031, 1, 1), 3) == [], "emp-3's cycle is not locked"
    locked_on(goals, "2026", date(2027, 1, 2))
    assert [d.person_id for d in due_erasures(goals, date(2030, 1, 2), 3)] == ["emp-3"]


def test_a_person_with_a_goal_in_a_cycle_still_open_is_never_due(goals: Goals, clock: Clock) -> None:
    employee_with_history(goals, clock)  # emp-1 in 2026-H1
    draft(goals, customer_service_terms(cycle=YEAR, rationale="Still in time"))  # emp-1 in 2026 too
    locked_on(goals, "2026-H1", date(2026, 7, 3))
    assert due_erasures(goals, date(2040, 1, 1), 3) == []


def test_retention_counts_whole_years_even_from_a_leap_day() -> None:
    assert years_after(date(2028, 2, 29), 1) == date(2029, 2, 28)
    assert years_after(date(2026, 6, 30), 7) == date(2033, 6, 30)
