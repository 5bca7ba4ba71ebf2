"""`goalengine projections run` follows new events as a separate process and stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable

from application.goals.service import Goals
from application.store.settings import Settings
from projections.runner import ProjectionRunner
from tests.projections.test_crash_safety import goalengine
from tests.scenarios import SETUP_EVENTS, agreed, defect_rate_terms


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)  # polling a condition with a deadline, not standing in for synchronisation
    return False


def test_the_run_loop_follows_new_events_and_stops_on_sigterm(
    goals: Goals, settings: Settings, runner: ProjectionRunner
) -> None:
    agreed(goals, defect_rate_terms())
    process = goalengine(settings, "projections", "run", "--poll-interval", "0.05")
    try:
        assert wait_for(lambda: runner.positions()["reviews"] == goals.head_position())
        agreed(goals, defect_rate_terms(title="Reduce returns"))
        assert wait_for(lambda: all(s.lag == 0 for s in runner.status()) and goals.head_position() == SETUP_EVENTS + 8)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
