"""In directory mode the directory, not a form, says who manages whom and who holds which role (ADR 0034, 0035)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from application.directory.service import Directory
from application.goals.service import Goals
from domain.values import Actor, Role
from tests.api.test_permissions import DRAFT_BODY
from tests.application.directory.support import PROVISIONER, details, small_organisation
from tests.scenarios import customer_service_terms, draft

Auth = Callable[[Actor], dict[str, str]]
ANA, ZED = Actor("mgr-ana", Role.MANAGER), Actor("mgr-zed", Role.MANAGER)
DEV, EVE = Actor("emp-dev", Role.EMPLOYEE), Actor("emp-eve", Role.EMPLOYEE)
HAL = Actor("hr-hal", Role.HR)


@pytest.fixture
def directory(app: FastAPI, client: TestClient) -> Directory:
    """head <- mgr-ana <- emp-dev, emp-eve; head <- mgr-zed <- emp-zoe; hr-hal in the HR group."""
    directory: Directory = app.state.directory
    small_organisation(directory)
    directory.provision(PROVISIONER, details("emp-zoe"), person_id="emp-zoe", manager_id="mgr-zed")
    return directory


def body(**changes: Any) -> dict[str, Any]:
    drafted = {**DRAFT_BODY, "owner_id": "emp-dev", **changes}
    return {key: value for key, value in drafted.items() if value is not None}


def head(app: FastAPI) -> int:
    return int(app.state.goals.recorder.max_notification_id() or 0)


def test_a_manager_of_another_team_may_not_draft_for_an_employee_and_sees_nothing_of_them(
        client: TestClient, directory: Directory, auth: Auth, app: FastAPI) -> None:
    before = head(app)
    for manager_id in ("mgr-zed", None, "mgr-ana"):
        refused = client.post("/goals", json=body(manager_id=manager_id), headers=auth(ZED))
        assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied"), refused.text
    assert head(app) == before
    review = client.get("/reviews/emp-dev", params={"cycle": "2026-H1"}, headers=auth(ZED))
    assert review.status_code in (403, 404) and "self_assessment" not in review.text


def test_the_goal_s_manager_is_the_owner_s_manager_in_the_directory(client: TestClient, directory: Directory,
                                                                    auth: Auth) -> None:
    by_employee = client.post("/goals", json=body(manager_id=None), headers=auth(DEV))
    assert by_employee.status_code == 201, by_employee.text
    assert by_employee.json()["manager_id"] == "mgr-ana"
    by_manager = client.post("/goals", json=body(manager_id=None), headers=auth(ANA))
    assert by_manager.status_code == 201 and by_manager.json()["manager_id"] == "mgr-ana"
    by_hr = client.post("/goals", json=body(manager_id="mgr-ana"), headers=auth(HAL))
    assert by_hr.status_code == 201


def test_a_self_chosen_manager_is_refused(client: TestClient, directory: Directory, auth: Auth, app: FastAPI) -> None:
    before = head(app)
    refused = client.post("/goals", json=body(manager_id="mgr-zed"), headers=auth(DEV))
    assert (refused.status_code, refused.json()["code"]) == (409, "not_the_reporting_manager")
    assert head(app) == before


@pytest.mark.parametrize("owner", ["emp\u200bdev", "emp-dev\u200f", "e\u0301mp-dev", "\uff45mp-dev", "emp-ghost"])
def test_owners_that_name_no_person_are_refused(client: TestClient, directory: Directory, auth: Auth, app: FastAPI,
                                                owner: str) -> None:
    before = head(app)
    refused = client.post("/goals", json=body(owner_id=owner, manager_id="mgr-ana"), headers=auth(HAL))
    assert (refused.status_code, refused.json()["code"]) == (409, "unknown_person"), refused.text
    assert head(app) == before


def test_a_deactivated_person_s_token_gets_401(client: TestClient, directory: Directory, auth: Auth) -> None:
    assert client.get("/goals", headers=auth(DEV)).status_code == 200
    directory.deactivate(PROVISIONER, "emp-dev")
    refused = client.get("/goals", headers=auth(DEV))
    assert (refused.status_code, refused.json()["code"]) == (401, "unknown_person")
    assert client.get("/goals", headers=auth(Actor("nobody", Role.EMPLOYEE))).status_code == 401


def test_a_token_role_wider_than_the_directory_grants_gets_403(client: TestClient, directory: Directory,
                                                              auth: Auth) -> None:
    for wider in (Actor("emp-dev", Role.HR), Actor("emp-dev", Role.MANAGER), Actor("mgr-ana", Role.AUDITOR)):
        refused = client.get("/goals", headers=auth(wider))
        assert (refused.status_code, refused.json()["code"]) == (403, "role_not_granted"), wider
    assert client.get("/goals", headers=auth(Actor("mgr-ana", Role.EMPLOYEE))).status_code == 200  # narrower: fine
    assert client.get("/goals", headers=auth(HAL)).status_code == 200
    assert client.get("/events", headers=auth(Actor("svc-feed", Role.SERVICE))).status_code == 200


def test_open_mode_keeps_typed_reporting_lines(client: TestClient, auth: Auth) -> None:
    drafted = client.post("/goals", json={**DRAFT_BODY, "owner_id": "emp-1", "manager_id": "mgr-9"},
                          headers=auth(Actor("emp-1", Role.EMPLOYEE)))
    assert drafted.status_code == 201 and drafted.json()["manager_id"] == "mgr-9"


def test_ready_says_which_mode_the_store_is_in(client: TestClient, app: FastAPI) -> None:
    assert client.get("/ready").json()["people"] == "open"
    small_organisation(app.state.directory)
    assert client.get("/ready").json()["people"] == "directory"


def test_goal_responses_keep_ids_and_add_the_people_s_names(client: TestClient, directory: Directory,
                                                           auth: Auth) -> None:
    drafted = client.post("/goals", json=body(manager_id=None), headers=auth(DEV)).json()
    assert (drafted["owner_id"], drafted["owner_display_name"]) == ("emp-dev", "Name of emp-dev")
    assert (drafted["manager_id"], drafted["manager_display_name"]) == ("mgr-ana", "Name of mgr-ana")
    read = client.get(f"/goals/{drafted['id']}", headers=auth(ANA)).json()
    assert read["manager_display_name"] == "Name of mgr-ana"


def test_a_recalibration_names_its_proposer_and_its_hr_decider(client: TestClient, directory: Directory, auth: Auth,
                                                              app: FastAPI) -> None:
    goals = app.state.goals
    goal_id = agreed_for_dev(goals)
    proposal = goals.propose_recalibration(goal_id, ANA, reason="external_factor", justification="An outage.",
                                           targets={"tickets": {"target": Decimal(18)}})
    goals.approve_recalibration(goal_id, HAL, proposal.reference or "", note="Agreed on the evidence given.")
    (recalibration,) = client.get(f"/goals/{goal_id}", headers=auth(ANA)).json()["recalibrations"]
    assert (recalibration["proposed_by"], recalibration["proposed_by_display_name"]) == ("mgr-ana", "Name of mgr-ana")
    assert (recalibration["decided_by"], recalibration["decided_by_display_name"]) == ("hr-hal", "Name of hr-hal")


def agreed_for_dev(goals: Goals) -> UUID:
    goal_id = draft(goals, customer_service_terms(owner_id="emp-dev", manager_id="mgr-ana"), DEV)
    goals.sign_goal(goal_id, DEV)
    goals.sign_goal(goal_id, ANA)
    return goal_id


@pytest.mark.parametrize("look_alike", ["mgr-ana\u200b", "mgr\u2011ana", "ghost"])
def test_hr_may_not_move_a_goal_to_an_id_that_names_no_person(client: TestClient, directory: Directory, auth: Auth,
                                                              app: FastAPI, look_alike: str) -> None:
    goal_id = agreed_for_dev(app.state.goals)
    before = head(app)
    moved = client.post(f"/goals/{goal_id}/reassignment", headers=auth(HAL),
                        json={"manager_id": look_alike, "reason": "Reorganisation."})
    assert (moved.status_code, moved.json()["code"]) == (409, "unknown_person"), moved.text
    assert head(app) == before


def test_the_history_names_the_author_of_each_check_in_and_note(client: TestClient, directory: Directory,
                                                                auth: Auth, app: FastAPI) -> None:
    goal_id = agreed_for_dev(app.state.goals)
    checked = client.post(f"/goals/{goal_id}/check-ins", headers=auth(DEV), json={
        "status": "on_track", "confidence": 4, "note": "Queue is down", "blockers": "", "next_steps": ""})
    assert checked.status_code == 201, checked.text
    history = client.get(f"/goals/{goal_id}/history", headers=auth(ANA)).json()["events"]
    check_in = next(e for e in history if e["type"] == "CheckedIn")
    assert (check_in["actor_id"], check_in["actor_display_name"]) == ("emp-dev", "Name of emp-dev")
