"""A review cycle over HTTP on both stores: HR opens it and an objective, goals align to it, readings roll up,
HR reassigns a goal (visibility follows), HR locks the cycle and a late command is refused with cycle_locked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from domain.values import Actor, Role
from tests.api.test_goal_lifecycle import DRAFT
from tests.conftest import Clock
from tests.scenarios import EMPLOYEE, HR, MANAGER

Auth = Callable[[Actor], dict[str, str]]
NEW_MANAGER = Actor("mgr-2", Role.MANAGER)
T1 = {"id": "2026-T1", "name": "First third", "start": "2026-01-01", "end": "2026-04-30"}
OBJECTIVE = {"title": "World-class support", "cycle": "2026-T1", "org_unit": "support", "owner": "hr-7",
             "description": "Customers get fast, friendly answers."}


def goal_body(aligned_to: str, owner: str, manager: str, weight: int) -> dict[str, Any]:
    kpi = {**DRAFT["kpis"][0], "target": 20}
    return {**DRAFT, "cycle": "2026-T1", "deadline": "2026-04-30", "parent_goal_id": None, "rationale": None,
            "aligned_to": aligned_to, "owner_id": owner, "manager_id": manager, "kpis": [kpi], "weight": weight}


def agree(client: TestClient, auth: Auth, body: dict[str, Any], owner: Actor, manager: Actor) -> str:
    drafted = client.post("/goals", json=body, headers=auth(manager))
    assert drafted.status_code == 201, drafted.text
    goal_id: str = drafted.json()["id"]
    for signer in (owner, manager):
        assert client.post(f"/goals/{goal_id}/signatures", headers=auth(signer)).status_code == 201
    return goal_id


def progress(client: TestClient, auth: Auth, objective_id: str) -> Any:
    read = client.get(f"/objectives/{objective_id}", headers=auth(HR))
    assert read.status_code == 200, read.text
    return read.json()["progress"]


def test_a_whole_cycle_over_http(client: TestClient, auth: Auth, clock: Clock) -> None:
    assert client.post("/cycles", json=T1, headers=auth(HR)).status_code == 201
    assert client.post("/cycles/2026-T1/activate", headers=auth(HR)).json()["status"] == "active"
    objective = client.post("/objectives", json=OBJECTIVE, headers=auth(HR))
    assert objective.status_code == 201, objective.text
    objective_id = objective.json()["id"]

    team = agree(client, auth, goal_body(objective_id, MANAGER.id, "dir-1", 50), MANAGER, Actor("dir-1", Role.MANAGER))
    mine = agree(client, auth, goal_body(team, EMPLOYEE.id, MANAGER.id, 50), EMPLOYEE, MANAGER)
    assert client.get(f"/goals/{mine}/smart", headers=auth(HR)).json()["passes"] is True
    assert progress(client, auth, objective_id) == "0.0000"

    clock.current = date(2026, 2, 2)
    reading = {"kpi": "tickets", "value": 17, "observed_at": "2026-01-30"}
    assert client.post(f"/goals/{mine}/measurements", json=reading, headers=auth(EMPLOYEE)).status_code == 201
    assert progress(client, auth, objective_id) == "0.2500"  # (17-14)/(20-14) = 0.5 for one of two equal weights
    tree = client.get("/cycles/2026-T1/alignment", headers=auth(HR)).json()
    top = tree["objectives"][0]["goals"][0]
    assert (top["goal_id"], top["aligned"][0]["goal_id"], top["aligned"][0]["progress"]) == (team, mine, "0.5000")

    moved = client.post(f"/goals/{mine}/reassignment", json={"manager_id": NEW_MANAGER.id, "reason": "Reorg"},
                        headers=auth(HR))
    assert moved.status_code == 200 and moved.json()["manager_id"] == NEW_MANAGER.id, moved.text
    assert client.get(f"/goals/{mine}", headers=auth(NEW_MANAGER)).status_code == 200
    assert client.get(f"/goals/{mine}", headers=auth(MANAGER)).status_code == 404
    listed = client.get("/goals", params={"manager_id": NEW_MANAGER.id}, headers=auth(NEW_MANAGER)).json()
    assert [g["goal_id"] for g in listed["items"]] == [mine]
    history = client.get(f"/goals/{mine}/history", headers=auth(HR)).json()["events"]
    assert {"field": "manager_id", "from": MANAGER.id, "to": NEW_MANAGER.id} in history[-1]["changes"]

    assert client.post("/cycles/2026-T1/lock", headers=auth(HR)).json()["status"] == "locked"
    late = client.post(f"/goals/{mine}/measurements", json={**reading, "value": 18}, headers=auth(EMPLOYEE))
    assert (late.status_code, late.json()["code"]) == (409, "cycle_locked")
    assert client.get(f"/goals/{mine}/history", headers=auth(HR)).status_code == 200


def test_cycle_and_alignment_refusals_name_what_is_wrong(client: TestClient, auth: Auth) -> None:
    inverted = client.post("/cycles", json={**T1, "start": "2026-05-01"}, headers=auth(HR))
    assert inverted.status_code == 422 and inverted.json()["errors"][0]["field"] == "body.end", inverted.text
    assert client.post("/cycles", json=T1, headers=auth(HR)).status_code == 201
    again = client.post("/cycles", json=T1, headers=auth(HR))
    assert (again.status_code, again.json()["code"]) == (409, "cycle_exists")
    for cycle, code in (("2031", "unknown_cycle"),
                        ({"id": "2026-T1", "start": "2026-01-01", "end": "2026-06-30"}, "cycle_period_mismatch")):
        refused = client.post("/goals", json={**DRAFT, "cycle": cycle}, headers=auth(EMPLOYEE))
        assert (refused.status_code, refused.json()["code"]) == (409, code), refused.text
    unknown = client.post("/goals", json={**DRAFT, "aligned_to": "this-goal-does-not-exist"}, headers=auth(EMPLOYEE))
    assert (unknown.status_code, unknown.json()["code"]) == (409, "unknown_parent")
    both = client.post("/goals", json={**DRAFT, "aligned_to": "a", "parent_goal_id": "b"}, headers=auth(EMPLOYEE))
    assert both.status_code == 422
    assert client.get("/cycles/2031", headers=auth(HR)).json()["code"] == "cycle_not_found"
    assert client.get("/objectives/00000000-0000-0000-0000-000000000007", headers=auth(HR)).status_code == 404
