"""Wiring: the default projections, a runner and a background projector over them, a timed rebuild for benchmarks.

The Goals application and any extra duties of the projector's leader (the notifier) come from the composition root
(api/bootstrap.py): nothing here builds an application or issues a command.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from application.goals.service import Goals
from projections.alignment import AlignmentProjection
from projections.coordination import coordination_for
from projections.goal_index import GoalIndexProjection
from projections.projector import DEFAULT_POLL_INTERVAL, Projector
from projections.review_projection import ReviewProjection
from projections.runner import DEFAULT_BATCH_SIZE, REBUILD_BATCH_SIZE, Projection, ProjectionRunner


def default_projections() -> list[Projection]:
    return [GoalIndexProjection(), ReviewProjection(), AlignmentProjection()]


def build_runner(goals: Goals, batch_size: int = DEFAULT_BATCH_SIZE) -> ProjectionRunner:
    return ProjectionRunner(goals, default_projections(), batch_size=batch_size)


def timed_rebuild(name: str | None, goals: Goals, batch_size: int = REBUILD_BATCH_SIZE) -> tuple[int, float]:
    """Rebuild one projection (or all, if name is None) from the first event: (events applied, seconds taken).

    The entry point for benchmarks: the rate is events / seconds, setup and teardown excluded.
    """
    runner = build_runner(goals, batch_size)
    started = time.perf_counter()
    events = runner.rebuild(name)
    return events, time.perf_counter() - started


def build_projector(
    goals: Goals, poll_interval: float = DEFAULT_POLL_INTERVAL, batch_size: int = DEFAULT_BATCH_SIZE,
    duties: Sequence[Callable[[], object]] = (),
) -> Projector:
    """The background projector over the default projections, coordinated with the store's other processes; its
    leader also runs the given duties after the rounds, in a thread of their own (the notifier of early warnings,
    ADR 0024; ADR 0056)."""
    coordination = coordination_for(goals.settings, goals.engine)
    return Projector(build_runner(goals, batch_size), coordination, poll_interval=poll_interval, duties=duties)
