"""Who may do what: every goal endpoint against every kind of caller.

The goal belongs to emp-1 and is managed by mgr-1. Refusals for a role answer 403 whatever the goal; a caller
who may not see the goal gets 404, exactly as for a goal that does not exist, so that its existence does not leak.
A refused request stores nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from application.goals.service import Goals
from domain.values import Actor, Role
from tests.api.module_app import STORES, Api, module_api
from tests.scenarios import (
    AUDITOR,
    EMPLOYEE,
    HR,
    MANAGER,
    STRANGER,
    agreed,
    customer_service_terms,
    draft,
)

CALLERS = {
    "employee-owner": EMPLOYEE,
    "employee-stranger": STRANGER,
    "manager-of-goal": MANAGER,
    "manager-other": Actor("mgr-2", Role.MANAGER),
    "hr": HR,
    "auditor": AUDITOR,
    "service": Actor("svc-feed", Role.SERVICE),
}
DRAFT_BODY = {
    "cycle": {"id": "2026-H1", "start": "2026-01-01", "end": "2026-06-30"},
    "owner_id": "emp-1", "manager_id": "mgr-1", "title": "Support throughput",
    "statement": "Resolve at least 20 support tickets per day by the end of Q2",
    "kpis": [{"id": "tickets", "name": "Tickets per day", "unit": "tickets/day", "direction": "increase",
              "baseline": 14, "target": 20, "cadence": "weekly"}],
    "deadline": "2026-06-30", "weight": 60,
}
PROPOSAL = {"targets": {"csat": 88}, "reason": "external_factor", "justification": "The survey vendor changed."}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # {id} is the goal's id
    state: str  # what the goal must have gone through: draft, agreed or proposed (a pending recalibration)
    body: dict[str, Any] | None
    outcomes: tuple[int, ...]  # expected status per caller, in the order of CALLERS


# Callers: owner, stranger, manager, other manager, hr, auditor, service.
ENDPOINTS = {
    "draft": Endpoint("POST", "/goals", "none", DRAFT_BODY, (201, 403, 201, 403, 201, 403, 403)),
    "read": Endpoint("GET", "/goals/{id}", "draft", None, (200, 404, 200, 404, 200, 200, 403)),
    "revise": Endpoint("PATCH", "/goals/{id}", "draft", {"title": "Support throughput, revised"},
                       (200, 404, 200, 404, 200, 403, 403)),
    "smart": Endpoint("GET", "/goals/{id}/smart", "draft", None, (200, 404, 200, 404, 200, 200, 403)),
    # HR is not a party to the agreement: that is a broken rule (409 not_a_party), not a hidden goal.
    "sign": Endpoint("POST", "/goals/{id}/signatures", "draft", {}, (201, 404, 201, 404, 409, 403, 403)),
    "milestone": Endpoint("POST", "/goals/{id}/milestones", "draft",
                          {"kpi": "tickets", "due": "2026-03-31", "target": 17}, (201, 404, 201, 404, 201, 403, 403)),
    "measurement": Endpoint("POST", "/goals/{id}/measurements", "agreed",
                            {"kpi": "tickets", "value": "15", "observed_at": "2026-01-10"},
                            (201, 404, 201, 404, 201, 403, 403)),
    "recalibration": Endpoint("POST", "/goals/{id}/recalibrations", "agreed", PROPOSAL,
                              (201, 404, 201, 404, 409, 403, 403)),
    "approval": Endpoint("POST", "/goals/{id}/recalibrations/r1/approval", "proposed", {"note": "Agreed, see log"},
                         (403, 403, 403, 403, 200, 403, 403)),
    "rejection": Endpoint("POST", "/goals/{id}/recalibrations/r1/rejection", "proposed", {"note": "Not this time"},
                          (403, 403, 403, 403, 200, 403, 403)),
    # Only the manager or HR closes; the owner sees the goal, so the refusal is a 403.
    "closure": Endpoint("POST", "/goals/{id}/closure", "agreed", {"outcome": "achieved", "summary": "Met."},
                        (403, 404, 200, 404, 200, 403, 403)),
    "history": Endpoint("GET", "/goals/{id}/history", "draft", None, (200, 404, 200, 404, 200, 200, 403)),
    # Reorganisations and carry-over are HR's alone, whoever holds the goal.
    "reassignment": Endpoint("POST", "/goals/{id}/reassignment", "agreed", {"manager_id": "mgr-3", "reason": "Reorg"},
                             (403, 403, 403, 403, 200, 403, 403)),
    "carry-over": Endpoint("POST", "/goals/{id}/carry-over", "agreed", {"to_cycle": "2026-H2", "reason": "Slipped"},
                           (403, 403, 403, 403, 201, 403, 403)),
    # People (ADR 0026): only HR erases; HR or the person themself exports.
    "erasure": Endpoint("POST", "/people/emp-gone/erasure", "none", {"reason": "left in 2019"},
                        (403, 403, 403, 403, 201, 403, 403)),
    "export": Endpoint("GET", "/people/emp-1/export", "none", None, (200, 403, 403, 403, 200, 403, 403)),
    # The review packet (ADR 0027): whoever may see the review; a manager of none of the goals gets 404.
    "packet": Endpoint("GET", "/reviews/emp-1/packet?cycle=2026-H1", "draft", None,
                       (200, 403, 200, 404, 200, 200, 403)),
    # Only the goal's parties check in; HR sees the goal but is no party (409 not_a_party, as for a signature).
    "check_in": Endpoint("POST", "/goals/{id}/check-ins", "agreed", {"status": "on_track", "confidence": 4},
                         (201, 404, 201, 404, 409, 403, 403)),
    "warnings": Endpoint("GET", "/goals/{id}/warnings", "agreed", None, (200, 404, 200, 404, 200, 200, 403)),
}
def matrix_cases(outcomes: dict[str, tuple[int, ...]]) -> list[Any]:
    """One test case per row and caller: (row name, caller, the status that caller must get)."""
    return [
        pytest.param(name, caller, row[index], id=f"{name}-{caller}")
        for name, row in outcomes.items()
        for index, caller in enumerate(CALLERS)
    ]


CASES = matrix_cases({name: endpoint.outcomes for name, endpoint in ENDPOINTS.items()})


@pytest.fixture(scope="module", params=STORES)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from module_api(request.param, tmp_path_factory)


def prepare(goals: Goals, state: str) -> str:
    """A fresh goal of emp-1's, managed by mgr-1, in the given state."""
    if state == "none":
        return ""
    terms = customer_service_terms()
    if state == "draft":
        return str(draft(goals, terms))
    goal_id = agreed(goals, terms)
    if state == "proposed":
        goals.propose_recalibration(goal_id, MANAGER, reason="external_factor", justification="Vendor changed.",
                                    targets={"csat": {"target": Decimal(88)}})
    return str(goal_id)


