"""Every error leaves as application/problem+json with a stable `code`, a human `detail`, and the right status.

Malformed input is 422 naming each field; a broken rule 409; an unknown goal 404; a stale If-Match 412; a bad
token 401. Idempotency keys replay the first answer. No input gives a 500, and a refused request stores nothing.
"""

from __future__ import annotations

import re

import time
import warnings
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import jwt
import pytest
from freezegun import freeze_time

from api.auth import issue_token
from domain.values import Role
from tests.api.conftest import API_SECRET
from tests.api.module_app import STORES, Api, module_api
from tests.api.test_goal_lifecycle import DRAFT
from tests.scenarios import EMPLOYEE, HR, MANAGER, agreed, customer_service_terms, draft


@pytest.fixture(scope="module", params=STORES)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from module_api(request.param, tmp_path_factory)


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert (body["status"], body["code"]) == (status, code)
    assert body["detail"] and body["title"]
    return body


# --- malformed input: 422 naming each field ------------------------------------------------------------------


def test_malformed_json_is_a_422_about_the_body(api: Api) -> None:
    headers = {**api.as_(EMPLOYEE), "content-type": "application/json"}
    response = api.client.post("/goals", content=b'{"title": ', headers=headers)
    body = assert_problem(response, 422, "invalid_request")
    assert [e["field"] for e in body["errors"]] == ["body"]
    assert "not valid JSON" in body["errors"][0]["message"]


def test_each_bad_field_is_named(api: Api) -> None:
    kpi = {**DRAFT["kpis"][0], "direction": "sideways", "target": "NaN"}
    bad = {**DRAFT, "weight": "lots", "deadline": "2026-02-30", "kpis": [kpi], "colour": "blue"}
    body = assert_problem(api.client.post("/goals", json=bad, headers=api.as_(EMPLOYEE)), 422, "invalid_request")
    fields = {e["field"] for e in body["errors"]}
    assert {"body.weight", "body.deadline", "body.kpis.0.direction", "body.kpis.0.target", "body.colour"} <= fields
    assert all(e["message"] for e in body["errors"])


def test_blank_required_text_is_a_422_naming_the_field_as_the_document_says(api: Api) -> None:
    body = assert_problem(api.client.post("/goals", json={**DRAFT, "title": "   "}, headers=api.as_(EMPLOYEE)),
                          422, "invalid_request")
    assert [e["field"] for e in body["errors"]] == ["body.title"]
    assert "white space" in body["errors"][0]["message"]
    title = api.client.get("/openapi.json").json()["components"]["schemas"]["DraftGoalRequest"]["properties"]["title"]
    assert re.fullmatch(title["pattern"].strip("^$"), "   ") is None
    assert re.fullmatch(title["pattern"].strip("^$"), " Support ") is not None


def test_a_justification_short_once_stripped_is_refused_by_the_documented_pattern(api: Api) -> None:
    goal_id = agreed(api.goals, customer_service_terms())
    short = {"reason": "external_factor", "justification": "   too short     ", "deadline": "2026-06-20"}
    body = assert_problem(api.client.post(f"/goals/{goal_id}/recalibrations", json=short, headers=api.as_(MANAGER)),
                          422, "invalid_request")
    assert [e["field"] for e in body["errors"]] == ["body.justification"]
    long_enough = {**short, "justification": "  Ten chars  "[:12] + "x"}
    assert api.client.post(f"/goals/{goal_id}/recalibrations", json=long_enough,
                           headers=api.as_(MANAGER)).status_code == 201


def test_revising_a_required_term_to_null_is_refused_rather_than_emptying_it(
    api: Api
) -> None:
    goal_id = draft(api.goals, customer_service_terms())
    for field in ("kpis", "weight", "title"):
        body = assert_problem(api.client.patch(f"/goals/{goal_id}", json={field: None}, headers=api.as_(EMPLOYEE)),
                              422, "invalid_request")
        assert [e["field"] for e in body["errors"]] == [f"body.{field}"]
    assert api.client.get(f"/goals/{goal_id}", headers=api.as_(EMPLOYEE)).json()["version"] == 1


# --- broken domain rules: 409 ----------------------------------------------------------------------------------


def test_a_goal_failing_the_smart_check_cannot_be_signed(api: Api) -> None:
    goal_id = draft(api.goals, customer_service_terms(statement="Do better at support", deadline=None))
    body = assert_problem(api.client.post(f"/goals/{goal_id}/signatures", headers=api.as_(EMPLOYEE)), 409,
                          "smart_check_failed")
    assert body["findings"]


def test_only_the_parties_sign(api: Api) -> None:
    goal_id = draft(api.goals, customer_service_terms())
    assert_problem(api.client.post(f"/goals/{goal_id}/signatures", headers=api.as_(HR)), 409, "not_a_party")


