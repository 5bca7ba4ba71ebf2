"""What the OpenAPI document allows, the API takes: the patterns of parameters and fields match the rules behind them.

Each test draws values from the very pattern the document publishes and checks the rule the API applies after
validation agrees, so a client generating code or data from the document is not refused for schema-valid input.
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from api.app import create_app
from api.deps import ISO_MOMENT, as_of_moment
from api.problems import Problem
from api.routes.events import SUBJECT_LIST, TYPE_LIST, split
from api.schemas.common import FILLED_LINE, FILLED_TEXT, text_of_at_least
from application.events.cloudevents import topics_for
from application.events.filters import EventFilter
from domain.recalibration import MIN_JUSTIFICATION
from tests.conftest import store_settings


def _is_29_february_of_a_common_year(text: str) -> bool:
    year, month, day = int(text[0:4]), text[5:7], text[8:10]
    return (month, day) == ("02", "29") and not calendar.isleap(year)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(ISO_MOMENT, fullmatch=True))
def test_every_moment_the_as_of_pattern_allows_is_read_but_29_february_of_a_common_year(text: str) -> None:
    if _is_29_february_of_a_common_year(text):
        with pytest.raises(Problem):
            as_of_moment(text)
        return
    moment = as_of_moment(text)
    assert isinstance(moment, datetime) and moment.tzinfo is not None


@pytest.mark.parametrize("text", [
    "0000-01-01T00:00:00Z", "2026-02-30T10:00:00Z", "2026-04-31T10:00:00Z", "2026-01-01T24:00:00Z",
    "2026-01-01T10:00:00+24:00", "9999-12-31T23:59:59-23:60", "2026-13-01T00:00:00Z",
])
def test_the_as_of_pattern_refuses_moments_no_calendar_holds(text: str) -> None:
    assert re.fullmatch(ISO_MOMENT, text) is None


@settings(max_examples=200, deadline=None)
@given(st.from_regex(SUBJECT_LIST, fullmatch=True))
def test_every_subject_list_the_pattern_allows_is_a_list_of_goal_ids(text: str) -> None:
    EventFilter.parse(split([text]))  # raises InvalidEventFilterError for anything that is not a UUID


@settings(max_examples=200, deadline=None)
@given(st.from_regex(FILLED_LINE, fullmatch=True) | st.from_regex(FILLED_TEXT, fullmatch=True))
def test_filled_text_is_never_blank_once_stripped(text: str) -> None:
    assert text.strip()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(" \t\n\u2003\u00a0x"), max_size=40))
def test_the_justification_pattern_is_the_domains_length_rule(text: str) -> None:
    pattern = text_of_at_least(MIN_JUSTIFICATION)
    assert (re.fullmatch(pattern, text) is not None) == (len(text.strip()) >= MIN_JUSTIFICATION)


def test_every_text_parameter_refuses_control_characters_in_the_document(client_openapi: dict[str, Any]) -> None:
    for path, item in client_openapi["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                schema = schema.get("items", schema)
                if parameter["in"] in ("path", "query") and schema.get("type") == "string" and "format" not in schema:
                    assert "pattern" in schema, f"{method} {path} {parameter['name']}"
                    assert re.search(schema["pattern"], "a\x00b") is None, f"{method} {path} {parameter['name']}"


@pytest.fixture(scope="module")
def client_openapi(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    store = tmp_path_factory.mktemp("document") / "goals.db"
    settings = store_settings(database_url=f"sqlite:///{store}", api_secret="x" * 40)
    document: dict[str, Any] = create_app(settings).openapi()
    return document


@settings(max_examples=200, deadline=None)
@given(st.from_regex(TYPE_LIST, fullmatch=True))
def test_every_type_list_the_pattern_allows_names_known_types(text: str) -> None:
    topics_for(split([text]))  # raises UnknownEventTypeError for a type the feed does not publish


def test_a_method_a_resource_does_not_take_is_405_with_the_methods_it_takes(tmp_path: Path) -> None:
    app = create_app(store_settings(database_url=f"sqlite:///{tmp_path / 'goals.db'}", api_secret="x" * 40))
    with TestClient(app) as client:
        answer = client.request("TRACE", "/subscriptions/some-id/secret")
    assert answer.status_code == 405 and answer.json()["code"] == "method_not_allowed"
    assert answer.headers["Allow"] == "POST"
