"""Errors of the application layer: things the domain cannot know (stores, versions, idempotency keys)."""

from __future__ import annotations

from typing import Any
from uuid import UUID


class ApplicationError(Exception):
    code = "application_error"

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context = context


class GoalNotFoundError(ApplicationError):
    code = "goal_not_found"

    def __init__(self, goal_id: UUID | str, detail: str = "") -> None:
        super().__init__(f"goal {goal_id} not found{detail}", goal_id=str(goal_id))
        self.goal_id = goal_id


class VersionMismatchError(ApplicationError):
    """The caller expected another version: somebody changed the goal since they read it."""

    code = "version_mismatch"

    def __init__(self, goal_id: UUID, expected: int, actual: int) -> None:
        super().__init__(
            f"goal {goal_id} is at version {actual}, not the expected version {expected}",
            goal_id=str(goal_id),
            expected=expected,
            actual=actual,
        )


class ConcurrentModificationError(ApplicationError):
    """Another writer saved the same goal version first; nothing of this command was stored."""

    code = "concurrent_modification"


class IdempotencyKeyReusedError(ApplicationError):
    code = "idempotency_key_reused"


class InvalidIdempotencyKeyError(ApplicationError):
    code = "idempotency_key_invalid"


class IdempotencyKeyInProgressError(ApplicationError):
    code = "idempotency_key_in_progress"


class StoreBusyError(ApplicationError):
    """A turn of the store (application/store/store_turn.py) stayed taken for longer than a caller waits: nothing of
    the command was stored, and a retry is safe."""

    code = "store_busy"
