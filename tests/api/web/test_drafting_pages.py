"""Drafting in the pages, over HTTP on both stores with the demo organisation: several KPIs (rows added and removed
without a script), the owner chosen from the people one may draft for, a vague draft edited until it passes, a
draft withdrawn; and hostile forms (someone else's goal or report, oversized and odd text) refused with nothing
stored."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from uuid import UUID

import pytest

from application.demo import CYCLE_DAYS_AFTER, CYCLE_DAYS_BEFORE
from domain.values import Outcome, Status
from tests.api.module_app import STORES
from tests.api.web import test_workspace_pages as demo
from tests.api.web.test_workspace_pages import TODAY, Web

VAGUE = "Improve escalations"
CLEAR = "Bring the share of tickets escalated to engineering down from 12% to 8% by the deadline"


@pytest.fixture(scope="module", params=STORES)
def web(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    """A demo organisation of this module's own: its drafts are added here."""
    yield from demo.web.__wrapped__(request, tmp_path_factory)


def kpi(row: int, kpi_id: str, name: str, baseline: str, target: str, direction: str = "decrease") -> dict[str, str]:
    values = {"id": kpi_id, "name": name, "unit": "%", "direction": direction, "baseline": baseline,
              "target": target, "cadence": "monthly"}
    return {f"kpis-{row}-{field}": value for field, value in values.items()}


def draft(csrf: str, action: str = "draft", statement: str = CLEAR, owner: str = "emp-eve",
          title: str = "Escalations", rows: int = 2, **more: str) -> dict[str, str]:
    start, end = TODAY - timedelta(days=CYCLE_DAYS_BEFORE), TODAY + timedelta(days=CYCLE_DAYS_AFTER)
    return {"csrf_token": csrf, "action": action, "owner_id": owner, "cycle_id": f"{start:%Y-%m}..{end:%Y-%m}",
            "cycle_start": start.isoformat(), "cycle_end": end.isoformat(), "deadline": end.isoformat(),
            "weight": "50", "title": title, "statement": statement,
            "rationale": "Escalations cost the most support time.", "kpi_rows": str(rows),
            **kpi(0, "escalations", "Escalated tickets", "12", "8"),
            **(kpi(1, "reopened", "Reopened tickets", "6", "4") if rows > 1 else {}), **more}


def drafted(web: Web, fields: dict[str, str]) -> UUID:
    answer = web.client.post("/workspace/goals/new", data=fields, follow_redirects=False)
    assert answer.status_code == 303, answer.text[:2000]
    return UUID(answer.headers["location"].rsplit("/", 1)[1])


def refused(web: Web, path: str, fields: dict[str, str], status: int) -> str:
    """Post a form that must be refused: its status, and nothing stored."""
    head = web.goals.head_position()
    answer = web.client.post(path, data=fields, follow_redirects=False)
    assert answer.status_code == status, answer.text[:2000]
    assert web.goals.head_position() == head
    return answer.text


def options(page: str, select_id: str) -> dict[str, str]:
    select = page.split(f'id="{select_id}"', 1)[1].split("</select>", 1)[0]
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select))


def test_a_manager_chooses_the_owner_by_name_from_her_reports_and_herself(web: Web) -> None:
    web.sign_in("mgr-ana", "manager")
    page = web.client.get("/workspace/goals/new").text
    owners = options(page, "f-owner_id")
    assert owners == {"": "Choose a person", "mgr-ana": "Ana Lima, Support team lead",
                      "emp-carla": "Carla Reyes, Support specialist", "emp-dev": "Devika Rao, Support engineer",
                      "emp-eve": "Eve Martin, Support specialist"}
    assert '<input id="f-owner_id"' not in page and 'name="manager_id"' not in page  # never free text
    assert "smart-summary\"></p>" in page.replace("\n", "")  # nothing to check on an empty form


