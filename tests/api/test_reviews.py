"""Reviews, justifications and the goal list over HTTP: who sees what, own writes visible, paging by cursor."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from fastapi import FastAPI
from fastapi.testclient import TestClient

from application.goals.service import Goals
from domain.values import Actor, Role
from tests.conftest import Clock
from tests.scenarios import (
    AUDITOR,
    EMPLOYEE,
    HR,
    MANAGER,
    STRANGER,
    agreed,
    customer_service_terms,
    draft,
    survey_terms,
)

Auth = Callable[[Actor], dict[str, str]]
OTHER_MANAGER = Actor("mgr-2", Role.MANAGER)


def seeded(app: FastAPI, clock: Clock) -> Goals:
    """emp-1 has two H1 goals managed by mgr-1 and one managed by mgr-2; emp-9 has one, managed by mgr-1."""
    goals: Goals = app.state.goals
    agreed(goals, customer_service_terms())
    agreed(goals, survey_terms())
    agreed(goals, survey_terms(title="Cross-team survey", manager_id=OTHER_MANAGER.id))
    strangers = draft(goals, survey_terms(owner_id=STRANGER.id), actor=HR)
    goals.sign_goal(strangers, STRANGER)
    goals.sign_goal(strangers, MANAGER)
    clock.current = date(2026, 3, 1)
    return goals


def test_who_sees_which_review(app: FastAPI, client: TestClient, auth: Auth, clock: Clock) -> None:
    seeded(app, clock)
    url = "/reviews/emp-1?cycle=2026-H1"
    for viewer in (EMPLOYEE, HR, AUDITOR):
        assert len(client.get(url, headers=auth(viewer)).json()["goals"]) == 3
    # mgr-1 holds the most weight, so decides the review (ADR 0036) and reads all of it; mgr-2 only their goal.
    assert len(client.get(url, headers=auth(MANAGER)).json()["goals"]) == 3
    managed = client.get(url, headers=auth(OTHER_MANAGER)).json()
    assert [g["title"] for g in managed["goals"]] == ["Cross-team survey"]
    assert client.get(url, headers=auth(STRANGER)).json()["code"] == "review_not_allowed"
    assert client.get(url, headers=auth(STRANGER)).status_code == 403
    assert client.get("/reviews/emp-9?cycle=2026-H1", headers=auth(OTHER_MANAGER)).status_code == 404
    assert client.get(url).status_code == 401


def test_a_reading_written_over_http_shows_in_the_next_review(
    app: FastAPI, client: TestClient, auth: Auth, clock: Clock
) -> None:
    goals = seeded(app, clock)
    goal_id = next(goals.iter_goal_ids())
    reading = {"kpi": "tickets", "value": 17, "observed_at": "2026-02-27", "source": "helpdesk", "note": ""}
    assert client.post(f"/goals/{goal_id}/measurements", json=reading, headers=auth(EMPLOYEE)).status_code == 201
    review = client.get("/reviews/emp-1?cycle=2026-H1", headers=auth(MANAGER)).json()
    tickets = review["goals"][0]["kpis"][0]
    assert (tickets["latest"], tickets["attainment"]) == ("17", 0.5)  # (17 - 14) / (20 - 14)
    justification = client.get("/reviews/emp-1/justification?cycle=2026-H1", headers=auth(HR)).json()
    assert set(justification) >= {"employee_id", "cycle", "as_of", "policy_version", "score", "band", "statements"}
    assert all(s["evidence"] for s in justification["statements"])


def test_a_past_as_of_and_bad_parameters(app: FastAPI, client: TestClient, auth: Auth, clock: Clock) -> None:
    goals = seeded(app, clock)
    goal_id = next(goals.iter_goal_ids())
    goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(20), observed_at=date(2026, 2, 27))
    before = client.get("/reviews/emp-1?cycle=2026-H1&as_of=2000-01-01T00:00:00Z", headers=auth(HR))
    assert before.status_code == 200 and before.json()["goals"] == []
    assert client.get("/reviews/emp-1", headers=auth(HR)).status_code == 422  # the cycle is required
    unknown = client.get("/reviews/emp-1/justification?cycle=2026-H1&policy=1999.1", headers=auth(HR))
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_scoring_policy")
    assert client.get("/reviews/emp-1?cycle=2026-H1&as_of=yesterday", headers=auth(HR)).status_code == 422


def test_the_goal_list_filters_and_pages_by_cursor(app: FastAPI, client: TestClient, auth: Auth, clock: Clock) -> None:
    seeded(app, clock)
    first = client.get("/goals?owner=emp-1&limit=2", headers=auth(HR)).json()
    assert [g["title"] for g in first["items"]] == [
        "Support throughput and satisfaction", "Customer satisfaction survey",
    ]
    second = client.get(f"/goals?owner=emp-1&limit=2&cursor={first['next_cursor']}", headers=auth(HR)).json()
    assert [g["title"] for g in second["items"]] == ["Cross-team survey"] and second["next_cursor"] is None
    assert len(client.get("/goals", headers=auth(MANAGER)).json()["items"]) == 3  # the goals mgr-1 manages
    assert len(client.get("/goals?status=agreed&cycle=2026-H1", headers=auth(AUDITOR)).json()["items"]) == 4
    assert [g["owner_id"] for g in client.get("/goals", headers=auth(STRANGER)).json()["items"]] == ["emp-9"]
    assert client.get("/goals?owner=emp-1", headers=auth(STRANGER)).status_code == 403
    assert client.get("/goals?cursor=not-a-cursor", headers=auth(HR)).json()["code"] == "invalid_cursor"
    assert client.get("/goals?status=lost", headers=auth(HR)).status_code == 422


def test_a_service_token_lists_no_goal_even_when_its_sub_names_an_owner(
    app: FastAPI, client: TestClient, auth: Auth, clock: Clock
) -> None:
    seeded(app, clock)
    service = Actor(EMPLOYEE.id, Role.SERVICE)
    for query in ("/goals", f"/goals?owner={EMPLOYEE.id}"):
        refused = client.get(query, headers=auth(service))
        assert refused.status_code == 403 and refused.json()["code"] == "listing_not_allowed"


def test_as_of_must_be_an_iso_moment_and_policy_a_name(
    app: FastAPI, client: TestClient, auth: Auth, clock: Clock
) -> None:
    seeded(app, clock)
    for query in ("cycle=2026-H1&as_of=0", "cycle=2026-H1&policy="):
        refused = client.get(f"/reviews/emp-1/justification?{query}", headers=auth(HR))
        assert refused.status_code == 422 and refused.json()["code"] == "invalid_request", query
