"""Reads check what they serve (issue 23, item 5): a tampered event answers 409 `tampered_event` naming goal, version
and kind, never its value; a stored row that cannot be decoded is a named finding and a 409, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from application.audit.log import audit_log
from application.goals.service import Goals
from domain.values import Actor
from tests.application import tampering
from tests.scenarios import AUDITOR, EMPLOYEE, HR, agreed, customer_service_terms

Auth = Callable[[Actor], dict[str, str]]


@pytest.fixture
def goals(app: FastAPI) -> Goals:
    app_goals: Goals = app.state.goals
    return app_goals


@pytest.fixture
def goal(goals: Goals) -> UUID:
    goal_id = agreed(goals, customer_service_terms())
    goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(12), observed_at=date(2026, 1, 10))
    audit_log(goals).checkpoint()
    goals.forget_cached_aggregates()  # as after a restart: the next read loads the goal from the store
    return goal_id  # the reading is version 5


def assert_tampered(response: object, goal: UUID, version: int, kinds: set[str]) -> None:
    body = response.json()  # type: ignore[attr-defined]
    assert response.status_code == 409, body  # type: ignore[attr-defined]
    assert (body["code"], body["goal_id"], body["version"]) == ("tampered_event", str(goal), version)
    assert body["kind"] in kinds


def test_a_tampered_reading_is_never_served(client: TestClient, auth: Auth, goals: Goals, goal: UUID) -> None:
    tampering.change_value(goals, goal, 5, "value", {"_type_": "decimal_str", "_data_": "9912"})
    for path in (f"/goals/{goal}", f"/goals/{goal}/history", f"/goals/{goal}/events"):
        response = client.get(path, headers=auth(HR))
        if response.status_code == 404:
            continue  # not a route of this version of the API
        assert_tampered(response, goal, 5, {"changed", "forged"})  # the last event: nothing vouches for it
        assert "9912" not in response.text


def test_bytes_that_are_not_what_was_signed_are_a_named_409(
    client: TestClient, auth: Auth, goals: Goals, goal: UUID
) -> None:
    tampering.write_state(goals, goal, 5, b"\xff\xfe not json at all")
    assert_tampered(client.get(f"/goals/{goal}", headers=auth(HR)), goal, 5, {"forged"})
    verify = client.get("/audit/verify", headers=auth(AUDITOR))
    assert (verify.status_code, verify.json()["code"], verify.json()["version"]) == (409, "tamper_detected", 5)


def text_in_place_of_the_blob(goals: Goals, goal: UUID) -> None:
    """What `UPDATE stored_events SET state=replace(state,'12','92')` does on SQLite: TEXT where the BLOB was."""
    with goals.engine.begin() as connection:
        connection.execute(text("UPDATE stored_events SET state = replace(state, '12', '92') "
                                "WHERE originator_id = :g AND originator_version = 5"), {"g": goal.hex})
        kind = connection.execute(text("SELECT typeof(state) FROM stored_events WHERE originator_id = :g "
                                       "AND originator_version = 5"), {"g": goal.hex}).scalar()
    assert kind == "text"


def test_text_stored_in_place_of_the_signed_bytes_is_a_finding_and_a_409_never_a_500(
    client: TestClient, auth: Auth, goals: Goals, goal: UUID
) -> None:
    if goals.settings.store != "sqlite":
        pytest.skip("only SQLite lets a TEXT value into the BLOB column; PostgreSQL's bytea refuses it")
    text_in_place_of_the_blob(goals, goal)
    assert_tampered(client.get(f"/goals/{goal}", headers=auth(HR)), goal, 5, {"undecodable"})
    verify = client.get("/audit/verify", headers=auth(AUDITOR))
    assert (verify.status_code, verify.json()["kind"], verify.json()["version"]) == (409, "undecodable", 5)
    proof = client.get("/audit/proof", params={"event": f"{goal}:5"}, headers=auth(AUDITOR))
    assert (proof.status_code, proof.json()["code"]) == (409, "tamper_detected")
    events = client.get("/events", headers=auth(AUDITOR))
    assert events.status_code in (200, 409), events.text
    if events.status_code == 409:
        assert_tampered(events, goal, 5, {"undecodable"})


def test_a_row_the_store_cannot_decode_is_a_named_409_never_a_500(
    client: TestClient, auth: Auth, goals: Goals, goal: UUID
) -> None:
    if goals.settings.store != "sqlite":
        pytest.skip("PostgreSQL's uuid column refuses an id that is no UUID")
    with goals.engine.begin() as connection:
        connection.execute(text("UPDATE stored_events SET originator_id = 'not-a-uuid' "
                                "WHERE originator_id = :g AND originator_version = 5"), {"g": goal.hex})
    verify = client.get("/audit/verify", headers=auth(AUDITOR))
    assert (verify.status_code, verify.json()["kind"]) == (409, "undecodable")
    events = client.get("/events", headers=auth(AUDITOR))
    assert (events.status_code, events.json()["code"], events.json()["kind"]) == (409, "tampered_event", "undecodable")


def test_ready_names_an_event_the_projections_refused(
    client: TestClient, app: FastAPI, goals: Goals, goal: UUID
) -> None:
    tampering.change_value(goals, goal, 5, "value", {"_type_": "decimal_str", "_data_": "9914"})
    app.state.projector.runner.rebuild()  # the background projector may have applied the reading before the edit
    ready = client.get("/ready")
    assert ready.status_code == 200, ready.text
    [refused] = ready.json()["tampered"]
    assert (refused["goal_id"], refused["version"]) == (str(goal), 5)
    assert refused["kind"] in {"changed", "forged"}  # the last event: nothing after it vouches for it