def test_hr_may_draft_for_everyone_with_a_manager(web: Web) -> None:
    web.sign_in("hr-iris", "hr")
    owners = options(web.client.get("/workspace/goals/new").text, "f-owner_id")
    assert {"emp-finn", "emp-carla", "mgr-ben", "hr-jon"} <= owners.keys()
    assert "dir-oli" not in owners  # reports to nobody: a draft for her would name no manager


def test_a_kpi_row_is_added_and_removed_by_a_round_trip_that_stores_nothing(web: Web) -> None:
    csrf = web.sign_in("mgr-ana", "manager")
    added = refused(web, "/workspace/goals/new", draft(csrf, "add_kpi", rows=1), 200)
    assert 'id="f-kpis-1-id"' in added and 'name="kpi_rows" value="2"' in added
    assert re.search(r'id="f-kpis-0-id" name="kpis-0-id" type="text" value="escalations"', added)
    removed = refused(web, "/workspace/goals/new", draft(csrf, "remove_kpi:0"), 200)
    assert 'id="f-kpis-1-id"' not in removed and 'name="kpi_rows" value="1"' in removed
    assert re.search(r'name="kpis-0-id" type="text" value="reopened"', removed)  # the second row moved up


def test_a_manager_drafts_a_goal_with_two_kpis(web: Web) -> None:
    csrf = web.sign_in("mgr-ana", "manager")
    head = web.goals.head_position()
    goal = web.goals.get_goal(drafted(web, draft(csrf)))
    assert web.goals.head_position() == head + 1
    assert [k.id for k in goal.kpis] == ["escalations", "reopened"]
    assert (goal.owner_id, goal.manager_id, goal.status) == ("emp-eve", "mgr-ana", Status.DRAFT)


def test_the_manager_lands_on_the_draft_and_adds_a_milestone_there_before_signing(web: Web) -> None:
    csrf = web.sign_in("mgr-ana", "manager")
    answer = web.client.post("/workspace/goals/new", data=draft(csrf, title="Escalations, milestone first"),
                             follow_redirects=False)
    page = web.client.get(answer.headers["location"]).text
    hint = page.split('id="milestones-first"', 1)[1].split("</p>", 1)[0]
    assert "Milestones are part of the terms you sign" in hint and 'href="#milestone-form"' in hint
    form = page.split('id="milestone-form"', 1)[1].split("</form>", 1)[0]
    assert "Add a milestone" in form and re.findall(r'<option value="([^"]+)">', form) == ["escalations", "reopened"]
    due = (TODAY + timedelta(days=10)).isoformat()
    web.client.post(f"{answer.headers['location']}/milestones",
                    data={"csrf_token": csrf, "kpi": "reopened", "due": due, "target": "5"})
    goal_id = UUID(answer.headers["location"].rsplit("/", 1)[1])
    assert [m.id for m in web.goals.get_goal(goal_id).milestones] == [f"reopened@{due}"]
    page = web.client.get(answer.headers["location"]).text
    assert 'id="milestones-first"' not in page and "Sign the terms of version 2" in page


def test_a_draft_serves_the_objective_chosen_and_shows_under_it_on_the_alignment_page(web: Web) -> None:
    csrf = web.sign_in("mgr-ana", "manager")
    objectives = options(web.client.get("/workspace/goals/new").text, "f-aligned_to")
    support = next(o for o, title in objectives.items() if title == "The support objective of the year")
    goal_id = drafted(web, draft(csrf, title="Escalations, for the support objective", aligned_to=support))
    assert web.goals.get_goal(goal_id).terms.parent_goal_id == support
    page = web.client.get("/workspace/alignment").text
    under = page.split(f'data-objective="{support}"', 1)[1].split("</section>", 1)[0]
    assert f'<li data-goal="{goal_id}"><a href="/workspace/goals/{goal_id}">Escalations, for the support objective' \
        in under
    assert str(goal_id) not in page.split(f'data-objective="{support}"', 1)[0]  # under that objective, none before


