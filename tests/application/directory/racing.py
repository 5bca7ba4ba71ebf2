"""Two directory commands made to race: the first stops after its check, just before it saves, until the second
waits for the directory's turn (application/store/store_turn.py); only then does the first save and let go.

Without turns the second would not wait: it would check the directory as the first left it (before the save),
pass, and store; the first stops waiting after SECOND_COMES and stores too, and the test finds both stored.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from multiprocessing.synchronize import Event
from typing import Any, TypeVar

from eventsourcing.domain import Aggregate

from application.directory.service import Directory
from application.goals.service import Goals
from application.store.settings import Settings
from domain.directory import DirectoryPerson
from tests.application.directory.support import PROVISIONER, details

T = TypeVar("T")
BOUND = 60.0  # seconds; reached only if the other side is stuck or dead: the test fails, it does not hang
SECOND_COMES = 10.0  # seconds the first command waits for the second to wait for the turn (it never does without)


class SaveHeldAfterCheck:
    """Stands in for `goals.save_at`: the first save of a person waits until `let_go` is set, then saves."""

    def __init__(self, goals: Goals, checked: threading.Event | Event | None = None,
                 let_go: threading.Event | Event | None = None) -> None:
        self.checked = checked or threading.Event()  # the first command checked the directory and is about to save
        self.let_go = let_go or threading.Event()
        self._save: Callable[..., int] = goals.save_at
        self._first = threading.Lock()

    def __call__(self, *aggregates: Aggregate) -> int:
        if any(isinstance(a, DirectoryPerson) for a in aggregates) and self._first.acquire(blocking=False):
            self.checked.set()
            self.let_go.wait(SECOND_COMES)
        return self._save(*aggregates)


def race(goals: Goals, second_directory: Directory, first: Callable[[], Any], second: Callable[[], T]
         ) -> tuple[Future[Any], Future[T]]:
    """Run `first` until it is about to save, then `second`; `first` saves once `second` waits for the turn."""
    held = SaveHeldAfterCheck(goals)
    goals.save_at = held  # type: ignore[method-assign]
    second_directory.turn.on_wait.append(held.let_go.set)
    try:
        with ThreadPoolExecutor(2) as pool:
            first_done = pool.submit(first)
            assert held.checked.wait(BOUND), f"the first command did not reach its save: {first_done}"
            second_done = pool.submit(second)
    finally:
        del goals.save_at  # the instance attribute: the method shows again
        second_directory.turn.on_wait.remove(held.let_go.set)
    return first_done, second_done


def provision_and_hold(settings: Settings, user_name: str, checked: Event, let_go: Event) -> None:
    """Another process (spawned by the test): provision `user_name`, stopping after the check until `let_go`."""
    goals = Goals(settings)
    try:
        goals.save_at = SaveHeldAfterCheck(goals, checked, let_go)  # type: ignore[method-assign]
        Directory(goals).provision(PROVISIONER, details("other", user_name=user_name), person_id="in-the-other")
    finally:
        goals.close()
