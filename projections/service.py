"""Wiring: the default projections, a runner and a background projector over them, a timed rebuild for benchmarks."""

from __future__ import annotations

import time

from application.goals.service import Goals
from application.store.settings import Settings
from projections.alignment import AlignmentProjection
from projections.coordination import coordination_for
from projections.goal_index import GoalIndexProjection
from projections.digest import digest_from_env
from projections.notices.notifier import Notifier
from projections.projector import DEFAULT_POLL_INTERVAL, Projector
from projections.review_projection import ReviewProjection
from projections.runner import DEFAULT_BATCH_SIZE, REBUILD_BATCH_SIZE, Projection, ProjectionRunner


def default_projections() -> list[Projection]:
    return [GoalIndexProjection(), ReviewProjection(), AlignmentProjection()]


def build_runner(goals: Goals, batch_size: int = DEFAULT_BATCH_SIZE) -> ProjectionRunner:
    return ProjectionRunner(goals, default_projections(), batch_size=batch_size)


def rebuild(name: str | None, settings: Settings, batch_size: int = REBUILD_BATCH_SIZE) -> tuple[int, float]:
    """Rebuild one projection (or all, if name is None) from the first event: (events applied, seconds taken).

    The entry point for benchmarks: the rate is events / seconds, setup and teardown excluded.
    """
    goals = Goals(settings)
    try:
        runner = build_runner(goals, batch_size)
        started = time.perf_counter()
        events = runner.rebuild(name)
        return events, time.perf_counter() - started
    finally:
        goals.close()


def build_projector(
    goals: Goals, poll_interval: float = DEFAULT_POLL_INTERVAL, batch_size: int = DEFAULT_BATCH_SIZE,
    notices: bool = False,
) -> Projector:
    """The background projector over the default projections, coordinated with the store's other processes;
    with `notices`, its leader also runs the notifier of early warnings after each round (ADR 0024)."""
    coordination = coordination_for(goals.settings, goals.engine)
    # A read-only server (no signing key, ADR 0013) stores nothing, warnings included.
    notifier = Notifier(goals) if notices and goals.audit_keys.signer is not None else None
    duties = [lambda: notifier.step(max_batches=1)] if notifier else []  # one batch a round: rounds stay short
    digest = digest_from_env(goals) if notifier else None  # mail only from a writing leader, with SMTP set
    duties += [digest.step] if digest else []
    return Projector(build_runner(goals, batch_size), coordination, poll_interval=poll_interval, duties=duties)