def test_an_unused_added_row_is_ignored_and_a_row_s_error_is_shown_beside_it(web: Web) -> None:
    csrf = web.sign_in("mgr-ana", "manager")
    blank = {"kpi_rows": "3", "kpis-2-direction": "increase", "kpis-2-cadence": "monthly"}
    goal = web.goals.get_goal(drafted(web, draft(csrf, title="Escalations, ignoring a blank row", **blank)))
    assert len(goal.kpis) == 2
    page = refused(web, "/workspace/goals/new", draft(csrf, **{"kpis-1-baseline": "lots"}), 422)
    assert re.search(r'id="e-kpis-1-baseline">[^<]*a number', page) and 'id="e-kpis-0-baseline"' not in page


def test_each_kpi_s_smart_findings_are_shown_beside_its_row(web: Web) -> None:
    csrf = web.sign_in("mgr-ana", "manager")
    page = refused(web, "/workspace/goals/new", draft(csrf, "check", **{"kpis-1-target": "9"}), 200)
    row_1 = page.split('data-findings-for="kpis-1">', 1)[1].split("</div>", 1)[0]
    row_0 = page.split('data-findings-for="kpis-0">', 1)[1].split("</div>", 1)[0]
    assert 'data-criterion="achievable"' in row_1 and "reopened" in row_1 and row_0 == ""


@pytest.mark.parametrize("owner", ["emp-finn", "emp-nobody", "Eve Martin", ""])
def test_an_owner_not_offered_is_refused_beside_the_field(web: Web, owner: str) -> None:
    csrf = web.sign_in("mgr-ana", "manager")
    page = refused(web, "/workspace/goals/new", draft(csrf, owner=owner), 422)
    assert 'id="e-owner_id"' in page


@pytest.mark.parametrize(("field", "value", "shown_at"), [
    ("title", "x" * 201, "e-title"),
    ("statement", "Bring escalations down\x00 by the deadline, from 12% to 8%", "e-statement"),
    ("kpis-0-id", "escalations/../../etc", "e-kpis-0-id"),
    ("kpis-0-target", "1e999999", "e-kpis-0-target"),
    ("kpis-1-id", "escalations", "e-kpis-1-id"),  # the same KPI twice
    ("weight", "NaN", "e-weight"),
])
def test_hostile_draft_fields_are_refused_by_name_and_nothing_is_stored(web: Web, field: str, value: str,
                                                                        shown_at: str) -> None:
    csrf = web.sign_in("mgr-ana", "manager")
    page = refused(web, "/workspace/goals/new", draft(csrf, **{field: value}), 422)
    assert f'id="{shown_at}"' in page


def test_odd_row_counts_and_buttons_are_harmless(web: Web) -> None:
    csrf = web.sign_in("mgr-ana", "manager")
    many = refused(web, "/workspace/goals/new", draft(csrf, "add_kpi", kpi_rows="99999999999"), 200)
    assert 'name="kpi_rows" value="20"' in many and "Add another KPI" not in many
    refused(web, "/workspace/goals/new", draft(csrf, "remove_kpi:77"), 200)
    refused(web, "/workspace/goals/new", draft(csrf, "remove_kpi:-1;drop"), 200)


