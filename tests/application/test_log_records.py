"""Records decoded straight from the stored JSON are the records the domain events give, whatever the event."""

from __future__ import annotations

import pytest

from application.goals.service import Goals
from application.events.log_records import log_records
from application.events.serialization import EventRecord
from tests.application.test_event_versions import agreed_by_old_code
from tests.conftest import Clock
from tests.lifecycles import WHOLE_LIFE_EVENTS, whole_life
from tests.scenarios import SETUP_EVENTS


def test_every_kind_of_event_reads_as_the_same_record_either_way(
    goals: Goals, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole_life(goals, clock)
    slow = [EventRecord.of(e.event, e.position) for e in goals.log_events()]
    decoded = []
    to_domain_event = goals.mapper.to_domain_event
    monkeypatch.setattr(goals.mapper, "to_domain_event", lambda n: decoded.append(n) or to_domain_event(n))
    fast = list(log_records(goals, page_size=4))
    assert decoded == []  # the current event versions never take the long way
    assert len(fast) == SETUP_EVENTS + WHOLE_LIFE_EVENTS and fast == slow
    assert len({r.type for r in fast}) >= 9  # draft, signatures, revision, milestone, readings, recalibrations, close


def test_an_event_stored_before_its_class_version_goes_through_the_upcaster(goals: Goals) -> None:
    agreed_by_old_code(goals)
    slow = [EventRecord.of(e.event, e.position) for e in goals.log_events()]
    fast = list(log_records(goals))
    assert fast == slow
    assert [r.data["read_version"] for r in fast if r.type == "AgreementSigned"] == [None, None]  # added by the upcast


def test_records_stop_at_the_position_asked_for(goals: Goals, clock: Clock) -> None:
    whole_life(goals, clock)
    assert [r.position for r in log_records(goals, after=3, until=7, page_size=2)] == [4, 5, 6, 7]
