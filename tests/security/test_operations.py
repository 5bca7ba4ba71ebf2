"""/metrics moves with the traffic, /ready tells the store and the projections apart,
every request logs one JSON line."""

from __future__ import annotations

import json
import logging
import re

import pytest

from api.observability.logs import JsonFormatter
from tests.scenarios import EMPLOYEE, HR, customer_service_terms, draft
from tests.security.conftest import Api


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in the Prometheus text format (0 if absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}(?:\{{(.*)\}})? (\S+)", line)
        if match and ",".join(sorted((match.group(1) or "").split(","))) == wanted:
            return float(match.group(2))
    return 0.0


def test_metrics_count_requests_by_route_and_status_and_follow_the_event_log(api: Api) -> None:
    before = api.client.get("/metrics").text
    route = "/goals/{goal_id}"
    goal_id = draft(api.goals, customer_service_terms())
    for _ in range(3):
        assert api.client.get(f"/goals/{goal_id}", headers=api.as_(EMPLOYEE)).status_code == 200
    api.client.get("/goals/not-a-uuid", headers=api.as_(EMPLOYEE))
    api.client.get("/goals?owner_id=%00", headers=api.as_(HR))
    after = api.client.get("/metrics")
    assert after.headers["content-type"].startswith("text/plain")
    text = after.text
    ok = {"route": route, "method": "GET", "status": "200"}
    counted_before = sample(before, "goalengine_http_requests_total", **ok)
    assert sample(text, "goalengine_http_requests_total", **ok) == counted_before + 3
    assert sample(text, "goalengine_http_requests_total", route=route, method="GET", status="422") >= 1
    assert sample(text, "goalengine_http_requests_total", route="unmatched", method="GET", status="422") >= 1
    assert sample(text, "goalengine_http_request_duration_seconds_count", route=route, method="GET") >= 3
    assert sample(text, "goalengine_events_appended_total") == api.goals.head_position() > 0
    assert sample(text, "goalengine_events_appended_total") > sample(before, "goalengine_events_appended_total")
    assert "goalengine_projection_lag{" in text and "goalengine_event_streams_open" in text


def test_ready_says_ready_with_each_projection_and_its_lag(api: Api) -> None:
    answer = api.client.get("/ready")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ready" and {p["name"] for p in body["projections"]} >= {"goal_index"}


def test_ready_answers_503_when_a_projection_trails_beyond_its_bound(api: Api) -> None:
    state = api.client.app.state
    guards = state.guards
    draft(api.goals, customer_service_terms())
    state.guards = type(guards)(ready_max_lag=1)
    runner = state.projections  # the read models' positions in the store (projections/positions.py)
    try:
        runner.positions = lambda: dict.fromkeys(runner.names, 0)  # as if nothing had been applied yet
        answer = api.client.get("/ready")
    finally:
        state.guards = guards
        del runner.positions
    assert answer.status_code == 503 and answer.json()["code"] == "projections_behind"
    assert api.client.get("/ready").status_code == 200


def test_each_request_logs_one_json_line_with_its_id_and_caller_and_never_the_token(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    headers = {**api.as_(HR), "X-Request-ID": "req-42"}
    with caplog.at_level(logging.INFO, logger="goalengine.requests"):
        response = api.client.get("/goals", headers=headers)
    assert response.headers.get("X-Request-ID") == "req-42", (
        response.status_code, response.headers, response.text[:300],
    )
    records = [r for r in caplog.records if r.name == "goalengine.requests"]
    assert len(records) == 1
    line = JsonFormatter().format(records[0])
    entry = json.loads(line)
    assert {k: entry[k] for k in ("request_id", "route", "status", "subject", "role")} == {
        "request_id": "req-42", "route": "/goals", "status": 200, "subject": "hr-7", "role": "hr"}
    assert entry["duration_ms"] >= 0
    token = headers["Authorization"].split()[1]
    assert token not in line and token.split(".")[2] not in line


def test_a_forged_request_id_is_replaced(api: Api) -> None:
    response = api.client.get("/health", headers={"X-Request-ID": 'x"\n{"level":"error"}'})
    assert re.fullmatch("[0-9a-f]{32}", response.headers["X-Request-ID"])
