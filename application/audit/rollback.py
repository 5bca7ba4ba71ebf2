"""Rollback and fork detection (ADR 0039): the log must still contain the checkpoint kept outside the database.

Checked when the server starts and then at most every CHECK_INTERVAL_S seconds, when a write or `/ready` asks.
Each check that passes also signs (and so keeps) a checkpoint of the head, so the kept checkpoint follows the log.
Once the log no longer holds it, the finding stays until a restart: `/ready` answers 503 `log_rolled_back`, every
write is refused (503), and no position the log gave out before is handed out again.
"""

from __future__ import annotations

import base64
import threading
import time
import weakref
from collections.abc import Callable

from application.audit.chain import SigningKeyMissingError
from application.audit.kept import KeptCheckpoint, KeptStateError
from application.audit.log import AuditLog, audit_log
from application.audit.note import Checkpoint
from application.audit.tamper import TamperFinding
from application.audit.tree import TamperDetectedError
from application.errors import ApplicationError
from application.goals.service import Goals

CHECK_INTERVAL_S = 10.0
ROLLED_BACK = "log_rolled_back"


class LogRolledBackError(ApplicationError):
    """The log no longer contains the checkpoint kept outside the database: nothing is written until it does."""

    code = ROLLED_BACK


def rollback_finding(log: AuditLog, kept: KeptCheckpoint) -> TamperFinding | None:
    """Why the log does not hold the kept checkpoint (rolled back or forked), or None when it does."""
    try:
        checkpoint = kept.latest()
    except KeptStateError as error:
        return TamperFinding(ROLLED_BACK, None, None, 0, f"the checkpoint kept outside the database is unusable: "
                                                         f"{error}")
    if checkpoint is None:
        return None
    try:
        frontier = log.tree.catch_up()
        if log.tree.still_ends_the_tree(frontier) and log.contains(checkpoint):
            return None
    except TamperDetectedError as error:
        return error.finding
    return TamperFinding(ROLLED_BACK, None, None, frontier.position, (
        f"the log no longer contains {named(checkpoint)} kept in {kept.folder}: it holds {frontier.size} verified "
        "events up to a position whose event is gone or changed, or a different history (events were removed or the "
        "database was restored from an older copy)"))


def named(checkpoint: Checkpoint) -> str:
    return f"the checkpoint of size {checkpoint.size} with root {base64.b64encode(checkpoint.root).decode()}"


class RollbackWatch:
    """The server's check that its log still holds the kept checkpoint; refuses writes once it does not."""

    def __init__(self, goals: Goals, interval_s: float = CHECK_INTERVAL_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.log = audit_log(goals)
        self.kept = self.log.kept
        self._interval, self._clock = interval_s, clock
        self._finding: TamperFinding | None = None
        self._checked_at: float | None = None
        self._lock = threading.Lock()

    def finding(self, *, now: bool = False) -> TamperFinding | None:
        """The rollback found (it stays), checking again first when the last check is older than the interval."""
        if self.kept is None:
            return None
        with self._lock:
            due = now or self._checked_at is None or self._clock() - self._checked_at >= self._interval
            if self._finding is None and due:
                self._finding = rollback_finding(self.log, self.kept) or self._keep_head()
                self._checked_at = self._clock()
            return self._finding

    def refuse_writes(self) -> None:
        finding = self.finding()
        if finding is not None:
            raise LogRolledBackError(f"the audit log was rolled back, so nothing is written: {finding.detail}")

    def kept_checkpoint(self) -> Checkpoint | None:
        try:
            return self.kept.latest() if self.kept is not None else None
        except KeptStateError:
            return None

    def _keep_head(self) -> TamperFinding | None:
        try:
            self.log.checkpoint()
        except TamperDetectedError as error:
            return error.finding
        except SigningKeyMissingError:
            pass
        return None


_WATCHES: weakref.WeakKeyDictionary[Goals, RollbackWatch] = weakref.WeakKeyDictionary()


def rollback_watch(goals: Goals) -> RollbackWatch:
    """The application's watch, created (and set to guard its writes) on first use."""
    watch = _WATCHES.get(goals)
    if watch is None:
        watch = _WATCHES.setdefault(goals, RollbackWatch(goals))
        goals.write_guards.append(watch.refuse_writes)
    return watch
