"""The goal as it stood at a past version or a past moment, and its events as the audit trail."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, UTC
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from freezegun import freeze_time

from application.errors import GoalNotFoundError
from application.goals.service import Goals
from domain.values import Status
from application.store.settings import Settings
from tests.conftest import Clock
from tests.scenarios import EMPLOYEE, HR, MANAGER, OTHER_HR, agreed, draft, ensure_cycles, survey_terms

DRAFTED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
AGREED = datetime(2026, 1, 12, 16, 0, tzinfo=UTC)
MEASURED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
RECALIBRATED = datetime(2026, 3, 20, 11, 0, tzinfo=UTC)


def survey_goal_lived_through_time(goals: Goals, clock: Clock) -> UUID:
    """Drafted, revised, agreed, measured and recalibrated, each at a known moment."""
    with freeze_time(DRAFTED):
        goal_id = draft(goals, survey_terms())
        goals.revise_goal(goal_id, MANAGER, {"title": "Survey score to 85%"})
    with freeze_time(AGREED):
        goals.sign_goal(goal_id, EMPLOYEE)
        goals.sign_goal(goal_id, MANAGER)
    clock.current = date(2026, 3, 2)
    with freeze_time(MEASURED):
        goals.record_kpi(goal_id, EMPLOYEE, kpi="survey", value=Decimal(74), observed_at=date(2026, 2, 28))
    with freeze_time(RECALIBRATED):
        goals.propose_recalibration(goal_id, MANAGER, reason="priority_shift",
                                    justification="Survey moved to a quarterly panel.", deadline=date(2026, 5, 31))
        goals.approve_recalibration(goal_id, HR, "r1", note="Checked against the evidence.")
    return goal_id


def test_a_goal_at_a_past_version_shows_the_terms_it_had(goals: Goals, clock: Clock) -> None:
    goal_id = survey_goal_lived_through_time(goals, clock)
    assert goals.get_goal(goal_id, version=1).title == "Customer satisfaction survey"
    at_two = goals.get_goal(goal_id, version=2)
    assert (at_two.title, at_two.status, at_two.version) == ("Survey score to 85%", Status.DRAFT, 2)
    assert goals.get_goal(goal_id, version=5).status == Status.AGREED
    assert goals.readings(goals.get_goal(goal_id, version=6))[0].value == Decimal(74)
    assert goals.get_goal(goal_id, version=7).deadline == date(2026, 6, 30), "proposed, not yet in force"
    assert goals.get_goal(goal_id, version=8).deadline == date(2026, 5, 31)


def test_a_version_the_goal_never_reached_is_not_found(goals: Goals) -> None:
    goal_id = agreed(goals, survey_terms())
    with pytest.raises(GoalNotFoundError, match=r"at version 9 .it is at version 4"):
        goals.get_goal(goal_id, version=9)
    with pytest.raises(GoalNotFoundError, match="at version 0"):
        goals.get_goal(goal_id, version=0)


@pytest.mark.parametrize(("moment", "version", "status"), [
    (DRAFTED, 2, Status.DRAFT),
    (AGREED - timedelta(seconds=1), 2, Status.DRAFT),
    (AGREED, 5, Status.AGREED),
    (MEASURED + timedelta(days=1), 6, Status.AGREED),
    (RECALIBRATED + timedelta(hours=1), 8, Status.AGREED),
])
def test_a_goal_as_of_a_past_moment_has_the_events_up_to_it(
    goals: Goals, clock: Clock, moment: datetime, version: int, status: Status
) -> None:
    goal_id = survey_goal_lived_through_time(goals, clock)
    past = goals.get_goal(goal_id, as_of=moment)
    assert (past.version, past.status) == (version, status)
    assert vars(past) == vars(goals.get_goal(goal_id, version=version))


def test_a_moment_without_a_zone_is_read_as_utc(goals: Goals, clock: Clock) -> None:
    goal_id = survey_goal_lived_through_time(goals, clock)
    assert goals.get_goal(goal_id, as_of=AGREED.replace(tzinfo=None)).version == 5
    assert goals.get_goal(goal_id, as_of=AGREED.replace(tzinfo=None) - timedelta(microseconds=1)).version == 2


def test_a_goal_as_of_before_it_was_drafted_is_not_found(goals: Goals, clock: Clock) -> None:
    goal_id = survey_goal_lived_through_time(goals, clock)
    with pytest.raises(GoalNotFoundError, match="drafted later"):
        goals.get_goal(goal_id, as_of=DRAFTED - timedelta(seconds=1))


def test_the_audit_trail_says_who_did_what_and_when(goals: Goals, clock: Clock) -> None:
    goal_id = survey_goal_lived_through_time(goals, clock)
    trail = [(type(e).__name__, e.actor_id, e.timestamp) for e in goals.goal_events(goal_id)]
    assert trail == [
        ("Drafted", "emp-1", DRAFTED), ("Revised", "mgr-1", DRAFTED),
        ("AgreementSigned", "emp-1", AGREED), ("AgreementSigned", "mgr-1", AGREED), ("Agreed", "mgr-1", AGREED),
        ("KpiRecorded", "emp-1", MEASURED),
        ("RecalibrationProposed", "mgr-1", RECALIBRATED), ("Recalibrated", "hr-7", RECALIBRATED),
    ]
    assert [type(e).__name__ for e in goals.goal_events(goal_id, until=AGREED - timedelta(seconds=1))] == [
        "Drafted", "Revised"]
    assert goals.goal_events(goal_id, until=DRAFTED - timedelta(days=1)) == []


def test_an_unknown_goal_is_not_found_now_or_in_the_past(goals: Goals) -> None:
    missing = uuid4()
    for query in (lambda: goals.get_goal(missing), lambda: goals.get_goal(missing, version=1),
                  lambda: goals.get_goal(missing, as_of=AGREED), lambda: goals.goal_events(missing)):
        with pytest.raises(GoalNotFoundError, match=str(missing)) as caught:
            query()
        assert "drafted later" not in caught.value.message, "a goal that does not exist was not drafted later"


def test_a_second_hr_decision_on_the_past_does_not_change_it(goals: Goals, clock: Clock) -> None:
    goal_id = survey_goal_lived_through_time(goals, clock)
    before = vars(goals.get_goal(goal_id, as_of=MEASURED))
    goals.propose_recalibration(goal_id, EMPLOYEE, reason="data_correction",
                                justification="The February panel was miscounted.", deadline=date(2026, 6, 15))
    goals.reject_recalibration(goal_id, OTHER_HR, "r2", note="Checked against the evidence.")
    assert vars(goals.get_goal(goal_id, as_of=MEASURED)) == before


def test_a_long_goal_as_of_any_moment_equals_folding_its_events_up_to_it(settings: Settings, clock: Clock) -> None:
    """Past a snapshot interval the version at the moment is found by halving, then read from a snapshot: at every
    moment (before drafting, at each event, between two, after the last) it equals folding every event up to it."""
    goals = Goals(replace(settings, snapshot_interval=3), today=clock)
    ensure_cycles(goals)
    try:
        clock.current = date(2026, 3, 2)
        with freeze_time(DRAFTED) as frozen:
            goal_id = agreed(goals, survey_terms())
            for value in range(14):
                frozen.tick(timedelta(hours=1))
                goals.record_kpi(goal_id, EMPLOYEE, kpi="survey", value=Decimal(70 + value),
                                 observed_at=date(2026, 2, 1) + timedelta(days=value))
        stamps = [event.timestamp for event in goals.goal_events(goal_id)]
        assert len(stamps) > 3 * 5  # several snapshots in
        moments = {DRAFTED - timedelta(seconds=1), stamps[-1] + timedelta(days=1)}
        moments |= set(stamps) | {s + timedelta(minutes=30) for s in stamps}
        for moment in sorted(moments):
            folded = goals.goal_events(goal_id, until=moment)
            if not folded:
                with pytest.raises(GoalNotFoundError, match="drafted later"):
                    goals.get_goal(goal_id, as_of=moment)
                continue
            past = goals.get_goal(goal_id, as_of=moment)
            assert past.version == folded[-1].originator_version, moment
            assert [r.value for r in goals.readings(past)] == [
                Decimal(70 + n) for n in range(past.version - 4)], moment
    finally:
        goals.close()
