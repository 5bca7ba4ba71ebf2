"""The rule bugs a review found, each pinned by a test that failed before its fix, on both stores."""

from __future__ import annotations

from datetime import date, datetime, UTC
from decimal import Decimal, localcontext
from uuid import UUID

import pytest
from freezegun import freeze_time

from application.goals.service import Goals
from application.store.settings import Settings
from domain import errors
from domain.goal import Goal
from domain.recalibration import Changes, before_and_after
from domain.values import Actor, Role
from projections.review.attainment import progress
from projections.review.scoring import policy
from projections.reviews import Reviews
from projections.service import build_runner
from tests.application.refusals import assert_refused
from tests.conftest import AUDIT_KEY, Clock, store_settings
from tests.scenarios import (
    EMPLOYEE,
    HR,
    MANAGER,
    OTHER_HR,
    RESPONSE_TIME,
    agreed,
    customer_service_terms,
    draft,
)

WHY = "A supplier outage halted deliveries for a month."


def range_goal(goals: Goals) -> UUID:
    return agreed(goals, customer_service_terms(kpis=[RESPONSE_TIME]))


def test_a_range_recalibration_naming_one_bound_only_is_refused(goals: Goals) -> None:
    goal_id = range_goal(goals)
    assert_refused(goals, goal_id, lambda: goals.propose_recalibration(
        goal_id, MANAGER, reason="external_factor", justification=WHY, targets={"response": {"low": Decimal(1)}},
    ), errors.InvalidGoalInputError, "targets.response", "both low and high")


def test_a_one_bound_range_change_stored_before_the_fix_still_justifies_the_review(goals: Goals,
                                                                                    clock: Clock) -> None:
    goal_id = range_goal(goals)
    goal = goals.get_goal(goal_id)
    changes = Changes.proposed({"response": {"low": Decimal(1)}}, None, ())
    before, after = before_and_after(goal.in_force(), changes)
    # What the old guard let through: a proposal and an approval that name the low bound only.
    goal.trigger_event(Goal.RecalibrationProposed, recalibration_id="r1", reason="external_factor",
                       justification=WHY, changes=changes.to_stored(), before=before.to_stored(),
                       after=after.to_stored(), actor_id=MANAGER.id, actor_role="manager")
    goal.trigger_event(Goal.Recalibrated, recalibration_id="r1", note="", before=before.to_stored(),
                       after=after.to_stored(), actor_id=OTHER_HR.id, actor_role="hr")
    goals.save(goal)
    goals.record_kpi(goal_id, EMPLOYEE, kpi="response", value=Decimal("1.5"), observed_at=clock.current)
    build_runner(goals).catch_up()
    justification = Reviews(goals, goals.engine).justification(HR, EMPLOYEE.id, "2026-H1")
    [statement] = [s for s in justification["statements"] if "First response time" in s["text"]]
    assert "range 1 to 2 (recalibrated from range 0.5 to 2" in statement["text"]
    assert goals.get_goal(goal_id).kpi("response").low == Decimal(1)


def test_a_recalibration_cannot_move_the_deadline_past_the_cycles_end(goals: Goals) -> None:
    goal_id = agreed(goals, customer_service_terms(deadline=date(2026, 5, 31)))
    refusal = assert_refused(goals, goal_id, lambda: goals.propose_recalibration(
        goal_id, MANAGER, reason="external_factor", justification=WHY, deadline=date(2026, 7, 31),
    ), errors.DeadlineBeyondCycleError, "2026-07-31", "2026-06-30")
    assert refusal.code == "deadline_beyond_cycle"


def test_an_approval_refuses_a_proposed_deadline_that_has_passed_meanwhile(goals: Goals, clock: Clock) -> None:
    goal_id = agreed(goals, customer_service_terms())
    proposal = goals.propose_recalibration(goal_id, MANAGER, reason="external_factor", justification=WHY,
                                           deadline=date(2026, 3, 31))
    clock.current = date(2026, 4, 1)
    refusal = assert_refused(goals, goal_id, lambda: goals.approve_recalibration(
        goal_id, HR, proposal.reference or "", note="Checked against the evidence."), errors.DeadlinePassedError,
        "2026-03-31", "2026-04-01")
    assert refusal.code == "deadline_passed"
    goals.reject_recalibration(goal_id, HR, proposal.reference or "", note="Too late now.")


