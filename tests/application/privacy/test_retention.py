"""Retention: the dry run lists exactly whom the real run erases; a person with a cycle still in time is kept."""

from __future__ import annotations

from datetime import date


from application.goals.service import Goals
from application.privacy.registry import ERASED
from application.privacy.retention import due_erasures, run_retention, years_after
from tests.application.privacy.support import TEXTS, employee_with_history, locked_on, other_employee_goal
from domain.values import Actor, Role
from tests.conftest import Clock
from tests.scenarios import HR, MANAGER, YEAR, customer_service_terms, draft


def test_the_dry_run_lists_exactly_what_the_real_run_erases(goals: Goals, clock: Clock) -> None:
    old_goal = employee_with_history(goals, clock)  # emp-1, cycle 2026-H1 (ends 2026-06-30) and a draft in H1
    other = other_employee_goal(goals)  # emp-2, H1 too
    draft(goals, customer_service_terms(owner_id="emp-3", cycle=YEAR, rationale="Still in time"), actor=MANAGER)
    today = date(2029, 7, 10)
    assert run_retention(goals, today, 3, dry_run=True) == [], "no cycle is locked: nobody is due"
    locked_on(goals, "2026-H1", date(2026, 7, 3))
    listed = run_retention(goals, today, 3, dry_run=True)
    # Everyone who held or wrote into H1 only; not mgr-1, who also wrote emp-3's draft in 2026 (ADR 0051).
    assert [(d.person_id, d.cycle_id, d.due_on) for d in listed] == [
        (person, "2026-H1", date(2029, 7, 3)) for person in ("emp-1", "emp-2", "hr-7", "hr-8")]
    assert goals.get_goal(old_goal).terms.rationale != ERASED  # a dry run erases nothing
    erased = run_retention(goals, today, 3)
    assert erased == listed
    assert goals.get_goal(old_goal).terms.rationale == ERASED and goals.get_goal(other).terms.rationale == ERASED
    assert goals.get_goal(old_goal).summary == TEXTS["summary"]  # the manager's, whose 2026 is not locked
    assert due_erasures(goals, today, 3) == []  # nothing is due twice
    assert due_erasures(goals, date(2031, 1, 1), 3) == [], "2026 is not locked"
    locked_on(goals, "2026", date(2027, 1, 2))
    # mgr-1 wrote emp-3's rationale: emp-3 wrote nothing, holds no key, has nothing to erase
    assert [d.person_id for d in due_erasures(goals, date(2030, 1, 2), 3)] == ["mgr-1"]


def test_a_person_with_a_goal_in_a_cycle_still_open_is_never_due(goals: Goals, clock: Clock) -> None:
    employee_with_history(goals, clock)  # emp-1 in 2026-H1
    draft(goals, customer_service_terms(cycle=YEAR, rationale="Still in time"))  # emp-1 in 2026 too
    locked_on(goals, "2026-H1", date(2026, 7, 3))
    assert "emp-1" not in {d.person_id for d in due_erasures(goals, date(2040, 1, 1), 3)}


def test_a_goal_reassigned_to_someone_counts_for_them_from_then_on(goals: Goals, clock: Clock) -> None:
    emp_4 = Actor("emp-4", Role.EMPLOYEE)
    draft(goals, customer_service_terms(owner_id=emp_4.id, rationale="emp-4's own words in H1"), actor=emp_4)
    goal_id = draft(goals, customer_service_terms(owner_id="emp-3", cycle=YEAR), actor=MANAGER)
    locked_on(goals, "2026-H1", date(2026, 7, 3))
    assert emp_4.id in {d.person_id for d in due_erasures(goals, date(2040, 1, 1), 3)}
    goals.reassign_goal(goal_id, HR, owner_id=emp_4.id, manager_id=MANAGER.id, reason="moved teams")
    due = {d.person_id for d in due_erasures(goals, date(2040, 1, 1), 3)}
    assert due.isdisjoint({emp_4.id, HR.id}), "emp-4 holds a 2026 goal now; HR wrote why in 2026"


def test_retention_counts_whole_years_even_from_a_leap_day() -> None:
    assert years_after(date(2028, 2, 29), 1) == date(2029, 2, 28)
    assert years_after(date(2026, 6, 30), 7) == date(2033, 6, 30)
