"""People by name in every goal and review answer, the workspace and the packet; their ids kept beside the names
(issue 22, item 7). In directory mode the names are the directory's; in open mode the name is the id itself."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import UUID

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader

from api.web.session import sign_in_link
from application.goals.service import Goals
from domain.check_ins import CheckIn
from domain.values import Actor, Role
from tests.api.conftest import API_SECRET
from tests.api.web.test_workspace_pages import follow_link
from tests.application.directory.support import small_organisation
from tests.conftest import Clock
from tests.scenarios import customer_service_terms, draft, start_cycles

Auth = Callable[[Actor], dict[str, str]]
HAL = Actor("hr-hal", Role.HR)
CYCLE = "?cycle=2026-H1"


def reviewed(goals: Goals, clock: Clock, employee: Actor, manager: Actor) -> UUID:
    """An agreed goal with a reading, a check-in and an approved recalibration; the review started."""
    goal_id = draft(goals, customer_service_terms(owner_id=employee.id, manager_id=manager.id), employee)
    goals.sign_goal(goal_id, employee)
    goals.sign_goal(goal_id, manager)
    clock.current = date(2026, 3, 1)
    goals.record_kpi(goal_id, employee, kpi="tickets", value=Decimal(18), observed_at=date(2026, 2, 27), note="ok")
    proposal = goals.propose_recalibration(goal_id, manager, reason="external_factor", justification="An outage.",
                                           targets={"tickets": {"target": Decimal(18)}})
    goals.approve_recalibration(goal_id, HAL, proposal.reference or "", note="Agreed on the evidence given.")
    goals.check_in(goal_id, employee, CheckIn.of("on_track", 4, "Queue is down"))
    start_cycles(goals)
    return goal_id


def names_in_answers(client: TestClient, auth: Auth, goal_id: UUID, employee: Actor, manager: Actor,
                     name: Callable[[str], str]) -> None:
    """Every answer naming a person carries their name beside the id."""
    decided = client.post(f"/reviews/{employee.id}/decision{CYCLE}", json={"band": "meets_expectations",
                          "summary": "A steady half.", "override_reason": "Steady."}, headers=auth(manager))
    assert decided.status_code == 201, decided.text
    step = decided.json()
    assert step["employee_display_name"] == name(employee.id)
    assert (step["decision"]["decided_by"], step["decision"]["decided_by_display_name"]) == (
        manager.id, name(manager.id))
    review = client.get(f"/reviews/{employee.id}{CYCLE}", headers=auth(HAL)).json()
    assert review["employee_display_name"] == name(employee.id)
    assert review["decision"]["decided_by_display_name"] == name(manager.id)
    (goal,) = review["goals"]
    assert goal["recalibrations"][0]["proposed_by_display_name"] == name(manager.id)
    assert goal["recalibrations"][0]["approved_by_display_name"] == name(HAL.id)
    history = client.get(f"/reviews/{employee.id}/history{CYCLE}", headers=auth(HAL)).json()
    assert {(e["actor_id"], e["actor_display_name"]) for e in history["events"]} == {(manager.id, name(manager.id))}
    listed = client.get("/goals", headers=auth(HAL)).json()["items"]
    assert [(g["owner_display_name"], g["manager_display_name"]) for g in listed] == [
        (name(employee.id), name(manager.id))]
    read = client.get(f"/goals/{goal_id}", headers=auth(HAL)).json()
    assert {s["actor_display_name"] for s in read["signatures"]} == {name(employee.id), name(manager.id)}
    assert [m["recorded_by_display_name"] for m in read["measurements"]] == [name(employee.id)]
    page = client.get(f"/goals/{goal_id}/measurements", headers=auth(HAL)).json()["items"]
    assert [m["recorded_by_display_name"] for m in page] == [name(employee.id)]


def test_in_directory_mode_every_answer_names_people_by_their_directory_names(
        app: FastAPI, client: TestClient, auth: Auth, clock: Clock) -> None:
    small_organisation(app.state.directory)
    dev, ana = Actor("emp-dev", Role.EMPLOYEE), Actor("mgr-ana", Role.MANAGER)
    goal_id = reviewed(app.state.goals, clock, dev, ana)
    names_in_answers(client, auth, goal_id, dev, ana, lambda person: f"Name of {person}")
    pdf = client.get(f"/reviews/emp-dev/packet{CYCLE}&format=pdf", headers=auth(HAL))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Review packet: Name of emp-dev" in text and "decided by Name of mgr-ana (mgr-ana)" in text


def test_in_open_mode_the_name_beside_each_id_is_the_id(
        app: FastAPI, client: TestClient, auth: Auth, clock: Clock) -> None:
    employee, manager = Actor("emp-1", Role.EMPLOYEE), Actor("mgr-1", Role.MANAGER)
    goal_id = reviewed(app.state.goals, clock, employee, manager)
    names_in_answers(client, auth, goal_id, employee, manager, lambda person: person)


def test_the_workspace_home_and_review_pages_show_names_not_ids(
        app: FastAPI, client: TestClient, auth: Auth, clock: Clock) -> None:
    small_organisation(app.state.directory)
    dev, ana = Actor("emp-dev", Role.EMPLOYEE), Actor("mgr-ana", Role.MANAGER)
    reviewed(app.state.goals, clock, dev, ana)
    decided = client.post(f"/reviews/emp-dev/decision{CYCLE}", json={"band": "meets_expectations",
                          "summary": "A steady half.", "override_reason": "Steady."}, headers=auth(ana))
    assert decided.status_code == 201, decided.text
    for person, role in (("mgr-ana", "manager"), ("hr-hal", "hr")):
        client.cookies.clear()
        assert follow_link(client, sign_in_link(API_SECRET, person, role, "http://testserver")).status_code == 303
        home = client.get(f"/{CYCLE}").text
        cells = re.findall(r"<td>(.*?)</td>", home) + re.findall(r'<a href="/workspace/reviews/[^"]*">(.*?)</a>', home)
        assert "Name of emp-dev" in home and not [cell for cell in cells if cell.strip() in ("emp-dev", "mgr-ana")]
        review = client.get(f"/workspace/reviews/emp-dev{CYCLE}").text
        assert "<h1>Review of Name of emp-dev, cycle" in review
        assert re.search(r'id="decided-by">Name of mgr-ana on', review), review
