"""The seed's goals walk their whole life through the application, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from application.goals.service import Goals
from domain.values import Outcome, RecalibrationStatus, Status
from tests.conftest import Clock
from tests.scenarios import (
    SETUP_EVENTS,
    EMPLOYEE,
    HR,
    MANAGER,
    OTHER_HR,
    agree_milestone,
    agreed,
    customer_service_terms,
    defect_rate_terms,
)


def test_customer_service_goal_is_drafted_agreed_tracked_recalibrated_and_closed(goals: Goals, clock: Clock) -> None:
    goal_id = agreed(goals, customer_service_terms())
    agree_milestone(goals, goal_id, kpi="tickets", due=date(2026, 3, 31), target=Decimal(17))
    clock.current = date(2026, 4, 2)
    goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal("16.5"), observed_at=date(2026, 3, 31))
    goals.record_kpi(goal_id, EMPLOYEE, kpi="csat", value=Decimal("88"), observed_at=date(2026, 3, 31))
    rejected = goals.propose_recalibration(
        goal_id, MANAGER, reason="external_factor", justification="Ticketing outage in March cost two weeks.",
        targets={"tickets": {"target": Decimal(17)}},
    )
    goals.reject_recalibration(goal_id, HR, rejected.reference or "", note="Too generous for a two-week outage.")
    approved = goals.propose_recalibration(
        goal_id, MANAGER, reason="external_factor", justification="Ticketing outage in March cost two weeks.",
        targets={"tickets": {"target": Decimal(19)}}, deadline=date(2026, 6, 20),
    )
    goals.approve_recalibration(goal_id, OTHER_HR, approved.reference or "", note="Outage confirmed by IT.")
    goals.close_goal(goal_id, MANAGER, outcome="achieved", summary="19.4 tickets/day and 91% CSAT.")

    goal = goals.get_goal(goal_id)
    assert goal.status == Status.CLOSED and goal.outcome == Outcome.ACHIEVED
    assert goal.kpi("tickets").target == Decimal(19)
    assert [k.target for k in goal.original_kpis] == [Decimal(20), Decimal(90)]
    assert goal.deadline == date(2026, 6, 20)
    assert [r.status for r in goal.recalibrations] == [RecalibrationStatus.REJECTED, RecalibrationStatus.APPROVED]
    assert goal.recalibrations[1].before.to_stored() == {
        "targets": {"tickets": {"target": Decimal(20)}}, "deadline": date(2026, 6, 30), "milestones": [],
    }
    names = [type(e).__name__ for e in goals.goal_events(goal_id)]
    assert names == [
        "Drafted", "AgreementSigned", "AgreementSigned", "Agreed", "MilestoneProposed", "MilestoneSet", "KpiRecorded",
        "KpiRecorded",
        "RecalibrationProposed", "RecalibrationRejected", "RecalibrationProposed", "Recalibrated", "Closed",
    ]


def test_defect_rate_goal_with_a_decrease_kpi_is_tracked_to_closure(goals: Goals, clock: Clock) -> None:
    goal_id = agreed(goals, defect_rate_terms())
    clock.current = date(2026, 7, 1)
    goals.record_kpi(goal_id, EMPLOYEE, kpi="defects", value=Decimal("3.1"), observed_at=date(2026, 6, 30))
    goals.record_kpi(goal_id, EMPLOYEE, kpi="defects", value=Decimal("3.0"), observed_at=date(2026, 6, 30))
    goal = goals.get_goal(goal_id)
    first, corrected = goals.readings(goal)
    assert corrected.corrects_version == first.version
    assert goal.readings.counted_version("defects", date(2026, 6, 30)) == corrected.version
    assert goal.readings.latest["defects"].value == Decimal("3.0")
    goals.close_goal(goal_id, MANAGER, outcome="partially_achieved", summary="From 5% to 3%.")
    assert goals.get_goal(goal_id).status == Status.CLOSED


def test_a_goal_reloaded_by_a_second_application_equals_the_first(goals: Goals, clock: Clock) -> None:
    goal_id = agreed(goals, customer_service_terms())
    for day in range(1, 15):
        goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(14 + day), observed_at=date(2026, 1, day))
    other = Goals(goals.settings, today=clock)
    try:
        assert vars(other.get_goal(goal_id)) == vars(goals.get_goal(goal_id))
    finally:
        other.close()


def test_the_log_gives_every_event_once_in_order_with_its_position(goals: Goals) -> None:
    first = agreed(goals, customer_service_terms())
    second = agreed(goals, defect_rate_terms())
    logged = list(goals.log_events(page_size=3))[SETUP_EVENTS:]
    assert [e.position for e in logged] == sorted({e.position for e in logged})
    assert len(logged) == 8 and logged[-1].position == goals.head_position()
    assert [e.event.originator_id for e in logged] == [first] * 4 + [second] * 4
    assert [e.position for e in goals.log_events(after=logged[2].position, until=logged[5].position)] == [
        e.position for e in logged[3:6]
    ]
