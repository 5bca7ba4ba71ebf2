"""A goal's review state, and so its review, grows with the days read, never with the readings (issue 28, ADR 0044):
a KPI fed many times a day keeps one counted reading and at most one correction per day, and a state stored before
(every reading kept) reads the same."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from application.events.serialization import EventRecord
from application.goals.service import Goals
from projections.review.state import fold
from projections.review.view import kpi_review
from tests.conftest import Clock
from tests.scenarios import EMPLOYEE, agreed, customer_service_terms

DAYS, PER_DAY = 4, 6


def fed(goals: Goals, clock: Clock) -> list[EventRecord]:
    clock.current = date(2026, 4, 2)
    goal_id = agreed(goals, customer_service_terms())
    for day in range(DAYS):
        for reading in range(PER_DAY):  # an automated feed: every later reading of a day corrects the one before
            goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(10 * day + reading),
                             observed_at=date(2026, 3, 1) + timedelta(days=day), note=f"feed {reading}")
    return [EventRecord.of(e) for e in goals.goal_events(goal_id)]


def test_a_review_state_keeps_one_reading_and_one_correction_per_day(goals: Goals, clock: Clock) -> None:
    state = fold(fed(goals, clock))
    assert state is not None
    assert len(state["readings"]) == DAYS and len(state["corrections"]) == DAYS
    assert [r["value"] for r in state["readings"]] == [str(10 * day + PER_DAY - 1) for day in range(DAYS)]
    review = kpi_review(state, state["kpis"][0], date(2026, 4, 2))
    assert [(s["observed_at"], s["value"]) for s in review["series"]] == [
        ((date(2026, 3, 1) + timedelta(days=day)).isoformat(), str(10 * day + PER_DAY - 1)) for day in range(DAYS)]
    assert [(c["value"], c["replaced_value"], c["note"]) for c in review["corrections"]] == [
        (str(10 * day + PER_DAY - 1), str(10 * day + PER_DAY - 2), f"feed {PER_DAY - 1}") for day in range(DAYS)]


def test_a_state_stored_with_every_reading_reads_and_extends_the_same(goals: Goals, clock: Clock) -> None:
    records = fed(goals, clock)
    current = fold(records)
    old_shape = fold(records[:-1])
    assert current is not None and old_shape is not None
    every = [r for r in records if r.type == "KpiRecorded"][:-1]
    old_shape.pop("corrections")
    old_shape["readings"] = [{"kpi": r.data["kpi"], "observed_at": r.data["observed_at"], "value": r.data["value"],
                              "version": r.version, "recorded_at": r.timestamp, "recorded_by": r.actor_id,
                              "corrects_version": r.data["corrects_version"], "note": r.data["note"]} for r in every]
    assert fold(records[-1:], old_shape) == current
