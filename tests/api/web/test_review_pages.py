"""The whole review in the pages, over HTTP on both stores with the demo organisation: the employee assesses
themself, the manager decides with an override and its reason, HR starts the review and releases it from the
cycles page, the employee (who saw no rating until then) disputes, HR resolves and locks the cycle."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.api.module_app import STORES
from tests.api.web import test_workspace_pages as demo
from tests.api.web.test_workspace_pages import Web


@pytest.fixture(scope="module", params=STORES)
def web(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    """A demo organisation of this module's own: its cycle is walked to the end here."""
    yield from demo.web.__wrapped__(request, tmp_path_factory)


def review_of(web: Web, employee: str, cycle: str) -> str:
    page = web.client.get(f"/workspace/reviews/{employee}?cycle={cycle}")
    assert page.status_code == 200, page.text[:500]
    return page.text


def post(web: Web, path: str, csrf: str, **fields: str) -> tuple[int, str]:
    answer = web.client.post(path, data={"csrf_token": csrf, **fields}, follow_redirects=False)
    return answer.status_code, answer.text


def test_a_whole_review_through_the_pages(web: Web) -> None:
    goal = web.goals.get_goal(web.goal_titled("Defect rate"))
    employee, manager, cycle = goal.owner_id, goal.manager_id, goal.cycle.id
    base = f"/workspace/reviews/{employee}"

    csrf = web.sign_in(employee, "employee")
    before = review_of(web, employee, cycle)
    assert 'id="not-released"' in before and 'id="score"' not in before and 'id="band"' not in before
    assert "Defect rate" in before  # the goals stay visible
    assert post(web, f"{base}/self-assessment?cycle={cycle}", csrf, text="I halved the defects.")[0] == 303
    assert "I halved the defects." in review_of(web, employee, cycle)

    csrf = web.sign_in(manager, "manager")
    page = review_of(web, employee, cycle)
    computed = re.search(r'<option value="([a-z_]+)" selected>', page)
    assert computed and 'aria-labelledby="decide-h"' in page
    other = "outstanding" if computed.group(1) != "outstanding" else "unsatisfactory"
    status, refused = post(web, f"{base}/decision?cycle={cycle}", csrf, band=other, summary="A strong half.")
    assert status == 422 and 'id="e-decide-override_reason"' in refused
    assert "override_reason" not in refused.split('id="e-decide-override_reason">', 1)[1].split("</p>", 1)[0]
    assert post(web, f"{base}/decision?cycle={cycle}", csrf, band=other, summary="A strong half.",
                override_reason="The audit work is not in the numbers.")[0] == 303
    decided = review_of(web, employee, cycle)
    assert 'id="decided-band"' in decided and "The audit work is not in the numbers." in decided

    csrf = web.sign_in(employee, "employee")
    hidden = review_of(web, employee, cycle)
    assert 'id="decided-band"' not in hidden and "The audit work" not in hidden and "Acknowledge" not in hidden
    status, early = post(web, f"{base}/disputes?cycle={cycle}", csrf, reason="Too low.")
    assert status == 409 and "not released" in early

    csrf = web.sign_in("hr-iris", "hr")
    cycles = web.client.get("/workspace/cycles").text
    assert 'data-status="active"' in cycles and "Start the review" in cycles
    assert post(web, f"/workspace/cycles/{cycle}/release", csrf)[0] == 409  # not in review yet
    assert post(web, f"/workspace/cycles/{cycle}/review", csrf)[0] == 303
    assert "Release the ratings" in web.client.get("/workspace/cycles").text
    assert post(web, f"/workspace/cycles/{cycle}/release", csrf)[0] == 303
    assert 'data-status="released"' in web.client.get("/workspace/cycles").text
    assert web.client.get(f"/cycles/{cycle}", headers={}).status_code == 401  # the pages' session is no API token

    csrf = web.sign_in(employee, "employee")
    shown = review_of(web, employee, cycle)
    assert 'id="decided-band"' in shown and 'id="score"' in shown and "Acknowledge the decision" in shown
    assert post(web, f"{base}/disputes?cycle={cycle}", csrf, reason="The audit deserved more.")[0] == 303
    assert 'data-stage="disputed"' in review_of(web, employee, cycle)

    csrf = web.sign_in("hr-iris", "hr")
    page = review_of(web, employee, cycle)
    assert 'aria-labelledby="resolve-h"' in page
    status, refused = post(web, f"{base}/disputes/d1/resolution?cycle={cycle}", csrf, outcome="changed", band="",
                           note="")
    assert status == 422 and 'id="e-resolve-band"' in refused
    assert post(web, f"{base}/disputes/d1/resolution?cycle={cycle}", csrf, outcome="changed",
                band="meets_expectations", note="Checked with the quality lead.")[0] == 303
    resolved = review_of(web, employee, cycle)
    assert 'data-stage="resolved"' in resolved and 'id="final-band"' in resolved
    assert "Checked with the quality lead." in resolved
    assert post(web, f"/workspace/cycles/{cycle}/lock", csrf)[0] == 303
    assert 'data-status="locked"' in web.client.get("/workspace/cycles").text


def test_only_hr_moves_a_cycle_from_the_cycles_page(web: Web) -> None:
    cycle = web.goals.get_goal(web.goal_titled("Defect rate")).cycle.id
    csrf = web.sign_in("mgr-ana", "manager")
    page = web.client.get("/workspace/cycles").text
    assert "Demo cycle" in page and "<button" not in page.split("<main")[1].replace('type="submit">Sign out', "")
    assert post(web, f"/workspace/cycles/{cycle}/lock", csrf)[0] == 403
    assert post(web, f"/workspace/cycles/{cycle}/explode", csrf)[0] == 404


def test_the_packets_file_name_names_the_employee_and_the_cycle(web: Web) -> None:
    goal = web.goals.get_goal(web.goal_titled("Defect rate"))
    web.sign_in("hr-iris", "hr")
    pdf = web.client.get(f"/workspace/reviews/{goal.owner_id}/packet.pdf?cycle={goal.cycle.id}")
    assert pdf.status_code == 200
    assert f'filename="review-packet-{goal.owner_id}-{goal.cycle.id}.pdf"' in pdf.headers["content-disposition"]
