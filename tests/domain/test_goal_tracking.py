"""KPI values and milestones: what may be recorded, when, and how corrections keep both readings."""

from __future__ import annotations

from datetime import date, datetime, UTC
from decimal import Decimal

import pytest
from freezegun import freeze_time

from domain.errors import (
    GoalClosedError,
    GoalNotAgreedError,
    InvalidGoalInputError,
    MeasurementInFutureError,
    MeasurementOutOfPeriodError,
    MilestoneLockedError,
    MilestoneRuleError,
    NotAPartyError,
    PermissionDeniedError,
    UnknownKpiError,
)
from domain.goal import Goal
from domain.values import Measurement
from tests.domain.support import TODAY, agreed, closed, drafted, event_names, refused
from tests.scenarios import (
    AUDITOR,
    EMPLOYEE,
    HR,
    MANAGER,
    RESPONSE_TIME,
    STRANGER,
    TICKETS,
    customer_service_terms,
    defect_rate_terms,
)

RECORDED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
MARCH_1 = date(2026, 3, 1)


def test_a_kpi_value_keeps_when_it_was_observed_and_when_it_was_recorded() -> None:
    goal = agreed()
    with freeze_time(RECORDED):
        goal.record_kpi("tickets", Decimal("16.5"), MARCH_1, EMPLOYEE, source="helpdesk", note="weekly export",
                        today=RECORDED.date())
    [event] = goal.collect_events()
    assert isinstance(event, Goal.KpiRecorded) and event.timestamp == RECORDED
    reading = event.reading()
    assert (reading.observed_at, reading.recorded_at) == (MARCH_1, RECORDED)
    assert (reading.value, reading.recorded_by, reading.source, reading.corrects_version) == (
        Decimal("16.5"), "emp-1", "helpdesk", None)


def test_a_draft_takes_no_kpi_value() -> None:
    goal = drafted()
    with refused(goal, GoalNotAgreedError, "draft", "only an agreed goal can take KPI values"):
        goal.record_kpi("tickets", Decimal(15), date(2026, 1, 10), EMPLOYEE, today=TODAY)


def test_a_closed_goal_takes_no_kpi_value() -> None:
    goal = closed()
    with refused(goal, GoalClosedError, str(goal.id), "closed (achieved)"):
        goal.record_kpi("tickets", Decimal(15), date(2026, 1, 10), EMPLOYEE, today=TODAY)


def test_a_value_for_a_kpi_the_goal_lacks_is_refused_naming_the_kpis_it_has() -> None:
    goal = agreed()
    with refused(goal, UnknownKpiError, "'nps'", "tickets, csat"):
        goal.record_kpi("nps", Decimal(40), date(2026, 1, 10), EMPLOYEE, today=TODAY)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_a_value_must_be_a_finite_number(value: str) -> None:
    goal = agreed()
    with refused(goal, InvalidGoalInputError, "value", "finite"):
        goal.record_kpi("tickets", Decimal(value), date(2026, 1, 10), EMPLOYEE, today=TODAY)


@pytest.mark.parametrize("actor", [STRANGER, AUDITOR])
def test_only_the_parties_or_hr_record_values(actor: object) -> None:
    goal = agreed()
    with refused(goal, PermissionDeniedError, "may not record KPI values"):
        goal.record_kpi("tickets", Decimal(15), date(2026, 1, 10), actor, today=TODAY)  # type: ignore[arg-type]


def test_a_value_observed_in_the_future_is_refused_against_the_business_date() -> None:
    goal = agreed()
    with refused(goal, MeasurementInFutureError, "2026-02-11", "2026-02-10"):
        goal.record_kpi("tickets", Decimal(15), date(2026, 2, 11), EMPLOYEE, today=date(2026, 2, 10))
    goal.record_kpi("tickets", Decimal(15), date(2026, 2, 11), EMPLOYEE, today=date(2026, 2, 11))
    assert event_names(goal) == ["KpiRecorded"]


