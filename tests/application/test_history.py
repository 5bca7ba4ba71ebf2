"""The trail in words: each event with who, when and which fields went from what to what; replay at a moment."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, UTC
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from freezegun import freeze_time

from application.goals.service import Goals
from application.goals.history import describe_trail, goal_standing
from tests.conftest import Clock
from tests.lifecycles import whole_life
from tests.scenarios import EMPLOYEE, HR, MANAGER, customer_service_terms, draft


@contextmanager
def on(day: date, clock: Clock) -> Iterator[None]:
    clock.current = day
    with freeze_time(datetime(day.year, day.month, day.day, 12, tzinfo=UTC), tick=True):
        yield


@pytest.fixture
def recalibrated(goals: Goals, clock: Clock) -> UUID:
    """Agreed on 10 Jan, a reading on 2 Feb corrected on 3 Feb, the tickets target eased to 19 on 2 Mar."""
    with on(date(2026, 1, 10), clock):
        goal_id = draft(goals, customer_service_terms())
        goals.revise_goal(goal_id, MANAGER, {"title": "Support throughput"})
        goals.sign_goal(goal_id, EMPLOYEE)
        goals.sign_goal(goal_id, MANAGER)
    with on(date(2026, 2, 2), clock):
        goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(16), observed_at=date(2026, 1, 30))
    with on(date(2026, 2, 3), clock):
        goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal("16.5"), observed_at=date(2026, 1, 30))
    with on(date(2026, 3, 1), clock):
        goals.propose_recalibration(goal_id, MANAGER, reason="external_factor",
                                    justification="A ticketing outage cost two weeks.",
                                    targets={"tickets": {"target": Decimal(19)}})
    with on(date(2026, 3, 2), clock):
        goals.approve_recalibration(goal_id, HR, "r1", note="Outage confirmed.")
    return goal_id


def changes_of(entry: Any) -> dict[str, tuple[Any, Any]]:
    return {c.field: (c.before, c.after) for c in entry.changes}


def test_each_event_says_which_fields_changed_from_what_to_what(goals: Goals, recalibrated: UUID) -> None:
    trail = {e.version: e for e in describe_trail(goals.goal_events(recalibrated))}
    assert changes_of(trail[2]) == {"title": ("Support throughput and satisfaction", "Support throughput")}
    assert changes_of(trail[5])["status"] == ("draft", "agreed")
    assert changes_of(trail[7]) == {"measurements.tickets@2026-01-30": ("16", "16.5")}  # the correction
    assert changes_of(trail[8]) == {"recalibrations.r1.status": (None, "proposed"),
                                    "proposed.kpis.tickets.target": ("20", "19")}
    assert changes_of(trail[9]) == {"kpis.tickets.target": ("20", "19"),
                                    "recalibrations.r1.status": ("proposed", "approved")}
    assert (trail[9].type, trail[9].actor_id, trail[9].actor_role) == ("Recalibrated", "hr-7", "hr")
    assert trail[9].timestamp.startswith("2026-03-02T12:00")


def test_an_entry_is_json_ready_with_from_and_to(goals: Goals, recalibrated: UUID) -> None:
    entry = describe_trail(goals.goal_events(recalibrated))[6].as_dict()
    assert entry["type"] == "KpiRecorded"
    assert entry["data"]["corrects_version"] == 6
    assert entry["changes"] == [{"field": "measurements.tickets@2026-01-30", "from": "16", "to": "16.5"}]


def test_replay_at_a_past_moment_shows_the_goal_as_it_then_stood(goals: Goals, recalibrated: UUID) -> None:
    standing = goal_standing(goals.get_goal(recalibrated, as_of=datetime(2026, 2, 2, 18, tzinfo=UTC)))
    assert (standing["version"], standing["status"]) == (6, "agreed")
    assert standing["targets"]["tickets"] == {"direction": "increase", "unit": "tickets/day", "target": "20"}
    assert standing["latest_values"] == {"tickets": {"value": "16", "observed_at": "2026-01-30"}}


def test_the_state_at_the_end_has_the_targets_in_force(goals: Goals, recalibrated: UUID) -> None:
    standing = goal_standing(goals.get_goal(recalibrated))
    assert (standing["targets"]["tickets"]["target"], standing["deadline"]) == ("19", "2026-06-30")
    assert standing["latest_values"]["tickets"]["value"] == "16.5"


def test_every_kind_of_event_in_a_whole_life_is_described(goals: Goals, clock: Clock) -> None:
    trail = describe_trail(goals.goal_events(whole_life(goals, clock)))
    by_type = {e.type: changes_of(e) for e in trail}
    assert by_type["SignatureVoided"] == {"signatures.owner": ("emp-1 (terms of version 1)", None)}
    assert by_type["Recalibrated"]["kpis.csat.target"] == ("91", "88")
    assert by_type["Recalibrated"]["milestones.tickets@2026-04-30.target"] == (None, "16")
    assert by_type["Recalibrated"]["milestones.tickets@2026-03-31.target"] == ("17", None)
    assert by_type["RecalibrationRejected"] == {"recalibrations.r1.status": ("proposed", "rejected")}
    assert by_type["Closed"]["outcome"] == (None, "partially_achieved")
    assert all(e.changes for e in trail)
