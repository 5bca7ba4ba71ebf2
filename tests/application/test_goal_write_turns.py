"""Writes to one goal without an expected version never answer a spurious conflict: within a process they take
turns, across processes they retry after a random pause; a caller who expected a stale version is still refused."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError

from application.errors import ConcurrentModificationError, VersionMismatchError
from application.goals.service import Goals
from application.goals.turns import ATTEMPTS, FIRST_PAUSE, GoalTurns
from application.store.settings import Settings
from tests.application.racing import SYNC_TIMEOUT
from tests.conftest import AUDIT_KEY, drop_schema, postgres_url_with_schema, require_postgres, store_settings
from tests.scenarios import EMPLOYEE, MANAGER, agreed, customer_service_terms

WRITERS = 8
READINGS_EACH = 3


def record_readings(goals: Goals, goal_id: UUID, writer: int, barrier: threading.Barrier | None = None) -> None:
    if barrier is not None:
        barrier.wait(SYNC_TIMEOUT)
    for n in range(READINGS_EACH):
        goals.record_kpi(goal_id, EMPLOYEE if writer % 2 else MANAGER, kpi="tickets", value=Decimal(writer),
                         observed_at=date(2026, 1, 1) + timedelta(days=(writer * READINGS_EACH + n) % 14))


def test_readings_from_many_threads_at_once_without_a_version_are_all_stored(goals: Goals) -> None:
    goal_id = agreed(goals, customer_service_terms())
    before = goals.get_goal(goal_id).version
    barrier, failures = threading.Barrier(WRITERS), []

    def writer(number: int) -> None:
        try:
            record_readings(goals, goal_id, number, barrier)
        except Exception as error:  # reported below, by name
            failures.append(repr(error))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(SYNC_TIMEOUT)
    assert failures == []
    assert goals.get_goal(goal_id).version == before + WRITERS * READINGS_EACH


def test_a_stale_expected_version_is_still_refused(goals: Goals) -> None:
    goal_id = agreed(goals, customer_service_terms())
    version = goals.get_goal(goal_id).version
    goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(1), observed_at=date(2026, 1, 2))
    with pytest.raises(VersionMismatchError):
        goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(2), observed_at=date(2026, 1, 3),
                         expected_version=version)


def collided(times: int) -> tuple[list[int], object]:
    """An attempt that the store refuses `times` times, then succeeds; and the list of its tries."""
    tries: list[int] = []

    def attempt() -> str:
        tries.append(len(tries) + 1)
        if len(tries) <= times:
            raise IntegrityError("another writer stored this version first")
        return "stored"

    return tries, attempt


def test_a_refused_write_without_a_version_retries_after_a_random_pause_that_doubles() -> None:
    pauses: list[float] = []
    turns = GoalTurns(4, pause=pauses.append, jitter=lambda low, high: high)  # the longest pause each time
    tries, attempt = collided(3)
    assert turns.write(uuid4(), attempt, expects_version=False) == "stored"  # type: ignore[arg-type]
    assert tries == [1, 2, 3, 4] and pauses == [FIRST_PAUSE, 2 * FIRST_PAUSE, 4 * FIRST_PAUSE]
    tries, attempt = collided(ATTEMPTS)
    with pytest.raises(ConcurrentModificationError):
        turns.write(uuid4(), attempt, expects_version=False)  # type: ignore[arg-type]
    assert len(tries) == ATTEMPTS


def test_a_refused_write_that_expected_a_version_answers_the_conflict_at_once() -> None:
    pauses: list[float] = []
    tries, attempt = collided(1)
    with pytest.raises(ConcurrentModificationError):
        GoalTurns(4, pause=pauses.append).write(uuid4(), attempt, expects_version=True)  # type: ignore[arg-type]
    assert tries == [1] and pauses == []


def write_from_a_process(settings: Settings, goal_id: UUID, writer: int, barrier: object, outcomes: object) -> None:
    goals = Goals(settings, today=lambda: date(2026, 6, 30))
    try:
        barrier.wait(SYNC_TIMEOUT)  # type: ignore[attr-defined]
        record_readings(goals, goal_id, writer)
        outcomes.put("stored")  # type: ignore[attr-defined]
    except Exception as error:  # reported to the test, which names it
        outcomes.put(repr(error))  # type: ignore[attr-defined]
    finally:
        goals.close()


@pytest.mark.postgres
def test_readings_from_two_processes_at_once_without_a_version_are_all_stored(clock: object) -> None:
    require_postgres()
    schema = f"t_{uuid4().hex[:16]}"
    goals = Goals(store_settings(database_url=postgres_url_with_schema(schema), audit_key=AUDIT_KEY), today=clock)
    try:
        goal_id = agreed(goals, customer_service_terms())
        before = goals.get_goal(goal_id).version
        spawn = multiprocessing.get_context("spawn")
        outcomes, barrier = spawn.Queue(), spawn.Barrier(2)
        processes = [spawn.Process(target=write_from_a_process, args=(goals.settings, goal_id, n, barrier, outcomes))
                     for n in range(2)]
        for process in processes:
            process.start()
        assert [outcomes.get(timeout=120) for _ in processes] == ["stored", "stored"]
        for process in processes:
            process.join(timeout=60)
        assert goals.get_goal(goal_id).version == before + 2 * READINGS_EACH
    finally:
        goals.close()
        drop_schema(schema)