@pytest.mark.parametrize("observed_at", [date(2025, 12, 31), date(2026, 7, 1)])
def test_a_value_observed_outside_the_goals_period_is_refused(observed_at: date) -> None:
    goal = agreed()
    with refused(goal, MeasurementOutOfPeriodError, str(observed_at), "2026-01-01 to 2026-06-30"):
        goal.record_kpi("tickets", Decimal(15), observed_at, EMPLOYEE, today=date(2026, 8, 1))


def test_a_second_value_for_the_same_day_corrects_the_first_and_both_stay() -> None:
    goal = agreed(defect_rate_terms())
    goal.record_kpi("defects", Decimal("3.1"), MARCH_1, EMPLOYEE, today=TODAY.replace(month=3))
    goal.record_kpi("defects", Decimal("2.9"), date(2026, 3, 2), EMPLOYEE, today=TODAY.replace(month=3))
    goal.record_kpi("defects", Decimal("3.0"), MARCH_1, MANAGER, note="audit recount", today=TODAY.replace(month=3))
    first, other_day, correction = recorded(goal)
    assert correction.corrects_version == first.version and other_day.corrects_version is None
    assert goal.readings.counted_version("defects", MARCH_1) == correction.version
    assert goal.readings.counted_version("defects", date(2026, 3, 2)) == other_day.version
    goal.record_kpi("defects", Decimal("3.05"), MARCH_1, HR, today=TODAY.replace(month=3))
    assert recorded(goal)[-1].corrects_version == correction.version, "a correction corrects the latest reading"
    assert len(recorded(goal)) == 4


def test_the_goal_keeps_the_counted_version_per_kpi_and_day_and_the_latest_reading_not_the_series() -> None:
    goal = agreed(defect_rate_terms())
    for value in ("3.1", "3.0", "2.9", "2.8"):
        goal.record_kpi("defects", Decimal(value), MARCH_1, EMPLOYEE, today=TODAY.replace(month=3))
    goal.record_kpi("defects", Decimal("2.5"), date(2026, 2, 27), EMPLOYEE, today=TODAY.replace(month=3))
    assert goal.readings.versions == {"defects": {"2026-03-01": recorded(goal)[3].version,
                                                  "2026-02-27": goal.version}}
    latest = goal.readings.latest["defects"]
    assert (latest.value, latest.observed_at) == (Decimal("2.8"), MARCH_1), "a later day's reading stays the latest"
    assert goal.readings.last_day() == MARCH_1 and not hasattr(goal, "measurements")


def recorded(goal: Goal) -> list[Measurement]:
    """The readings the goal has recorded so far (its pending events: the aggregate keeps no series)."""
    return [e.reading() for e in goal.pending_events if isinstance(e, Goal.KpiRecorded)]


def test_a_milestone_is_set_inside_the_period_on_the_way_to_the_target() -> None:
    goal = drafted()
    assert goal.set_milestone("tickets", date(2026, 3, 31), Decimal(17), MANAGER, today=TODAY) == "tickets@2026-03-31"
    assert event_names(goal) == ["MilestoneSet"]
    assert goal.milestones[0].target == Decimal(17)


@pytest.mark.parametrize("due", [date(2025, 12, 31), date(2026, 7, 1)])
def test_a_milestone_due_outside_the_period_is_refused(due: date) -> None:
    goal = drafted()
    with refused(goal, MilestoneRuleError, str(due), "2026-01-01 to 2026-06-30"):
        goal.set_milestone("tickets", due, Decimal(17), MANAGER, today=date(2025, 12, 1))


def test_a_milestone_due_in_the_past_is_refused() -> None:
    goal = drafted()
    with refused(goal, MilestoneRuleError, "2026-01-10", "in the past", "2026-01-15"):
        goal.set_milestone("tickets", date(2026, 1, 10), Decimal(15), MANAGER, today=TODAY)


