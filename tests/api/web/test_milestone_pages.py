"""Milestones through the goal page, over HTTP on both stores. On an agreed goal one party proposes, the other sets the
same one and it holds; on a draft whoever writes it adds one, which becomes part of the terms both sign (a signature
given before it lapses, and the page says so). Every refusal is a sentence beside its field, and nothing is stored."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from uuid import UUID

import pytest

from api.web.timeline import long_day
from domain.goal import Goal
from domain.values import Actor, Party, Role, Status
from tests.api.module_app import STORES
from tests.api.web import test_workspace_pages as demo
from tests.api.web.test_drafting_pages import refused
from tests.api.web.test_workspace_pages import TODAY, Web

GOAL = "First response time"  # Eve Martin's, managed by Ana Lima: Median first response, 8 hours down to 4


@pytest.fixture(scope="module", params=STORES)
def web(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    """A demo organisation of this module's own: milestones are added to its goals here."""
    yield from demo.web.__wrapped__(request, tmp_path_factory)


def milestone(csrf: str, days: int, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf, "kpi": "first_response", "due": (TODAY + timedelta(days=days)).isoformat(),
            "target": "6", **fields}


def path(goal_id: UUID) -> str:
    return f"/workspace/goals/{goal_id}/milestones"


def section(page: str) -> str:
    return page.split('id="milestones-h"', 1)[1].split("</section>", 1)[0]


def milestone_events(web: Web, goal_id: UUID) -> list[str]:
    return [type(e).__name__ for e in web.goals.goal_events(goal_id)
            if isinstance(e, Goal.MilestoneProposed | Goal.MilestoneSet)]


def confirm_form(page: str) -> dict[str, str]:
    """The hidden fields of the first "Set this milestone too" form."""
    form = re.search(r'<form method="post" action="[^"]+/milestones">(.*?)</form>', section(page), re.S)
    assert form and "Set this milestone too" in form.group(1), section(page)
    return dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(1)))


def test_the_manager_proposes_and_the_employee_sets_it_too(web: Web) -> None:
    csrf = web.sign_in("mgr-ana", "manager")
    goal_id = web.goal_titled(GOAL)
    page = web.client.get(f"/workspace/goals/{goal_id}").text
    form = page.split('id="milestone-form"', 1)[1].split("</form>", 1)[0]
    assert '<option value="first_response">Median first response</option>' in form
    assert 'for="f-milestone-due"' in form and 'for="f-milestone-target"' in form
    assert re.search(r'id="f-milestone-target"[^>]*inputmode="decimal"', form)
    answer = web.client.post(path(goal_id), data=milestone(csrf, 20), follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].endswith("#milestones")
    assert web.goals.get_goal(goal_id).milestones == []
    due = long_day(TODAY + timedelta(days=20), TODAY.year)
    shown = section(web.client.get(f"/workspace/goals/{goal_id}").text)
    assert f"Ana Lima proposed: Median first response at 6 hours by {due}. It holds once Eve Martin sets it too." \
        in shown
    assert "Set this milestone too" not in shown  # the proposer cannot make it hold alone

    csrf = web.sign_in("emp-eve", "employee")
    page = web.client.get(f"/workspace/goals/{goal_id}").text
    assert "It holds once you set it too." in section(page)
    answer = web.client.post(path(goal_id), data={**confirm_form(page), "csrf_token": csrf}, follow_redirects=False)
    assert answer.status_code == 303
    [held] = web.goals.get_goal(goal_id).milestones
    assert (held.kpi, held.due, str(held.target)) == ("first_response", TODAY + timedelta(days=20), "6")
    shown = section(web.client.get(f"/workspace/goals/{goal_id}").text)
    assert re.search(rf'<tr data-milestone-status="upcoming"><td>Median first response</td><td>{due}</td>'
                     r"<td>6 hours</td><td>upcoming</td></tr>", shown)
    assert "proposed:" not in shown and milestone_events(web, goal_id)[-2:] == ["MilestoneProposed", "MilestoneSet"]


