"""Background work and what request processes know of it (ADR 0048): reads wait on the positions the store holds,
a write wakes a projector in another process, /ready reports the worker's heartbeat, /metrics the threads."""

from __future__ import annotations

import threading
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.background import STALE_AFTER, WORKER, WorkerWatch
from application.goals.service import Goals
from application.store.heartbeats import Heartbeat, Heartbeats
from projections.coordination import LocalCoordination
from projections.positions import StoredPositions
from projections.tables import projection_positions


def test_a_read_waits_on_the_stored_position_until_the_projector_moves_it(goals: Goals) -> None:
    looks: list[float] = []

    def projector_moves_it_meanwhile(seconds: float) -> None:
        looks.append(seconds)
        if len(looks) == 3:  # another process's projector commits its batch during the third pause
            with goals.engine.begin() as connection:
                connection.execute(projection_positions.update().where(projection_positions.c.name == "reviews")
                                   .values(position=7))

    stored = StoredPositions(goals.engine, ["reviews"], goals.head_position, pause=projector_moves_it_meanwhile)
    with goals.engine.begin() as connection:
        connection.execute(projection_positions.delete())
        connection.execute(projection_positions.insert().values(name="reviews", position=2))
    assert stored.wait_for("reviews", 7, timeout=60) == 7
    assert looks == [0.001, 0.002, 0.004]  # a short pause, doubling: no fixed sleep stands in for the projector
    assert stored.wait_for("reviews", 5, timeout=60) == 7 and len(looks) == 3  # already there: no pause


def test_a_read_gives_up_at_its_bound_with_the_position_reached(goals: Goals) -> None:
    stored = StoredPositions(goals.engine, ["goal_index"], goals.head_position, pause=lambda _seconds: None)
    assert stored.wait_for("goal_index", 10**9, timeout=0.05) < 10**9


def test_a_write_in_one_process_wakes_the_leading_projector_of_another(tmp_path: Path) -> None:
    lock = str(tmp_path / "goals.db.projector.lock")
    leader, request_side = LocalCoordination(lock), LocalCoordination(lock)  # as in two processes: own objects
    assert leader.try_lead() and not request_side.try_lead()
    woken = threading.Event()

    def wait_for_a_wake_up() -> None:
        leader.wait(600)  # without the datagram this would wait ten minutes
        woken.set()

    waiting = threading.Thread(target=wait_for_a_wake_up, daemon=True)
    waiting.start()
    request_side.wake()
    assert woken.wait(30)
    leader.close()


def test_ready_reports_the_workers_heartbeat_and_a_stale_one_as_down(goals: Goals) -> None:
    heartbeats = Heartbeats(goals.engine)
    now = [1000.0]
    watch = WorkerWatch(heartbeats, clock=lambda: now[0])
    assert watch.status().state == "down"  # none has beaten yet
    heartbeats.beat(Heartbeat(WORKER, 4242, "host-a", 990.0, 999.0))
    assert (watch.status().state, watch.status().pid, watch.status().seen_seconds_ago) == ("running", 4242, 1.0)
    now[0] = 999.0 + STALE_AFTER + 0.5
    assert watch.status().state == "down"  # killed: it beats no more
    heartbeats.beat(Heartbeat(WORKER, 4343, "host-a", now[0], now[0]))  # its successor takes the row over
    assert (watch.status().state, watch.status().pid) == ("running", 4343)
    heartbeats.stopped(WORKER, 4343)  # a clean stop shows at once
    assert watch.status().state == "down"


def test_an_app_running_its_background_in_process_says_so_and_its_threads_show(app: FastAPI) -> None:
    """The positive control of the e2e test that finds no projector thread in `serve`'s request process."""
    with TestClient(app) as client:
        ready = client.get("/ready")
        metrics = client.get("/metrics").text
    assert ready.status_code == 200 and ready.json()["worker"]["state"] == "in_process"
    assert 'goalengine_process_threads{name="goalengine-projector"} 1.0' in metrics
