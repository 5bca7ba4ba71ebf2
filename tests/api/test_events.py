"""GET /events: the feed for services, hr and auditors; GET /events/schemas: the contract."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from application.events.cloudevents import EVENT_TYPES
from application.goals.service import Goals
from domain.values import Actor, Role
from tests.scenarios import (
    SETUP_EVENTS,
    AUDITOR,
    EMPLOYEE,
    HR,
    MANAGER,
    agreed,
    customer_service_terms,
    defect_rate_terms,
)

Auth = Callable[[Actor], dict[str, str]]
SERVICE = Actor("payroll", Role.SERVICE)


def read_all(client: TestClient, auth: Auth, limit: int, **params: str) -> tuple[list[dict], int]:
    after, items = 0, []
    while True:
        page = client.get("/events", params={"after": after, "limit": limit, **params}, headers=auth(SERVICE))
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        if not page.json()["items"]:
            return items, after
        after = page.json()["next_after"]


def test_a_consumer_reading_from_zero_to_the_head_sees_exactly_the_store(
    client: TestClient, auth: Auth, app
) -> None:
    goals: Goals = app.state.goals
    agreed(goals, customer_service_terms())
    agreed(goals, defect_rate_terms())
    items, last = read_all(client, auth, limit=3)
    assert last == goals.head_position() == SETUP_EVENTS + 8
    assert [(e["subject"], e.get("goalversion", e.get("aggregateversion")), e["position"]) for e in items] == [
        (str(e.event.originator_id), e.event.originator_version, e.position) for e in goals.log_events()
    ]
    assert len({e["id"] for e in items}) == SETUP_EVENTS + 8 and items[0]["specversion"] == "1.0"


def test_the_feed_filters_by_type(client: TestClient, auth: Auth, app) -> None:
    agreed(app.state.goals, customer_service_terms())
    items, _ = read_all(client, auth, limit=10, type="goal.agreed.v1,goal.drafted.v1")
    assert [e["type"] for e in items] == ["goal.drafted.v1", "goal.agreed.v1"]
    unknown = client.get("/events", params={"type": "goal.nope.v1"}, headers=auth(HR))
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_event_type"


@pytest.mark.parametrize("actor", [EMPLOYEE, MANAGER])
def test_employees_and_managers_may_not_read_the_feed(client: TestClient, auth: Auth, actor: Actor) -> None:
    for path in ("/events", "/events/stream"):
        answer = client.get(path, headers=auth(actor))
        assert answer.status_code == 403 and answer.json()["code"] == "role_not_allowed"


def test_hr_and_auditors_may_read_the_feed_and_bad_paging_is_refused(client: TestClient, auth: Auth) -> None:
    after_setup = client.get("/events", params={"after": SETUP_EVENTS}, headers=auth(HR)).json()
    assert after_setup == {"items": [], "next_after": SETUP_EVENTS}
    assert client.get("/events", headers=auth(AUDITOR)).status_code == 200
    assert client.get("/events").status_code == 401
    for params in ({"after": -1}, {"limit": 0}, {"limit": 1001}, {"after": "x"}):
        assert client.get("/events", params=params, headers=auth(HR)).status_code == 422


def test_the_schemas_are_served_by_type(client: TestClient) -> None:
    schemas = client.get("/events/schemas").json()
    assert "goal.kpi_recorded.v1" in schemas and set(schemas) == set(EVENT_TYPES)  # goals' and later aggregates'
    assert "person.erased.v1" in schemas and "cycle.locked.v1" in schemas
    assert schemas["goal.kpi_recorded.v1"]["properties"]["value"] == {"$ref": "#/$defs/decimal"}