def test_an_employee_cannot_make_her_own_proposal_hold(web: Web) -> None:
    csrf = web.sign_in("emp-eve", "employee")
    goal_id = web.goal_titled(GOAL)
    fields = milestone(csrf, 25, target="5.5")
    assert web.client.post(path(goal_id), data=fields, follow_redirects=False).status_code == 303
    page = web.client.get(f"/workspace/goals/{goal_id}").text
    assert "Eve Martin proposed: Median first response at 5.5 hours" in section(page)
    assert "It holds once Ana Lima sets it too." in section(page) and "Set this milestone too" not in section(page)
    again = refused(web, path(goal_id), fields, 409)
    assert "You proposed this milestone already; it holds once Ana Lima sets it too." in again
    assert all(m.due != TODAY + timedelta(days=25) for m in web.goals.get_goal(goal_id).milestones)
    web.sign_in("mgr-ana", "manager")
    assert confirm_form(web.client.get(f"/workspace/goals/{goal_id}").text)["target"] == "5.5"


@pytest.mark.parametrize(("fields", "status", "field", "sentence"), [
    ({"due": (TODAY - timedelta(days=1)).isoformat()}, 409, "due", "The due date has passed"),
    ({"due": (TODAY + timedelta(days=400)).isoformat()}, 409, "due", "must fall within the goal&#39;s period"),
    ({"kpi": "tickets"}, 409, "kpi", "Choose one of the goal&#39;s KPIs."),
    ({"target": "9"}, 409, "target", "The target must lie below the baseline 8 and at least the target 4."),
    ({"target": "1e400"}, 422, "target", "Give the target as a number"),
    ({"target": "9" * 40}, 422, "target", "Give the target as a number"),
    ({"target": "NaN"}, 422, "target", "Give the target as a number"),
    ({"target": "٣"}, 422, "target", "Give the target as a number"),
    ({"target": ""}, 422, "target", "Give the target as a number"),
    ({"due": "x" * 5000}, 422, "due", "Give the due date as a day"),
    ({"due": "2027-02-30"}, 422, "due", "Give the due date as a day"),
    ({"kpi": "x" * 5000}, 422, "kpi", "Choose one of the goal&#39;s KPIs."),
    ({"kpi": "first_response\x00"}, 422, "kpi", "Choose one of the goal&#39;s KPIs."),
    ({"kpi": "<script>alert(1)</script>"}, 409, "kpi", "Choose one of the goal&#39;s KPIs."),
])
def test_a_refused_milestone_is_a_sentence_beside_its_field(
    web: Web, fields: dict[str, str], status: int, field: str, sentence: str,
) -> None:
    csrf = web.sign_in("mgr-ana", "manager")
    goal_id = web.goal_titled(GOAL)
    page = refused(web, path(goal_id), milestone(csrf, 30, **fields), status)
    beside = re.search(rf'<p class="field-error" id="e-milestone-{field}">([^<]*)</p>', page)
    assert beside and sentence in beside.group(1), section(page)
    assert "<script>alert" not in page and "_" not in beside.group(1)
    assert 'id="milestone-form"' in page  # the form is shown again, with what was typed


def test_another_team_s_manager_hr_and_a_forged_form_store_nothing(web: Web) -> None:
    goal_id = web.goal_titled(GOAL)
    csrf = web.sign_in("mgr-ben", "manager")
    assert "Nothing here" in refused(web, path(goal_id), milestone(csrf, 31), 404)
    csrf = web.sign_in("hr-iris", "hr")
    assert 'id="milestone-form"' not in web.client.get(f"/workspace/goals/{goal_id}").text
    assert 'data-code="not_a_party"' in refused(web, path(goal_id), milestone(csrf, 31), 409)
    csrf = web.sign_in("mgr-ana", "manager")
    refused(web, path(goal_id), {k: v for k, v in milestone("", 31).items() if k != "csrf_token"}, 403)
    refused(web, path(goal_id), milestone("forged", 31), 403)
    assert "Nothing here" in refused(web, "/workspace/goals/not-a-goal/milestones", milestone(csrf, 31), 404)


def test_a_past_milestone_says_met_or_missed(web: Web) -> None:
    web.sign_in("emp-dev", "employee")  # the demo's milestone on Devika's tickets fell due 60 days ago
    shown = section(web.client.get(f"/workspace/goals/{web.goal_titled('Support ticket throughput')}").text)
    assert re.search(r'data-milestone-status="(met|missed)"><td>Tickets resolved per day</td>.*?'
                     r"<td>17 tickets/day</td><td>(met|missed) \(reading [\d.]+ tickets/day\)</td>", shown)


