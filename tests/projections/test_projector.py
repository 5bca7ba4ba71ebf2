"""The background projector: one leader per store applies events, followers see its progress, and a follower takes
over when the leader stops (a lease on PostgreSQL, a file lock on SQLite)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import psycopg
import pytest

from application.goals.service import Goals
from application.store.settings import Settings
from projections.projector import Projector
from projections.service import build_projector
from projections.review_projection import ReviewProjection
from api.bootstrap import projector_for
from tests.conftest import Clock
from tests.scenarios import EMPLOYEE, agreed, customer_service_terms

WAIT = 10.0  # seconds a test waits for a position at most; a follower takes over within a second

REVIEWS = ReviewProjection.name


@pytest.fixture
def two_processes(settings: Settings, clock: Clock) -> Iterator[tuple[Goals, list[Projector]]]:
    """Two applications with a projector each on one store, as two `goalengine serve` processes would have."""
    apps = [Goals(settings, today=clock) for _ in range(2)]
    projectors = [projector_for(app) for app in apps]
    for projector in projectors:
        projector.start()
    yield apps[0], projectors
    for projector in projectors:
        projector.stop()
    for app in apps:
        app.close()


def test_one_projector_leads_and_both_see_the_read_models_reach_a_write(
    two_processes: tuple[Goals, list[Projector]],
) -> None:
    goals, projectors = two_processes
    agreed(goals, customer_service_terms())
    head = goals.head_position()
    for projector in projectors:
        projector.wake()
        assert projector.progress.wait_for(REVIEWS, head, WAIT) >= head
    assert sorted(p.leading for p in projectors) == [False, True]


def test_a_follower_takes_over_when_the_leader_stops(two_processes: tuple[Goals, list[Projector]]) -> None:
    goals, projectors = two_processes
    goal_id = agreed(goals, customer_service_terms())
    head = goals.head_position()
    for projector in projectors:
        assert projector.progress.wait_for(REVIEWS, head, WAIT) >= head
    leader = next(p for p in projectors if p.leading)
    follower = next(p for p in projectors if not p.leading)
    leader.stop()
    position = goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(16),
                                observed_at=date(2026, 1, 14)).position
    assert position is not None
    follower.wake()
    assert follower.progress.wait_for(REVIEWS, position, WAIT) >= position
    assert follower.leading
    leader.start()  # back, as a follower now (the fixture stops it again)


def test_the_projector_goes_on_after_its_wait_loses_the_store(
    settings: Settings, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PostgreSQL restart breaks the session the leader LISTENs on while it waits (the issue 28 soak): the thread
    must back off and go on, or every read waiting for a position answers 503 until the process restarts."""
    goals = Goals(settings, today=clock)
    projector = projector_for(goals)
    real_wait, failed = projector.coordination.wait, threading.Event()

    def wait_failing_once(timeout: float) -> None:
        if not failed.is_set():
            failed.set()
            raise psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly")
        real_wait(timeout)

    monkeypatch.setattr(projector.coordination, "wait", wait_failing_once)
    projector.start()
    try:
        assert failed.wait(WAIT)
        agreed(goals, customer_service_terms())  # written after the failure: only a live projector applies it
        head = goals.head_position()
        projector.wake()
        assert projector.progress.wait_for(REVIEWS, head, WAIT) >= head
    finally:
        projector.stop()
        goals.close()


def test_a_slow_duty_holds_no_read_model_back_and_runs_again_after_later_rounds(
    settings: Settings, clock: Clock
) -> None:
    """The leader's duties (the notifier) run in a thread of their own: while one is busy, rounds still bring the
    read models to the head, and once it returns it runs again for what came meanwhile."""
    goals = Goals(settings, today=clock)
    busy, release, passes = threading.Event(), threading.Event(), []

    def slow_duty() -> None:
        passes.append(goals.head_position())
        busy.set()
        assert release.wait(WAIT)

    projector = build_projector(goals, duties=[slow_duty])
    projector.start()
    try:
        assert busy.wait(WAIT)  # the first pass, held until released
        agreed(goals, customer_service_terms())
        head = goals.head_position()
        projector.wake()
        assert projector.progress.wait_for(REVIEWS, head, WAIT) >= head
        assert len(passes) == 1 and passes[0] < head  # the duty is still in its first pass
        busy.clear()
        release.set()
        assert busy.wait(WAIT) and passes[-1] >= head  # another pass, which sees the new events
    finally:
        release.set()
        projector.stop()
        goals.close()