def test_a_closed_goal_takes_no_command(api: Api) -> None:
    goal_id = draft(api.goals, customer_service_terms())
    api.goals.close_goal(goal_id, MANAGER, outcome="cancelled", summary="Reorganisation.")
    assert_problem(api.client.patch(f"/goals/{goal_id}", json={"title": "Again"}, headers=api.as_(MANAGER)), 409,
                   "goal_closed")


def test_hr_may_not_decide_a_recalibration_they_proposed(api: Api) -> None:
    """hr-7 manages this goal and so may propose; the decision then needs a second person from HR."""
    goal_id = agreed(api.goals, customer_service_terms(manager_id=HR.id))
    proposal = {"targets": {"csat": 88}, "reason": "external_factor", "justification": "The survey changed."}
    assert api.client.post(f"/goals/{goal_id}/recalibrations", json=proposal, headers=api.as_(HR)).status_code == 201
    note = {"note": "Checked the evidence."}
    assert_problem(api.client.post(f"/goals/{goal_id}/recalibrations/r1/approval", json=note, headers=api.as_(HR)),
                   409,
                   "four_eyes_violation")


def test_a_recalibrated_deadline_past_the_cycle_and_a_malformed_key_have_codes_of_their_own(api: Api) -> None:
    goal_id = agreed(api.goals, customer_service_terms(deadline=date(2026, 5, 31)))
    proposal = {"deadline": "2026-07-31", "reason": "external_factor", "justification": "The survey changed late."}
    body = assert_problem(api.client.post(f"/goals/{goal_id}/recalibrations", json=proposal, headers=api.as_(MANAGER)),
                          409, "deadline_beyond_cycle")
    assert "2026-06-30" in body["detail"]
    reading = {"kpi": "tickets", "value": 15, "observed_at": "2026-01-10"}
    assert_problem(api.client.post(f"/goals/{goal_id}/measurements", json=reading,
                                   headers={**api.as_(EMPLOYEE), "Idempotency-Key": "x" * 201}),
                   422, "invalid_request")


# --- unknown things: 404 ---------------------------------------------------------------------------------------


def test_an_unknown_goal_is_a_404(api: Api) -> None:
    body = assert_problem(api.client.get(f"/goals/{UUID(int=1)}", headers=api.as_(HR)), 404, "goal_not_found")
    assert body["goal_id"] == str(UUID(int=1))


@pytest.mark.parametrize("recalibration_id", ["r9", "r1;drop", "%E2%9C%93", "..", "r 1"])
def test_an_unknown_recalibration_is_a_404(api: Api, recalibration_id: str) -> None:
    goal_id = agreed(api.goals, customer_service_terms())
    response = api.client.post(f"/goals/{goal_id}/recalibrations/{recalibration_id}/rejection",
                               json={"note": "Checked the evidence."},
                               headers=api.as_(HR))
    assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"


# --- If-Match: 412 ---------------------------------------------------------------------------------------------


def test_a_stale_if_match_is_a_412_and_the_current_one_goes_through(
    api: Api
) -> None:
    goal_id = draft(api.goals, customer_service_terms())
    etag = api.client.get(f"/goals/{goal_id}", headers=api.as_(EMPLOYEE)).headers["ETag"]
    edited = api.client.patch(f"/goals/{goal_id}", json={"title": "Support, v2"}, headers=api.as_(MANAGER))
    assert edited.status_code == 200
    stale = api.client.patch(f"/goals/{goal_id}", json={"title": "Support, v3"},
                             headers={**api.as_(EMPLOYEE), "If-Match": etag})
    body = assert_problem(stale, 412, "version_mismatch")
    assert (body["expected"], body["actual"]) == (1, 2)
    fresh = api.client.patch(f"/goals/{goal_id}", json={"title": "Support, v3"},
                             headers={**api.as_(EMPLOYEE), "If-Match": '"2"'})
    assert fresh.status_code == 200 and fresh.headers["ETag"] == '"3"'


@pytest.mark.parametrize("if_match", ["garbage", '"1", "2"', '"-1"', '"99999999999999999999999"', "", '"1.5"'])
def test_an_if_match_that_is_no_version_is_a_422(api: Api, if_match: str) -> None:
    goal_id = draft(api.goals, customer_service_terms())
    response = api.client.patch(f"/goals/{goal_id}", json={"title": "New"},
                                headers={**api.as_(EMPLOYEE), "If-Match": if_match})
    body = assert_problem(response, 422, "invalid_request")
    assert [e["field"] for e in body["errors"]] == ["header.If-Match"]


# --- Idempotency-Key -------------------------------------------------------------------------------------------


