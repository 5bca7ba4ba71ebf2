"""The runner applies every event exactly once, in batches, each with its position in the same transaction."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import event

from application.goals.service import Goals
from projections.runner import ProjectionRunner
from projections.service import build_runner
from tests.conftest import Clock
from tests.projections.conftest import read_models
from tests.scenarios import (
    EMPLOYEE,
    agreed,
    customer_service_terms,
    defect_rate_terms,
    draft,
)


def seed(goals: Goals, clock: Clock, readings: int = 20) -> None:
    goal_id = agreed(goals, customer_service_terms())
    agreed(goals, defect_rate_terms())
    draft(goals, defect_rate_terms(title="Reduce returns"))
    clock.current = date(2026, 6, 1)
    for day in range(1, readings + 1):
        observed = date(2026, 1, 1) + timedelta(days=day)
        goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(14 + day % 7), observed_at=observed)


def test_catching_up_applies_each_new_event_once_and_then_finds_nothing_to_do(
    goals: Goals, clock: Clock, runner: ProjectionRunner
) -> None:
    seed(goals, clock)
    head = goals.head_position()
    assert runner.catch_up() == 3 * head  # three projections
    assert runner.catch_up() == 0
    assert [(s.name, s.position, s.lag) for s in runner.status()] == [
        ("goal_index", head, 0), ("reviews", head, 0), ("alignment", head, 0)]


def test_catching_up_to_a_position_stops_there(goals: Goals, clock: Clock, runner: ProjectionRunner) -> None:
    seed(goals, clock)
    assert runner.catch_up(until=5, only=["reviews"]) == 5
    assert runner.positions() == {"goal_index": 0, "reviews": 5, "alignment": 0}
    assert runner.status()[1].lag == goals.head_position() - 5


def test_two_runners_racing_on_one_store_still_apply_every_batch_once(
    goals: Goals, clock: Clock, runner: ProjectionRunner
) -> None:
    seed(goals, clock, readings=60)
    others = [build_runner(goals, batch_size=size) for size in (3, 5, 11)]
    threads = [threading.Thread(target=other.catch_up) for other in others]
    for thread in threads:
        thread.start()
    runner.catch_up()
    for thread in threads:
        thread.join(timeout=60)
    raced = read_models(runner)
    runner.rebuild()
    assert raced == read_models(runner)
    assert len(raced["goal_reviews"]) == 3 and len(raced["goal_index"]) == 3


def test_rebuilding_one_projection_leaves_the_other_alone(goals: Goals, clock: Clock, runner: ProjectionRunner) -> None:
    seed(goals, clock)
    runner.catch_up(until=10)
    before = read_models(runner)["goal_reviews"]
    assert runner.rebuild("goal_index") == goals.head_position()
    assert runner.positions() == {"goal_index": goals.head_position(), "reviews": 10, "alignment": 10}
    assert read_models(runner)["goal_reviews"] == before


def test_catching_up_together_applies_each_batch_to_every_projection_in_one_transaction(
    goals: Goals, clock: Clock, runner: ProjectionRunner
) -> None:
    seed(goals, clock)
    head = goals.head_position()
    runner.catch_up(until=10, only=["reviews"])  # one read model ahead of the other
    commits = count_commits(runner)
    moves: list[dict[str, int]] = []
    assert runner.catch_up_together(head, on_positions=lambda p: moves.append(dict(p))) == head
    batches = -(-head // runner.batch_size)  # the batch starts where the one furthest behind stands
    assert commits() == batches, "one commit per batch for both read models"
    assert moves[-1] == runner.positions() == {"goal_index": head, "reviews": head, "alignment": head}
    assert all(m["reviews"] >= m["goal_index"] for m in moves), "the one ahead never goes back"
    together = read_models(runner)
    runner.rebuild()
    assert together == read_models(runner), "the same read models as one catch-up each"
    assert runner.catch_up_together(head) == 0


def count_commits(runner: ProjectionRunner) -> Callable[[], int]:
    """Counts the transactions the runner commits on its engine from now on."""
    seen = [0]
    event.listen(runner.engine, "commit", lambda _connection: seen.__setitem__(0, seen[0] + 1))
    return lambda: seen[0]
