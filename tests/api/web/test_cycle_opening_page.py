"""HR opens a review cycle from the cycles page (the step before activating it), over HTTP on both stores: the
API's own checks of POST /cycles, each refusal beside its field with nothing stored, and nobody else offered it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.module_app import STORES
from tests.api.web import test_workspace_pages as demo
from tests.api.web.test_drafting_pages import refused
from tests.api.web.test_workspace_pages import Web

OPEN = "/workspace/cycles"


@pytest.fixture(scope="module", params=STORES)
def web(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    """A demo organisation of this module's own: cycles are opened in it here."""
    yield from demo.web.__wrapped__(request, tmp_path_factory)


def opening(csrf: str, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf, "id": "2027-H1", "name": "First half 2027", "start": "2027-01-01",
            "end": "2027-06-30", **fields}


def test_hr_opens_a_cycle_in_planning_and_may_activate_it(web: Web) -> None:
    csrf = web.sign_in("hr-iris", "hr")
    assert 'id="open-cycle"' in web.client.get(OPEN).text
    answer = web.client.post(OPEN, data=opening(csrf), follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/workspace/cycles#cycle-2027-H1"
    row = web.client.get(OPEN).text.split('id="cycle-2027-H1"', 1)[1].split("</tr>", 1)[0]
    assert 'data-status="planning"' in web.client.get(OPEN).text
    assert "First half 2027" in row and "Planning" in row and "Activate" in row
    page = refused(web, OPEN, opening(csrf), 409)  # the same id again
    assert "already exists" in page and 'value="First half 2027"' in page


@pytest.mark.parametrize(("fields", "status", "beside"), [
    ({"id": ""}, 422, "id"),
    ({"id": "2027 H1"}, 422, "id"),
    ({"id": "../2027"}, 422, "id"),
    ({"id": "x" * 101}, 422, "id"),
    ({"id": "<b>2027</b>"}, 422, "id"),
    ({"name": ""}, 422, "name"),
    ({"name": "a\x00b"}, 422, "name"),
    ({"start": "2027-13-01"}, 422, "start"),
    ({"start": ""}, 422, "start"),
    ({"end": "2026-12-31"}, 422, "end"),  # before its start
])
def test_a_bad_cycle_is_refused_beside_its_field(web: Web, fields: dict[str, str], status: int, beside: str) -> None:
    csrf = web.sign_in("hr-iris", "hr")
    page = refused(web, OPEN, opening(csrf, **fields), status)
    assert f'id="e-open-{beside}"' in page and 'aria-invalid="true"' in page
    assert "<b>2027" not in page  # what was typed comes back escaped, never as markup
    assert 'class="problem" role="alert" tabindex="-1"' in page  # focus moves there (workspace.js)


@pytest.mark.parametrize(("person", "role"), [("mgr-ana", "manager"), ("emp-dev", "employee"),
                                              ("aud-kim", "auditor")])
def test_only_hr_is_offered_the_form_and_may_open_a_cycle(web: Web, person: str, role: str) -> None:
    csrf = web.sign_in(person, role)
    assert 'id="open-cycle"' not in web.client.get(OPEN).text
    refused(web, OPEN, opening(csrf, id=f"by-{person}"), 403)


def test_a_form_without_its_csrf_token_stores_nothing(web: Web) -> None:
    web.sign_in("hr-iris", "hr")
    fields = opening("")
    del fields["csrf_token"]
    refused(web, OPEN, fields, 403)