def test_a_retried_request_with_the_same_key_gets_the_first_answer_and_stores_nothing(
    api: Api
) -> None:
    headers = {**api.as_(EMPLOYEE), "Idempotency-Key": "draft-2026-h1-emp-1"}
    first = api.client.post("/goals", json=DRAFT, headers=headers)
    stored = api.head()
    again = api.client.post("/goals", json=DRAFT, headers=headers)
    assert (again.status_code, again.json(), again.headers["Location"]) == (
        first.status_code, first.json(), first.headers["Location"])
    assert api.head() == stored


def test_a_replayed_proposal_names_the_same_recalibration(api: Api) -> None:
    goal_id = agreed(api.goals, customer_service_terms())
    proposal = {"targets": {"csat": 88}, "reason": "external_factor", "justification": "The survey changed."}
    headers = {**api.as_(MANAGER), "Idempotency-Key": "proposal-1"}
    first = api.client.post(f"/goals/{goal_id}/recalibrations", json=proposal, headers=headers)
    again = api.client.post(f"/goals/{goal_id}/recalibrations", json=proposal, headers=headers)
    assert first.status_code == again.status_code == 201 and again.json() == first.json()


def test_the_same_key_for_a_different_request_is_refused(api: Api) -> None:
    headers = {**api.as_(EMPLOYEE), "Idempotency-Key": "k-1"}
    assert api.client.post("/goals", json=DRAFT, headers=headers).status_code == 201
    stored = api.head()
    other = api.client.post("/goals", json={**DRAFT, "title": "Another goal"}, headers=headers)
    assert_problem(other, 422, "idempotency_key_reused")
    assert api.head() == stored


def test_a_key_that_failed_can_be_used_again_once_the_request_is_fixed(api: Api) -> None:
    headers = {**api.as_(EMPLOYEE), "Idempotency-Key": "k-2"}
    assert api.client.post("/goals", json={**DRAFT, "title": " "}, headers=headers).status_code == 422
    assert api.client.post("/goals", json=DRAFT, headers=headers).status_code == 201


# --- tokens: 401 -----------------------------------------------------------------------------------------------


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"sub": "hr-7", "role": "hr", "iat": now, "exp": now + 60, **overrides}


def signed(payload: dict[str, Any], key: str | None = API_SECRET, algorithm: str = "HS256") -> dict[str, str]:
    with warnings.catch_warnings():  # pyjwt warns that a 37-byte key is short for HS512; that is the point here
        warnings.simplefilter("ignore")
        return {"Authorization": f"Bearer {jwt.encode(payload, key, algorithm=algorithm)}"}


OTHER_SECRET = "another-secret-of-at-least-32-bytes"
BAD_CREDENTIALS: dict[str, tuple[Callable[[], dict[str, str]], str]] = {
    "missing": (dict, "missing_token"),
    "not-bearer": (lambda: {"Authorization": "Basic aHI6aHI="}, "missing_token"),
    "garbage": (lambda: {"Authorization": "Bearer not.a.jwt"}, "invalid_token"),
    "expired": (lambda: signed(claims(exp=int(time.time()) - 1)), "token_expired"),
    "forged": (lambda: signed(claims(), OTHER_SECRET), "invalid_token"),
    "unknown-role": (lambda: signed(claims(role="admin")), "invalid_token"),
    "empty-sub": (lambda: signed(claims(sub=" ")), "invalid_token"),
    "no-exp": (lambda: signed({"sub": "hr-7", "role": "hr"}), "invalid_token"),
    "alg-none": (lambda: signed(claims(), None, "none"), "invalid_token"),
    "other-alg": (lambda: signed(claims(), API_SECRET, "HS512"), "invalid_token"),
}


def test_a_token_issued_earlier_is_expired_later(api: Api) -> None:
    with freeze_time("2026-01-15 09:00:00"):
        token = issue_token(API_SECRET, "hr-7", Role.HR, ttl=3600)
    with freeze_time("2026-01-15 10:00:01"):
        response = api.client.get(f"/goals/{UUID(int=1)}", headers={"Authorization": f"Bearer {token}"})
    assert_problem(response, 401, "token_expired")


def test_a_token_that_worked_is_refused_once_it_has_expired(api: Api) -> None:
    # The server remembers a token whose signature held (api/auth.py VerifiedTokens); its times are checked again.
    with freeze_time("2026-01-15 09:00:00"):
        token = issue_token(API_SECRET, "hr-7", Role.HR, ttl=3600)
    headers = {"Authorization": f"Bearer {token}"}
    with freeze_time("2026-01-15 09:30:00"):
        assert api.client.get("/goals", headers=headers).status_code == 200
        assert api.client.get("/goals", headers=headers).status_code == 200
    with freeze_time("2026-01-15 10:00:01"):
        response = api.client.get("/goals", headers=headers)
    assert_problem(response, 401, "token_expired")


