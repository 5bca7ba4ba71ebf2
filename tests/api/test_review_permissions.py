"""Who may take which step of a review: every review endpoint against every kind of caller.

The review is emp-1's, whose goals mgr-1 manages; each case runs in a cycle of its own. A refused step stores
nothing. The reviewed employee acts with their own token; only their goals' manager decides; only HR resolves.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from application.goals.service import Goals
from application.reviews.decisions import ReviewDecisions
from domain.review_values import DecisionBasis
from domain.values import Cycle
from tests.api.module_app import STORES, Api, module_api
from tests.api.test_permissions import CALLERS, matrix_cases
from tests.lifecycles import REVIEW_BANDS
from tests.scenarios import (
    EMPLOYEE, MANAGER, agreed, customer_service_terms, ensure_cycles, release_ratings, start_cycles,
)


@dataclass(frozen=True)
class Step:
    method: str
    path: str  # {cycle} is the case's own cycle
    state: str  # goals (an agreed goal in the cycle), decided, disputed
    body: dict[str, Any] | None
    outcomes: tuple[int, ...]  # per caller, in the order of CALLERS


# Callers: owner, stranger, manager, other manager, hr, auditor, service.
STEPS = {
    "read": Step("GET", "/reviews/emp-1?cycle={cycle}", "goals", None, (200, 403, 200, 404, 200, 200, 403)),
    "history": Step("GET", "/reviews/emp-1/history?cycle={cycle}", "decided", None,
                    (200, 403, 200, 404, 200, 200, 403)),
    "decision": Step("POST", "/reviews/emp-1/decision?cycle={cycle}", "goals",
                     {"band": "unsatisfactory", "summary": "As computed."}, (403, 403, 201, 404, 403, 403, 403)),
    "self_assessment": Step("POST", "/reviews/emp-1/self-assessment?cycle={cycle}", "goals", {"text": "Fine."},
                            (201, 403, 403, 403, 403, 403, 403)),
    "acknowledgement": Step("POST", "/reviews/emp-1/acknowledgement?cycle={cycle}", "decided", None,
                            (201, 403, 403, 403, 403, 403, 403)),
    "dispute": Step("POST", "/reviews/emp-1/disputes?cycle={cycle}", "decided", {"reason": "Unfair."},
                    (201, 403, 403, 403, 403, 403, 403)),
    "resolution": Step("POST", "/reviews/emp-1/disputes/d1/resolution?cycle={cycle}", "disputed",
                       {"outcome": "upheld", "note": "Checked."}, (403, 403, 403, 403, 200, 403, 403)),
}
CASES = matrix_cases({name: step.outcomes for name, step in STEPS.items()})


@pytest.fixture(scope="module", params=STORES)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from module_api(request.param, tmp_path_factory)


def prepare(goals: Goals, state: str) -> str:
    """A cycle of its own with an agreed goal of emp-1's managed by mgr-1, and its review in the given state."""
    cycle = f"c-{uuid4().hex[:12]}"
    period = Cycle(cycle, date(2026, 1, 1), date(2026, 6, 30))
    ensure_cycles(goals, period)
    agreed(goals, customer_service_terms(cycle=period))
    decisions = ReviewDecisions(goals)
    start_cycles(goals, cycle)
    if state in ("decided", "disputed"):
        basis = DecisionBasis("2026.1", "sha256:" + "0" * 64, 1, "unsatisfactory", REVIEW_BANDS,
                              frozenset({MANAGER.id}))
        decisions.decide(EMPLOYEE.id, cycle, MANAGER, band="unsatisfactory", summary="ok", override_reason=None,
                         basis=basis)
        release_ratings(goals, cycle)
    if state == "disputed":
        decisions.dispute(EMPLOYEE.id, cycle, EMPLOYEE, reason="Unfair.")
    return cycle


@pytest.mark.parametrize(("step", "caller", "expected"), CASES)
def test_each_caller_gets_what_their_role_and_relation_to_the_review_allow(
    api: Api, step: str, caller: str, expected: int
) -> None:
    spec = STEPS[step]
    path = spec.path.format(cycle=prepare(api.goals, spec.state))
    head = api.head()
    response = api.client.request(spec.method, path, json=spec.body, headers=api.as_(CALLERS[caller]))
    assert response.status_code == expected, response.text
    if expected >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] in {403: {"role_not_allowed", "permission_denied", "review_not_allowed"},
                                           404: {"review_not_found"}}[expected]
        assert api.head() == head, "a refused request must store nothing"
    elif spec.method != "GET":
        assert api.head() > head
