"""`goalengine notices run` as a real process: an overdue reading raises exactly one notice on the feed, and a
second run of the process (a restart) raises none again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from freezegun import freeze_time

from application.events.feed import EventFeed
from application.goals.service import Goals
from application.store.settings import Settings
from domain.values import Cycle
from tests.conftest import Clock
from tests.projections.test_crash_safety import goalengine
from tests.scenarios import EMPLOYEE, TICKETS, agreed, customer_service_terms, ensure_cycles

OVERDUE = "goal.reading_overdue.v1"


@contextmanager
def acting(clock: Clock, day: date) -> Iterator[None]:
    """Write on a past day: the application's today is that day and events are stamped at its noon."""
    clock.current = day
    with freeze_time(datetime.combine(day, time(12), UTC), tick=True):
        yield


def test_the_notices_command_raises_an_overdue_reading_once_across_restarts(
    goals: Goals, settings: Settings, clock: Clock
) -> None:
    today = datetime.now(ZoneInfo(settings.timezone)).date()  # the child process's business date: the real one
    cycle = Cycle("live", today - timedelta(days=60), today + timedelta(days=120))
    ensure_cycles(goals, cycle)
    terms = customer_service_terms(cycle=cycle, deadline=cycle.end, kpis=[TICKETS])
    with acting(clock, today - timedelta(days=30)):
        goal_id = agreed(goals, terms)
    with acting(clock, today - timedelta(days=20)):
        goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(15), observed_at=clock.current)
    for run in range(2):  # the second run is a restart of the notifier on the same store
        process = goalengine(settings, "notices", "run", "--once")
        assert process.wait(timeout=60) == 0, process.stderr.read() if process.stderr else ""
        notices = EventFeed(goals).page(limit=100, types=[OVERDUE]).items
        assert len(notices) == 1, f"run {run + 1}: {notices}"
    (notice,) = notices
    assert notice["subject"] == str(goal_id) and notice["data"]["kpi"] == "tickets"
    assert notice["data"]["due_by"] == (today - timedelta(days=13)).isoformat()
    assert notice["data"]["evidence"] == [f"{goal_id}:{goals.readings(goals.get_goal(goal_id))[0].version}"]
