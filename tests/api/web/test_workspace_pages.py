"""The workspace over HTTP on both stores, seeded with the demo organisation: sign-in, sessions, CSRF, visibility
and the API's problems shown next to the fields. (The browser suite is tests/e2e/test_workspace_browser.py.)"""

from __future__ import annotations

import io

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from api.app import create_app
from api.auth import issue_token
from api.cli import main
from api.web.session import SESSION_COOKIE, sign_in_link
from api.bootstrap import seed_demo_store
from application.demo import CYCLE_DAYS_AFTER, CYCLE_DAYS_BEFORE
from application.goals.service import Goals
from application.store.settings import Settings
from application.directory.service import Directory
from domain.values import Actor, Cycle, Role
from tests.api.conftest import API_SECRET
from tests.api.module_app import STORES
from tests.conftest import AUDIT_KEY, drop_schema, postgres_url_with_schema, require_postgres, store_settings
from tests.scenarios import ensure_cycles, customer_service_terms, drafting

TODAY = date.today()
BASE = "http://testserver"


@dataclass
class Web:
    client: TestClient
    goals: Goals
    settings: Settings

    def sign_in(self, sub: str, role: str) -> str:
        """Sign in by link; the session's CSRF token (read off the workspace page)."""
        self.client.cookies.clear()
        answer = follow_link(self.client, sign_in_link(API_SECRET, sub, role, BASE))
        assert answer.status_code == 303, answer.text
        return csrf_of(self.client.get("/").text)

    def goal_titled(self, title: str) -> UUID:
        for goal_id in self.goals.iter_goal_ids():
            if self.goals.get_goal(goal_id).title == title:
                return goal_id
        raise AssertionError(title)


def follow_link(client: TestClient, link: str) -> httpx.Response:
    """Open a one-time sign-in link and press its button (the link's GET alone signs nobody in)."""
    page = client.get(link)
    assert page.status_code == 200 and "Sign in as" in page.text, page.text
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token
    return client.post("/login", data={"token": token.group(1), "csrf_token": csrf_of(page.text)},
                       follow_redirects=False)


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


@pytest.fixture(scope="module", params=STORES)
def web(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('web-store')}/goals.db"
    else:
        require_postgres()
        schema = f"t_{uuid4().hex[:16]}"
        url = postgres_url_with_schema(schema)
    settings = store_settings(database_url=url, audit_key=AUDIT_KEY, api_secret=API_SECRET)
    assert seed_demo_store(settings, TODAY)
    goals = Goals(settings, today=lambda: TODAY)
    try:
        with TestClient(create_app(settings, goals), base_url=BASE) as client:
            yield Web(client, goals, settings)
    finally:
        goals.close()
        if schema:
            drop_schema(schema)


def test_the_demo_organisation_is_seeded_once(web: Web) -> None:
    head = web.goals.head_position()
    assert not seed_demo_store(web.settings, TODAY)
    assert web.goals.head_position() == head
    goals = [web.goals.get_goal(goal_id) for goal_id in web.goals.iter_goal_ids()]
    assert len(goals) == 7 and {g.manager_id for g in goals} == {"mgr-ana", "mgr-ben"}
    assert len({g.owner_id for g in goals}) == 6
    statuses = sorted(str(r.status) for g in goals for r in g.recalibrations)
    assert statuses == ["approved", "proposed", "rejected"]


def test_an_employee_sees_what_waits_for_them(web: Web) -> None:
    web.sign_in("emp-carla", "employee")
    page = web.client.get("/").text
    assert "Knowledge-base articles</a>: a draft to sign" in page
    assert 'data-pace="on_track"' in page


GOAL_ROW = re.compile(r'<tr data-goal="[^"]+" data-pace="([^"]*)">.*?">([^<]+)</a>.*?<td class="attainment">(.*?)</td>',
                      re.S)
PROGRESS_BAR = re.compile(r'<meter min="0" max="1" value="([^"]+)" aria-label="Progress of ([^"]+)">')


