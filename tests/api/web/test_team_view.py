"""The manager's team on her home page, grouped by person: the order of people and goals, names and titles from the
directory, the id in open mode (the demo organisation's page is tested in test_workspace_pages)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.web.session import sign_in_link
from api.web.team_view import by_person
from application.directory.index import Person
from domain.directory import PersonDetails
from tests.api.conftest import API_SECRET
from tests.api.web.test_workspace_pages import BASE, follow_link
from tests.scenarios import MANAGER, customer_service_terms, draft, survey_terms

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def goal(owner: str, title: str, pace: str | None, name: str | None = None) -> dict[str, Any]:
    """A goal as the review lists it: agreed with a reading, so that the page shows its pace as it is."""
    return {"owner_id": owner, "owner_display_name": name or owner, "title": title, "status": "agreed",
            "pace": pace, "attainment": 0.5, "kpis": [{"latest": 1}]}


def titled(person_id: str, title: str) -> Person:
    return Person(person_id, PersonDetails(user_name=person_id, display_name=f"Name of {person_id}", title=title),
                  manager_id="mgr-1", active=True, version=1, created=NOW, last_modified=NOW)


def test_people_come_in_the_order_of_their_most_urgent_goal_and_their_goals_too() -> None:
    team = [goal("emp-a", "A steady", "on_track"), goal("emp-b", "B at risk", "at_risk"),
            goal("emp-c", "C steady", "on_track"), goal("emp-c", "C behind", "behind"),
            goal("emp-a", "A overdue", "overdue"), goal("emp-b", "B steady", "on_track")]
    grouped = by_person(team, lambda person_id: None)
    assert [(m.id, [g["title"] for g in m.goals]) for m in grouped] == [
        ("emp-a", ["A overdue", "A steady"]), ("emp-c", ["C behind", "C steady"]),
        ("emp-b", ["B at risk", "B steady"])]


def test_people_whose_goals_are_equally_urgent_come_by_name_with_the_directory_s_title() -> None:
    team = [goal("emp-z", "Z", "on_track", name="Ann Zed"), goal("emp-y", "Y", "on_track", name="Bea Young")]
    directory = {"emp-z": titled("emp-z", "Support engineer")}
    grouped = by_person(team, directory.get)
    assert [(m.id, m.name, m.title) for m in grouped] == [("emp-z", "Ann Zed", "Support engineer"),
                                                          ("emp-y", "Bea Young", "")]


def test_in_open_mode_the_team_is_grouped_under_each_person_s_id(app: FastAPI, client: TestClient) -> None:
    goals = app.state.goals
    draft(goals, customer_service_terms())
    draft(goals, survey_terms(owner_id="emp-2"), MANAGER)
    assert follow_link(client, sign_in_link(API_SECRET, MANAGER.id, "manager", BASE)).status_code == 303
    team = client.get("/").text.split('id="team-goals"')[1]
    assert re.findall(r'data-person="([^"]+)">\s*<h3>([^<]*)</h3>', team) == [("emp-1", "emp-1"), ("emp-2", "emp-2")]
    assert re.findall(r"<caption>([^<]*)</caption>", team) == ["Goals of emp-1", "Goals of emp-2"]