@pytest.mark.parametrize("credentials", BAD_CREDENTIALS)
def test_a_missing_expired_or_forged_token_is_a_401(api: Api, credentials: str) -> None:
    headers, code = BAD_CREDENTIALS[credentials]
    before = api.head()
    response = api.client.post("/goals", json=DRAFT, headers=headers())
    assert_problem(response, 401, code)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert api.head() == before


def test_health_and_the_docs_need_no_token(api: Api) -> None:
    assert api.client.get("/health").status_code == 200
    assert api.client.get("/openapi.json").status_code == 200
    assert "swagger" in api.client.get("/docs").text.lower()


# --- no input gives a 500 --------------------------------------------------------------------------------------

ODD_REQUESTS = [
    pytest.param("GET", "?as_of=2026-13-01T00:00:00Z", None, {}, 422, id="as_of-month-13"),
    pytest.param("GET", "?as_of=1700000000", None, {}, 422, id="as_of-unix-time"),
    pytest.param("GET", "?as_of=0001-01-01T00:00:00%2B14:00", None, {}, 404, id="as_of-year-1"),
    pytest.param("GET", "/history?as_of=0001-01-01T00:00:00-14:00", None, {}, 200, id="history-year-1"),
    pytest.param("GET", "?as_of=9999-12-31T23:59:59-14:00", None, {}, 200, id="as_of-year-9999"),
    pytest.param("PATCH", "", {"deadline": "10000-01-01"}, {}, 422, id="date-year-10000"),
    pytest.param("PATCH", "", {"weight": "1e400"}, {}, 422, id="huge-number-string"),
    pytest.param("PATCH", "", {"weight": 1e308}, {}, 422, id="huge-number"),
    pytest.param("PATCH", "", {"weight": "NaN"}, {}, 422, id="nan"),
    pytest.param("PATCH", "", {"weight": "-Infinity"}, {}, 422, id="infinity"),
    pytest.param("PATCH", "", {"weight": 0.000000001}, {}, 422, id="too-fine"),
    pytest.param("PATCH", "", {"title": ["a"]}, {}, 422, id="wrong-type"),
    pytest.param("PATCH", "", {"statement": "nul\u0000byte"}, {}, 422, id="nul-character"),
    pytest.param("PATCH", "", [], {}, 422, id="array-body"),
    pytest.param("PATCH", "", None, {}, 422, id="empty-body"),
    pytest.param("PATCH", "", {}, {}, 422, id="empty-object"),
    pytest.param("POST", "/measurements", {"kpi": "tickets", "value": 1, "observed_at": "2026-01-10"},
                 {"Idempotency-Key": "   "}, 422, id="blank-idempotency-key"),
    pytest.param("POST", "/signatures", {"version": 10**40}, {}, 409, id="absurd-version"),
    pytest.param("POST", "/signatures", {"version": "one"}, {}, 422, id="version-not-a-number"),
    pytest.param("POST", "/milestones", {"kpi": "tickets", "due": "9999-12-31", "target": 17}, {}, 409,
                 id="milestone-far-future"),
    pytest.param("POST", "/closure", {"outcome": "won", "summary": "x"}, {}, 422, id="unknown-outcome"),
]


@pytest.mark.parametrize(("method", "suffix", "body", "headers", "status"), ODD_REQUESTS)
def test_odd_input_gets_a_clear_refusal_never_a_500(
    api: Api, method: str, suffix: str, body: Any, headers: dict[str, str],
    status: int,
) -> None:
    goal_id = draft(api.goals, customer_service_terms())
    before = api.head()
    response = api.client.request(method, f"/goals/{goal_id}{suffix}", json=body,
                              headers={**api.as_(EMPLOYEE), **headers})
    assert response.status_code == status, response.text
    if status >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"]
        assert api.head() == before


def test_a_moment_without_an_offset_is_read_as_utc(api: Api) -> None:
    goal_id = draft(api.goals, customer_service_terms())
    history = api.client.get(f"/goals/{goal_id}/history?as_of=9999-01-01T00:00:00", headers=api.as_(EMPLOYEE))
    assert history.status_code == 200 and history.json()["as_of"] == "9999-01-01T00:00:00Z"


def test_a_measurement_value_keeps_every_decimal_digit(api: Api) -> None:
    goal_id = agreed(api.goals, customer_service_terms())
    reading = {"kpi": "tickets", "value": "1234567890123456.12345678", "observed_at": "2026-01-10"}
    response = api.client.post(f"/goals/{goal_id}/measurements", json=reading, headers=api.as_(EMPLOYEE))
    assert response.status_code == 201
    assert Decimal(response.json()["measurements"][0]["value"]) == Decimal("1234567890123456.12345678")
