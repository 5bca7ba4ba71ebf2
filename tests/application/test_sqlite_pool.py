"""SQLite: a read never queues behind writers waiting for the write lock, and other writers of the process take
the event writers' turn (application/store/sqlite_pool.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager

import pytest

from application.goals.service import Goals
from application.store.sqlite_pool import ReadersFirstPool, writer_turn
from projections.service import build_runner
from tests.conftest import AUDIT_KEY, Clock, store_settings
from tests.scenarios import SETUP_EVENTS, customer_service_terms, draft


@pytest.fixture
def sqlite_goals(tmp_path_factory: pytest.TempPathFactory, clock: Clock) -> Iterator[Goals]:
    settings = store_settings(database_url=f"sqlite:///{tmp_path_factory.mktemp('pool')}/goals.db", audit_key=AUDIT_KEY)
    goals = Goals(settings, today=clock)
    yield goals
    goals.close()


def test_a_read_is_answered_while_a_writer_waits_for_the_writer_in_progress(sqlite_goals: Goals) -> None:
    goal_id = draft(sqlite_goals, customer_service_terms())
    pool = sqlite_goals.recorder.datastore.pool  # type: ignore[attr-defined]
    assert isinstance(pool, ReadersFirstPool)
    waiting_writer_done = threading.Event()

    def write() -> None:
        with sqlite_goals.recorder.datastore.transaction(commit=True):  # type: ignore[attr-defined]
            waiting_writer_done.set()

    with writer_turn(sqlite_goals.recorder):  # a writer in progress
        writer = threading.Thread(target=write)
        writer.start()
        queued(pool)  # the writer waits for the lock, holding the library's fairness semaphore
        assert [e.originator_version for e in sqlite_goals.goal_events(goal_id)] == [1], "the read went past it"
        assert sqlite_goals.head_position() == SETUP_EVENTS + 1
        assert not waiting_writer_done.is_set(), "the writer still waits for its turn"
    writer.join(timeout=10)
    assert waiting_writer_done.is_set()


def queued(pool: ReadersFirstPool) -> None:
    """Returns once a thread holds the pool's fairness semaphore (observed, not guessed by sleeping a while)."""
    deadline = time.monotonic() + 10
    while pool._get_semaphore._value > 0:  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, "the writer never queued"
        time.sleep(0.001)


def test_the_projector_takes_the_event_writers_turn_for_each_batch(
    sqlite_goals: Goals, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(3):
        draft(sqlite_goals, customer_service_terms())
    turns: list[int] = []
    original = ReadersFirstPool.writer_turn

    def counted(self: ReadersFirstPool) -> AbstractContextManager[None]:
        turns.append(1)
        return original(self)

    monkeypatch.setattr(ReadersFirstPool, "writer_turn", counted)
    runner = build_runner(sqlite_goals, batch_size=2)
    head = sqlite_goals.head_position()  # the three drafts after the test cycles' setup events
    assert runner.catch_up_together(head) == head == SETUP_EVENTS + 3
    assert len(turns) == (head + 1) // 2, "one turn per batch of two"
