"""Check-ins and reading notes on the goal page, the alignment page, and drafting in open mode, over HTTP on both
stores: what a person said is shown in words, hostile forms are refused by field with nothing stored, and nobody
sees a goal the API would hide from them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from api.web.session import sign_in_link
from domain.goal import Goal
from tests.api.conftest import API_SECRET
from tests.api.module_app import STORES
from tests.api.web import test_workspace_pages as demo
from tests.api.web.test_drafting_pages import refused
from tests.api.web.test_workspace_pages import BASE, TODAY, Web, csrf_of, follow_link


@pytest.fixture(scope="module", params=STORES)
def web(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    """A demo organisation of this module's own: check-ins are added to its goals here."""
    yield from demo.web.__wrapped__(request, tmp_path_factory)


def check_in(csrf: str, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf, "status": "at_risk", "confidence": "2", "note": "The queue doubled after the outage.",
            "blockers": "Ticketing tool down for two days", "next_steps": "Ask for a second agent", **fields}


def check_ins_of(web: Web, goal_id: object) -> list[Goal.CheckedIn]:
    return [e for e in web.goals.goal_events(goal_id) if isinstance(e, Goal.CheckedIn)]  # type: ignore[arg-type]


def test_an_employee_checks_in_and_the_page_says_it_in_words(web: Web) -> None:
    csrf = web.sign_in("emp-dev", "employee")
    goal_id = web.goal_titled("Support ticket throughput")
    page = web.client.get(f"/workspace/goals/{goal_id}").text
    assert 'id="check-in-form"' in page and 'for="f-check-in-confidence"' in page
    answer = web.client.post(f"/workspace/goals/{goal_id}/check-ins", data=check_in(csrf), follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].endswith("#check-ins")
    said = check_ins_of(web, goal_id)[-1]
    assert (said.status, said.confidence, said.note) == ("at_risk", 2, "The queue doubled after the outage.")
    shown = web.client.get(f"/workspace/goals/{goal_id}").text.split('id="check-ins-h"', 1)[1]
    assert "Devika Rao checked in" in shown and "At risk, not very sure." in shown
    assert "The queue doubled after the outage." in shown and "In the way: Ticketing tool down" in shown
    assert "at_risk" not in shown.split("</section>", 1)[0].replace('value="at_risk"', "")


def test_a_reading_s_note_is_shown_with_its_reading(web: Web) -> None:
    csrf = web.sign_in("emp-dev", "employee")
    goal_id = web.goal_titled("Support ticket throughput")
    fields = {"csrf_token": csrf, "kpi": "tickets", "value": "17.4", "observed_at": TODAY.isoformat(),
              "note": "Good week after the new macros."}
    assert web.client.post(f"/workspace/goals/{goal_id}/readings", data=fields,
                           follow_redirects=False).status_code == 303
    page = web.client.get(f"/workspace/goals/{goal_id}").text
    note = re.search(r'<li class="update update-reading" data-kind="reading">(.*?)</li>', page, re.S)
    assert note and "Devika Rao recorded" in note.group(1) and "17.4 tickets/day" in note.group(1)
    assert "Good week after the new macros." in note.group(1)
    assert 'inputmode="decimal"' in page and "&quot;decimal" not in page


@pytest.mark.parametrize(("fields", "shown_at"), [
    ({"confidence": "9"}, "e-check-in-confidence"),
    ({"confidence": "٣"}, "e-check-in-confidence"),  # an Arabic-Indic three: a digit, but not a whole number here
    ({"confidence": ""}, "e-check-in-confidence"),
    ({"status": "great"}, "e-check-in-status"),
    ({"note": "x" * 2001}, "e-check-in-note"),
    ({"blockers": "a\x00b"}, "e-check-in-blockers"),
])
def test_a_hostile_check_in_is_refused_beside_its_field(web: Web, fields: dict[str, str], shown_at: str) -> None:
    csrf = web.sign_in("emp-dev", "employee")
    goal_id = web.goal_titled("Support ticket throughput")
    page = refused(web, f"/workspace/goals/{goal_id}/check-ins", check_in(csrf, **fields), 422)
    assert f'id="{shown_at}"' in page


