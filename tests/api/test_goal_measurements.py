"""A goal's answer keeps only its latest readings, with their total and a link; the whole series is paged at
GET /goals/{id}/measurements in the order recorded, corrections marked (issue 28, ADR 0044). Both stores."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from application.goals.service import Goals
from application.store.bounds import Bounds
from application.store.settings import Settings
from domain.values import Actor
from tests.conftest import Clock
from tests.scenarios import EMPLOYEE, MANAGER, agreed, customer_service_terms, ensure_cycles

KEPT = 5
FIRST_DAY = date(2026, 3, 1)


@pytest.fixture
def bounded(api_settings: Settings, clock: Clock) -> Iterator[tuple[TestClient, Goals]]:
    """The API with goal answers bounded at KEPT readings."""
    settings = replace(api_settings, bounds=Bounds(goal_measurements=KEPT))
    clock.current = date(2026, 4, 2)
    goals = Goals(settings, today=clock)
    ensure_cycles(goals)
    try:
        with TestClient(create_app(settings, goals)) as client:
            yield client, goals
    finally:
        goals.close()


def fed_goal(goals: Goals, days: int) -> UUID:
    """A goal with one tickets reading a day and a csat reading every third day; day 2 corrected at the end."""
    goal_id = agreed(goals, customer_service_terms())
    for day in range(days):
        goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(14 + day), observed_at=FIRST_DAY
                         + timedelta(days=day))
        if day % 3 == 0:
            goals.record_kpi(goal_id, EMPLOYEE, kpi="csat", value=Decimal(80 + day), observed_at=FIRST_DAY
                             + timedelta(days=day))
    goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(99), observed_at=FIRST_DAY + timedelta(days=2),
                     note="recount")
    return goal_id


def every_page(client: TestClient, path: str, headers: dict[str, str], **query: Any) -> list[list[dict[str, Any]]]:
    pages, cursor = [], None
    while True:
        answer = client.get(path, params={**query, **({"cursor": cursor} if cursor else {})}, headers=headers)
        assert answer.status_code == 200, answer.text
        pages.append(answer.json()["items"])
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            return pages


def test_a_goal_answer_keeps_its_latest_readings_their_total_and_a_link(
    bounded: tuple[TestClient, Goals], auth: Callable[[Actor], dict[str, str]]
) -> None:
    client, goals = bounded
    goal_id = fed_goal(goals, 12)
    whole = goals.readings(goals.get_goal(goal_id))
    answer = client.get(f"/goals/{goal_id}", headers=auth(MANAGER)).json()
    assert answer["measurements_total"] == len(whole) == 12 + 4 + 1
    assert [m["version"] for m in answer["measurements"]] == [m.version for m in whole[-KEPT:]]
    assert answer["measurements"][-1]["corrects_version"] is not None  # the correction, marked as before
    assert answer["measurements_link"] == f"/goals/{goal_id}/measurements"


def test_the_whole_series_pages_in_recorded_order_with_corrections_marked(
    bounded: tuple[TestClient, Goals], auth: Callable[[Actor], dict[str, str]]
) -> None:
    client, goals = bounded
    goal_id = fed_goal(goals, 12)
    whole = goals.readings(goals.get_goal(goal_id))
    pages = every_page(client, f"/goals/{goal_id}/measurements", auth(EMPLOYEE), limit=4)
    assert all(len(page) <= 4 for page in pages) and len(pages) >= 5
    read = [m for page in pages for m in page]
    assert [(m["version"], m["kpi"], Decimal(m["value"])) for m in read] == [(m.version, m.kpi, m.value) for m in whole]
    assert [m["corrects_version"] for m in read if m["corrects_version"]] == [
        next(m.version for m in whole if m.kpi == "tickets" and m.observed_at == FIRST_DAY + timedelta(days=2))]


def test_the_series_filters_by_kpi_and_observed_days(
    bounded: tuple[TestClient, Goals], auth: Callable[[Actor], dict[str, str]]
) -> None:
    client, goals = bounded
    goal_id = fed_goal(goals, 12)
    csat = every_page(client, f"/goals/{goal_id}/measurements", auth(MANAGER), kpi="csat", limit=3)
    assert [m["observed_at"] for page in csat for m in page] == [
        (FIRST_DAY + timedelta(days=d)).isoformat() for d in (0, 3, 6, 9)]
    window = every_page(client, f"/goals/{goal_id}/measurements", auth(MANAGER), kpi="tickets",
                        **{"from": "2026-03-02", "to": "2026-03-03"})
    assert [(m["observed_at"], m["value"]) for page in window for m in page] == [
        ("2026-03-02", "15"), ("2026-03-03", "16"), ("2026-03-03", "99")]


@pytest.mark.parametrize(("query", "field"), [({"kpi": "nps"}, "query.kpi"),
                                              ({"from": "2026-03-05", "to": "2026-03-01"}, "query.to")])
def test_a_filter_that_cannot_match_is_refused_naming_the_field(
    bounded: tuple[TestClient, Goals], auth: Callable[[Actor], dict[str, str]], query: dict[str, str], field: str
) -> None:
    """A typo in the KPI or a reversed window is a client's mistake: 422 naming the field, not an empty page."""
    client, goals = bounded
    goal_id = fed_goal(goals, 3)
    answer = client.get(f"/goals/{goal_id}/measurements", params=query, headers=auth(MANAGER))
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == [field]


def test_a_goal_with_few_readings_answers_every_reading_as_before(
    bounded: tuple[TestClient, Goals], auth: Callable[[Actor], dict[str, str]]
) -> None:
    client, goals = bounded
    goal_id = agreed(goals, customer_service_terms())
    for day in range(KEPT):
        goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(day), observed_at=FIRST_DAY + timedelta(day))
    answer = client.get(f"/goals/{goal_id}", headers=auth(MANAGER)).json()
    assert answer["measurements_total"] == KEPT
    assert [Decimal(m["value"]) for m in answer["measurements"]] == [Decimal(day) for day in range(KEPT)]
    page = client.get(f"/goals/{goal_id}/measurements", headers=auth(MANAGER)).json()
    assert page["items"] == answer["measurements"] and page["next_cursor"] is None


@pytest.mark.parametrize("cursor", ["x", "cjE6LTE", "bm90IGEgY3Vyc29y", "A" * 200])
def test_a_cursor_not_handed_out_is_refused_naming_it(
    bounded: tuple[TestClient, Goals], auth: Callable[[Actor], dict[str, str]], cursor: str
) -> None:
    client, goals = bounded
    goal_id = fed_goal(goals, 1)
    answer = client.get(f"/goals/{goal_id}/measurements", params={"cursor": cursor}, headers=auth(MANAGER))
    assert (answer.status_code, answer.json()["code"]) == (422, "invalid_cursor")


def test_the_series_of_a_goal_one_may_not_see_is_not_found(
    bounded: tuple[TestClient, Goals], auth: Callable[[Actor], dict[str, str]]
) -> None:
    client, goals = bounded
    goal_id = fed_goal(goals, 1)
    answer = client.get(f"/goals/{goal_id}/measurements", headers=auth(Actor("emp-other", EMPLOYEE.role)))
    assert answer.status_code == 404
