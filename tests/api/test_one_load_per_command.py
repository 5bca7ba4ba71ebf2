"""One load per command: the visibility check, the command and the answer share the goal the command loaded.

Every read of a goal's events goes through the recorder's select_events and every load through repository.get;
both are counted, for the request's own thread, around each write endpoint (ADR 0028).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from application.goals.service import Goals
from domain.values import Actor
from tests.api.test_goal_lifecycle import DRAFT
from tests.conftest import Clock
from domain.cycle import cycle_uuid
from tests.scenarios import EMPLOYEE, H1, HR, MANAGER, YEAR

Auth = Callable[[Actor], dict[str, str]]


# The test cycles' aggregates: a command also reads its goal's cycle (is it locked? ADR 0023), a different
# aggregate from the per-process cache; those reads are counted apart.
CYCLE_IDS = {cycle_uuid(period.id) for period in (H1, YEAR)}


class Loads:
    """Counts, per thread, the goal loads (repository.get) and the reads of a goal's events (select_events)."""

    def __init__(self) -> None:
        self.calls: Counter[tuple[str, int]] = Counter()
        self.cycle_calls: Counter[str] = Counter()

    def wrap(self, owner: Any, name: str) -> None:
        original = getattr(owner, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            aggregate_id = args[0] if args else kwargs.get("originator_id", kwargs.get("aggregate_id"))
            if aggregate_id in CYCLE_IDS:
                self.cycle_calls[name] += 1
            else:
                self.calls[(name, threading.get_ident())] += 1
            return original(*args, **kwargs)

        setattr(owner, name, counted)

    def by_one_thread(self, name: str) -> int:
        """The calls of one kind, all made by one thread (the request's): 0 if none."""
        threads = {thread: n for (kind, thread), n in self.calls.items() if kind == name}
        assert len(threads) <= 1, f"{name} called from several threads: {threads}"
        return sum(threads.values())


@pytest.fixture
def counting(app: FastAPI) -> Callable[[], Any]:
    goals: Goals = app.state.goals

    @contextmanager
    def counted() -> Iterator[Loads]:
        loads = Loads()
        recorder, repository = goals.recorder, goals.repository
        loads.wrap(recorder, "select_events")
        loads.wrap(repository, "get")
        try:
            yield loads
        finally:
            del recorder.select_events, repository.get  # type: ignore[method-assign]

    return counted


def once(counting: Callable[[], Any], request: Callable[[], Any], status: int) -> Loads:
    with counting() as loads:
        response = request()
    assert response.status_code == status, response.text
    return loads  # type: ignore[no-any-return]


def test_every_goal_write_loads_its_goal_once_and_answers_from_it(
    client: TestClient, auth: Auth, clock: Clock, counting: Callable[[], Any]
) -> None:
    drafted = once(counting, lambda: client.post("/goals", json=DRAFT, headers=auth(EMPLOYEE)), 201)
    assert (drafted.by_one_thread("get"), drafted.by_one_thread("select_events")) == (0, 0), "a draft loads nothing"
    url = client.get("/goals?owner_id=emp-1", headers=auth(EMPLOYEE)).json()["items"][0]["goal_id"]
    url = f"/goals/{url}"
    writes: list[tuple[str, Callable[[], Any], int]] = [
        ("revise", lambda: client.patch(url, json={"title": "Support throughput and CSAT"}, headers=auth(EMPLOYEE)),
         200),
        ("sign", lambda: client.post(f"{url}/signatures", headers=auth(EMPLOYEE)), 201),
        ("sign", lambda: client.post(f"{url}/signatures", headers=auth(MANAGER)), 201),
        ("milestone", lambda: client.post(f"{url}/milestones", json={"kpi": "tickets", "due": "2026-05-31",
                                                                      "target": 17}, headers=auth(MANAGER)), 201),
        ("reading", lambda: client.post(f"{url}/measurements", json={
            "kpi": "tickets", "value": 17.5, "observed_at": "2026-03-31"}, headers=auth(EMPLOYEE)), 201),
        ("check-in", lambda: client.post(f"{url}/check-ins", json={"status": "on_track", "confidence": 4},
                                         headers=auth(EMPLOYEE)), 201),
        ("proposal", lambda: client.post(f"{url}/recalibrations", json={
            "targets": {"csat": 88}, "reason": "external_factor",
            "justification": "A ticketing outage in March cost two weeks of throughput."}, headers=auth(MANAGER)), 201),
        ("rejection", lambda: client.post(f"{url}/recalibrations/r1/rejection", json={"note": "Not this quarter."},
                                          headers=auth(HR)),
         200),
        ("closure", lambda: client.post(f"{url}/closure", json={"outcome": "achieved", "summary": "On target."},
                                        headers=auth(MANAGER)), 200),
    ]
    clock.current = date(2026, 4, 1)
    for name, write, status in writes:
        loads = once(counting, write, status)
        assert loads.by_one_thread("get") == 1, name
        assert loads.by_one_thread("select_events") == 1, f"{name}: one read of the goal's events, none for the answer"
        assert loads.cycle_calls["get"] <= 1, f"{name}: at most one look at the goal's cycle"


def test_a_goal_the_caller_may_not_see_is_refused_on_the_one_load(
    client: TestClient, auth: Auth, counting: Callable[[], Any]
) -> None:
    goal_id = client.post("/goals", json=DRAFT, headers=auth(EMPLOYEE)).json()["id"]
    stranger = Actor("emp-2", EMPLOYEE.role)
    loads = once(counting, lambda: client.post(f"/goals/{goal_id}/signatures", headers=auth(stranger)), 404)
    assert client.post(f"/goals/{goal_id}/signatures", headers=auth(stranger)).json()["code"] == "goal_not_found"
    assert (loads.by_one_thread("get"), loads.by_one_thread("select_events")) == (1, 1)
    assert client.get(f"/goals/{goal_id}", headers=auth(EMPLOYEE)).json()["version"] == 1, "nothing stored"


def test_a_replayed_key_answers_from_one_load_at_the_first_result_and_still_checks_visibility(
    client: TestClient, auth: Auth, counting: Callable[[], Any]
) -> None:
    goal_id = client.post("/goals", json=DRAFT, headers=auth(EMPLOYEE)).json()["id"]
    headers = {**auth(EMPLOYEE), "Idempotency-Key": "sign-once"}
    first = client.post(f"/goals/{goal_id}/signatures", headers=headers)
    client.post(f"/goals/{goal_id}/signatures", headers=auth(MANAGER))
    replayed = once(counting, lambda: client.post(f"/goals/{goal_id}/signatures", headers=headers), 201)
    assert replayed.by_one_thread("get") == 1
    again = client.post(f"/goals/{goal_id}/signatures", headers=headers)
    assert again.json() == first.json() and again.headers["ETag"] == '"2"'
