"""Who held the goal when: milestones and the review's decider read the goal's holders now (ADR 0035, 0036)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import UUID

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.web.session import sign_in_link
from application.directory.service import Directory
from application.goals.service import Goals
from domain.values import Actor, Outcome, Role
from tests.api.conftest import API_SECRET
from tests.api.web.test_workspace_pages import follow_link
from tests.application.directory.support import PROVISIONER, details, small_organisation
from tests.conftest import Clock
from tests.scenarios import EMPLOYEE, MANAGER, customer_service_terms, draft, start_cycles, survey_terms

Auth = Callable[[Actor], dict[str, str]]
DEV, ANA, ZED = Actor("emp-dev", Role.EMPLOYEE), Actor("mgr-ana", Role.MANAGER), Actor("mgr-zed", Role.MANAGER)
DECISION = {"band": "unsatisfactory", "summary": "As computed."}


def dev_agreed(goals: Goals, **terms: object) -> UUID:
    goal_id = draft(goals, customer_service_terms(owner_id="emp-dev", manager_id="mgr-ana", **terms), DEV)
    goals.sign_goal(goal_id, DEV)
    goals.sign_goal(goal_id, ANA)
    return goal_id


def organisation(app: FastAPI) -> Directory:
    directory: Directory = app.state.directory
    small_organisation(directory)
    directory.provision(PROVISIONER, details("emp-zoe"), person_id="emp-zoe", manager_id="mgr-zed")
    return directory


def reorganise(directory: Directory) -> None:
    directory.replace_person(PROVISIONER, "emp-dev", details("emp-dev"), manager_id="mgr-zed", active=True)


def test_a_milestone_proposed_by_the_previous_manager_lapses_and_the_owner_must_agree_afresh(
        app: FastAPI, client: TestClient, clock: Clock) -> None:
    goals: Goals = app.state.goals
    directory = organisation(app)
    goal_id = dev_agreed(goals)
    milestone = {"kpi": "tickets", "due": date(2026, 3, 31), "target": Decimal(17)}
    goals.set_milestone(goal_id, ANA, **milestone)  # proposed by mgr-ana
    reorganise(directory)
    goals.set_milestone(goal_id, ZED, **milestone)  # the new manager: a proposal of their own, not a confirmation
    goal = goals.get_goal(goal_id)
    assert goal.milestones == [] and [p.proposed_by for p in goal.proposed_milestones.values()] == ["mgr-zed"]
    goals.set_milestone(goal_id, DEV, **milestone)  # the owner agrees
    assert [m.id for m in goals.get_goal(goal_id).milestones] == ["tickets@2026-03-31"]


def test_after_a_reorganisation_the_manager_in_the_directory_decides_the_review(
        app: FastAPI, client: TestClient, auth: Auth, clock: Clock) -> None:
    goals: Goals = app.state.goals
    directory = organisation(app)
    dev_agreed(goals)
    closed = dev_agreed(goals, title="Closed before the move")
    goals.close_goal(closed, Actor("hr-hal", Role.HR), outcome=Outcome.MISSED, summary="Missed: team dissolved.")
    reorganise(directory)
    clock.current = date(2026, 3, 1)
    start_cycles(goals)  # bands are decided once HR has started the cycle (ADR 0029)
    review = "/reviews/emp-dev/decision?cycle=2026-H1"
    refused = client.post(review, json=DECISION, headers=auth(ANA))
    assert refused.status_code in (403, 404), refused.text  # the previous manager decides nothing any more
    decided = client.post(review, json=DECISION, headers=auth(ZED))
    assert decided.status_code == 201, decided.text  # the closed goal, still with mgr-ana, does not block it


def test_in_open_mode_an_employee_s_own_draft_never_blocks_their_review(
        app: FastAPI, client: TestClient, auth: Auth, clock: Clock) -> None:
    goals: Goals = app.state.goals
    goal_id = draft(goals, customer_service_terms())
    goals.sign_goal(goal_id, EMPLOYEE)
    goals.sign_goal(goal_id, MANAGER)
    draft(goals, survey_terms(manager_id="mgr-2"))  # never signed, naming another manager
    clock.current = date(2026, 3, 1)
    start_cycles(goals)  # bands are decided once HR has started the cycle (ADR 0029)
    decided = client.post("/reviews/emp-1/decision?cycle=2026-H1", json=DECISION, headers=auth(MANAGER))
    assert decided.status_code == 201, decided.text


def test_the_directory_manager_who_holds_none_of_the_goals_reads_the_review_they_decide(
        app: FastAPI, client: TestClient, auth: Auth, clock: Clock) -> None:
    goals: Goals = app.state.goals
    directory = organisation(app)
    closed = dev_agreed(goals, title="Closed before the move")
    goals.close_goal(closed, Actor("hr-hal", Role.HR), outcome=Outcome.MISSED, summary="Missed: team dissolved.")
    reorganise(directory)  # every goal of emp-dev stays with mgr-ana; mgr-zed manages emp-dev now
    review = "/reviews/emp-dev?cycle=2026-H1"
    for reader in (ZED, ANA):  # the decider reads what the decision rests on; the goal's manager their goal
        answer = client.get(review, headers=auth(reader))
        assert answer.status_code == 200, answer.text
        assert [goal["goal_id"] for goal in answer.json()["goals"]] == [str(closed)]
    assert client.get("/reviews/emp-dev/justification?cycle=2026-H1", headers=auth(ZED)).status_code == 200
    assert client.get(review, headers=auth(Actor("head", Role.MANAGER))).status_code == 404  # neither
    client.cookies.clear()
    signed_in = follow_link(client, sign_in_link(API_SECRET, ZED.id, "manager", "http://testserver"))
    assert signed_in.status_code == 303, signed_in.text
    page = client.get("/workspace/reviews/emp-dev?cycle=2026-H1")
    assert page.status_code == 200 and "Closed before the move" in page.text, page.text[:300]
