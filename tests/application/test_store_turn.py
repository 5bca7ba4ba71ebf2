"""A turn of the store (application/store/store_turn.py, ADR 0054): one holder at a time across threads and across
processes (here two StoreTurns, as two processes have: each its own lock, connection or file descriptor); a caller
waits at most its bound; a raising block lets go; the holder's own thread may take it again."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from application.errors import StoreBusyError
from application.goals.service import Goals
from application.store.settings import Settings
from application.store.store_turn import StoreTurn


def turn(goals: Goals, name: str = "directory", wait: float = 30.0) -> StoreTurn:
    return StoreTurn(goals.settings, goals.engine, name, wait)


def waits(caller: StoreTurn) -> list[str]:
    waited: list[str] = []
    caller.on_wait.append(lambda: waited.append("waited"))
    return waited


def test_another_process_s_holder_makes_a_caller_wait_at_most_its_bound(bare_goals: Goals) -> None:
    holder, caller = turn(bare_goals), turn(bare_goals, wait=0.05)
    waited = waits(caller)
    with holder.held(), pytest.raises(StoreBusyError) as busy, caller.held():
        pytest.fail("the turn was taken twice")
    assert busy.value.code == "store_busy" and waited == ["waited"]
    with caller.held():  # let go: taken at once
        pass
    assert waited == ["waited"]


def test_another_thread_s_holder_makes_a_caller_wait_at_most_its_bound(bare_goals: Goals) -> None:
    shared = turn(bare_goals, wait=0.05)
    waited = waits(shared)

    def take() -> None:
        with shared.held():
            pytest.fail("the turn was taken twice")

    with shared.held(), ThreadPoolExecutor(1) as other_thread, pytest.raises(StoreBusyError):
        other_thread.submit(take).result()
    assert waited == ["waited"]


def test_a_block_that_raises_lets_go_of_the_turn(bare_goals: Goals) -> None:
    holder, caller = turn(bare_goals), turn(bare_goals, wait=0.05)
    waited = waits(caller)
    with pytest.raises(ValueError), holder.held():
        raise ValueError("refused inside the turn")
    with caller.held():
        pass
    assert waited == []


def test_the_holder_s_thread_takes_the_turn_again_without_waiting_on_itself(bare_goals: Goals) -> None:
    held = turn(bare_goals, wait=0.05)
    waited = waits(held)
    with held.held(), held.held():
        pass
    assert waited == []


def test_turns_of_other_names_or_other_stores_do_not_wait_for_each_other(bare_goals: Goals,
                                                                         settings: Settings) -> None:
    other_store = replace(settings, database_url=_other_store(settings))
    caller, elsewhere = turn(bare_goals, "imports", wait=0.05), StoreTurn(other_store, bare_goals.engine,
                                                                           "directory", wait=0.05)
    waited = waits(caller) + waits(elsewhere)
    with turn(bare_goals).held(), caller.held(), elsewhere.held():
        pass
    assert waited == []


def _other_store(settings: Settings) -> str:
    """Another schema on PostgreSQL, another file on SQLite (the key or lock file is all a turn takes from it)."""
    if settings.store == "postgresql":
        return settings.database_url.replace("schema=", "schema=other_")
    return settings.database_url.replace("goals.db", "other.db")
