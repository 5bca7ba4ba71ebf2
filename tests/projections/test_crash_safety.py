"""A rebuild killed with SIGKILL mid-way leaves a consistent read model; resuming gives an uninterrupted rebuild's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.exc import SQLAlchemyError

from application.goals.service import Goals
from application.events.serialization import EventRecord
from application.store.settings import Settings
from projections.review.state import fold
from projections.review_projection import dump_state
from projections.runner import ProjectionRunner
from projections.tables import goal_reviews, projection_positions
from tests.conftest import AUDIT_KEY, Clock
from tests.projections.conftest import read_models
from tests.scenarios import EMPLOYEE, YEAR, agreed, defect_rate_terms

ROOT = Path(__file__).resolve().parents[2]
GOALS, READINGS_PER_GOAL = 12, 250  # about 3,000 events


def seed_many(goals: Goals, clock: Clock) -> None:
    """Many readings, saved one goal at a time (a test shortcut: the commands would save one event per call)."""
    clock.current = date(2026, 1, 15)
    goal_ids = [agreed(goals, defect_rate_terms(title=f"Reduce defects, line {n}")) for n in range(GOALS)]
    for goal_id in goal_ids:
        goal = goals.get_goal(goal_id)
        for day in range(READINGS_PER_GOAL):
            observed = YEAR.start + timedelta(days=day)
            value = Decimal(5) - Decimal(day % 30) / 10
            goal.record_kpi("defects", value, observed, EMPLOYEE, today=date(2026, 12, 31))
        goals.save(goal)


def goalengine(settings: Settings, *args: str) -> subprocess.Popen[bytes]:
    """The `goalengine` command as a real process on the test store."""
    env = {**os.environ, "GOALENGINE_DATABASE_URL": settings.database_url, "GOALENGINE_AUDIT_KEY": AUDIT_KEY.decode(),
           "GOALENGINE_SECRET": "unused-in-this-test", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "api.cli", *args]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def reviews_position(settings: Settings) -> int:
    engine = create_engine(settings.sqlalchemy_url(), connect_args=settings.sqlalchemy_connect_args())
    try:
        with engine.connect() as connection:
            query = select(projection_positions.c.position).where(projection_positions.c.name == "reviews")
            return int(connection.execute(query).scalar_one_or_none() or 0)
    except SQLAlchemyError:
        return 0  # the table is not there yet
    finally:
        engine.dispose()


def kill_mid_way(process: subprocess.Popen[bytes], settings: Settings, head: int) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        position = reviews_position(settings)
        if 0 < position < head // 2:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            return reviews_position(settings)
    stderr = process.stderr.read().decode() if process.stderr else ""
    pytest.fail(f"never saw the rebuild mid-way (exit {process.poll()}): {stderr[-2000:]}")


def folded_up_to(goals: Goals, position: int) -> dict[str, str]:
    """What the review read model must hold after exactly the events up to `position`, each applied once."""
    records: dict[str, list[EventRecord]] = defaultdict(list)
    for logged in goals.log_events(until=position):
        record = EventRecord.of(logged.event, logged.position)
        if record.of_goal:  # the test cycles' events are no goal's
            records[record.goal_id].append(record)
    return {goal_id: dump_state(fold(rs) or {}) for goal_id, rs in records.items()}


def test_a_rebuild_killed_mid_way_resumes_to_the_same_read_model(
    goals: Goals, clock: Clock, settings: Settings, runner: ProjectionRunner
) -> None:
    seed_many(goals, clock)
    head = goals.head_position()
    assert head >= 3000
    rebuild = goalengine(settings, "projections", "rebuild", "reviews", "--batch-size", "40")
    killed_at = kill_mid_way(rebuild, settings, head)
    assert 0 < killed_at < head
    with runner.engine.connect() as connection:
        stored = dict(connection.execute(select(goal_reviews.c.goal_id, goal_reviews.c.state)).all())
    assert stored == folded_up_to(goals, killed_at)  # the last committed batch, nothing more, nothing twice

    resume = goalengine(settings, "projections", "run", "--once")  # carries on from the committed position
    assert resume.wait(timeout=120) == 0, resume.stderr.read().decode() if resume.stderr else ""
    assert runner.positions()["reviews"] == head
    resumed = read_models(runner)["goal_reviews"]
    runner.rebuild("reviews")
    assert resumed == read_models(runner)["goal_reviews"] and len(resumed) == GOALS
