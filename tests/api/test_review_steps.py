"""The review over HTTP: check-ins and readings arrive, the manager decides a band that overrides the computed one
with a reason, the employee disputes, HR resolves, and GET /reviews shows every step."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi import FastAPI
from fastapi.testclient import TestClient

from application.goals.service import Goals
from domain.values import Actor, Role
from api.bootstrap import notifier_for
from projections.review_projection import content_hash
from tests.conftest import Clock
from tests.scenarios import (
    EMPLOYEE, HR, MANAGER, STRANGER, agreed, customer_service_terms, release_ratings, start_cycles,
)

Auth = Callable[[Actor], dict[str, str]]
REVIEW = "/reviews/emp-1"
H1 = "?cycle=2026-H1"


def tracked_goal(app: FastAPI, client: TestClient, auth: Auth, clock: Clock) -> str:
    goals: Goals = app.state.goals
    goal_id = str(agreed(goals, customer_service_terms()))
    start_cycles(goals)
    clock.current = date(2026, 3, 1)
    check_in = client.post(f"/goals/{goal_id}/check-ins", headers=auth(EMPLOYEE), json={
        "status": "at_risk", "confidence": 3, "note": "The queue doubled", "blockers": "Outage",
        "next_steps": "Ask for help"})
    assert check_in.status_code == 201, check_in.text
    assert check_in.json()["id"] == f"{goal_id}:{check_in.json()['version']}"
    assert check_in.headers["Goalengine-Position"] == str(check_in.json()["position"])
    reading = {"kpi": "tickets", "value": 17, "observed_at": "2026-02-27"}
    assert client.post(f"/goals/{goal_id}/measurements", json=reading, headers=auth(EMPLOYEE)).status_code == 201
    return goal_id


def test_an_override_is_decided_disputed_and_resolved_and_the_review_shows_each_step(
    app: FastAPI, client: TestClient, auth: Auth, clock: Clock
) -> None:
    tracked_goal(app, client, auth, clock)
    justification = client.get(f"{REVIEW}/justification{H1}", headers=auth(HR)).json()
    computed = justification["band"]
    assert computed == "unsatisfactory"
    undecided = client.get(f"{REVIEW}{H1}", headers=auth(HR)).json()
    assert (undecided["score"], undecided["band"]) == (justification["score"], computed)  # computed until decided
    override = {"band": "meets_expectations", "summary": "Good work through the outage."}
    refused = client.post(f"{REVIEW}/decision{H1}", json=override, headers=auth(MANAGER))
    assert (refused.status_code, refused.json()["errors"][0]["field"]) == (422, "body.override_reason")
    decided = client.post(f"{REVIEW}/decision{H1}", headers=auth(MANAGER),
                          json={**override, "override_reason": "The March outage is not in the numbers."})
    assert decided.status_code == 201, decided.text
    decision = decided.json()["decision"]
    assert (decision["band"], decision["computed_band"], decision["override_direction"]) == (
        "meets_expectations", computed, "up")
    assert decision["policy_version"] == justification["policy_version"]
    assert justification["decision"] is None  # shown beside the document, not part of what a decision pins (ADR 0046)
    pinned = {key: value for key, value in justification.items() if key != "decision"}
    assert decision["justification_hash"] == content_hash(pinned)  # the document it rests on, pinned
    assert decision["justification_position"] == int(decided.headers["Goalengine-Position"]) - 2  # before its events
    assessed = client.post(f"{REVIEW}/self-assessment{H1}", json={"text": "I kept the queue down."},
                           headers=auth(EMPLOYEE))
    assert (assessed.status_code, assessed.json()["decision"], assessed.json()["final_band"]) == (201, None, None)
    release = "/cycles/2026-H1/release"
    client.post("/cycles/2026-H1/activate", headers=auth(HR))
    too_early = client.post(release, headers=auth(HR))
    assert (too_early.status_code, too_early.json()["code"]) == (409, "cycle_transition_invalid")
    assert client.post("/cycles/2026-H1/review", headers=auth(HR)).status_code == 200
    unseen = client.post(f"{REVIEW}/disputes{H1}", json={"reason": "Still too low."}, headers=auth(EMPLOYEE))
    assert (unseen.status_code, unseen.json()["code"]) == (409, "not_released")
    released = client.post(release, headers=auth(HR))
    assert (released.status_code, released.json()["status"]) == (200, "released"), released.text
    disputed = client.post(f"{REVIEW}/disputes{H1}", json={"reason": "Still too low."}, headers=auth(EMPLOYEE))
    assert (disputed.status_code, disputed.json()["dispute_id"], disputed.json()["stage"]) == (201, "d1", "disputed")
    by_the_manager = client.post(f"{REVIEW}/disputes/d1/resolution{H1}", headers=auth(MANAGER),
                                 json={"outcome": "upheld"})
    assert by_the_manager.status_code == 403
    resolved = client.post(f"{REVIEW}/disputes/d1/resolution{H1}", headers=auth(HR),
                           json={"outcome": "changed", "band": "exceeds_expectations", "note": "Lead confirmed."})
    assert (resolved.status_code, resolved.json()["final_band"]) == (200, "exceeds_expectations"), resolved.text
    review = client.get(f"{REVIEW}{H1}", headers=auth(EMPLOYEE)).json()
    assert (review["stage"], review["final_band"]) == ("resolved", "exceeds_expectations")
    assert review["decision"]["override_reason"] == "The March outage is not in the numbers."
    assert [a["text"] for a in review["self_assessments"]] == ["I kept the queue down."]
    assert review["disputes"][0]["outcome"] == "changed" and review["acknowledgement"] is None
    assert review["goals"][0]["check_ins"][0]["blockers"] == "Outage"
    assert (review["score"], review["band"]) == (justification["score"], "exceeds_expectations")  # the band standing
    reasons = client.get(f"{REVIEW}/justification{H1}", headers=auth(EMPLOYEE)).json()
    assert (reasons["band"], reasons["decision"]["band"]) == (computed, "meets_expectations")  # computed; decided


def test_before_release_the_employee_sees_goals_and_readings_but_no_score_band_or_decision(
    app: FastAPI, client: TestClient, auth: Auth, clock: Clock
) -> None:
    tracked_goal(app, client, auth, clock)
    decided = client.post(f"{REVIEW}/decision{H1}", headers=auth(MANAGER),
                          json={"band": "unsatisfactory", "summary": "The queue grew."})
    assert decided.status_code == 201, decided.text
    # tracked_goal started the cycle (a decision is taken only in a started cycle): HR opens the review
    assert client.post("/cycles/2026-H1/review", headers=auth(HR)).status_code == 200
    own = client.get(f"{REVIEW}{H1}", headers=auth(EMPLOYEE)).json()
    assert (own["decision"], own["final_band"], own["released"], own["stage"]) == (None, None, False, "decided")
    assert (own["score"], own["band"]) == (None, None)  # the keys are there, null (issue 25)
    assert own["goals"][0]["kpis"][0]["series"][0]["value"] == "17"
    reasons = client.get(f"{REVIEW}/justification{H1}", headers=auth(EMPLOYEE)).json()
    assert (reasons["score"], reasons["band"], reasons["decision"]) == (None, None, None)
    assert reasons["statements"] and all(s["kind"] != "score" for s in reasons["statements"])
    by_manager = client.get(f"{REVIEW}{H1}", headers=auth(MANAGER)).json()
    assert (by_manager["final_band"], by_manager["band"], by_manager["released"]) == (
        "unsatisfactory", "unsatisfactory", True)
    manager_reasons = client.get(f"{REVIEW}/justification{H1}", headers=auth(MANAGER)).json()
    assert by_manager["score"] == manager_reasons["score"] == 0.25  # 17 of 14 -> 20 tickets is half; no CSAT yet
    assert (manager_reasons["decision"]["band"], manager_reasons["decision"]["decided_by"]) == (
        "unsatisfactory", MANAGER.id)
    assert manager_reasons["decision"] == by_manager["decision"]  # the decision object as the review has it
    assert client.get(f"{REVIEW}/justification{H1}", headers=auth(HR)).json()["band"] == "unsatisfactory"
    refused = client.post(f"{REVIEW}/acknowledgement{H1}", headers=auth(EMPLOYEE))
    assert (refused.status_code, refused.json()["code"]) == (409, "not_released")
    assert client.post("/cycles/2026-H1/release", headers=auth(MANAGER)).status_code == 403
    assert client.post("/cycles/2026-H1/release", headers=auth(HR)).json()["status"] == "released"
    after = client.get(f"{REVIEW}{H1}", headers=auth(EMPLOYEE)).json()
    assert (after["decision"]["band"], after["final_band"], after["released"]) == (
        "unsatisfactory", "unsatisfactory", True)
    assert (after["score"], after["band"]) == (0.25, "unsatisfactory")
    released = client.get(f"{REVIEW}/justification{H1}", headers=auth(EMPLOYEE)).json()
    assert (released["score"], released["band"], released["decision"]) == (0.25, "unsatisfactory", after["decision"])
    acknowledged = client.post(f"{REVIEW}/acknowledgement{H1}", headers=auth(EMPLOYEE))
    assert (acknowledged.status_code, acknowledged.json()["stage"]) == (201, "acknowledged")


def test_the_api_document_gives_both_answers_a_score_a_band_and_the_decision(app: FastAPI) -> None:
    schemas = app.openapi()["components"]["schemas"]
    for answer in ("ReviewResponse", "JustificationResponse"):
        properties, required = schemas[answer]["properties"], schemas[answer]["required"]
        assert {"score", "band", "decision"} <= set(properties) & set(required), answer
        assert all({"type": "null"} in properties[key]["anyOf"] for key in ("score", "band", "decision")), answer


def test_only_the_employees_manager_decides_and_only_the_employee_answers(
    app: FastAPI, client: TestClient, auth: Auth, clock: Clock
) -> None:
    tracked_goal(app, client, auth, clock)
    body = {"band": "unsatisfactory", "summary": "As computed."}
    assert client.post(f"{REVIEW}/decision{H1}", json=body, headers=auth(HR)).status_code == 403
    assert client.post(f"{REVIEW}/decision{H1}", json=body, headers=auth(EMPLOYEE)).status_code == 403
    other = client.post(f"{REVIEW}/decision{H1}", json=body, headers=auth(Actor("mgr-2", Role.MANAGER)))
    assert (other.status_code, other.json()["code"]) == (404, "review_not_found")
    release_ratings(app.state.goals)
    early = client.post(f"{REVIEW}/acknowledgement{H1}", headers=auth(EMPLOYEE))
    assert (early.status_code, early.json()["code"]) == (409, "review_not_decided")
    assert client.post(f"{REVIEW}/decision{H1}", json=body, headers=auth(MANAGER)).status_code == 201
    assert client.post(f"{REVIEW}/acknowledgement{H1}", headers=auth(STRANGER)).status_code == 403
    assert client.post(f"{REVIEW}/acknowledgement{H1}", headers=auth(EMPLOYEE)).status_code == 201
    late = client.post(f"{REVIEW}/disputes{H1}", json={"reason": "x"}, headers=auth(EMPLOYEE))
    assert (late.status_code, late.json()["code"]) == (409, "review_settled")
    assert client.get(f"{REVIEW}{H1}", headers=auth(MANAGER)).json()["acknowledgement"]["by"] == "emp-1"
    unknown = client.post(f"{REVIEW}/disputes/d7/resolution{H1}", json={"outcome": "upheld"}, headers=auth(HR))
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_dispute")


def test_an_overdue_reading_is_one_notice_on_the_feed_whoever_runs_the_notifier(
    app: FastAPI, client: TestClient, auth: Auth, clock: Clock
) -> None:
    goal_id = tracked_goal(app, client, auth, clock)  # tickets read on 27 February: due again by 6 March
    clock.current = date(2026, 3, 7)
    for _restart in range(2):
        notifier_for(app.state.goals).step()
    feed = client.get(f"/events?type=goal.reading_overdue.v1&subject={goal_id}", headers=auth(HR)).json()["items"]
    assert [(n["subject"], n["data"]["kpi"], n["data"]["due_by"]) for n in feed] == [
        (goal_id, "tickets", "2026-03-06")]
    assert feed[0]["data"]["evidence_position"] >= 1 and feed[0]["data"]["evidence"]
    listed = client.get(f"/goals/{goal_id}/warnings", headers=auth(EMPLOYEE)).json()["warnings"]
    overdue = [w for w in listed if w["type"] == "GoalWarnings.ReadingOverdue"]
    assert [w["data"]["due_by"] for w in overdue] == ["2026-03-06"]


def test_the_reviews_history_lists_each_step_with_what_it_changed(
    app: FastAPI, client: TestClient, auth: Auth, clock: Clock
) -> None:
    tracked_goal(app, client, auth, clock)
    decision = {"band": "unsatisfactory", "summary": "As computed."}
    assert client.post(f"{REVIEW}/decision{H1}", json=decision, headers=auth(MANAGER)).status_code == 201
    unreleased = client.get(f"{REVIEW}/history{H1}", headers=auth(EMPLOYEE)).json()
    assert [e["type"] for e in unreleased["events"]] == ["Review.Opened"]  # the band is not theirs to see yet
    release_ratings(app.state.goals)
    assert client.post(f"{REVIEW}/acknowledgement{H1}", headers=auth(EMPLOYEE)).status_code == 201
    history = client.get(f"{REVIEW}/history{H1}", headers=auth(HR)).json()
    assert [e["type"] for e in history["events"]] == ["Review.Opened", "Review.DecisionRecorded", "Review.Acknowledged"]
    changes = {c["field"]: (c["from"], c["to"]) for c in history["events"][-1]["changes"]}
    assert changes["stage"] == ("decided", "acknowledged") and changes["acknowledged_by"] == (None, "emp-1")
    assert client.get(f"{REVIEW}/history{H1}", headers=auth(STRANGER)).status_code == 403
    assert client.get(f"{REVIEW}/history{H1}", headers=auth(Actor("mgr-2", Role.MANAGER))).status_code == 404


def test_a_decision_retried_with_its_idempotency_key_is_not_decided_twice(
    app: FastAPI, client: TestClient, auth: Auth, clock: Clock
) -> None:
    goal_id = tracked_goal(app, client, auth, clock)
    headers = {**auth(MANAGER), "Idempotency-Key": "decision-1"}
    body = {"band": "unsatisfactory", "summary": "As computed."}
    first = client.post(f"{REVIEW}/decision{H1}", json=body, headers=headers)
    reading = {"kpi": "csat", "value": 88, "observed_at": "2026-02-28"}  # the evidence moves meanwhile
    assert client.post(f"/goals/{goal_id}/measurements", json=reading, headers=auth(EMPLOYEE)).status_code == 201
    again = client.post(f"{REVIEW}/decision{H1}", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201) and again.json() == first.json()
    history = client.get(f"{REVIEW}/history{H1}", headers=auth(HR)).json()["events"]
    assert [e["type"] for e in history].count("Review.DecisionRecorded") == 1
