"""The same Idempotency-Key sent concurrently on a failing command: each caller gets the command's own refusal
or "in progress", never a server error (the attack run saw NoResultFound in 2 of 240)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from application.errors import IdempotencyKeyInProgressError
from application.goals.service import Goals
from application.store.idempotency import CommandResult, IdempotencyStore


class RefusedError(Exception):
    pass


def test_concurrent_retries_of_a_failing_command_get_its_refusal_or_in_progress(goals: Goals) -> None:
    store = IdempotencyStore(goals.engine)
    start = threading.Barrier(8)

    def failing() -> CommandResult:
        raise RefusedError("the rule says no")

    def attempt(_: int) -> str:
        start.wait(10)
        outcomes = []
        for _ in range(15):
            try:
                store.run("emp-1", "key-1", "record_kpi", {"value": "1"}, failing)
            except (RefusedError, IdempotencyKeyInProgressError) as error:
                outcomes.append(type(error).__name__)
        return ",".join(outcomes)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(attempt, range(8)))  # any other exception (NoResultFound) propagates here
    assert all(results)
    assert "Refused" in ",".join(results)
