"""A writer process for the race test: reads the goal's version, waits for its rival, then writes expecting it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from uuid import UUID

from application.errors import ConcurrentModificationError, VersionMismatchError
from application.goals.service import Goals
from application.store.settings import Settings
from domain.values import Actor

SYNC_TIMEOUT = 60  # seconds; only reached if the other process died


def race(settings: Settings, goal_id: UUID, rounds: int, writer: Actor, value: Decimal, outcomes: Queue,
         barrier: Barrier) -> None:
    """Each round: read the version, meet the rival, record a reading expecting that version, meet again."""
    goals = Goals(settings, today=lambda: date(2026, 6, 30))
    try:
        for round_number in range(rounds):
            version = goals.get_goal(goal_id).version
            barrier.wait(SYNC_TIMEOUT)  # both writers have read the same version
            try:
                goals.record_kpi(goal_id, writer, kpi="tickets", value=value, expected_version=version,
                                 observed_at=date(2026, 1, 1) + timedelta(days=round_number))
                outcome = "stored"
            except (VersionMismatchError, ConcurrentModificationError) as conflict:
                outcome = type(conflict).__name__
            outcomes.put((round_number, writer.id, version, outcome))
            barrier.wait(SYNC_TIMEOUT)  # the round is over before either reads again
    finally:
        goals.close()



def open_store(settings: Settings, barrier: Barrier, outcomes: Queue) -> None:
    """Meet the other processes, then open the store at once with them (creating its schema if none has yet)."""
    barrier.wait(SYNC_TIMEOUT)
    try:
        Goals(settings).close()
        outcomes.put("opened")
    except Exception as error:  # reported to the test, which names it
        outcomes.put(f"{type(error).__name__}: {error}")
