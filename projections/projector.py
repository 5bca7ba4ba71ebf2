"""The background projector: keeps the read models caught up in a thread of its own (ADR 0016).

`goalengine worker` runs one (started by `goalengine serve`, ADR 0048), and so do `goalengine projections run` and
apps built in-process (tests); one of them per store leads (projections/coordination.py) and applies events, the
others follow: they read the positions the leader reached. Request threads never project: they wait on the positions
the store holds (projections/positions.py), which the leader moves with every batch.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence

from projections.coordination import Coordination
from projections.runner import ProjectionRunner

log = logging.getLogger("goalengine.projector")

DEFAULT_POLL_INTERVAL = 0.05  # seconds between looks at the log's head when nobody asked (writes of other processes)
LEASE_RETRY = 1.0  # seconds between a follower's tries to take the lease over
ERROR_BACKOFF = 1.0  # seconds to wait after a failed round (the store went away, a lock timed out)
# Seconds between the leader's passes over its duties (the notifier, the digest) while events keep coming: each pass
# takes what the rounds applied meanwhile in one go. Early warnings are judged by the day, so a tenth of a second
# later costs nothing, while a pass after every round held the read models back (issue 26, measured in ADR 0056).
DUTY_GAP = 0.1


class Progress:
    """The positions this process knows each read model has reached; threads wait here for them to move."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._positions: dict[str, int] = {}

    def publish(self, positions: Mapping[str, int]) -> None:
        with self._changed:
            self._positions.update(positions)
            self._changed.notify_all()

    def position(self, name: str) -> int:
        with self._changed:
            return self._positions.get(name, 0)

    def wait_for(self, name: str, target: int, timeout: float) -> int:
        """Block until the read model reaches `target` or the timeout passes; returns the position reached."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._positions.get(name, 0) < target:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
            return self._positions.get(name, 0)


class Projector:
    """Leads (applies events) or follows (reads positions), round after round, until stopped."""

    def __init__(
        self, runner: ProjectionRunner, coordination: Coordination, progress: Progress | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL, duties: Sequence[Callable[[], object]] = (),
    ) -> None:
        self.runner = runner
        self.duties = tuple(duties)  # the leader's other work beside the rounds: the notifier (ADR 0024, 0056)
        self.coordination = coordination
        self.progress = progress or Progress()
        self.poll_interval = poll_interval
        self.leading = False
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._duties_due = threading.Event()
        self._duties_thread: threading.Thread | None = None
        self._next_try = 0.0

    def start(self) -> None:
        """Run in a daemon thread named goalengine-projector (again after a stop: an app's lifespan may recur)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self.leading, self._next_try = False, 0.0
        self.progress.publish(self.runner.positions())
        self._duties_due.clear()
        self._thread = threading.Thread(target=self.run, name="goalengine-projector", daemon=True)
        self._thread.start()
        if self.duties:
            self._duties_thread = threading.Thread(target=self.run_duties, name="goalengine-projector-duties",
                                                   daemon=True)
            self._duties_thread.start()

    def stop(self) -> None:
        self._stopping.set()
        try:
            self.coordination.wake()
        except Exception:
            log.debug("could not wake the projector to stop it", exc_info=True)
        self._duties_due.set()
        for thread in (self._thread, self._duties_thread):
            if thread is not None:
                thread.join(10)
        self.coordination.close()

    def wake(self) -> None:
        """Ask for a round now (a read is waiting for a position)."""
        self.coordination.wake()

    def written(self) -> None:
        """New events were committed here: wake the leader, unless their commit already did."""
        if not self.coordination.hears_commits():
            self.coordination.wake()

    def run(self) -> None:
        """Round after round, until stopped; the duties run in a thread of their own (`run_duties`), so that a
        round ends as soon as the read models reached the head."""
        while not self._stopping.is_set():
            try:
                self.round(duties=False)
                if self.leading:
                    self._duties_due.set()
                # Waiting uses the store too (LISTEN on PostgreSQL): a restarted server must not end the thread,
                # or every read that waits for a position would answer 503 until the process restarts.
                self.coordination.wait(self.poll_interval)
            except Exception:
                log.exception("projection round failed; retrying in %.1f s", ERROR_BACKOFF)
                self._stopping.wait(ERROR_BACKOFF)

    def run_duties(self) -> None:
        """The leader's duties, after the rounds: at most one pass every DUTY_GAP seconds while rounds keep
        asking, each taking whatever arrived meanwhile."""
        while not self._stopping.is_set():
            self._duties_due.wait()
            self._duties_due.clear()
            if self.leading and not self._stopping.is_set():
                self._run_duties()
            self._stopping.wait(DUTY_GAP)

    def round(self, duties: bool = True) -> int:
        """One round: lead (catch up, announce) or follow (read the leader's positions); returns events applied.
        With `duties`, the leader's duties run after it (the background thread leaves them to `run_duties`)."""
        if self.leading or time.monotonic() >= self._next_try:
            self.leading = self.coordination.try_lead()
            self._next_try = time.monotonic() + LEASE_RETRY
        if not self.leading:
            self.progress.publish(self.runner.positions())
            return 0
        applied = self._project()
        if duties:
            self._run_duties()
        return applied

    def _run_duties(self) -> None:
        for duty in self.duties:
            try:
                duty()
            except Exception:  # a failing duty must not stop the read models; it is tried again next pass
                log.exception("a duty of the leading projector failed; retrying next pass")

    def _project(self) -> int:
        head = self.runner.goals.head_position()
        if all(self.progress.position(name) >= head for name in self.runner.projections):
            return 0  # nothing new: one query per round
        applied = self.runner.catch_up_together(head, on_positions=self._moved, stop=self._stopping.is_set)
        self.progress.publish(self.runner.positions())
        return applied

    def _moved(self, positions: Mapping[str, int]) -> None:
        self.progress.publish(positions)
        self.coordination.announce()
