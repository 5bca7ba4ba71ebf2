"""The seed's customer-service goal goes from draft to closure over the HTTP API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient

from domain.values import Actor
from tests.conftest import Clock
from tests.scenarios import EMPLOYEE, HR, MANAGER, OTHER_HR, SETUP_EVENTS

Auth = Callable[[Actor], dict[str, str]]

DRAFT = {
    "cycle": {"id": "2026-H1", "start": "2026-01-01", "end": "2026-06-30"},
    "manager_id": "mgr-1",
    "org_unit": "support",
    "title": "Support throughput and satisfaction",
    "statement": "Resolve at least 20 support tickets per day with an average customer satisfaction rating of "
    "90% or higher, by the end of Q2",
    "kpis": [
        {"id": "tickets", "name": "Tickets resolved per day", "unit": "tickets/day", "direction": "increase",
         "baseline": 14, "target": 20, "cadence": "weekly"},
        {"id": "csat", "name": "Average CSAT", "unit": "%", "direction": "increase", "baseline": "82",
         "target": "90", "cadence": "monthly"},
    ],
    "deadline": "2026-06-30",
    "parent_goal_id": None,
    "rationale": "Customer support quality is this year's first company objective.",
    "weight": 60,
}


def test_customer_service_goal_lives_from_draft_to_closure_over_http(
    client: TestClient, auth: Auth, clock: Clock
) -> None:
    drafted = client.post("/goals", json=DRAFT, headers=auth(EMPLOYEE))
    assert drafted.status_code == 201, drafted.text
    goal = drafted.json()
    assert drafted.headers["Location"] == f"/goals/{goal['id']}" and drafted.headers["ETag"] == '"1"'
    assert goal["owner_id"] == "emp-1" and goal["status"] == "draft"
    url = f"/goals/{goal['id']}"

    assert client.get(f"{url}/smart", headers=auth(MANAGER)).json()["passes"] is True
    assert client.post(f"{url}/signatures", json={"version": 1}, headers=auth(EMPLOYEE)).status_code == 201
    signed = client.post(f"{url}/signatures", json={"version": 1}, headers=auth(MANAGER))
    assert signed.json()["status"] == "agreed", signed.text

    milestone = {"kpi": "tickets", "due": "2026-03-31", "target": 17}
    assert client.post(f"{url}/milestones", json=milestone, headers=auth(MANAGER)).status_code == 201
    clock.current = date(2026, 4, 1)
    reading = {"kpi": "tickets", "value": 17.5, "observed_at": "2026-03-31", "source": "helpdesk", "note": ""}
    measured = client.post(f"{url}/measurements", json=reading, headers=auth(EMPLOYEE))
    assert measured.status_code == 201 and measured.json()["measurements"][0]["value"] == "17.5"

    proposal = {"targets": {"csat": 88}, "deadline": "2026-06-20", "reason": "external_factor",
                "justification": "A ticketing outage in March cost two weeks of throughput."}
    first = client.post(f"{url}/recalibrations", json=proposal, headers=auth(MANAGER))
    assert first.status_code == 201 and first.json()["id"] == "r1"
    rejected = client.post(f"{url}/recalibrations/r1/rejection", json={"note": "Not enough evidence"},
                           headers=auth(HR))
    assert rejected.json()["status"] == "rejected"
    second = client.post(f"{url}/recalibrations", json=proposal, headers=auth(MANAGER)).json()
    approved = client.post(f"{url}/recalibrations/{second['id']}/approval", json={"note": "Checked the evidence."},
                           headers=auth(OTHER_HR))
    assert approved.status_code == 200 and approved.json()["after"]["targets"] == {"csat": {"target": "88"}}

    closed = client.post(f"{url}/closure", json={"outcome": "achieved", "summary": "Met."}, headers=auth(MANAGER))
    assert closed.status_code == 200 and closed.json()["outcome"] == "achieved"
    history = client.get(f"{url}/history", headers=auth(HR)).json()["events"]
    assert [e["type"] for e in history][-3:] == ["RecalibrationProposed", "Recalibrated", "Closed"]
    recalibrated = history[-2]["changes"]
    assert {"field": "kpis.csat.target", "from": "90", "to": "88"} in recalibrated
    assert {"field": "deadline", "from": "2026-06-30", "to": "2026-06-20"} in recalibrated
    again = client.post(f"{url}/measurements", json=reading, headers=auth(EMPLOYEE))
    assert again.status_code == 409 and again.json()["code"] == "goal_closed"
    assert again.headers["content-type"] == "application/problem+json"


def test_health_needs_no_token_and_reports_the_head(client: TestClient, auth: Auth) -> None:
    health = client.get("/health").json()
    assert health == {"status": "ok", "store": health["store"], "head": SETUP_EVENTS}  # the test cycles
    client.post("/goals", json=DRAFT, headers=auth(EMPLOYEE))
    assert client.get("/health").json()["head"] == SETUP_EVENTS + 1