@pytest.mark.parametrize(("endpoint", "caller", "expected"), CASES)
def test_each_caller_gets_what_their_role_and_relation_to_the_goal_allow(
    api: Api, endpoint: str, caller: str, expected: int
) -> None:
    spec = ENDPOINTS[endpoint]
    path = spec.path.format(id=prepare(api.goals, spec.state))
    head = api.head()
    response = api.client.request(spec.method, path, json=spec.body, headers=api.as_(CALLERS[caller]))
    assert response.status_code == expected, response.text
    if expected >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] in {403: {"role_not_allowed", "permission_denied", "review_not_allowed"},
                                           404: {"goal_not_found", "review_not_found"},
                                           409: {"not_a_party"}}[expected]
        assert api.head() == head, "a refused request must store nothing"
    elif spec.method != "GET":
        assert api.head() > head


def test_a_goal_nobody_may_see_and_a_goal_that_does_not_exist_answer_alike(api: Api) -> None:
    hidden = api.client.get(f"/goals/{prepare(api.goals, 'draft')}", headers=api.as_(STRANGER))
    missing = api.client.get(f"/goals/{UUID(int=7)}", headers=api.as_(STRANGER))
    assert (hidden.status_code, hidden.json()["code"]) == (missing.status_code, missing.json()["code"]) == (
        404, "goal_not_found")


def test_an_employee_token_does_not_act_as_the_manager_of_a_goal(api: Api) -> None:
    """A person is what their token says: with an employee token, mgr-1 sees only the goals mgr-1 owns."""
    goal_id = prepare(api.goals, "draft")
    as_employee = api.as_(Actor(MANAGER.id, Role.EMPLOYEE))
    assert api.client.get(f"/goals/{goal_id}", headers=as_employee).status_code == 404
    assert api.client.post(f"/goals/{goal_id}/signatures", headers=as_employee).status_code == 404


def test_an_employee_may_not_draft_a_goal_naming_themself_as_someone_elses_manager(api: Api) -> None:
    body = {**DRAFT_BODY, "owner_id": "emp-1", "manager_id": STRANGER.id}
    head = api.head()
    refused = api.client.post("/goals", json=body, headers=api.as_(STRANGER))
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert api.head() == head


def test_a_manager_drafting_for_a_report_is_the_goals_manager_by_default(api: Api) -> None:
    body = {k: v for k, v in DRAFT_BODY.items() if k != "manager_id"}
    drafted = api.client.post("/goals", json=body, headers=api.as_(MANAGER))
    assert drafted.status_code == 201, drafted.text
    assert (drafted.json()["owner_id"], drafted.json()["manager_id"]) == ("emp-1", "mgr-1")


def test_an_employee_drafting_without_naming_a_manager_is_told_which_field_is_missing(api: Api) -> None:
    body = {k: v for k, v in DRAFT_BODY.items() if k not in ("owner_id", "manager_id")}
    refused = api.client.post("/goals", json=body, headers=api.as_(EMPLOYEE))
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["body.manager_id"]


def test_hr_and_auditors_read_every_goal_and_its_history(api: Api) -> None:
    goal_id = prepare(api.goals, "proposed")
    for reader in (HR, AUDITOR):
        history = api.client.get(f"/goals/{goal_id}/history", headers=api.as_(reader))
        assert history.status_code == 200
        assert [e["type"] for e in history.json()["events"]][-1] == "RecalibrationProposed"
