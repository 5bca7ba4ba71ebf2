"""One log holds goals and other aggregates (ADR 0022): readers of the whole log take them, goal readers skip them.

`Probe` stands for any later aggregate (a cycle, a review): it is defined here, so these tests do not depend on
which aggregates the product has.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate

from application.audit.verification import verify_trail
from application.events.cloudevents import cloudevent_type, to_cloudevents
from application.events.feed import EventFeed
from application.errors import GoalNotFoundError
from application.events.filters import EventFilter
from application.goals.service import Goals
from application.events.log_records import log_records
from application.events.serialization import EventRecord
from projections.reviews import Reviews
from projections.service import build_runner
from tests.conftest import Clock
from tests.scenarios import EMPLOYEE, HR, SETUP_EVENTS, agreed, customer_service_terms


class Probe(Aggregate):
    TOPIC = "goalengine:Probe"

    class Event(Aggregate.Event):
        TOPIC = "goalengine:Probe.Event"
        actor_id: str
        actor_role: str

    class Opened(Aggregate.Created, Event):
        TOPIC = "goalengine:Probe.Opened"
        cycle: str

    class Noted(Event):
        TOPIC = "goalengine:Probe.Noted"
        goal_id: str
        note: str

    class Warned(Event):
        TOPIC = "goalengine:Probe.Warned"
        CLOUDEVENT_TYPE = "goal.probe_warned.v1"
        goal_id: str

    @classmethod
    def open(cls, cycle: str) -> Probe:
        return cls._create(cls.Opened, id=uuid4(), cycle=cycle, actor_id="hr-1", actor_role="hr")

    def note(self, goal_id: UUID, note: str) -> None:
        self.trigger_event(self.Noted, goal_id=str(goal_id), note=note, actor_id="hr-1", actor_role="hr")


def a_log_with_a_probe_between_goal_events(goals: Goals, clock: Clock) -> tuple[UUID, Probe]:
    goal_id = agreed(goals, customer_service_terms())
    probe = Probe.open("2026-H1")
    probe.note(goal_id, "looked at it")
    goals.save(probe)
    clock.current = date(2026, 2, 2)
    goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal("16.5"), observed_at=date(2026, 2, 1))
    return goal_id, probe


def cloudevents(goals: Goals) -> list[dict[str, Any]]:
    return to_cloudevents(goals, list(goals.log_events()))


def test_the_feed_carries_another_aggregates_events_in_log_order(goals: Goals, clock: Clock) -> None:
    goal_id, probe = a_log_with_a_probe_between_goal_events(goals, clock)
    items = EventFeed(goals).page(limit=100).items
    types = [item["type"] for item in items]
    assert types[-3:] == ["probe.opened.v1", "probe.noted.v1", "goal.kpi_recorded.v1"]
    opened, noted = items[-3], items[-2]
    assert opened["subject"] == str(probe.id) and opened["aggregateversion"] == 1 and "goalversion" not in opened
    assert noted["subject"] == str(goal_id)  # it names a goal: subscribers of that goal see it
    assert noted["id"] == f"{probe.id}:2" and noted["data"]["note"] == "looked at it"
    assert [item["position"] for item in items] == sorted(item["position"] for item in items)


def test_a_class_may_name_its_own_cloudevents_type() -> None:
    assert cloudevent_type(Probe.Warned) == "goal.probe_warned.v1"
    assert cloudevent_type(Probe.Noted) == "probe.noted.v1"


def test_goal_filters_judge_another_aggregates_event_by_the_goal_it_names(goals: Goals, clock: Clock) -> None:
    goal_id, probe = a_log_with_a_probe_between_goal_events(goals, clock)
    by_goal = list(EventFilter.parse(subjects=[str(goal_id)]).select(goals, goals.log_events()))
    assert str(probe.id) not in {str(e.event.originator_id) for e in by_goal if e.event.originator_version == 1}
    assert any(type(e.event) is Probe.Noted for e in by_goal)
    in_cycle = list(EventFilter.parse(cycle="2026-H1").select(goals, goals.log_events()))
    assert {type(e.event) for e in in_cycle} >= {Probe.Opened, Probe.Noted}
    other_cycle = list(EventFilter.parse(cycle="2027").select(goals, goals.log_events()))
    assert other_cycle == []
    by_unit = list(EventFilter.parse(org_unit="nowhere").select(goals, goals.log_events()))
    assert by_unit == []


def test_projections_skip_other_aggregates_and_still_reach_the_head(goals: Goals, clock: Clock) -> None:
    goal_id, _probe = a_log_with_a_probe_between_goal_events(goals, clock)
    runner = build_runner(goals)
    runner.catch_up()
    assert {status.lag for status in runner.status()} == {0}
    review = Reviews(goals, goals.engine).review(HR, EMPLOYEE.id, "2026-H1")
    assert [goal["goal_id"] for goal in review["goals"]] == [str(goal_id)]
    assert runner.rebuild() > 0
    assert {status.lag for status in runner.status()} == {0}


def test_log_records_name_another_aggregates_events_by_aggregate(goals: Goals, clock: Clock) -> None:
    a_log_with_a_probe_between_goal_events(goals, clock)
    records: list[EventRecord] = list(log_records(goals))
    probe_records = [r for r in records if r.type.startswith("Probe.")]
    assert [r.type for r in probe_records] == ["Probe.Opened", "Probe.Noted"]
    assert all(r.of_goal for r in records[SETUP_EVENTS:] if r not in probe_records)


def test_the_trail_with_another_aggregate_verifies_intact(goals: Goals, clock: Clock) -> None:
    a_log_with_a_probe_between_goal_events(goals, clock)
    result = verify_trail(goals)
    assert result.intact, result.problem
    assert result.events == goals.head_position()


def test_another_aggregates_id_is_no_goal(goals: Goals, clock: Clock) -> None:
    _goal_id, probe = a_log_with_a_probe_between_goal_events(goals, clock)
    with pytest.raises(GoalNotFoundError):
        goals.get_goal(probe.id)
    with pytest.raises(GoalNotFoundError):
        goals.goal_events(probe.id)
