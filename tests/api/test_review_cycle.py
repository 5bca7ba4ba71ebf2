"""Issue 14's share of checks, reviews and warnings, end to end on both stores: check-ins and readings arrive, an
overdue reading raises exactly one notice on the feed (also after the notifier restarts), the manager decides a band
that overrides the computed one with a reason, the employee disputes, HR resolves, and the fairness report counts
the override."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi import FastAPI
from fastapi.testclient import TestClient

from application.goals.service import Goals
from domain.values import Actor
from api.bootstrap import notifier_for
from tests.conftest import Clock
from tests.scenarios import (
    AUDITOR,
    EMPLOYEE,
    HR,
    MANAGER,
    agreed,
    customer_service_terms,
    defect_rate_terms,
)

Auth = Callable[[Actor], dict[str, str]]


def test_check_ins_readings_a_notice_an_override_a_dispute_a_resolution_and_the_fairness_report(
    app: FastAPI, client: TestClient, auth: Auth, clock: Clock
) -> None:
    goals: Goals = app.state.goals
    goal_id = str(agreed(goals, customer_service_terms()))
    agreed(goals, defect_rate_terms())  # another cycle: not in this review
    clock.current = date(2026, 2, 2)
    for actor, status in ((EMPLOYEE, "on_track"), (MANAGER, "at_risk")):
        answer = client.post(f"/goals/{goal_id}/check-ins", json={"status": status, "confidence": 4},
                             headers=auth(actor))
        assert answer.status_code == 201, answer.text
    for kpi, value in (("tickets", 16), ("csat", 85)):
        reading = {"kpi": kpi, "value": value, "observed_at": "2026-02-02"}
        assert client.post(f"/goals/{goal_id}/measurements", json=reading, headers=auth(EMPLOYEE)).status_code == 201

    clock.current = date(2026, 2, 12)  # tickets are weekly: due again by 9 February
    notifier_for(goals).step()
    notifier_for(goals).step()  # a restarted notifier: nothing twice
    overdue = client.get("/events?type=goal.reading_overdue.v1", headers=auth(HR)).json()["items"]
    assert [(n["subject"], n["data"]["kpi"]) for n in overdue] == [(goal_id, "tickets")]

    assert client.post("/cycles/2026-H1/activate", headers=auth(HR)).status_code == 200  # decided once started
    computed = client.get("/reviews/emp-1/justification?cycle=2026-H1", headers=auth(HR)).json()["band"]
    decision = {"band": "meets_expectations", "summary": "Solid half.", "override_reason": "Outage in January."}
    assert computed != "meets_expectations"
    assert client.post("/reviews/emp-1/decision?cycle=2026-H1", json=decision, headers=auth(MANAGER)).status_code == 201
    for move in ("review", "release"):
        assert client.post(f"/cycles/2026-H1/{move}", headers=auth(HR)).status_code == 200
    disputed = client.post("/reviews/emp-1/disputes?cycle=2026-H1", json={"reason": "Not enough."},
                           headers=auth(EMPLOYEE))
    resolution = {"outcome": "upheld", "note": "The numbers do not support more."}
    resolved = client.post(f"/reviews/emp-1/disputes/{disputed.json()['dispute_id']}/resolution?cycle=2026-H1",
                           json=resolution, headers=auth(HR))
    assert resolved.status_code == 200, resolved.text

    review = client.get("/reviews/emp-1?cycle=2026-H1", headers=auth(EMPLOYEE)).json()
    assert (review["stage"], review["final_band"], len(review["goals"][0]["check_ins"])) == (
        "resolved", "meets_expectations", 2)
    history = client.get(f"/goals/{goal_id}/history", headers=auth(EMPLOYEE)).json()["events"]
    assert [e["type"] for e in history].count("CheckedIn") == 2
    fairness = client.get("/fairness/recalibrations?cycle=2026-H1&group_by=manager", headers=auth(AUDITOR)).json()
    (group,) = fairness["review_decisions"]["groups"]
    assert (group["group"], group["decisions"], group["overrides_up"], group["disputed"]) == ("mgr-1", 1, 1, 1)
