"""Position tokens: commands say where they wrote, reads say what they reflect, wait for what they are asked, and
never project or write a read model themselves (issue #12, ADR 0016)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from api.app import create_app
from api.auth import issue_token
from application.goals.service import Goals
from domain.values import Actor
from projections.projector import Projector
from tests.api.conftest import API_SECRET
from tests.api.module_app import STORES
from tests.conftest import AUDIT_KEY, Clock, drop_schema, postgres_url_with_schema, require_postgres, store_settings
from tests.scenarios import EMPLOYEE, MANAGER, customer_service_terms, draft

READ_WAIT_S = 0.5  # short, so the refusals below come quickly
READ_MODEL_TABLES = ("goal_reviews", "goal_index", "projection_positions")


class Api:
    def __init__(self, client: TestClient, goals: Goals) -> None:
        self.client, self.goals = client, goals
        self.projector: Projector = client.app.state.projector  # type: ignore[attr-defined]

    def as_(self, actor: Actor) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(API_SECRET, actor.id, actor.role)}"}

    def goal_of_a_new_owner(self) -> tuple[UUID, str]:
        owner = f"emp-{uuid4().hex[:8]}"
        goal_id = draft(self.goals, customer_service_terms(owner_id=owner), actor=MANAGER)
        self.goals.sign_goal(goal_id, Actor(owner, EMPLOYEE.role))
        self.goals.sign_goal(goal_id, MANAGER)
        return goal_id, owner

    def record(self, goal_id: UUID, owner: str, value: int) -> httpx.Response:
        reading = {"kpi": "tickets", "value": value, "observed_at": "2026-01-14", "source": "helpdesk", "note": ""}
        return self.client.post(f"/goals/{goal_id}/measurements", json=reading,
                                headers=self.as_(Actor(owner, EMPLOYEE.role)))

    def review(self, owner: str, query: str = "", headers: dict[str, str] | None = None) -> httpx.Response:
        return self.client.get(f"/reviews/{owner}?cycle=2026-H1{query}",
                               headers={**self.as_(MANAGER), **(headers or {})})

    @contextmanager
    def projector_stopped(self) -> Iterator[None]:
        self.projector.stop()
        try:
            yield
        finally:
            self.projector.start()


@pytest.fixture(scope="module", params=STORES)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('positions')}/goals.db"
    else:
        require_postgres()
        schema = f"t_{uuid4().hex[:16]}"
        url = postgres_url_with_schema(schema)
    settings = store_settings(database_url=url, audit_key=AUDIT_KEY, api_secret=API_SECRET, read_wait_s=READ_WAIT_S)
    goals = Goals(settings, today=Clock(date(2026, 1, 15)))
    try:
        with TestClient(create_app(settings, goals)) as client:
            yield Api(client, goals)
    finally:
        goals.close()
        if schema:
            drop_schema(schema)


def latest_tickets(review: dict[str, Any]) -> str | None:
    latest: str | None = review["goals"][0]["kpis"][0]["latest"]
    return latest


def test_a_command_answers_with_the_position_of_its_last_event(api: Api) -> None:
    goal_id, owner = api.goal_of_a_new_owner()
    answer = api.record(goal_id, owner, 15)
    assert answer.status_code == 201
    position = int(answer.headers["Goalengine-Position"])
    assert answer.json()["position"] == position == api.goals.head_position()
    assert api.record(goal_id, owner, 16).json()["position"] == position + 1


def test_a_read_sees_every_write_committed_before_it_arrived_without_asking(api: Api) -> None:
    goal_id, owner = api.goal_of_a_new_owner()
    api.projector.poll_interval = 30.0  # from now on only a read's wake-up moves the projector
    try:
        api.goals.record_kpi(goal_id, Actor(owner, EMPLOYEE.role), kpi="tickets", value=Decimal(17),
                             observed_at=date(2026, 1, 14))
        head = api.goals.head_position()
        review = api.review(owner)
        listed = api.client.get(f"/goals?owner={owner}", headers=api.as_(MANAGER))
    finally:
        api.projector.poll_interval = 0.05
        api.projector.wake()
    assert review.status_code == 200 and latest_tickets(review.json()) == "17"
    assert int(review.headers["Goalengine-Position"]) >= head
    assert listed.status_code == 200 and int(listed.headers["Goalengine-Position"]) >= head


def test_while_the_projector_is_behind_eventual_answers_at_once_and_positions_time_out(api: Api) -> None:
    goal_id, owner = api.goal_of_a_new_owner()
    api.review(owner)  # caught up to the goal's agreement
    with api.projector_stopped():
        written = api.record(goal_id, owner, 18)
        position = int(written.headers["Goalengine-Position"])
        eventual = api.review(owner, "&consistency=eventual")
        assert eventual.status_code == 200 and latest_tickets(eventual.json()) is None
        assert int(eventual.headers["Goalengine-Position"]) < position
        for behind in (api.review(owner, f"&min_position={position}"),
                       api.review(owner, headers={"Goalengine-Min-Position": str(position)}),
                       api.review(owner)):  # read-your-writes: the head on arrival is past the read model
            assert behind.status_code == 503 and behind.headers["Retry-After"] == "1"
            assert behind.json()["code"] == "projection_behind" and behind.json()["min_position"] == position
    caught_up = api.review(owner, f"&min_position={position}")
    assert caught_up.status_code == 200 and latest_tickets(caught_up.json()) == "18"
    assert int(caught_up.headers["Goalengine-Position"]) >= position


def test_a_read_waiting_for_its_position_answers_once_the_projector_gets_there(api: Api) -> None:
    goal_id, owner = api.goal_of_a_new_owner()
    api.projector.stop()
    restarted = threading.Event()
    try:
        position = int(api.record(goal_id, owner, 19).headers["Goalengine-Position"])
        answers: list[tuple[bool, httpx.Response]] = []

        def read_when_there() -> None:
            answer = api.review(owner, f"&min_position={position}")
            answers.append((restarted.is_set(), answer))

        waiting = threading.Thread(target=read_when_there)
        waiting.start()
    finally:
        restarted.set()
        api.projector.start()
    waiting.join(10)
    after_restart, answered = answers[0]
    assert after_restart and answered.status_code == 200
    assert latest_tickets(answered.json()) == "19" and int(answered.headers["Goalengine-Position"]) >= position


def test_goal_reads_carry_the_head_they_reflect_and_refuse_a_position_beyond_it(api: Api) -> None:
    goal_id, _owner = api.goal_of_a_new_owner()
    head = api.goals.head_position()
    read = api.client.get(f"/goals/{goal_id}", headers=api.as_(MANAGER))
    assert read.status_code == 200 and int(read.headers["Goalengine-Position"]) >= head
    beyond = api.client.get(f"/goals/{goal_id}?min_position={head + 1000}", headers=api.as_(MANAGER))
    assert beyond.status_code == 422 and beyond.json()["code"] == "position_beyond_head"
    assert beyond.json()["head"] == head and beyond.json()["position"] == head + 1000
    at = api.client.get(f"/goals/{goal_id}/history", headers={**api.as_(MANAGER), "Goalengine-Min-Position": str(head)})
    assert at.status_code == 200 and int(at.headers["Goalengine-Position"]) >= head


@pytest.mark.parametrize(("where", "query", "headers", "field"), [
    ("review", "&min_position=-1", {}, "query.min_position"),
    ("review", "&min_position=soon", {}, "query.min_position"),
    ("review", "&consistency=whenever", {}, "query.consistency"),
    ("review", "", {"Goalengine-Min-Position": "x"}, "header.Goalengine-Min-Position"),
    ("goal", "?min_position=-3", {}, "query.min_position"),
    ("goal", "", {"Goalengine-Min-Position": "1e3"}, "header.Goalengine-Min-Position"),
])
def test_a_malformed_position_is_refused_naming_it(
    api: Api, where: str, query: str, headers: dict[str, str], field: str
) -> None:
    goal_id, owner = api.goal_of_a_new_owner()
    if where == "review":
        refused = api.review(owner, query, headers)
    else:
        refused = api.client.get(f"/goals/{goal_id}{query}", headers={**api.as_(MANAGER), **headers})
    assert refused.status_code == 422 and refused.json()["code"] == "invalid_request"
    assert [e["field"] for e in refused.json()["errors"]] == [field]


def test_no_request_thread_writes_to_a_read_model(api: Api) -> None:
    writers: list[str] = []

    def note_writer(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        words = statement.lstrip().upper()
        if words.startswith(("INSERT", "UPDATE", "DELETE")) and any(t.upper() in words for t in READ_MODEL_TABLES):
            writers.append(threading.current_thread().name)

    event.listen(api.goals.engine, "before_cursor_execute", note_writer)
    try:
        goal_id, owner = api.goal_of_a_new_owner()
        for value in (15, 16, 17):
            position = api.record(goal_id, owner, value).headers["Goalengine-Position"]
            assert api.review(owner).status_code == 200
            assert api.review(owner, f"&min_position={position}").status_code == 200
            assert api.client.get(f"/goals?owner={owner}", headers=api.as_(MANAGER)).status_code == 200
    finally:
        event.remove(api.goals.engine, "before_cursor_execute", note_writer)
    assert writers and set(writers) == {"goalengine-projector"}


FAR_BEYOND = 2**62 - 1  # what schemathesis sent: a position the log will never reach


def test_a_position_beyond_the_head_is_refused_at_once_with_the_head_while_one_behind_still_waits(api: Api) -> None:
    """422 position_beyond_head for every read that names a position. With the projector stopped behind the head,
    a read that waited would end 503 projection_behind: the 422 is answered without waiting for anything."""
    goal_id, owner = api.goal_of_a_new_owner()
    hr = api.as_(Actor("hr-7", "hr"))
    reads = [(f"/goals/{goal_id}?min_position={FAR_BEYOND}", api.as_(MANAGER)),
             (f"/goals/{goal_id}/history", {**api.as_(MANAGER), "Goalengine-Min-Position": str(FAR_BEYOND)}),
             (f"/goals/{goal_id}/measurements?min_position={FAR_BEYOND}", api.as_(MANAGER)),
             (f"/goals?min_position={FAR_BEYOND}", hr),
             (f"/reviews/{owner}?cycle=2026-H1&min_position={FAR_BEYOND}", api.as_(MANAGER)),
             (f"/events?after={FAR_BEYOND}", hr),
             (f"/events/stream?after={FAR_BEYOND}", hr),
             ("/events/stream", {**hr, "Last-Event-ID": str(FAR_BEYOND)})]
    with api.projector_stopped():
        api.record(goal_id, owner, 18)
        head = api.goals.head_position()
        for path, headers in reads:
            answer = api.client.get(path, headers=headers)
            assert (answer.status_code, answer.json()["code"]) == (422, "position_beyond_head"), path
            assert answer.json()["head"] == head and answer.json()["position"] == FAR_BEYOND, path
        subscribed = api.client.post("/subscriptions", json={"url": "https://hooks.example.com/x",
                                                             "after": FAR_BEYOND}, headers=hr)
        assert (subscribed.status_code, subscribed.json()["code"]) == (422, "position_beyond_head")
        behind = api.review(owner, f"&min_position={head}")
        assert (behind.status_code, behind.json()["code"]) == (503, "projection_behind")
    at_head = api.client.get(f"/events?after={api.goals.head_position()}", headers=hr)
    assert at_head.status_code == 200 and at_head.json()["items"] == []


def test_a_405_lists_every_method_the_path_takes(api: Api) -> None:
    goal_id, _owner = api.goal_of_a_new_owner()
    for path, methods in (("/goals", {"GET", "POST"}), (f"/goals/{goal_id}", {"GET", "PATCH"})):
        answer = api.client.options(path, headers=api.as_(MANAGER))
        assert answer.status_code == 405 and answer.json()["code"] == "method_not_allowed"
        assert methods <= {m.strip() for m in answer.headers["Allow"].split(",")}, answer.headers["Allow"]