def test_a_check_in_on_someone_else_s_goal_is_404_and_hr_is_no_party(web: Web) -> None:
    csrf = web.sign_in("emp-dev", "employee")
    someone_elses = web.goal_titled("Customer-service satisfaction")
    page = refused(web, f"/workspace/goals/{someone_elses}/check-ins", check_in(csrf), 404)
    assert "Nothing here" in page
    refused(web, "/workspace/goals/00000000-0000-0000-0000-000000000000/check-ins", check_in(csrf), 404)
    refused(web, "/workspace/goals/%E2%80%AEtxt.exe/check-ins", check_in(csrf), 404)
    csrf = web.sign_in("hr-iris", "hr")
    assert 'id="check-in-form"' not in web.client.get(f"/workspace/goals/{someone_elses}").text
    page = refused(web, f"/workspace/goals/{someone_elses}/check-ins", check_in(csrf), 409)
    assert 'data-code="not_a_party"' in page


def test_a_draft_takes_no_check_in(web: Web) -> None:
    csrf = web.sign_in("emp-carla", "employee")
    draft = web.goal_titled("Knowledge-base articles")
    assert 'id="check-in-form"' not in web.client.get(f"/workspace/goals/{draft}").text
    page = refused(web, f"/workspace/goals/{draft}/check-ins", check_in(csrf), 409)
    assert 'class="problem"' in page


def test_the_alignment_page_shows_an_employee_only_her_own_goals_and_every_objective_s_progress(web: Web) -> None:
    web.sign_in("emp-dev", "employee")
    page = web.client.get("/workspace/alignment").text
    assert "The support objective of the year" in page and "The operations objective of the year" in page
    assert "Support ticket throughput" in page and "Customer-service satisfaction" not in page
    assert re.search(r'class="objective-progress">Progress: <meter [^>]*aria-label="Progress of [^"]+"></meter> '
                     r'<span class="progress-figure">\d+%</span>', page)
    assert "Devika Rao" in page and "emp-dev" not in page.split("<main", 1)[1]


def test_hr_sees_every_aligned_goal_and_a_manager_her_team(web: Web) -> None:
    web.sign_in("hr-iris", "hr")
    page = web.client.get("/workspace/alignment").text
    assert "Customer-service satisfaction" in page and "Defect rate" in page
    web.sign_in("mgr-ana", "manager")
    page = web.client.get("/workspace/alignment").text
    assert "Customer-service satisfaction" in page and "Defect rate" not in page


@pytest.mark.parametrize("cycle", ["1999-H1", "%00", "<script>", "x" * 5000])
def test_an_unknown_cycle_on_the_alignment_page_is_a_plain_404(web: Web, cycle: str) -> None:
    web.sign_in("emp-dev", "employee")
    answer = web.client.get("/workspace/alignment", params={"cycle": cycle})
    assert answer.status_code == 404 and "Nothing here" in answer.text and "<script>" not in answer.text


def test_open_mode_says_people_are_typed_and_checks_the_owner(client: TestClient, auth: Callable[..., object]) -> None:
    """The plain API app of tests/api/conftest.py: its store has no directory (open mode, ADR 0035)."""
    follow_link(client, sign_in_link(API_SECRET, "mgr-1", "manager", BASE))
    page = client.get("/workspace/goals/new").text
    assert 'id="open-mode-people"' in page and '<input id="f-owner_id"' in page
    assert re.search(r'id="f-manager_id" name="manager_id" type="text" value="mgr-1"', page)
    csrf = csrf_of(page)
    cycle = re.search(r'name="cycle_id" type="text" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    start = re.search(r'name="cycle_start" type="date" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    end = re.search(r'name="cycle_end" type="date" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    fields = {"csrf_token": csrf, "action": "draft", "owner_id": "emp-1", "manager_id": "mgr-2", "cycle_id": cycle,
              "cycle_start": start, "cycle_end": end, "title": "Tickets", "kpi_rows": "1",
              "statement": "Resolve at least 20 support tickets per day by the end of the cycle",
              "kpis-0-id": "tickets", "kpis-0-name": "Tickets", "kpis-0-unit": "tickets/day",
              "kpis-0-direction": "increase", "kpis-0-baseline": "14", "kpis-0-target": "20"}
    someone_elses = client.post("/workspace/goals/new", data=fields, follow_redirects=False)
    assert someone_elses.status_code == 403  # a manager drafts for the people she manages
    mine = client.post("/workspace/goals/new", data={**fields, "manager_id": "mgr-1"}, follow_redirects=False)
    assert mine.status_code == 303, mine.text[:3000]
    assert "mgr-1" in client.get(mine.headers["location"]).text
