"""One ASGI layer does what five middlewares did (ADR 0049): the request id and log line, the guards, the trace
context; each answer, a guard's refusal included, carries its request id, and the log names the caller."""

from __future__ import annotations

import json
import logging
import re

import pytest

from api.app import create_app
from api.observability.logs import JsonFormatter
from api.request_layer import RequestLayer
from tests.scenarios import HR
from tests.security.conftest import Api

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def logged(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "goalengine.requests"]


def test_the_app_has_one_middleware_of_its_own(api: Api) -> None:
    app = create_app(services=api.client.app.state.services)  # type: ignore[attr-defined]
    assert [middleware.cls for middleware in app.user_middleware] == [RequestLayer]


def test_an_answer_carries_its_request_id_and_echoes_a_valid_traceparent(api: Api) -> None:
    answer = api.client.get("/health", headers={"traceparent": TRACEPARENT, "X-Request-ID": "mine-1"})
    assert answer.headers["traceparent"] == TRACEPARENT and answer.headers["X-Request-ID"] == "mine-1"
    fresh = api.client.get("/health", headers={"traceparent": "00-nonsense"})
    assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-01", fresh.headers["traceparent"])
    assert re.fullmatch(r"[0-9a-f]{32}", fresh.headers["X-Request-ID"])


def test_a_guards_refusal_is_logged_with_its_request_id(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="goalengine.requests"):
        refused = api.client.get("/goals?owner=a%00b", headers={**api.as_(HR), "X-Request-ID": "nul-1"})
    assert refused.status_code == 422 and refused.headers["X-Request-ID"] == "nul-1"
    [entry] = logged(caplog)
    assert (entry["request_id"], entry["status"], entry["subject"]) == ("nul-1", 422, HR.id)


def test_the_log_names_the_caller_whether_a_route_or_the_layer_read_the_token(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="goalengine.requests"):
        api.client.get("/health", headers=api.as_(HR))  # no route reads this token: the layer does, for the log
        api.client.get("/goals", headers=api.as_(HR))  # the route's authentication names the caller
        api.client.post("/goals", json={}, headers=api.as_(HR))  # a write: the rate limits name the caller
    assert [(e["route"], e["subject"], e["role"]) for e in logged(caplog)] == [
        ("/health", HR.id, "hr"), ("/goals", HR.id, "hr"), ("/goals", HR.id, "hr")]
