"""Property: no query or path parameter of any operation, fed edge values, makes the API answer 5xx (both stores)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.scenarios import HR
from tests.security.conftest import Api

EDGE_TEXT = st.sampled_from([
    "\x00", "a\x00b", "\x1f", "\x7f", "%00", "\u0661\u0662", "\uff11", "\u00b2", "1_000", " 12", "",
    "9" * 40, str(2**63), str(2**64), "-1", "-9223372036854775809", "1e400", "NaN", "Infinity",
    "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-23:59", "0001-01-01", "9999-12-31T24:00:00Z",
    "2026-02-30T00:00:00Z", "2026-01-01T00:00:00+99:99", "00000000-0000-0000-0000-000000000000",
    "r1", "r" + "9" * 30, "x" * 5000, "../../etc/passwd", "'; DROP TABLE goals; --", "\ud7ff", "\U0010ffff",
])
EDGE = st.one_of(EDGE_TEXT, st.text(max_size=20), st.integers().map(str))
OPERATIONS: list[tuple[str, str, list[dict[str, Any]]]] = []


def operations(api: Api) -> list[tuple[str, str, list[dict[str, Any]]]]:
    if not OPERATIONS:
        for path, item in api.client.app.openapi()["paths"].items():
            for method, operation in item.items():
                if path != "/events/stream":  # never ends; its parameters are covered in test_no_server_errors
                    OPERATIONS.append((method.upper(), path, operation.get("parameters", [])))
    return OPERATIONS


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_parameter_of_any_operation_gets_a_server_error(api: Api, data: st.DataObject) -> None:
    method, path, parameters = data.draw(st.sampled_from(operations(api)), label="operation")
    query: dict[str, str] = {}
    for parameter in parameters:
        value = data.draw(EDGE, label=parameter["name"])
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", quote(value, safe="") or "x")
        elif parameter["in"] == "query":
            query[parameter["name"]] = value
    response = api.client.request(method, path, params=query, headers=api.as_(HR), json={} if method != "GET" else None)
    assert response.status_code < 500, (method, path, query, response.text[:300])
