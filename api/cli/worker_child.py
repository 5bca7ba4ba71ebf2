"""`goalengine serve`'s background worker: one `goalengine worker` child, restarted if it dies (ADR 0048).

The child runs in a session of its own, so that a Ctrl-C at the terminal reaches serve alone, which then stops the
child with SIGTERM and waits for it; the child also stops by itself when serve is gone (`--with-parent`).
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger("goalengine.serve")

FIRST_RESTART_DELAY = 0.5  # seconds before restarting a worker that died; doubled while it keeps dying
LONGEST_RESTART_DELAY = 30.0
STEADY_SECONDS = 60.0  # a worker that ran this long before it died is restarted after the first delay again
STOP_SECONDS = 20.0  # how long a worker may take to stop on SIGTERM before it is killed


class WorkerChild:
    """Starts the worker process, restarts it when it dies, stops it on `stop()`."""

    def __init__(self, command: list[str] | None = None) -> None:
        self.command = command or [sys.executable, "-m", "api.cli", "worker", "--with-parent"]
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._watcher = threading.Thread(target=self._watch, name="goalengine-worker-watch", daemon=True)

    def start(self) -> WorkerChild:
        self._spawn()
        self._watcher.start()
        return self

    def stop(self) -> int | None:
        """SIGTERM the worker and wait for it (killed after STOP_SECONDS); its exit status."""
        self._stopping.set()
        with self._lock:
            process = self.process
        if process is None:
            return None
        process.terminate()
        try:
            status = process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            log.error("the background worker did not stop within %.0f s: killed", STOP_SECONDS)
            process.kill()
            status = process.wait()
        self._watcher.join(5)
        return status

    def _spawn(self) -> None:
        with self._lock:
            if not self._stopping.is_set():
                self.process = subprocess.Popen(self.command, start_new_session=True)

    def _watch(self) -> None:
        delay = FIRST_RESTART_DELAY
        while not self._stopping.is_set():
            process = self.process
            assert process is not None
            started = time.monotonic()
            status = process.wait()
            if self._stopping.is_set():
                return
            delay = FIRST_RESTART_DELAY if time.monotonic() - started >= STEADY_SECONDS else delay
            log.error("the background worker (pid %s) exited with %s; restarting it in %.1f s",
                      process.pid, status, delay)
            if self._stopping.wait(delay):
                return
            self.restarts += 1
            self._spawn()
            delay = min(delay * 2, LONGEST_RESTART_DELAY)


@contextmanager
def background_worker(wanted: bool) -> Iterator[WorkerChild | None]:
    """One background worker (projector, notifier, webhooks) for the block, however many request processes it
    serves; none when not wanted (`serve --no-worker`: the operator runs `goalengine worker`)."""
    worker = WorkerChild().start() if wanted else None
    try:
        yield worker
    finally:
        if worker is not None:
            worker.stop()
