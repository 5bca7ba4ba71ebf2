"""The work every contender does: realistic goals (draft, two signatures, then weekly KPI readings)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.cycles.service import Cycles
from application.goals.checks import find_cycle
from application.goals.service import Goals
from domain.goal import Goal
from domain.terms import GoalTerms
from domain.values import Actor, Cadence, Cycle, Direction, Kpi, Role

HR = Actor("hr-bench", Role.HR)
YEAR = Cycle("2026", date(2026, 1, 1), date(2026, 12, 31))
SIGNING_DAY = date(2026, 1, 10)
LAST_DAY = date(2026, 12, 31)
KPI_IDS = ("tickets", "csat")


class Clock:
    """The business date the application sees: early in the year while signing, at its end for readings."""

    def __init__(self) -> None:
        self.current = SIGNING_DAY

    def __call__(self) -> date:
        return self.current


def owner(n: int) -> Actor:
    return Actor(f"emp-{n}", Role.EMPLOYEE)


def manager(n: int) -> Actor:
    return Actor(f"mgr-{n % 50}", Role.MANAGER)


def terms(n: int, cycle: Cycle = YEAR) -> dict[str, Any]:
    """The seed article's customer-service goal, for employee n, over a one-year cycle, as drafting takes it."""
    return {
        "cycle": cycle,
        "owner_id": owner(n).id,
        "manager_id": manager(n).id,
        "terms": GoalTerms(
            org_unit=f"support-{n % 20}",
            title="Support throughput and satisfaction",
            statement="Resolve at least 20 support tickets per day with an average customer satisfaction "
            "rating of 90% or higher, by the end of the year",
            kpis=(
                Kpi("tickets", "Tickets resolved per day", "tickets/day", Direction.INCREASE, Decimal(14),
                    Cadence.WEEKLY, target=Decimal(20)),
                Kpi("csat", "Average customer satisfaction", "%", Direction.INCREASE, Decimal(82),
                    Cadence.MONTHLY, target=Decimal(90)),
            ),
            deadline=cycle.end,
            weight=Decimal(60),
            rationale="Customer support quality is this year's first company objective.",
        ),
    }


def year_cycle(year: int) -> Cycle:
    return Cycle(str(year), date(year, 1, 1), date(year, 12, 31))


def readings(count: int, cycle: Cycle = YEAR) -> Iterator[tuple[str, Decimal, date]]:
    """`count` readings alternating between the two KPIs, a day apart; past a year they become corrections."""
    for i in range(count):
        day = cycle.start + timedelta(days=(i // 2) % 365)
        yield KPI_IDS[i % 2], Decimal(14 + i % 7) + Decimal("0.5"), day


def commands_per_goal(reading_count: int) -> int:
    return 3 + reading_count


def events_per_goal(reading_count: int) -> int:
    """Drafted, two AgreementSigned, Agreed, and one KpiRecorded per reading."""
    return 4 + reading_count


def run_goal_commands(goals: Goals, clock: Clock, n: int, reading_count: int, cycle: Cycle = YEAR,
                      note: str = "") -> UUID:
    """Draft, sign twice and record readings through the application's commands, as the API would."""
    clock.current = cycle.start + (SIGNING_DAY - YEAR.start)
    open_cycle(goals, cycle)
    goal_id = UUID(goals.draft_goal(owner(n), **terms(n, cycle)).goal_id)
    goals.sign_goal(goal_id, owner(n))
    goals.sign_goal(goal_id, manager(n))
    clock.current = cycle.end
    for kpi, value, day in readings(reading_count, cycle):
        goals.record_kpi(goal_id, owner(n), kpi=kpi, value=value, observed_at=day, source="bench", note=note)
    return goal_id


def open_cycle(goals: Goals, cycle: Cycle) -> None:
    """HR opens the cycle the goals are drafted into, once (goals name a cycle that exists)."""
    if find_cycle(goals.repository, cycle.id) is None:
        Cycles(goals).open_cycle(HR, cycle_id=cycle.id, name=cycle.id, start=cycle.start, end=cycle.end)


def goal_in_memory(n: int, reading_count: int, note: str = "") -> Goal:
    """A goal built by its domain methods without storing it, for seeding a log in bulk."""
    goal = Goal.draft(actor=owner(n), **terms(n))
    goal.sign(owner(n), today=SIGNING_DAY)
    goal.sign(manager(n), today=SIGNING_DAY)
    for kpi, value, day in readings(reading_count):
        goal.record_kpi(kpi, value, day, owner(n), "bench", note, today=LAST_DAY)
    return goal
