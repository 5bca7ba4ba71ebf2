"""Writes to one goal without a version to expect take turns (ADR 0049): no spurious 409 for a caller who asked for
none.

A command sent without `If-Match` means "apply this to the goal as it is". Two such commands on one goal at once
would both load version n and both try to store n + 1; the store refuses one (IntegrityError). Within a process
they take turns on a lock of the goal's own, so the second loads the first one's result; across processes (`serve
--workers N`, other commands) the refused one loads again and retries, after a random pause that doubles each
time, so that writers who collided do not collide again in step. Only a command that expected a version answers
409 at once when another writer stored first: its caller's precondition is what failed.

The locks are a fixed array, a goal's chosen by its id (bounded by Bounds.goal_write_turns, ADR 0045): two goals
may share one, which only makes their writes take turns too.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.errors import ConcurrentModificationError

T = TypeVar("T")
ATTEMPTS = 6  # without an expected version: the first try and five more
FIRST_PAUSE = 0.004  # seconds, the bound of the first random pause; doubled for each later one (at most ~0.25 s in all)


class GoalTurns:
    def __init__(self, locks: int, pause: Callable[[float], None] = time.sleep,
                 jitter: Callable[[float, float], float] = random.uniform) -> None:
        self.locks = tuple(threading.RLock() for _ in range(max(locks, 1)))
        self.pause, self.jitter = pause, jitter

    def write(self, goal_id: UUID, attempt: Callable[[], T], expects_version: bool) -> T:
        """`attempt()` (load, act, save), once if the caller expected a version, else in turns and retried."""
        if expects_version:
            try:
                return attempt()
            except IntegrityError:
                raise _conflict(goal_id) from None
        with self.locks[goal_id.int % len(self.locks)]:
            for tries in range(1, ATTEMPTS + 1):
                try:
                    return attempt()
                except IntegrityError:
                    if tries == ATTEMPTS:
                        raise _conflict(goal_id) from None
                    self.pause(self.jitter(0.0, FIRST_PAUSE * 2 ** (tries - 1)))
        raise AssertionError("unreachable")


def _conflict(goal_id: UUID) -> ConcurrentModificationError:
    return ConcurrentModificationError(
        f"goal {goal_id} was changed by another writer at the same time; read it again and retry",
        goal_id=str(goal_id))