def test_a_manager_sees_her_team_by_person_named_and_titled_with_a_bar_for_each_goal(web: Web) -> None:
    web.sign_in("mgr-ana", "manager")
    team = web.client.get("/").text.split('id="team-goals"')[1].split("</section>")[0]
    people = re.split(r'<div class="team-member" ', team)[1:]
    headings = [re.findall(r'data-person="([^"]+)">\s*<h3>(.*?)</h3>', person) for person in people]
    titled = '{}<span class="person-title">, {}</span>'.format
    assert headings == [[("emp-dev", titled("Devika Rao", "Support engineer"))],  # her goal is at risk: first
                        [("emp-carla", titled("Carla Reyes", "Support specialist"))],
                        [("emp-eve", titled("Eve Martin", "Support specialist"))]]
    rows = [GOAL_ROW.findall(person) for person in people]
    assert [[(pace, title) for pace, title, _ in person] for person in rows] == [
        [("at_risk", "Support ticket throughput")],
        [("on_track", "Customer-service satisfaction"), ("", "Knowledge-base articles")],
        [("on_track", "First response time")]]
    bars = [PROGRESS_BAR.findall(cell) for person in rows for _, _, cell in person]
    assert bars == [[("0.7", "Support ticket throughput")], [("0.8", "Customer-service satisfaction")],
                    [], [("0.8", "First response time")]]  # a draft has no progress yet
    assert all(re.search(r"<caption>Goals of [^<]+</caption>", p) and "/workspace/reviews/" in p for p in people)


def test_a_stranger_is_sent_to_sign_in(web: Web) -> None:
    web.client.cookies.clear()
    answer = web.client.get("/workspace/hr/recalibrations", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/workspace/hr/recalibrations"


def test_a_sign_in_link_works_once_and_sets_a_strict_http_only_cookie(web: Web) -> None:
    web.client.cookies.clear()
    link = sign_in_link(API_SECRET, "emp-dev", "employee", BASE)
    first = follow_link(web.client, link)
    cookie = next(c for c in first.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)).lower()
    assert first.status_code == 303 and "httponly" in cookie and "samesite=strict" in cookie
    web.client.cookies.clear()
    second = follow_link(web.client, link)
    assert second.status_code == 401 and "sign_in_link_used" in second.text
    assert SESSION_COOKIE not in second.cookies


def test_the_session_cookie_is_not_an_api_token(web: Web) -> None:
    web.sign_in("hr-iris", "hr")
    session = web.client.cookies[SESSION_COOKIE]
    answer = web.client.get("/goals", headers={"Authorization": f"Bearer {session}"})
    assert answer.status_code == 401


