"""GET /audit/verify and GET /fairness/recalibrations: auditors and HR only; tampering answers 409."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from application.goals.service import Goals
from domain.values import Actor
from tests.application import tampering
from tests.conftest import Clock
from tests.projections.fairness_seed import Team, seed_team
from tests.scenarios import (
    AUDITOR,
    EMPLOYEE,
    HR,
    MANAGER,
    agreed,
    customer_service_terms,
)

Auth = Callable[[Actor], dict[str, str]]


@pytest.fixture
def goals(app: FastAPI) -> Goals:
    app_goals: Goals = app.state.goals
    return app_goals


@pytest.fixture
def goal(goals: Goals) -> UUID:
    goal_id = agreed(goals, customer_service_terms())
    goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(16), observed_at=date(2026, 1, 10))
    goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(17), observed_at=date(2026, 1, 11))
    return goal_id


@pytest.mark.parametrize("reader", [AUDITOR, HR], ids=["auditor", "hr"])
def test_an_intact_trail_answers_its_digest_and_count(
    client: TestClient, auth: Auth, goal: UUID, reader: Actor
) -> None:
    response = client.get("/audit/verify", headers=auth(reader))
    assert response.status_code == 200
    body = response.json()
    assert (body["intact"], body["events"], body["position"], len(body["digest"])) == (True, 9, 9, 64)


def test_a_tampered_row_answers_409_naming_the_event(
    client: TestClient, auth: Auth, goals: Goals, goal: UUID
) -> None:
    tampering.change_value(goals, goal, 5, "value", {"_type_": "decimal_str", "_data_": "20"})
    response = client.get("/audit/verify", headers=auth(AUDITOR))
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["goal_id"], body["version"], body["kind"], body["position"]) == (
        "tamper_detected", str(goal), 5, "changed", 8)


def test_a_recorded_digest_reveals_a_deleted_last_event(
    client: TestClient, auth: Auth, goals: Goals, goal: UUID
) -> None:
    anchor = client.get("/audit/verify", headers=auth(AUDITOR)).json()
    tampering.delete_event(goals, goal, 6)
    assert client.get("/audit/verify", headers=auth(AUDITOR)).status_code == 200
    response = client.get("/audit/verify", params={"position": 9, "digest": anchor["digest"]}, headers=auth(AUDITOR))
    assert (response.status_code, response.json()["kind"]) == (409, "digest_mismatch")


def test_a_position_beyond_the_log_is_refused(client: TestClient, auth: Auth, goal: UUID) -> None:
    response = client.get("/audit/verify", params={"position": 10}, headers=auth(AUDITOR))
    assert (response.status_code, response.json()["code"]) == (422, "position_out_of_range")


@pytest.mark.parametrize("caller", [EMPLOYEE, MANAGER], ids=["employee", "manager"])
def test_nobody_else_sees_verification_or_the_fairness_report(client: TestClient, auth: Auth, caller: Actor) -> None:
    assert client.get("/audit/verify", headers=auth(caller)).status_code == 403
    response = client.get("/fairness/recalibrations", params={"cycle": "2026-H1"}, headers=auth(caller))
    assert (response.status_code, response.json()["code"]) == (403, "role_not_allowed")


def test_the_fairness_report_at_a_position_is_the_same_bytes_later(
    client: TestClient, auth: Auth, goals: Goals, clock: Clock
) -> None:
    seed_team(goals, clock, Team("mgr-a", 2, eased=1))
    seed_team(goals, clock, Team("mgr-b", 2))
    first = client.get("/fairness/recalibrations", params={"cycle": "2026-H1", "group_by": "org_unit"},
                       headers=auth(HR))
    assert first.status_code == 200
    position = first.json()["position"]
    seed_team(goals, clock, Team("mgr-c", 1, eased=1))
    again = client.get("/fairness/recalibrations", params={"cycle": "2026-H1", "group_by": "org_unit",
                                                            "position": position}, headers=auth(AUDITOR))
    assert again.content == first.content
    assert [g["group"] for g in again.json()["groups"]] == ["unit-mgr-a", "unit-mgr-b"]


def test_an_unknown_grouping_is_refused(client: TestClient, auth: Auth) -> None:
    response = client.get("/fairness/recalibrations", params={"cycle": "2026-H1", "group_by": "owner"},
                          headers=auth(HR))
    assert (response.status_code, response.json()["code"]) == (422, "invalid_request")
