"""Projections dispatch on event classes: every event type has a rule, and one they do not know stops them."""

from __future__ import annotations

import pytest

from application.events.cloudevents import EVENT_CLASSES
from application.events.catalogue import is_goal_topic
from application.events.serialization import EventRecord, UnknownEventError, type_name
from domain.goal import Goal
from projections.alignment import CHANGES as ALIGNMENT_CHANGES
from projections.goal_index import CHANGES
from projections.review.state import HANDLERS, fold


def test_every_goal_event_type_has_a_rule_in_every_projection() -> None:
    later_events = [cls for cls in EVENT_CLASSES if is_goal_topic(cls.TOPIC) and cls is not Goal.Drafted]
    assert {type_name(cls) for cls in later_events} == set(CHANGES) == set(HANDLERS) == set(ALIGNMENT_CHANGES)


def test_an_event_type_the_review_state_does_not_know_fails_loudly() -> None:
    drafted = EventRecord("g", 1, "Drafted", "2026-01-01T00:00:00+00:00", "emp-1", "employee", {
        "owner_id": "emp-1", "manager_id": "mgr-1", "org_unit": None, "cycle": {"id": "c"}, "title": "t",
        "weight": "1", "deadline": None, "kpis": [],
    })
    unknown = EventRecord("g", 2, "Teleported", "2026-01-02T00:00:00+00:00", "emp-1", "employee", {})
    with pytest.raises(UnknownEventError, match="Teleported"):
        fold([drafted, unknown])
