"""Every event of a goal's whole life validates against its type's published JSON Schema; docs/events is current."""

from __future__ import annotations

from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker, ValidationError

from api.cli.event_schemas import rendered
from application.events.cloudevents import EVENT_TYPES, to_cloudevent
from application.events.schemas import SCHEMAS
from application.goals.service import Goals
from tests.conftest import Clock
from application.privacy.erasure import erase_person
from tests.lifecycles import cycle_life, directory_life, other_aggregates_life, whole_life
from tests.scenarios import HR

DOCS = Path(__file__).resolve().parents[2] / "docs" / "events"


def validator(event_type: str) -> Draft202012Validator:
    return Draft202012Validator(SCHEMAS[event_type], format_checker=FormatChecker())


def test_every_event_of_a_whole_life_validates_against_its_schema(goals: Goals, clock: Clock) -> None:
    cycle_life(goals)
    other_aggregates_life(goals, whole_life(goals, clock))
    erase_person(goals, "emp-left", HR, "left in 2019; retention ended")  # person.identified and person.erased
    directory_life(goals)
    cloudevents = [to_cloudevent(e.event, e.position) for e in goals.log_events()]
    assert {e["type"] for e in cloudevents} == set(EVENT_TYPES)  # the lives cover every type there is
    for cloudevent in cloudevents:
        validator(cloudevent["type"]).validate(cloudevent["data"])


def test_the_schemas_reject_data_that_breaks_the_contract(goals: Goals, clock: Clock) -> None:
    whole_life(goals, clock)
    by_type = {e["type"]: e["data"] for e in (to_cloudevent(x.event, x.position) for x in goals.log_events())}
    broken = [
        ("goal.kpi_recorded.v1", {**by_type["goal.kpi_recorded.v1"], "value": 16.5}),  # a float, not a string
        ("goal.kpi_recorded.v1", {k: v for k, v in by_type["goal.kpi_recorded.v1"].items() if k != "kpi"}),
        ("goal.closed.v1", {**by_type["goal.closed.v1"], "outcome": "great"}),
        ("goal.drafted.v1", {**by_type["goal.drafted.v1"], "deadline": "30 June"}),
        ("goal.recalibrated.v1", {**by_type["goal.recalibrated.v1"], "extra": 1}),
    ]
    for event_type, data in broken:
        with pytest.raises(ValidationError):
            validator(event_type).validate(data)


def test_every_schema_is_a_valid_json_schema() -> None:
    for schema in SCHEMAS.values():
        Draft202012Validator.check_schema(schema)


def test_docs_events_holds_the_current_schemas() -> None:
    """Regenerate with `goalengine event-schemas --out docs/events` after changing an event."""
    written = {path.name: path.read_text() for path in DOCS.glob("*.v*.json")}
    assert written == rendered()
    assert {name.removesuffix(".json") for name in written} == set(SCHEMAS)
