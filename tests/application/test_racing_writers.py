"""Two real processes race commands at the same goal on PostgreSQL: one wins, the other gets a conflict."""

from __future__ import annotations

import multiprocessing
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from uuid import uuid4

import pytest

from application.goals.service import Goals
from tests.application.racing import open_store, race
from tests.conftest import (
    AUDIT_KEY,
    store_settings,
    Clock,
    drop_schema,
    postgres_url_with_schema,
    require_postgres,
)
from tests.scenarios import EMPLOYEE, MANAGER, SETUP_EVENTS, agreed, customer_service_terms

ROUNDS = 8
OPENERS = 4
CONFLICTS = {"VersionMismatchError", "ConcurrentModificationError"}


@pytest.fixture
def postgres_goals(clock: Clock) -> Iterator[Goals]:
    require_postgres()
    schema = f"t_{uuid4().hex[:16]}"
    goals = Goals(store_settings(database_url=postgres_url_with_schema(schema), audit_key=AUDIT_KEY), today=clock)
    yield goals
    goals.close()
    drop_schema(schema)


@pytest.mark.postgres
def test_of_two_processes_writing_the_same_version_exactly_one_wins(postgres_goals: Goals) -> None:
    goals = postgres_goals
    goal_id = agreed(goals, customer_service_terms())
    spawn = multiprocessing.get_context("spawn")
    outcomes, barrier = spawn.Queue(), spawn.Barrier(2)
    values = {EMPLOYEE.id: Decimal(15), MANAGER.id: Decimal(16)}
    processes = [
        spawn.Process(target=race, args=(goals.settings, goal_id, ROUNDS, actor, values[actor.id], outcomes, barrier))
        for actor in (EMPLOYEE, MANAGER)
    ]
    for process in processes:
        process.start()
    results = [outcomes.get(timeout=120) for _ in range(2 * ROUNDS)]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0

    by_round: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
    for round_number, writer_id, version, outcome in results:
        by_round[round_number].append((writer_id, version, outcome))
    winners = []
    for round_number, attempts in sorted(by_round.items()):
        assert {version for _, version, _ in attempts} == {4 + round_number}, "both read the same version"
        outcomes_of_round = sorted(outcome for _, _, outcome in attempts)
        assert outcomes_of_round[-1] == "stored" and outcomes_of_round[0] in CONFLICTS, attempts
        winners.append(next(writer_id for writer_id, _, outcome in attempts if outcome == "stored"))

    events = goals.goal_events(goal_id)
    assert [e.originator_version for e in events] == list(range(1, 5 + ROUNDS)), "no version lost or doubled"
    readings = goals.readings(goals.get_goal(goal_id))
    assert [m.recorded_by for m in readings] == winners and [m.value for m in readings] == [
        values[w] for w in winners]
    positions = [logged.position for logged in goals.log_events()]
    assert len(positions) == len(set(positions)) == SETUP_EVENTS + 4 + ROUNDS
    assert Counter(type(e).__name__ for e in events)["KpiRecorded"] == ROUNDS


@pytest.mark.postgres
def test_processes_opening_a_new_store_at_once_all_open_it() -> None:
    """`serve --workers N` starts N processes at once on a store none has created yet: each must open it."""
    require_postgres()
    schema = f"t_{uuid4().hex[:16]}"
    settings = store_settings(database_url=postgres_url_with_schema(schema), audit_key=AUDIT_KEY)
    spawn = multiprocessing.get_context("spawn")
    outcomes, barrier = spawn.Queue(), spawn.Barrier(OPENERS)
    processes = [spawn.Process(target=open_store, args=(settings, barrier, outcomes)) for _ in range(OPENERS)]
    try:
        for process in processes:
            process.start()
        assert sorted(outcomes.get(timeout=120) for _ in processes) == ["opened"] * OPENERS
        for process in processes:
            process.join(timeout=60)
    finally:
        drop_schema(schema)