@pytest.mark.parametrize(("terms", "kpi", "target", "expected"), [
    (customer_service_terms(), "tickets", Decimal(14), "above the baseline 14 and at most the target 20"),
    (customer_service_terms(), "tickets", Decimal(21), "above the baseline 14 and at most the target 20"),
    (defect_rate_terms(), "defects", Decimal("5.5"), "below the baseline 5.0 and at least the target 2.0"),
    (defect_rate_terms(), "defects", Decimal("1.5"), "below the baseline 5.0 and at least the target 2.0"),
])
def test_a_milestone_target_must_lie_between_baseline_and_target_in_the_kpis_direction(
    terms: dict[str, object], kpi: str, target: Decimal, expected: str
) -> None:
    goal = drafted(terms)
    with refused(goal, MilestoneRuleError, f"milestone target {target}", repr(kpi), expected):
        goal.set_milestone(kpi, date(2026, 3, 31), target, MANAGER, today=TODAY)


def test_a_range_kpis_milestone_must_lie_inside_the_range() -> None:
    goal = drafted(customer_service_terms(kpis=[TICKETS, RESPONSE_TIME]))
    goal.set_milestone("response", date(2026, 3, 31), Decimal("1.5"), MANAGER, today=TODAY)
    with refused(goal, MilestoneRuleError, "milestone target 2.5", "inside the range 0.5..2"):
        goal.set_milestone("response", date(2026, 4, 30), Decimal("2.5"), MANAGER, today=TODAY)


def test_a_milestone_for_an_unknown_kpi_is_refused() -> None:
    goal = drafted()
    with refused(goal, UnknownKpiError, "'nps'"):
        goal.set_milestone("nps", date(2026, 3, 31), Decimal(17), MANAGER, today=TODAY)


def test_an_agreed_milestone_is_locked_but_a_new_one_may_be_added() -> None:
    goal = drafted()
    goal.set_milestone("tickets", date(2026, 3, 31), Decimal(17), MANAGER, today=TODAY)
    goal.sign(EMPLOYEE, today=TODAY)
    goal.sign(MANAGER, today=TODAY)
    goal.collect_events()
    with refused(goal, MilestoneLockedError, "'tickets@2026-03-31'", "recalibration"):
        goal.set_milestone("tickets", date(2026, 3, 31), Decimal(18), MANAGER, today=TODAY)
    goal.set_milestone("csat", date(2026, 3, 31), Decimal(85), MANAGER, today=TODAY)
    assert [m.id for m in goal.milestones] == ["tickets@2026-03-31"]  # proposed by one party: not in force yet
    with refused(goal, PermissionDeniedError, "may not set milestones"):
        goal.set_milestone("csat", date(2026, 3, 31), Decimal(85), AUDITOR, today=TODAY)
    with refused(goal, NotAPartyError, "'hr-7'"):
        goal.set_milestone("csat", date(2026, 3, 31), Decimal(85), HR, today=TODAY)
    goal.set_milestone("csat", date(2026, 3, 31), Decimal(85), EMPLOYEE, today=TODAY)
    assert [m.id for m in goal.milestones] == ["csat@2026-03-31", "tickets@2026-03-31"]
    assert event_names(goal) == ["MilestoneProposed", "MilestoneSet"]


def test_an_agreed_milestone_proposed_twice_by_the_same_party_is_still_only_proposed() -> None:
    goal = agreed()
    goal.set_milestone("csat", date(2026, 3, 31), Decimal(85), MANAGER, today=TODAY)
    goal.set_milestone("csat", date(2026, 3, 31), Decimal(85), MANAGER, today=TODAY)
    goal.set_milestone("csat", date(2026, 3, 31), Decimal(86), EMPLOYEE, today=TODAY)  # different terms
    assert goal.milestones == [] and event_names(goal) == ["MilestoneProposed"] * 3

