"""The workspace's wrong addresses and small promises, over HTTP on both stores with the demo organisation: pages
(not problem JSON) for 404, 405 and malformed ids, no codes on screen, the close form's outcomes, a reading's note,
the Fairness link's cycle, and no "On track" for a goal without readings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from uuid import UUID

import pytest

from api.web.views import plain
from domain.values import Actor, Role
from tests.api.module_app import STORES
from tests.api.web import test_workspace_pages as demo
from tests.api.web.test_workspace_pages import TODAY, Web
from tests.scenarios import customer_service_terms, drafting


@pytest.fixture(scope="module", params=STORES)
def web(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    yield from demo.web.__wrapped__(request, tmp_path_factory)


def on_screen(html: str) -> str:
    """The words a reader sees: the main part without tags and attributes."""
    return re.sub(r"<[^>]+>", " ", html.split("<main", 1)[-1])


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/workspace/foo", 404), ("GET", "/workspace/goals", 404), ("GET", "/logout", 405),
    ("GET", "/workspace/goals/not-a-goal-id", 404), ("GET", "/workspace/goals/1234", 404),
    ("PUT", "/workspace/inbox", 405),
])
def test_a_wrong_workspace_address_answers_with_a_page_in_words(web: Web, method: str, path: str,
                                                                 status: int) -> None:
    web.sign_in("emp-dev", "employee")
    answer = web.client.request(method, path)
    assert answer.status_code == status and answer.headers["content-type"].startswith("text/html"), answer.text
    words = on_screen(answer.text)
    assert "Nothing here" in words
    assert not re.search(r"\b[a-z]+_[a-z_]+\b|\b(404|405|422)\b|UUID|uuid", words), words


def test_the_api_keeps_its_problem_json(web: Web) -> None:
    answer = web.client.get("/goals/not-a-goal-id")
    assert answer.headers["content-type"] == "application/problem+json"


def test_a_refusal_shows_its_sentence_without_status_or_code(web: Web) -> None:
    csrf = web.sign_in("emp-dev", "employee")
    goal_id = web.goal_titled("Support ticket throughput")
    answer = web.client.post(f"/workspace/goals/{goal_id}/readings", data={
        "csrf_token": csrf, "kpi": web.goals.get_goal(goal_id).kpis[0].id, "value": "3",
        "observed_at": (TODAY + timedelta(days=5)).isoformat()})
    assert answer.status_code == 409 and 'data-code="measurement_in_future"' in answer.text
    assert not re.search(r"\b409\b|measurement_in_future", on_screen(answer.text))


def test_a_draft_offers_withdrawing_not_closing_with_an_outcome(web: Web) -> None:
    web.sign_in("hr-iris", "hr")
    draft = web.client.get(f"/workspace/goals/{web.goal_titled('Knowledge-base articles')}").text
    assert 'id="f-close-outcome"' not in draft and 'id="withdraw-form"' in draft  # closed as cancelled, no choice
    assert "after version 2 (agreement signed)" in draft and "AgreementSigned" not in on_screen(draft)
    agreed = [page for title in ("Defect rate", "Stock accuracy", "On-time delivery", "First response time")
              if 'id="f-close-outcome"' in (page := web.client.get(f"/workspace/goals/{web.goal_titled(title)}").text)]
    assert close_options(agreed[0]) == ["achieved", "partially_achieved", "missed"]  # an agreed goal is not cancelled


def close_options(page: str) -> list[str] | None:
    """The outcomes the goal page's close form offers; None without a close form."""
    if 'id="f-close-outcome"' not in page:
        return None
    return re.findall(r'<option value="([a-z_]+)"', page.split('id="f-close-outcome"', 1)[1].split("</select>", 1)[0])


def test_nobody_is_offered_a_favourable_outcome_for_their_own_goal(web: Web) -> None:
    cycle = web.goals.get_goal(web.goal_titled("Defect rate")).cycle
    director = Actor("dir-oli", Role.MANAGER)
    owned = {}
    for owner in (Actor("mgr-ana", Role.MANAGER), Actor("hr-iris", Role.HR)):  # both report to the director
        terms = customer_service_terms(cycle=cycle, owner_id=owner.id, manager_id=director.id, deadline=cycle.end,
                                       title=f"Own goal of {owner.id}")
        goal_id = UUID(web.goals.draft_goal(director, **drafting(terms)).goal_id)
        web.goals.sign_goal(goal_id, owner)
        web.goals.sign_goal(goal_id, director)
        owned[owner.id] = f"/workspace/goals/{goal_id}"
    web.sign_in("mgr-ana", "manager")
    assert close_options(web.client.get(owned["mgr-ana"]).text) is None  # a manager does not close her own goal
    web.sign_in("hr-iris", "hr")  # HR closes any goal, her own too, but never as (partly) achieved: four eyes
    assert close_options(web.client.get(owned["hr-iris"]).text) == ["missed"]
    assert close_options(web.client.get(owned["mgr-ana"]).text) == ["achieved", "partially_achieved", "missed"]
    web.sign_in("dir-oli", "manager")
    assert close_options(web.client.get(owned["hr-iris"]).text) == ["achieved", "partially_achieved", "missed"]


def test_a_readings_note_is_shown_on_the_goal_page(web: Web) -> None:
    csrf = web.sign_in("emp-dev", "employee")
    goal_id = web.goal_titled("Support ticket throughput")
    recorded = web.client.post(f"/workspace/goals/{goal_id}/readings", data={
        "csrf_token": csrf, "kpi": web.goals.get_goal(goal_id).kpis[0].id, "value": "2.5",
        "observed_at": TODAY.isoformat(), "note": "Good week after the new test suite"}, follow_redirects=False)
    assert recorded.status_code == 303, recorded.text
    page = web.client.get(f"/workspace/goals/{goal_id}").text
    assert "Good week after the new test suite" in page.split('class="figures"', 1)[1]


def test_the_fairness_link_opens_the_report_of_a_cycle(web: Web) -> None:
    web.sign_in("hr-iris", "hr")
    cycle = web.goals.get_goal(web.goal_titled("Defect rate")).cycle.id
    page = web.client.get("/workspace/hr/fairness").text
    # the report's heading names the cycle (issue 27's packet: "Cycle <id> by <grouping>", manager unless asked)
    assert f'name="cycle" value="{cycle}"' in page and f"Cycle {cycle} by manager" in page


def test_a_goal_without_readings_is_never_on_track_beside_nothing(web: Web) -> None:
    goal = web.goals.get_goal(web.goal_titled("Defect rate"))
    assert goal.agreed_at is not None
    web.sign_in("hr-iris", "hr")
    moment = (goal.agreed_at + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
    page = web.client.get(f"/workspace/reviews/{goal.owner_id}?cycle={goal.cycle.id}&as_of={moment}").text
    row = page.split(f">{goal.title}</a></td>", 1)[1].split("</tr>", 1)[0]
    assert 'data-pace="no_readings"' in row and "No readings yet" in row and "On track" not in row


def test_codes_in_messages_read_as_words() -> None:
    assert plain("override_reason: is required: 'outstanding' overrides the computed needs_improvement") == (
        "override reason: is required: 'outstanding' overrides the computed needs improvement")
    assert plain("emp-1 read 17.4 on 2026-03-01") == "emp-1 read 17.4 on 2026-03-01"
