"""GET /inbox on both stores: each kind of item reaches the person it waits for, with a link to where it is done,
and the e-mail opt-outs by kind (PUT /inbox/mail)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi import FastAPI
from fastapi.testclient import TestClient

from application.goals.service import Goals
from domain.values import Actor
from api.bootstrap import notifier_for
from tests.conftest import Clock
from tests.scenarios import (
    AUDITOR, EMPLOYEE, HR, MANAGER, agreed, customer_service_terms, draft, release_ratings, start_cycles,
    survey_terms,
)

Auth = Callable[[Actor], dict[str, str]]


def items(client: TestClient, auth: Auth, actor: Actor) -> list[dict[str, str]]:
    answer = client.get("/inbox", headers=auth(actor))
    assert answer.status_code == 200, answer.text
    listed: list[dict[str, str]] = answer.json()["items"]
    assert all({"kind", "title", "link", "since"} <= set(i) for i in listed)
    return listed


def kinds(client: TestClient, auth: Auth, actor: Actor) -> list[str]:
    return sorted(i["kind"] for i in items(client, auth, actor))


def test_each_kind_reaches_the_person_it_waits_for(app: FastAPI, client: TestClient, auth: Auth,
                                                   clock: Clock) -> None:
    goals: Goals = app.state.goals
    drafted = draft(goals, survey_terms(), MANAGER)
    goal_id = agreed(goals, customer_service_terms())
    mine = items(client, auth, EMPLOYEE)
    assert {(i["kind"], i["link"]) for i in mine} == {
        ("sign_draft", f"/workspace/goals/{drafted}#signatures"), ("reading_due", f"/workspace/goals/{goal_id}#kpis")}
    due = next(i for i in mine if i["kind"] == "reading_due")
    assert (due["since"], due["kpi"]) == ("2026-01-08", "tickets")  # weekly, and nothing read since 1 January
    assert kinds(client, auth, HR) == []

    proposal = {"targets": {"csat": "87"}, "reason": "external_factor", "justification": "The survey changed."}
    assert client.post(f"/goals/{goal_id}/recalibrations", json=proposal, headers=auth(EMPLOYEE)).status_code == 201
    assert kinds(client, auth, HR) == ["decide_recalibration"]

    reading = {"kpi": "tickets", "value": 15, "observed_at": "2026-01-10"}
    assert client.post(f"/goals/{goal_id}/measurements", json=reading, headers=auth(EMPLOYEE)).status_code == 201
    assert "reading_due" not in kinds(client, auth, EMPLOYEE)  # read on 10 January: due again on the 17th
    clock.current = date(2026, 1, 29)
    notifier_for(goals).step()
    assert "warning" in kinds(client, auth, MANAGER) and "warning" not in kinds(client, auth, EMPLOYEE)

    start_cycles(goals)  # a decision is taken only in a cycle that has started
    decision = {"band": "unsatisfactory", "summary": "Nothing read yet."}
    assert client.post("/reviews/emp-1/decision?cycle=2026-H1", json=decision,
                       headers=auth(MANAGER)).status_code == 201
    assert "acknowledge_decision" not in kinds(client, auth, EMPLOYEE)  # not before HR releases the rating
    release_ratings(goals)
    answer = next(i for i in items(client, auth, EMPLOYEE) if i["kind"] == "acknowledge_decision")
    assert answer["link"] == "/workspace/reviews/emp-1?cycle=2026-H1#steps"
    assert client.post("/reviews/emp-1/disputes?cycle=2026-H1", json={"reason": "Too early."},
                       headers=auth(EMPLOYEE)).status_code == 201
    assert "acknowledge_decision" not in kinds(client, auth, EMPLOYEE)
    assert kinds(client, auth, HR) == ["decide_recalibration", "resolve_dispute"]


def test_a_person_opts_out_of_e_mail_by_kind(client: TestClient, auth: Auth) -> None:
    assert client.get("/inbox/mail", headers=auth(EMPLOYEE)).json() == {"opted_out": []}
    saved = client.put("/inbox/mail", json={"opted_out": ["reading_due", "warning"]}, headers=auth(EMPLOYEE))
    assert saved.json() == {"opted_out": ["reading_due", "warning"]}
    assert client.get("/inbox/mail", headers=auth(EMPLOYEE)).json() == {"opted_out": ["reading_due", "warning"]}
    assert client.get("/inbox/mail", headers=auth(MANAGER)).json() == {"opted_out": []}  # each their own
    unknown = client.put("/inbox/mail", json={"opted_out": ["spam"]}, headers=auth(EMPLOYEE))
    assert unknown.status_code == 422
    assert client.get("/inbox", headers=auth(AUDITOR)).status_code == 403