# --- on a draft: "Add a milestone", part of the terms both sign (ADR 0052) ---------------------------------------

DRAFT = "Knowledge-base articles"  # Carla Reyes's draft, which Ana Lima has signed: Articles published, 0 up to 12
ANA, CARLA = Actor("mgr-ana", Role.MANAGER), Actor("emp-carla", Role.EMPLOYEE)


def signed_draft(web: Web, title: str, deadline: date | None = None) -> UUID:
    """A copy of the demo's draft under another title, signed by Ana Lima as the demo's is: a test's own."""
    terms = web.goals.get_goal(web.goal_titled(DRAFT)).terms
    terms = replace(terms, title=title, deadline=deadline or terms.deadline)
    cycle = web.goals.get_goal(web.goal_titled(DRAFT)).cycle
    goal_id = UUID(web.goals.draft_goal(ANA, cycle=cycle, owner_id=CARLA.id, manager_id=ANA.id, terms=terms).goal_id)
    web.goals.sign_goal(goal_id, ANA)
    return goal_id


def article_milestone(csrf: str, days: int, target: str = "6") -> dict[str, str]:
    return {"csrf_token": csrf, "kpi": "articles", "due": (TODAY + timedelta(days=days)).isoformat(),
            "target": target}


def form_of(page: str) -> str:
    return page.split('id="milestone-form"', 1)[1].split("</form>", 1)[0]


@pytest.mark.parametrize(("person", "role"), [("emp-carla", "employee"), ("mgr-ana", "manager"), ("hr-iris", "hr")])
def test_a_draft_offers_whoever_writes_it_the_form_to_add_a_milestone(web: Web, person: str, role: str) -> None:
    web.sign_in(person, role)
    form = form_of(web.client.get(f"/workspace/goals/{web.goal_titled(DRAFT)}").text)
    assert 'data-stage="draft"' in form and "<h3>Add a milestone</h3>" in form
    assert "It becomes part of the terms the owner and the manager both sign: Ana Lima signed already, and adding " \
           "a milestone asks the signer to sign again." in " ".join(form.split())
    assert '<option value="articles">Articles published</option>' in form and "Add the milestone</button>" in form
    assert "Propose" not in form


def test_nobody_who_only_reads_a_draft_is_offered_the_form(web: Web) -> None:
    goal_id = web.goal_titled(DRAFT)
    web.sign_in("aud-kim", "auditor")
    page = web.client.get(f"/workspace/goals/{goal_id}")
    assert page.status_code == 200 and 'id="milestone-form"' not in page.text
    csrf = web.sign_in("mgr-ben", "manager")
    assert "Nothing here" in refused(web, path(goal_id), article_milestone(csrf, 20), 404)
    csrf = web.sign_in("emp-eve", "employee")
    assert "Nothing here" in refused(web, path(goal_id), article_milestone(csrf, 20), 404)