def test_a_pasted_api_token_signs_in_but_not_without_the_form_token(web: Web) -> None:
    web.client.cookies.clear()
    token = issue_token(API_SECRET, "aud-kim", "auditor")
    web.client.get("/login")
    forged = web.client.post("/login", data={"token": token, "csrf_token": "forged"}, follow_redirects=False)
    assert forged.status_code == 403 and SESSION_COOKIE not in forged.cookies
    form_token = csrf_of(web.client.get("/login").text)
    answer = web.client.post("/login", data={"token": token, "csrf_token": form_token, "next": "//elsewhere.example"},
                             follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/"


def test_a_form_without_its_csrf_token_is_refused_and_nothing_is_stored(web: Web) -> None:
    web.sign_in("emp-dev", "employee")
    goal_id, head = web.goal_titled("Support ticket throughput"), web.goals.head_position()
    answer = web.client.post(f"/workspace/goals/{goal_id}/readings",
                             data={"kpi": "tickets", "value": "17", "observed_at": TODAY.isoformat()})
    assert answer.status_code == 403 and "csrf_failed" in answer.text
    assert web.goals.head_position() == head


def test_a_malformed_reading_shows_a_sentence_beside_the_field_and_stores_nothing(web: Web) -> None:
    """The API answers with the same status and its own message; the page says what to give instead."""
    csrf = web.sign_in("emp-dev", "employee")
    goal_id, head = web.goal_titled("Support ticket throughput"), web.goals.head_position()
    fields = {"csrf_token": csrf, "kpi": "tickets", "value": "lots", "observed_at": TODAY.isoformat()}
    page = web.client.post(f"/workspace/goals/{goal_id}/readings", data=fields)
    api = web.client.post(f"/goals/{goal_id}/measurements", json={k: v for k, v in fields.items() if k != "csrf_token"},
                          headers={"Authorization": f"Bearer {issue_token(API_SECRET, 'emp-dev', 'employee')}"})
    assert page.status_code == api.status_code == 422
    message = next(e["message"] for e in api.json()["errors"] if e["field"] == "body.value")
    beside = re.search(r'id="e-value">([^<]*)<', page.text).group(1)  # type: ignore[union-attr]
    assert "decimal number" in message and beside == "Give a number, such as 17 or 17.5."
    assert web.goals.head_position() == head


def test_a_refused_command_shows_the_domain_problem(web: Web) -> None:
    csrf = web.sign_in("emp-dev", "employee")
    goal_id, head = web.goal_titled("Support ticket throughput"), web.goals.head_position()
    fields = {"csrf_token": csrf, "kpi": "tickets", "value": "17", "observed_at": "2999-01-01"}
    page = web.client.post(f"/workspace/goals/{goal_id}/readings", data=fields)
    assert page.status_code == 409 and 'data-code="measurement_in_future"' in page.text
    assert web.goals.head_position() == head


def test_a_goal_hidden_from_the_viewer_answers_404_as_in_the_api(web: Web) -> None:
    web.sign_in("emp-dev", "employee")
    someone_elses = web.goal_titled("Customer-service satisfaction")
    assert web.client.get(f"/workspace/goals/{someone_elses}").status_code == 404
    api = web.client.get(f"/goals/{someone_elses}",
                         headers={"Authorization": f"Bearer {issue_token(API_SECRET, 'emp-dev', 'employee')}"})
    assert api.status_code == 404
    assert web.client.get("/workspace/reviews/emp-carla", params={"cycle": "x"}).status_code == 403


def test_only_hr_decides_a_recalibration(web: Web) -> None:
    csrf = web.sign_in("mgr-ben", "manager")
    goal_id, head = web.goal_titled("Defect rate"), web.goals.head_position()
    answer = web.client.post(f"/workspace/goals/{goal_id}/recalibrations/r1/approval", data={"csrf_token": csrf})
    assert answer.status_code == 403 and web.goals.head_position() == head


def test_signing_out_ends_the_session_even_for_a_copied_cookie(web: Web) -> None:
    csrf = web.sign_in("aud-kim", "auditor")
    copied = web.client.cookies[SESSION_COOKIE]
    assert web.client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    web.client.cookies.set(SESSION_COOKIE, copied)
    answer = web.client.get("/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_as_of_before_the_goal_existed_is_404_and_a_malformed_moment_422(web: Web) -> None:
    web.sign_in("aud-kim", "auditor")
    goal_id = web.goal_titled("Support ticket throughput")
    assert web.client.get(f"/workspace/goals/{goal_id}", params={"as_of": "2000-01-01T00:00"}).status_code == 404
    assert web.client.get(f"/workspace/goals/{goal_id}", params={"as_of": "soon"}).status_code == 422


def test_every_page_of_each_role_renders(web: Web) -> None:
    cycle = web.goals.get_goal(web.goal_titled("Defect rate")).cycle.id
    pages = {
        ("emp-dev", "employee"): ["/", f"/workspace/reviews/emp-dev?cycle={cycle}"],
        ("mgr-ana", "manager"): ["/", "/workspace/goals/new", f"/workspace/reviews/emp-eve?cycle={cycle}"],
        ("hr-iris", "hr"): ["/", "/workspace/hr/recalibrations", f"/workspace/hr/fairness?cycle={cycle}",
                            "/workspace/trail?verify=true"],
        ("aud-kim", "auditor"): ["/", "/workspace/trail", f"/workspace/hr/fairness?cycle={cycle}&group_by=org_unit"],
    }
    for (sub, role), paths in pages.items():
        web.sign_in(sub, role)
        for path in paths:
            answer = web.client.get(path)
            assert answer.status_code == 200, (sub, path, answer.text[:300])


def draft_fields(csrf: str, action: str, statement: str) -> dict[str, str]:
    start, end = TODAY - timedelta(days=CYCLE_DAYS_BEFORE), TODAY + timedelta(days=CYCLE_DAYS_AFTER)
    return {"csrf_token": csrf, "action": action, "owner_id": "emp-eve", "cycle_id": f"{start:%Y-%m}..{end:%Y-%m}",
            "cycle_start": start.isoformat(), "cycle_end": end.isoformat(), "deadline": end.isoformat(),
            "weight": "50", "title": "Escalations",
            "statement": statement, "rationale": "Escalations cost the most support time.", "kpi_rows": "1",
            "kpis-0-id": "escalations", "kpis-0-name": "Escalated tickets", "kpis-0-unit": "%",
            "kpis-0-direction": "decrease", "kpis-0-baseline": "12", "kpis-0-target": "8", "kpis-0-cadence": "monthly"}


def test_a_manager_checks_a_draft_against_smart_then_drafts_it(web: Web) -> None:
    csrf = web.sign_in("mgr-ana", "manager")
    head = web.goals.head_position()
    checked = web.client.post("/workspace/goals/new", data=draft_fields(csrf, "check", "Improve escalations"))
    assert checked.status_code == 200 and web.goals.head_position() == head
    assert re.search(r'data-findings-for="statement">\s*<p class="finding blocking" data-criterion="specific"',
                     checked.text)
    statement = "Bring the share of tickets escalated to engineering down from 12% to 8% by the deadline"
    drafted = web.client.post("/workspace/goals/new", data=draft_fields(csrf, "draft", statement),
                              follow_redirects=False)
    assert drafted.status_code == 303 and web.goals.head_position() == head + 1
    page = web.client.get(drafted.headers["location"])
    assert page.status_code == 200 and "Escalations" in page.text


def test_pages_refuse_framing_and_foreign_scripts(web: Web) -> None:
    web.sign_in("emp-dev", "employee")
    policy = web.client.get("/").headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy


def test_the_token_command_prints_a_sign_in_link_that_works(web: Web, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GOALENGINE_SECRET", API_SECRET)
    monkeypatch.setenv("GOALENGINE_DATABASE_URL", web.settings.database_url)
    assert main(["token", "--sub", "hr-jon", "--role", "hr", "--login-url", "--base", BASE]) == 0
    link = capsys.readouterr().out.strip()
    assert link.startswith(f"{BASE}/login/link?token=")
    web.client.cookies.clear()
    assert follow_link(web.client, link).status_code == 303
    assert "Jon Berg (hr)" in web.client.get("/").text


def test_a_refusal_of_a_form_the_page_does_not_offer_still_shows_its_problem(web: Web) -> None:
    csrf = web.sign_in("hr-jon", "hr")
    goal_id, head = web.goal_titled("Stock accuracy"), web.goals.head_position()
    answer = web.client.post(f"/workspace/goals/{goal_id}/recalibrations", data={
        "csrf_token": csrf, "kpi": "stock", "target": "98", "reason": "other",
        "justification": "HR may not propose: only the owner or the manager does."})
    assert answer.status_code == 409 and 'data-code="not_a_party"' in answer.text
    assert web.goals.head_position() == head


def test_the_goal_page_names_its_people_from_the_directory(web: Web) -> None:
    web.sign_in("mgr-ana", "manager")
    page = web.client.get(f"/workspace/goals/{web.goal_titled('Support ticket throughput')}").text
    assert "owner Devika Rao" in page and "manager Ana Lima" in page
    assert 'data-people="directory"' in page and "Ana Lima (manager)" in page


def test_a_deactivated_person_is_signed_out_at_once(web: Web) -> None:
    web.sign_in("emp-eve", "employee")
    assert web.client.get("/", follow_redirects=False).status_code == 200
    Directory(web.goals).deactivate(Actor("hr-iris", Role.HR), "emp-eve")
    assert web.client.get("/", follow_redirects=False).status_code in (401, 303)
    Directory(web.goals).replace_person(Actor("hr-iris", Role.HR), "emp-eve",
                                        Directory(web.goals).person("emp-eve").details,  # type: ignore[union-attr]
                                        manager_id="mgr-ana", active=True)


def test_hr_decides_from_the_queue_under_the_four_eyes_rule(web: Web) -> None:
    """Runs last in this module: it adds a goal owned by an HR person to the demo organisation."""
    hr_jon, head = Actor("hr-jon", Role.HR), Actor("dir-oli", Role.MANAGER)
    web_cycle = Cycle("web", TODAY - timedelta(days=30), TODAY + timedelta(days=60))
    ensure_cycles(web.goals, web_cycle)
    terms = {**customer_service_terms(), "owner_id": "hr-jon", "manager_id": "dir-oli", "cycle": web_cycle,
             "deadline": TODAY + timedelta(days=60)}
    goal_id = UUID(web.goals.draft_goal(hr_jon, **drafting(terms)).goal_id)
    web.goals.sign_goal(goal_id, hr_jon)
    web.goals.sign_goal(goal_id, head)
    web.goals.propose_recalibration(goal_id, head, reason="resourcing", targets={"csat": {"target": Decimal(88)}},
                                    justification="Two of the five support agents left in the first month.")
    csrf = web.sign_in("hr-jon", "hr")
    queue = web.client.get("/workspace/hr/recalibrations").text
    assert f'data-goal="{goal_id}"' in queue
    own = web.client.post(f"/workspace/goals/{goal_id}/recalibrations/r1/approval",
                          data={"csrf_token": csrf, "note": "My own call.",
                                "return_to": "/workspace/hr/recalibrations"})
    assert own.status_code == 409 and 'data-code="four_eyes_violation"' in own.text

    csrf = web.sign_in("hr-iris", "hr")
    decided = web.client.post(f"/workspace/goals/{goal_id}/recalibrations/r1/approval",
                              data={"csrf_token": csrf, "note": "Agreed: outage.",
                                    "return_to": "/workspace/hr/recalibrations"},
                              follow_redirects=False)
    assert decided.status_code == 303 and decided.headers["location"] == "/workspace/hr/recalibrations"
    assert f'data-goal="{goal_id}"' not in web.client.get("/workspace/hr/recalibrations").text
    page = web.client.get(f"/workspace/goals/{goal_id}").text
    assert re.search(r'data-recalibration="r1" data-status="approved"', page)
    assert '<td class="before">90</td><td class="after">88</td>' in page


def test_the_review_page_links_its_packet_as_a_pdf(web: Web) -> None:
    cycle = web.goals.get_goal(web.goal_titled("Defect rate")).cycle.id
    web.sign_in("emp-dev", "employee")
    page = web.client.get(f"/workspace/reviews/emp-dev?cycle={cycle}")
    assert f"/workspace/reviews/emp-dev/packet.pdf?cycle={cycle}" in page.text
    pdf = web.client.get(f"/workspace/reviews/emp-dev/packet.pdf?cycle={cycle}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Review packet: Devika Rao" in text and "Employee id emp-dev" in text  # names, the id for auditors
    assert web.client.get(f"/workspace/reviews/emp-carla/packet.pdf?cycle={cycle}").status_code == 403


def test_the_fairness_page_leads_with_its_sentence_and_answers_404_for_an_unknown_cycle(web: Web) -> None:
    cycle = web.goals.get_goal(web.goal_titled("Defect rate")).cycle.id
    web.sign_in("hr-iris", "hr")
    page = web.client.get("/workspace/hr/fairness", params={"cycle": cycle})
    assert 'class="summary"' in page.text and "Provisional" in page.text and "funnel" in page.text
    assert page.text.index('class="summary"') < page.text.index('id="fairness-figures"')
    assert web.client.get("/workspace/hr/fairness", params={"cycle": "1999-H1"}).status_code == 404
