"""Every in-memory cache holds at most its bound (application/store/settings.py: Bounds), each entry of bounded size,
and still answers rightly past it (issue 28, ADR 0045). Filled past each bound on both stores."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from application.goals.service import Goals
from application.store.bounds import Bounds
from application.store.settings import Settings
from tests.conftest import Clock
from domain.values import Actor
from tests.scenarios import EMPLOYEE, MANAGER, customer_service_terms, draft

SMALL = Bounds(goal_measurements=3, reading_series_goals=2, data_keys=2, data_subjects=2, chain_heads=2,
               checked_events=2, replay_heads=2)
GOALS, READINGS = 4, 7


@pytest.fixture
def small(settings: Settings, clock: Clock) -> Iterator[Goals]:
    clock.current = date(2026, 4, 2)
    goals = Goals(replace(settings, bounds=SMALL), today=clock)
    yield goals
    goals.close()


def fill(goals: Goals) -> list[UUID]:
    """GOALS goals of GOALS people, READINGS readings each (two on the same day), each with a personal note."""
    goal_ids = []
    for person in range(GOALS):
        owner = Actor(f"emp-{person}", EMPLOYEE.role)
        goal_id = draft(goals, customer_service_terms(owner_id=owner.id), actor=MANAGER)
        goals.sign_goal(goal_id, owner)
        goals.sign_goal(goal_id, MANAGER)
        for reading in range(READINGS):
            goals.record_kpi(goal_id, owner, kpi="tickets", value=Decimal(reading), note=f"note {person}/{reading}",
                             observed_at=date(2026, 3, 1) + timedelta(days=min(reading, READINGS - 2)))
        goal_ids.append(goal_id)
    return goal_ids


def test_each_cache_holds_at_most_its_bound_and_answers_rightly_past_it(small: Goals) -> None:
    goal_ids = fill(small)
    for goal_id in goal_ids:  # read each again: every cache is asked past its bound
        readings = small.bounded_readings(small.get_goal(goal_id))
        assert readings.total == READINGS and len(readings.latest) == SMALL.goal_measurements
        assert len(readings.by_day) == READINGS - 1  # bounded by the days read, not by the readings
        charted = readings.for_charts()  # each day's counted reading, and the latest (the last day's correction)
        assert {m.observed_at for m in charted} == {day for _kpi, day in readings.by_day}
        assert set(readings.latest) <= set(charted) and len(charted) == READINGS
        assert [m.note for m in small.readings(small.get_goal(goal_id))] == [
            f"note {goal_ids.index(goal_id)}/{r}" for r in range(READINGS)]
    assert len(small.reading_series.cached) <= SMALL.reading_series_goals
    assert len(small.data_keys._keys) <= SMALL.data_keys and len(small.data_keys._active) <= SMALL.data_keys
    assert len(small.personal._subjects) <= SMALL.data_subjects
    assert len(small.mapper.heads._heads) <= SMALL.chain_heads  # type: ignore[attr-defined]
    assert len(small.mapper.pending._links) <= SMALL.chain_heads  # type: ignore[attr-defined]
    read_check = small.mapper.read_check  # type: ignore[attr-defined]
    assert len(read_check._checked) <= SMALL.checked_events
    assert len(getattr(read_check._local, "last", {})) <= SMALL.replay_heads  # (this thread's: it read them all)


def test_a_data_key_dropped_from_the_cache_is_opened_again_alone(small: Goals) -> None:
    goal_ids = fill(small)
    small.data_keys._keys.clear()
    small.forget_cached_aggregates()
    for goal_id in goal_ids:
        assert small.readings(small.get_goal(goal_id))[0].note == f"note {goal_ids.index(goal_id)}/0"
    assert len(small.data_keys._keys) <= SMALL.data_keys


def test_the_bounds_live_in_one_place_with_the_defaults_the_issue_names() -> None:
    assert Settings().bounds.goal_measurements == 100
    assert all(value > 0 for value in vars(Bounds()).values())