def test_a_milestone_added_after_a_signature_voids_it_and_the_page_says_so(web: Web) -> None:
    goal_id = signed_draft(web, "Articles, with a milestone")
    csrf = web.sign_in("emp-carla", "employee")
    answer = web.client.post(path(goal_id), data=article_milestone(csrf, 20), follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].endswith("#milestones")
    goal = web.goals.get_goal(goal_id)
    assert goal.status == Status.DRAFT and goal.signatures == {} and [m.target for m in goal.milestones] == [6]
    due = long_day(TODAY + timedelta(days=20), TODAY.year)
    why = f"Carla Reyes set a milestone after it (Articles published at 6 by {due}), so the manager signs again."
    page = web.client.get(f"/workspace/goals/{goal_id}").text
    signatures = page.split('id="signatures-h"', 1)[1].split("</section>", 1)[0]
    assert f"<p class=\"lapsed\" data-lapsed>Ana Lima&#39;s signature as the manager lapsed: {why}</p>" in signatures
    assert "No signature yet." in signatures
    assert f"The manager&#39;s signature lapsed: {why}" in page.split('id="timeline-h"', 1)[1]
    assert re.search(r'<tr data-milestone-status="upcoming"><td>Articles published</td>', section(page))
    assert "milestone articles@" not in page, "the page says the milestone in words, never by its id"

    web.client.post(f"/workspace/goals/{goal_id}/signatures", data={"csrf_token": csrf, "version": "2"})
    assert web.goals.get_goal(goal_id).signatures == {}, "Carla read version 2, before her own milestone: stale"
    web.client.post(f"/workspace/goals/{goal_id}/signatures",
                    data={"csrf_token": csrf, "version": str(web.goals.get_goal(goal_id).version)})
    csrf = web.sign_in("mgr-ana", "manager")
    page = web.client.get(f"/workspace/goals/{goal_id}").text
    assert "Sign the terms of version" in page and 'data-lapsed' in page
    web.client.post(f"/workspace/goals/{goal_id}/signatures",
                    data={"csrf_token": csrf, "version": str(web.goals.get_goal(goal_id).version)})
    goal = web.goals.get_goal(goal_id)
    assert goal.status == Status.AGREED and {s.content_version for s in goal.signatures.values()} == {3}
    page = web.client.get(f"/workspace/goals/{goal_id}").text
    assert "data-lapsed" not in page and 'data-stage="agreed"' in form_of(page)


@pytest.mark.parametrize(("fields", "field", "sentence"), [
    ({"due": (TODAY + timedelta(days=400)).isoformat()}, "due", "must fall within the goal&#39;s period"),
    ({"target": "13"}, "target", "The target must lie above the baseline 0 and at most the target 12."),
    ({"kpi": "first_response"}, "kpi", "Choose one of the goal&#39;s KPIs."),
    ({"target": "six"}, "target", "Give the target as a number"),
])
def test_a_refused_milestone_on_a_draft_is_a_sentence_beside_its_field_and_voids_nothing(
    web: Web, fields: dict[str, str], field: str, sentence: str,
) -> None:
    goal_id = web.goal_titled(DRAFT)
    csrf = web.sign_in("emp-carla", "employee")
    status = 422 if fields.get("target") == "six" else 409
    page = refused(web, path(goal_id), {**article_milestone(csrf, 30), **fields}, status)
    beside = re.search(rf'<p class="field-error" id="e-milestone-{field}">([^<]*)</p>', page)
    assert beside and sentence in beside.group(1), section(page)
    assert 'data-stage="draft"' in page and set(web.goals.get_goal(goal_id).signatures) == {Party.MANAGER}


def test_the_same_milestone_added_to_a_draft_again_is_refused_beside_its_target(web: Web) -> None:
    goal_id = signed_draft(web, "Articles, one milestone twice")
    csrf = web.sign_in("mgr-ana", "manager")
    assert web.client.post(path(goal_id), data=article_milestone(csrf, 40), follow_redirects=False).status_code == 303
    page = refused(web, path(goal_id), article_milestone(csrf, 40, target="6.0"), 409)
    beside = re.search(r'<p class="field-error" id="e-milestone-target">([^<]*)</p>', page)
    assert beside and beside.group(1) == "The draft has this milestone already, with this very target."


def test_a_draft_without_a_deadline_says_to_give_it_one_first(web: Web) -> None:
    goal_id = signed_draft(web, "Articles, no deadline yet")
    web.goals.revise_goal(goal_id, ANA, {"deadline": None})
    web.sign_in("emp-carla", "employee")
    page = web.client.get(f"/workspace/goals/{goal_id}").text
    assert 'id="milestone-form"' not in page
    assert "give the draft a deadline first" in section(page) and f"/workspace/goals/{goal_id}/edit" in section(page)


def test_the_pages_role_checks_refuse_by_role_before_anything_else(web: Web) -> None:
    """The pages call the role check themselves; as a coroutine (the API's dependency) it refused nobody."""
    csrf = web.sign_in("aud-kim", "auditor")
    page = refused(web, path(web.goal_titled(GOAL)), milestone(csrf, 32), 403)
    assert 'data-code="role_not_allowed"' in page
    web.sign_in("emp-eve", "employee")
    queue = web.client.get("/workspace/hr/recalibrations")
    assert queue.status_code == 403 and 'data-code="role_not_allowed"' in queue.text
