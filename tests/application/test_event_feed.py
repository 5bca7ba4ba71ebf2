"""The feed: CloudEvents in log order, resumable by position, never behind an event committed late."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest

from application.events.catalogue import EVENT_CLASSES
from application.events.cloudevents import (
    EVENT_TYPES,
    UnknownEventTypeError,
    cloudevent_type,
    to_cloudevent,
)
from application.events.feed import EventFeed
from application.goals.service import Goals
from domain.cycle import Cycle as ReviewCycle
from domain.goal import Goal
from tests.conftest import Clock
from tests.scenarios import (
    EMPLOYEE,
    agreed,
    customer_service_terms,
    defect_rate_terms,
    draft,
)


def test_a_goal_event_becomes_a_cloudevent_with_a_stable_id(goals: Goals, clock: Clock) -> None:
    goal_id = agreed(goals, customer_service_terms())
    clock.current = date(2026, 2, 2)
    goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal("16.5"), observed_at=date(2026, 2, 1))
    logged = list(goals.log_events())[-1]
    cloudevent = to_cloudevent(logged.event, logged.position)
    assert cloudevent == {
        "specversion": "1.0",
        "id": f"{goal_id}:5",
        "source": "urn:goalengine",
        "type": "goal.kpi_recorded.v1",
        "subject": str(goal_id),
        "time": logged.event.timestamp.isoformat(),
        "datacontenttype": "application/json",
        "position": 8,  # after the three events of the test cycles
        "goalversion": 5,
        "data": {
            "kpi": "tickets", "value": "16.5", "observed_at": "2026-02-01", "source": "", "note": "",
            "corrects_version": None, "actor": {"id": "emp-1", "role": "employee"},
        },
    }
    assert to_cloudevent(list(goals.log_events())[-1].event, 8) == cloudevent  # read again: the same event


def test_types_are_named_after_the_events_and_their_versions() -> None:
    assert cloudevent_type(Goal.KpiRecorded) == "goal.kpi_recorded.v1"
    assert cloudevent_type(Goal.RecalibrationProposed) == "goal.recalibration_proposed.v1"
    named = {"goal.drafted.v1", "goal.checked_in.v1", "goal.reading_overdue.v1", "review.disputed.v1",
             "goal.reassigned.v1", "cycle.locked.v1"}
    assert named <= set(EVENT_TYPES)
    assert len(EVENT_TYPES) == len(EVENT_CLASSES)  # one type per class: no two share a name
    assert cloudevent_type(ReviewCycle.Locked) == "cycle.locked.v1"


def test_reading_from_zero_to_the_head_gives_exactly_the_store(goals: Goals) -> None:
    agreed(goals, customer_service_terms())
    agreed(goals, defect_rate_terms())
    feed, after, seen = EventFeed(goals), 0, []
    while True:
        page = feed.page(after, limit=3)
        seen += page.items
        if not page.items:
            break
        after = page.next_after
    assert after == goals.head_position()
    assert [e["position"] for e in seen] == [e.position for e in goals.log_events()]


def test_a_type_filter_moves_next_after_to_the_head(goals: Goals) -> None:
    agreed(goals, customer_service_terms())
    page = EventFeed(goals).page(0, limit=10, types=["goal.agreed.v1", "goal.drafted.v1"])
    assert [e["type"] for e in page.items] == ["goal.drafted.v1", "goal.agreed.v1"]
    assert page.next_after == goals.head_position() == 7  # the test cycles' three events, then the goal's four
    with pytest.raises(UnknownEventTypeError, match=r"goal\.kpi_recorded\.v0"):
        EventFeed(goals).page(0, types=["goal.kpi_recorded.v0"])


def test_a_reader_paging_while_others_write_never_finds_an_event_behind_its_position(
    goals: Goals, clock: Clock
) -> None:
    writers_done = threading.Event()
    errors: list[BaseException] = []

    def write(app: Goals, index: int) -> None:
        try:
            for n in range(8):
                draft(app, customer_service_terms(title=f"Goal {index}-{n}"))
        except BaseException as error:  # surfaced by the assertion below
            errors.append(error)

    # Each writer has its own application (its own connections); made here, since creating tables races.
    apps = [Goals(goals.settings, today=clock) for _ in range(3)]
    writers = [threading.Thread(target=write, args=(app, i)) for i, app in enumerate(apps)]
    for writer in writers:
        writer.start()
    threading.Thread(target=lambda: ([w.join() for w in writers], writers_done.set()), daemon=True).start()
    feed, after, seen, pages_while_writing = EventFeed(goals), 0, [], 0
    while True:
        finished = writers_done.is_set()
        page = feed.page(after, limit=4)
        assert all(e["position"] > after for e in page.items)
        assert [e["position"] for e in page.items] == sorted(e["position"] for e in page.items)
        seen += page.items
        pages_while_writing += bool(page.items) and not finished
        after = page.next_after
        if finished and not page.items:
            break
    for app in apps:
        app.close()
    assert errors == []
    assert [e["position"] for e in seen] == [e.position for e in goals.log_events()]
    assert len(seen) == 24 + 3  # and the test cycles' three
    assert pages_while_writing > 0  # the reader really paged through a log that was still growing
