"""Bodies are capped before parsing and authentication; control characters in paths and queries are refused."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.scenarios import EMPLOYEE
from tests.security.conftest import GUARDS, Api

LIMIT = GUARDS.max_body_bytes


def test_an_unauthenticated_body_over_the_limit_is_refused_413_before_the_token_is_checked(api: Api) -> None:
    response = api.client.post("/goals", content=b"{" + b" " * LIMIT + b"}",
                               headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "body_too_large"


def test_a_chunked_body_over_the_limit_is_refused_413_without_a_declared_length(api: Api) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(4):
            yield b" " * (LIMIT // 2)

    headers = {**api.as_(EMPLOYEE), "Content-Type": "application/json"}
    response = api.client.post("/goals", content=chunks(), headers=headers)
    assert response.status_code == 413
    assert response.json()["limit"] == LIMIT


def test_a_content_length_that_is_not_a_number_is_refused(api: Api) -> None:
    response = api.client.post("/goals", content=b"{}", headers={"Content-Length": "1e9", **api.as_(EMPLOYEE)})
    assert response.status_code in (400, 413)


def test_a_body_within_the_limit_reaches_the_route(api: Api) -> None:
    response = api.client.post("/goals", content=json.dumps({"title": "x" * 100}), headers=api.as_(EMPLOYEE))
    assert response.status_code == 422  # validated by the route: the guard let it through intact


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/goals?owner_id=emp%001", "query.owner_id"),
        ("/goals?cursor=%00", "query.cursor"),
        ("/events?type=goal.closed.v1%00", "query.type"),
        ("/reviews/emp%001?cycle=2026-H1", "path"),
        ("/reviews/emp-1?cycle=2026%00H1", "query.cycle"),
        ("/goals/00000000-0000-0000-0000-000000000000/recalibrations/r%001/approval", "path"),
        ("/subscriptions/%00", "path"),
        ("/goals?org_unit=a%1fb", "query.org_unit"),
    ],
)
def test_a_nul_or_control_character_in_a_path_or_query_is_refused_422_naming_where(
    api: Api, url: str, field: str
) -> None:
    method = "POST" if url.endswith("approval") else "GET"
    response = api.client.request(method, url, headers=api.as_(EMPLOYEE))
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [{"field": field, "message": "must not contain control characters"}]


def test_a_body_nested_too_deeply_for_the_parser_is_refused_422_not_a_500(api: Api) -> None:
    for body in (b"[" * 20_000 + b"]" * 20_000, b"{\"a\":" * 6_000 + b"1" + b"}" * 6_000):  # within the limit
        response = api.client.post("/goals", content=body,
                                   headers={**api.as_(EMPLOYEE), "Content-Type": "application/json"})
        assert response.status_code == 422, response.text[:200]
        assert response.json()["errors"][0]["field"] == "body"
