"""Who may do what with review cycles and objectives: every endpoint against every kind of caller.

HR opens and moves cycles; HR sets any objective and a manager their own team's; the goal-reading roles read
cycles, objectives and the alignment tree; a service token reads none of it (it is for the event feed).
"""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest

from tests.api.module_app import STORES, Api, module_api
from tests.api.test_permissions import CALLERS, matrix_cases
from tests.scenarios import QUALITY_OBJECTIVE_ID

# Callers: owner, stranger, manager, other manager, hr, auditor, service. {new} is a cycle id made for the case.
ENDPOINTS = {
    "open": ("POST", "/cycles", "new-body", (403, 403, 403, 403, 201, 403, 403)),
    "list": ("GET", "/cycles", None, (200, 200, 200, 200, 200, 200, 403)),
    "read": ("GET", "/cycles/2026-H1", None, (200, 200, 200, 200, 200, 200, 403)),
    "alignment": ("GET", "/cycles/2026-H1/alignment", None, (200, 200, 200, 200, 200, 200, 403)),
    "activate": ("POST", "/cycles/{new}/activate", "new", (403, 403, 403, 403, 200, 403, 403)),
    "lock": ("POST", "/cycles/{new}/lock", "new", (403, 403, 403, 403, 200, 403, 403)),
    # A manager sets a team objective they own (mgr-1 here); another manager may not set it for them.
    "objective": ("POST", "/objectives", "objective", (403, 403, 201, 403, 201, 403, 403)),
    "read-objective": ("GET", f"/objectives/{QUALITY_OBJECTIVE_ID}", None, (200, 200, 200, 200, 200, 200, 403)),
}
CASES = matrix_cases({name: spec[3] for name, spec in ENDPOINTS.items()})
OBJECTIVE = {"title": "Faster answers", "cycle": "2026-H1", "org_unit": "support", "owner": "mgr-1",
             "description": "First response within two hours."}


@pytest.fixture(scope="module", params=STORES)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from module_api(request.param, tmp_path_factory)


@pytest.mark.parametrize(("endpoint", "caller", "expected"), CASES)
def test_each_caller_gets_what_their_role_allows_on_cycles_and_objectives(
    api: Api, endpoint: str, caller: str, expected: int
) -> None:
    method, path, body_kind, _ = ENDPOINTS[endpoint]
    new = f"c-{uuid4().hex[:8]}"
    body = {"new-body": {"id": new, "name": "Test", "start": "2027-01-01", "end": "2027-06-30"},
            "objective": OBJECTIVE}.get(body_kind or "")
    if body_kind == "new":
        api.client.post("/cycles", json={"id": new, "name": "T", "start": "2027-01-01", "end": "2027-06-30"},
                        headers=api.as_(CALLERS["hr"]))
    head = api.head()
    response = api.client.request(method, path.format(new=new), json=body, headers=api.as_(CALLERS[caller]))
    assert response.status_code == expected, response.text
    if expected >= 400:
        assert response.json()["code"] in {"role_not_allowed", "permission_denied"}
        assert api.head() == head, "a refused request must store nothing"
    elif method == "POST":
        assert api.head() > head