def test_after_agreement_hr_alone_adds_no_milestone_and_none_is_due_in_the_past(goals: Goals, clock: Clock) -> None:
    goal_id = agreed(goals, customer_service_terms())
    assert_refused(goals, goal_id, lambda: goals.set_milestone(
        goal_id, HR, kpi="tickets", due=date(2026, 3, 31), target=Decimal(17)), errors.NotAPartyError)
    assert_refused(goals, goal_id, lambda: goals.set_milestone(
        goal_id, MANAGER, kpi="tickets", due=clock.current.replace(day=1), target=Decimal(17)),
        errors.MilestoneRuleError, "in the past")
    goals.set_milestone(goal_id, MANAGER, kpi="tickets", due=date(2026, 3, 31), target=Decimal(17))
    assert goals.get_goal(goal_id).milestones == []
    goals.set_milestone(goal_id, EMPLOYEE, kpi="tickets", due=date(2026, 3, 31), target=Decimal(17))
    assert [m.id for m in goals.get_goal(goal_id).milestones] == ["tickets@2026-03-31"]


def test_the_goals_manager_from_hr_cannot_decide_its_recalibration(goals: Goals) -> None:
    hr_manager = Actor("hr-3", Role.HR)
    goal_id = agreed(goals, customer_service_terms(manager_id=hr_manager.id))
    proposal = goals.propose_recalibration(goal_id, EMPLOYEE, reason="resourcing", justification=WHY,
                                           deadline=date(2026, 5, 31))
    assert_refused(goals, goal_id, lambda: goals.approve_recalibration(goal_id, hr_manager, proposal.reference or "",
                                                                       note="Checked against the evidence."),
                   errors.FourEyesViolationError, "manager of the goal")


@pytest.mark.parametrize("outcome", ["achieved", "partially_achieved"])
def test_the_owner_cannot_close_their_own_goal_as_achieved_whatever_their_role(goals: Goals, outcome: str) -> None:
    hr_owner = Actor("hr-5", Role.HR)
    goal_id = draft(goals, customer_service_terms(owner_id=hr_owner.id), actor=hr_owner)
    goals.sign_goal(goal_id, hr_owner)
    goals.sign_goal(goal_id, MANAGER)
    assert_refused(goals, goal_id, lambda: goals.close_goal(goal_id, hr_owner, outcome=outcome, summary="Done."),
                   errors.FourEyesViolationError, "'hr-5'", outcome)
    goals.close_goal(goal_id, MANAGER, outcome=outcome, summary="Confirmed by the manager.")


def test_the_score_shown_and_its_band_come_from_one_rounding() -> None:
    scoring = policy()
    shown = scoring.rounded(Decimal("0.89996"))
    assert shown == Decimal("0.90") and scoring.band(shown) == "meets_expectations"
    below = scoring.rounded(Decimal("0.8949"))
    assert below == Decimal("0.89") and scoring.band(below) == "needs_improvement"


def test_attainment_does_not_depend_on_the_callers_decimal_context() -> None:
    kpi = {"direction": "increase", "baseline": "14", "target": "20", "low": None, "high": None}
    expected = progress(kpi, Decimal("19"))
    assert expected == Decimal("0.8333333333333333333333333333")
    with localcontext() as caller:
        caller.prec, caller.rounding = 3, "ROUND_DOWN"
        assert progress(kpi, Decimal("19")) == expected
    assert policy().rounded(expected) == Decimal("0.83")


def test_today_is_the_organisations_business_date_in_its_time_zone(store_url: str) -> None:
    goals = Goals(store_settings(database_url=store_url, audit_key=AUDIT_KEY, timezone="Australia/Brisbane"))
    try:
        with freeze_time(datetime(2026, 1, 10, 12, tzinfo=UTC), tick=True):
            goal_id = agreed(goals, customer_service_terms())
        # 22:00 UTC on 1 March is 08:00 on 2 March in Brisbane (UTC+10): a reading observed on 2 March is today's.
        with freeze_time(datetime(2026, 3, 1, 22, tzinfo=UTC), tick=True):
            assert goals.today() == date(2026, 3, 2)
            goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(16), observed_at=date(2026, 3, 2))
        assert [m.observed_at for m in goals.readings(goals.get_goal(goal_id))] == [date(2026, 3, 2)]
    finally:
        goals.close()


def test_an_unknown_time_zone_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="GOALENGINE_TIMEZONE 'Mars/Olympus'"):
        Settings.from_env({"GOALENGINE_TIMEZONE": "Mars/Olympus", "GOALENGINE_AUDIT_KEY": "k",
                           "GOALENGINE_SECRET": "s"})
