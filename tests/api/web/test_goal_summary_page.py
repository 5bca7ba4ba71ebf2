"""The goal page in process, on both stores, with the wall clock frozen (freezegun): the summary at the top says where
the goal stands against its pace in words, never "On track" without a reading or with no progress (now, or in an
as-of view), the chart draws today (or the moment shown), and the timeline is sentences, not event class names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from freezegun import freeze_time

from api.app import create_app
from api.web.session import sign_in_link
from api.web.views import shown_pace
from application.goals.service import Goals
from application.store.settings import Settings
from tests.api.conftest import API_SECRET
from tests.api.web.test_workspace_pages import follow_link
from tests.scenarios import EMPLOYEE, agreed, customer_service_terms, ensure_cycles

CLASS_NAMES = ("KpiRecorded", "AgreementSigned", "Agreed<", "Drafted", "RecalibrationProposed")


@pytest.fixture
def wall(api_settings: Settings) -> Iterator[tuple[TestClient, Goals]]:
    """The app on the wall clock's business date (no test clock): freezegun moves it."""
    goals = Goals(api_settings)
    with freeze_time("2026-01-20 10:00:00", tick=True):
        ensure_cycles(goals)
    with TestClient(create_app(api_settings, goals)) as client:
        # Routes whose signatures name `date` are built on the first request: before any freezing, so that FastAPI
        # sees the real date class, not freezegun's.
        follow_link(client, sign_in_link(API_SECRET, EMPLOYEE.id, "employee", "http://testserver"))
        yield client, goals
    goals.close()


def page_of(client: TestClient, sub: str, role: str, path: str) -> str:
    client.cookies.clear()
    assert follow_link(client, sign_in_link(API_SECRET, sub, role, "http://testserver")).status_code == 303
    answer = client.get(path)
    assert answer.status_code == 200, answer.text[:300]
    return answer.text


def summary_of(page: str) -> str:
    found = re.search(r'<section aria-labelledby="summary-h".*?</section>', page, re.S)
    assert found, "no summary"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group()))


def test_right_after_agreement_the_goal_has_no_readings_yet_not_on_track(wall: tuple[TestClient, Goals]) -> None:
    client, goals = wall
    with freeze_time("2026-01-20 10:00:00", tick=True):
        goal_id = agreed(goals, customer_service_terms())
        page = page_of(client, EMPLOYEE.id, "employee", f"/workspace/goals/{goal_id}")
    summary = summary_of(page)
    assert "No readings yet" in summary and "On track" not in summary
    assert "No reading recorded by today" in summary
    assert "161 days left until the deadline on 30 June." in summary
    assert "<title>today: 2026-01-20</title>" in page


def test_later_the_summary_counts_the_days_left_and_an_as_of_view_shows_the_moment_it_names(
    wall: tuple[TestClient, Goals],
) -> None:
    client, goals = wall
    with freeze_time("2026-01-20 10:00:00", tick=True):
        goal_id = agreed(goals, customer_service_terms())
    agreed_at = goals.get_goal(goal_id).agreed_at
    assert agreed_at is not None
    with freeze_time("2026-03-15 10:00:00", tick=True):
        goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(18), observed_at=date(2026, 3, 14),
                         note="good week after new macros")
        goals.record_kpi(goal_id, EMPLOYEE, kpi="csat", value=Decimal(88), observed_at=date(2026, 3, 14))
        now = page_of(client, EMPLOYEE.id, "employee", f"/workspace/goals/{goal_id}")
        then = client.get(f"/workspace/goals/{goal_id}", params={"as_of": agreed_at.isoformat()}).text
    summary = summary_of(now)
    assert "107 days left until the deadline on 30 June." in summary
    assert "of the way to the target, where about" in summary and "No reading" not in summary
    assert "emp-1 recorded Tickets resolved per day: 18 for 14 March: good week after new macros." in now
    assert "<title>today: 2026-03-15</title>" in now
    earlier = summary_of(then)
    assert "No reading recorded by 20 January" in earlier and "On track" not in earlier
    assert "<title>as of: 2026-01-20</title>" in then
    for page in (now, then):
        assert not any(name in page for name in CLASS_NAMES)


def test_readings_that_show_no_progress_are_not_on_track(wall: tuple[TestClient, Goals]) -> None:
    client, goals = wall
    with freeze_time("2026-01-22 10:00:00", tick=True):  # readings at the baselines: no progress
        goal_id = agreed(goals, customer_service_terms())
        goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(14), observed_at=date(2026, 1, 21))
        goals.record_kpi(goal_id, EMPLOYEE, kpi="csat", value=Decimal(82), observed_at=date(2026, 1, 21))
        summary = summary_of(page_of(client, EMPLOYEE.id, "employee", f"/workspace/goals/{goal_id}"))
    assert "No progress yet" in summary and "On track" not in summary and "0% of the way" in summary


def test_the_pace_shown_never_says_on_track_without_progress() -> None:
    agreed_goal = {"status": "agreed", "pace": "on_track", "kpis": [{"latest": None}], "attainment": 0}
    assert shown_pace(agreed_goal) == "no_readings"
    assert shown_pace({**agreed_goal, "kpis": [{"latest": "14"}]}) == "no_progress"
    assert shown_pace({**agreed_goal, "kpis": [{"latest": "15"}], "attainment": 0.1}) == "on_track"
    assert shown_pace({**agreed_goal, "pace": "overdue"}) == "overdue"
    assert shown_pace({"status": "closed", "pace": None}) is None


def test_another_teams_goal_is_not_found_for_a_manager_and_a_bad_moment_is_a_page(
    wall: tuple[TestClient, Goals],
) -> None:
    client, goals = wall
    with freeze_time("2026-01-20 10:00:00", tick=True):
        goal_id = agreed(goals, customer_service_terms())
        page_of(client, "mgr-2", "manager", "/")
        hidden = client.get(f"/workspace/goals/{goal_id}")
        assert hidden.status_code == 404 and "Support throughput" not in hidden.text
        page_of(client, EMPLOYEE.id, "employee", "/")
        for query in ("as_of=yesterday", "as_of=2026-13-45T00:00:00"):
            bad = client.get(f"/workspace/goals/{goal_id}?{query}")
            assert 400 <= bad.status_code < 500 and bad.headers["content-type"].startswith("text/html")
        assert client.get(f"/workspace/goals/{UUID(int=7)}").status_code == 404
