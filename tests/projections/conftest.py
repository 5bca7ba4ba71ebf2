"""Projection fixtures: a runner over the test store, and a way to act on a given day (freezegun + the clock)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime
from typing import Any

import pytest
from freezegun import freeze_time

from application.goals.service import Goals
from domain.review_values import DecisionBasis
from projections.reviews import Reviews
from projections.runner import ProjectionRunner
from projections.service import build_runner
from tests.conftest import Clock

OnDay = Callable[[date], AbstractContextManager[None]]


@pytest.fixture
def runner(goals: Goals) -> ProjectionRunner:
    return build_runner(goals, batch_size=7)  # small batches: every test crosses batch boundaries


class CaughtUpReviews(Reviews):
    """Reviews read right after the test's runner caught up (in the API the background projector does that)."""

    def __init__(self, goals: Goals, runner: ProjectionRunner) -> None:
        super().__init__(goals, runner.engine)
        self.runner = runner

    def review(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.runner.catch_up()
        return super().review(*args, **kwargs)

    def justification(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.runner.catch_up()
        return super().justification(*args, **kwargs)

    def decision_basis(self, *args: Any, **kwargs: Any) -> DecisionBasis:
        self.runner.catch_up()
        return super().decision_basis(*args, **kwargs)


@pytest.fixture
def reviews(goals: Goals, runner: ProjectionRunner) -> Reviews:
    return CaughtUpReviews(goals, runner)


@pytest.fixture
def on_day(clock: Clock) -> OnDay:
    """Act on a day: the application's today is that day, and events are stamped from noon UTC that day on
    (time ticks, so their order is kept)."""

    @contextmanager
    def acting(day: date) -> Iterator[None]:
        clock.current = day
        with freeze_time(datetime(day.year, day.month, day.day, 12, tzinfo=UTC), tick=True):
            yield

    return acting


def read_models(runner: ProjectionRunner) -> dict[str, list[dict[str, object]]]:
    """Every read-model row of every projection, in a stable order, for comparisons."""
    with runner.engine.connect() as connection:
        return {
            table.name: sorted((dict(row._mapping) for row in connection.execute(table.select())), key=repr)
            for projection in runner.projections.values()
            for table in projection.tables
        }
