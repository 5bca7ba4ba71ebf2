"""Inputs the attack run found giving 500: each now answers 4xx with a problem naming the field, on both stores."""

from __future__ import annotations

import base64
import time

import jwt

import pytest

from tests.api.conftest import API_SECRET
from tests.scenarios import EMPLOYEE, HR, customer_service_terms, draft
from tests.security.conftest import Api

HUGE = str(2**63)


def fields(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [error["field"] for error in response.json().get("errors", [])]


@pytest.fixture(scope="module")
def goal_id(api: Api) -> str:
    return str(draft(api.goals, customer_service_terms()))


@pytest.mark.parametrize(("as_of", "before_everything"), [
    ("0001-01-01T00:00:00+14:00", True), ("0001-01-01T00:00:00+00:01", True), ("9999-12-31T23:59:59-23:59", False),
])
def test_as_of_at_the_edges_of_the_calendar_reads_as_before_or_after_everything(
    api: Api, goal_id: str, as_of: str, before_everything: bool
) -> None:
    goal = api.client.get(f"/goals/{goal_id}", params={"as_of": as_of}, headers=api.as_(EMPLOYEE))
    assert goal.status_code == (404 if before_everything else 200), goal.text
    history = api.client.get(f"/goals/{goal_id}/history", params={"as_of": as_of}, headers=api.as_(EMPLOYEE))
    assert history.status_code == 200 and bool(history.json()["events"]) is not before_everything
    review = api.client.get("/reviews/emp-1", params={"as_of": as_of, "cycle": "2026-H1"}, headers=api.as_(EMPLOYEE))
    assert review.status_code < 500, review.text


@pytest.mark.parametrize("position", [HUGE, "9" * 40, "-1", "\u0661\u0662"])
def test_a_cursor_encoding_a_huge_or_odd_number_is_refused_422(api: Api, position: str) -> None:
    cursor = base64.urlsafe_b64encode(f"g1:{position}".encode()).decode().rstrip("=")
    response = api.client.get("/goals", params={"cursor": cursor}, headers=api.as_(HR))
    assert response.status_code == 422 and response.json()["code"] == "invalid_cursor"


@pytest.mark.parametrize("after", [HUGE, "9" * 30])
def test_an_event_position_beyond_64_bits_is_refused_422(api: Api, after: str) -> None:
    response = api.client.get("/events", params={"after": after}, headers=api.as_(HR))
    assert response.status_code == 422 and fields(response) == ["query.after"]


def test_a_last_event_id_beyond_64_bits_or_in_other_digits_is_refused_422(api: Api) -> None:
    for value in (HUGE, "\u00b2"):  # superscript two: str.isdigit() says yes, int() says no
        response = api.client.get("/events/stream", headers={**api.as_(HR), "Last-Event-ID": value.encode("latin-1")})
        assert response.status_code == 422, value


@pytest.mark.parametrize("role", [["hr"], {"hr": 1}, 7, None, "HR", " hr"])
def test_a_role_claim_that_is_not_one_known_string_is_refused_401(api: Api, role: object) -> None:
    token = jwt.encode({"sub": "hr-7", "role": role, "exp": int(time.time()) + 60}, API_SECRET, algorithm="HS256")
    response = api.client.get("/goals", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and response.json()["code"] == "invalid_token"


@pytest.mark.parametrize("value", ["\u0661\u0662", "1_000", " 12", "12 ", "\uff11\uff12", "1e3", "+-1"])
def test_a_decimal_string_outside_the_ascii_pattern_is_refused_422(api: Api, goal_id: str, value: str) -> None:
    body = {"kpi": "tickets", "due": "2026-03-31", "target": value}
    response = api.client.post(f"/goals/{goal_id}/milestones", json=body, headers=api.as_(HR))
    assert response.status_code == 422, (value, response.text)
    assert fields(response) == ["body.target"]


def test_an_ascii_decimal_string_still_passes_validation(api: Api, goal_id: str) -> None:
    body = {"kpi": "tickets", "due": "2026-03-31", "target": "17.5"}
    response = api.client.post(f"/goals/{goal_id}/milestones", json=body, headers=api.as_(HR))
    assert response.status_code != 422 or fields(response) != ["body.target"]
