"""The review policy of ADR 0029 over HTTP, on both stores: a locked cycle takes no review step (409 cycle_locked),
a cycle in planning takes no decision (409 cycle_in_planning), a cycle nobody opened has no review (404); HR's
decision on a recalibration says why in a note of at least 10 characters; `aligned_to` a goal the caller may not see
answers exactly like a goal that does not exist."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from application.cycles.service import Cycles
from application.goals.service import Goals
from domain.values import Actor
from tests.api.test_goal_lifecycle import DRAFT
from tests.scenarios import (
    EMPLOYEE,
    HR,
    MANAGER,
    STRANGER,
    agreed,
    customer_service_terms,
    draft,
    release_ratings,
    start_cycles,
)

Auth = Callable[[Actor], dict[str, str]]
DECISION = {"band": "unsatisfactory", "summary": "Nothing measured yet."}
STEPS: tuple[tuple[str, dict[str, str], Actor], ...] = (
    ("self-assessment", {"text": "I kept the queue down."}, EMPLOYEE),
    ("decision", DECISION, MANAGER),
    ("acknowledgement", {}, EMPLOYEE),
    ("disputes", {"reason": "Too low for the outage."}, EMPLOYEE),
    ("disputes/d1/resolution", {"outcome": "upheld", "note": "The numbers stand."}, HR),
)


def step(client: TestClient, auth: Auth, path: str, body: dict[str, str], actor: Actor,
         cycle: str = "2026-H1") -> Response:
    return client.post(f"/reviews/emp-1/{path}?cycle={cycle}", json=body, headers=auth(actor))


def test_a_locked_cycle_takes_no_review_step_and_stores_nothing(app: FastAPI, client: TestClient, auth: Auth) -> None:
    goals: Goals = app.state.goals
    agreed(goals, customer_service_terms())
    start_cycles(goals, "2026-H1")
    assert step(client, auth, "decision", DECISION, MANAGER).status_code == 201
    release_ratings(goals, "2026-H1")  # the employee answers a decision only once HR released it
    assert step(client, auth, "disputes", {"reason": "Too low for the outage."}, EMPLOYEE).status_code == 201
    Cycles(goals).lock(HR, "2026-H1")
    head = goals.head_position()
    for path, body, actor in STEPS:
        refused = step(client, auth, path, body, actor)
        assert (refused.status_code, refused.json()["code"]) == (409, "cycle_locked"), (path, refused.text)
        assert refused.json()["cycle"] == "2026-H1"
    assert goals.head_position() == head
    review = client.get("/reviews/emp-1?cycle=2026-H1", headers=auth(HR)).json()
    assert (review["stage"], review["final_band"]) == ("disputed", "unsatisfactory")


def test_a_cycle_in_planning_takes_no_decision_but_a_self_assessment(app: FastAPI, client: TestClient,
                                                                      auth: Auth) -> None:
    goals: Goals = app.state.goals
    agreed(goals, customer_service_terms())
    refused = step(client, auth, "decision", DECISION, MANAGER)
    assert (refused.status_code, refused.json()["code"]) == (409, "cycle_in_planning"), refused.text
    assert step(client, auth, "self-assessment", {"text": "Planning went well."}, EMPLOYEE).status_code == 201
    start_cycles(goals, "2026-H1")
    assert step(client, auth, "decision", DECISION, MANAGER).status_code == 201


def test_a_cycle_nobody_opened_has_no_review_to_take_a_step_in(app: FastAPI, client: TestClient, auth: Auth) -> None:
    goals: Goals = app.state.goals
    agreed(goals, customer_service_terms())
    head = goals.head_position()
    for path, body, actor in STEPS:
        missing = step(client, auth, path, body, actor, cycle="2031-H1")
        assert (missing.status_code, missing.json()["code"]) == (404, "cycle_not_found"), (path, missing.text)
    assert goals.head_position() == head


def test_hr_decides_a_recalibration_only_with_a_note_of_ten_characters(app: FastAPI, client: TestClient,
                                                                        auth: Auth) -> None:
    goals: Goals = app.state.goals
    goal_id = agreed(goals, customer_service_terms())
    proposal = {"deadline": "2026-05-31", "reason": "external_factor",
                "justification": "A supplier outage halted deliveries for a month."}
    assert client.post(f"/goals/{goal_id}/recalibrations", json=proposal, headers=auth(MANAGER)).status_code == 201
    head = goals.head_position()
    for decision in ("approval", "rejection"):
        for body in (None, {}, {"note": "Fine."}, {"note": "   short   "}):
            refused = client.post(f"/goals/{goal_id}/recalibrations/r1/{decision}", json=body, headers=auth(HR))
            assert refused.status_code == 422, refused.text
            assert refused.json()["errors"][0]["field"].startswith("body"), refused.text
    assert goals.head_position() == head
    approved = client.post(f"/goals/{goal_id}/recalibrations/r1/approval", json={"note": "Outage confirmed."},
                           headers=auth(HR))
    assert (approved.status_code, approved.json()["note"]) == (200, "Outage confirmed."), approved.text


def test_aligning_to_a_goal_the_caller_may_not_see_answers_like_aligning_to_none(app: FastAPI, client: TestClient,
                                                                                  auth: Auth) -> None:
    goals: Goals = app.state.goals
    unseen = str(draft(goals, customer_service_terms(owner_id=STRANGER.id), STRANGER))  # emp-9's, not emp-1's
    missing = "5d1b3c1e-0000-4000-8000-000000000000"
    head = goals.head_position()
    answers = [client.post("/goals", json={**DRAFT, "aligned_to": aligned_to}, headers=auth(EMPLOYEE))
               for aligned_to in (unseen, missing)]
    assert [a.status_code for a in answers] == [409, 409]
    hidden, absent = (a.json() for a in answers)
    assert hidden == {**absent, "detail": absent["detail"].replace(missing, unseen), "aligned_to": unseen}
    assert goals.head_position() == head
    by_hr = {**DRAFT, "aligned_to": unseen, "owner_id": EMPLOYEE.id, "manager_id": MANAGER.id}
    seen = client.post("/goals", json=by_hr, headers=auth(HR))
    assert seen.status_code == 201, seen.text  # HR sees every goal: the same parent is found