def test_a_form_body_that_is_not_utf8_is_refused_plainly(web: Web) -> None:
    csrf = web.sign_in("mgr-ana", "manager")
    head = web.goals.head_position()
    body = f"csrf_token={csrf}&action=draft&owner_id=emp-eve&title=%FF%FE%00".encode()
    answer = web.client.post("/workspace/goals/new", content=body,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert 400 <= answer.status_code < 500 and web.goals.head_position() == head


def test_a_vague_draft_is_edited_beside_its_findings_then_signed_by_both(web: Web) -> None:
    csrf = web.sign_in("mgr-ana", "manager")
    goal_id = drafted(web, draft(csrf, statement=VAGUE, title="Vague escalations"))
    assert f'href="/workspace/goals/{goal_id}/edit"' in web.client.get(f"/workspace/goals/{goal_id}").text
    form = web.client.get(f"/workspace/goals/{goal_id}/edit").text
    assert re.search(r'data-findings-for="statement">\s*<p class="finding blocking" data-criterion="specific"', form)
    assert 'value="Vague escalations"' in form and 'name="kpis-1-id" type="text" value="reopened"' in form
    version = re.search(r'name="version" value="(\d+)"', form).group(1)  # type: ignore[union-attr]
    fields = {**draft(csrf, "save", title="Vague escalations"), "version": version}
    checked = refused(web, f"/workspace/goals/{goal_id}/edit", {**fields, "action": "check", "statement": VAGUE}, 200)
    assert 'data-criterion="specific"' in checked  # still vague: nothing saved
    saved = web.client.post(f"/workspace/goals/{goal_id}/edit", data=fields, follow_redirects=False)
    assert saved.status_code == 303 and web.goals.get_goal(goal_id).statement == CLEAR
    for person, role in (("mgr-ana", "manager"), ("emp-eve", "employee")):
        csrf = web.sign_in(person, role)
        page = web.client.get(f"/workspace/goals/{goal_id}").text
        signed = re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
        answer = web.client.post(f"/workspace/goals/{goal_id}/signatures", data={"csrf_token": csrf,
                                                                                 "version": signed},
                                 follow_redirects=False)
        assert answer.status_code == 303
    assert web.goals.get_goal(goal_id).status == Status.AGREED
    assert web.client.get(f"/workspace/goals/{goal_id}/edit").status_code == 409  # agreed: no more editing


def test_editing_someone_else_s_draft_or_a_stale_one_is_refused(web: Web) -> None:
    csrf = web.sign_in("mgr-ana", "manager")
    goal_id = drafted(web, draft(csrf, statement=VAGUE, title="Contested escalations"))
    version = str(web.goals.get_goal(goal_id).version)
    stale = refused(web, f"/workspace/goals/{goal_id}/edit", {**draft(csrf, "save"), "version": str(int(version) + 1)},
                    412)
    assert 'data-code="version_mismatch"' in stale and str(goal_id) not in stale.split('class="problem"')[1][:300]
    nothing = refused(web, f"/workspace/goals/{goal_id}/edit",
                      {**draft(csrf, "save", statement=VAGUE, title="Contested escalations"), "version": version}, 422)
    assert "changes nothing" in nothing
    csrf = web.sign_in("mgr-ben", "manager")
    assert web.client.get(f"/workspace/goals/{goal_id}/edit").status_code == 404
    refused(web, f"/workspace/goals/{goal_id}/edit", {**draft(csrf, "save"), "version": version}, 404)
    assert web.client.get("/workspace/goals/not-a-goal/edit").status_code == 404


def test_a_manager_withdraws_a_draft_with_a_reason(web: Web) -> None:
    csrf = web.sign_in("mgr-ana", "manager")
    goal_id = drafted(web, draft(csrf, title="Escalations to withdraw"))
    page = web.client.get(f"/workspace/goals/{goal_id}").text
    assert 'id="withdraw-form"' in page and 'id="close-h"' not in page  # a draft is withdrawn, not closed
    empty = refused(web, f"/workspace/goals/{goal_id}/withdrawal", {"csrf_token": csrf, "reason": " "}, 422)
    assert 'id="e-withdraw-reason"' in empty
    csrf = web.sign_in("emp-eve", "employee")
    assert 'id="withdraw-form"' not in web.client.get(f"/workspace/goals/{goal_id}").text
    refused(web, f"/workspace/goals/{goal_id}/withdrawal", {"csrf_token": csrf, "reason": "I would rather not."}, 403)
    csrf = web.sign_in("mgr-ana", "manager")
    done = web.client.post(f"/workspace/goals/{goal_id}/withdrawal",
                           data={"csrf_token": csrf, "reason": "Merged into the escalations goal."},
                           follow_redirects=False)
    goal = web.goals.get_goal(goal_id)
    assert done.status_code == 303 and (goal.status, goal.outcome) == (Status.CLOSED, Outcome.CANCELLED)
    assert goal.summary == "Merged into the escalations goal."
