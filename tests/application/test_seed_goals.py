"""The seed's other example goals through their whole life (test_lifecycle.py walks the customer-service one)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from application.cycles.service import Cycles
from application.goals.service import Goals
from domain.errors import CycleLockedError
from domain.values import Outcome, RecalibrationStatus, Status
from tests.conftest import Clock
from tests.scenarios import (
    EMPLOYEE,
    HR,
    MANAGER,
    OTHER_HR,
    QUALITY_OBJECTIVE_ID,
    YEAR,
    agree_milestone,
    agreed,
    customer_service_terms,
    defect_rate_terms,
    draft,
    survey_terms,
)


def names(goals: Goals, goal_id: object) -> list[str]:
    return [type(e).__name__ for e in goals.goal_events(goal_id)]  # type: ignore[arg-type]


def test_the_survey_goal_from_70_to_85_percent_lives_from_draft_to_closure(goals: Goals, clock: Clock) -> None:
    goal_id = draft(goals, survey_terms(), actor=MANAGER)
    goals.sign_goal(goal_id, EMPLOYEE)
    goals.revise_goal(goal_id, MANAGER, {"deadline": date(2026, 6, 15)})
    agree_milestone(goals, goal_id, kpi="survey", due=date(2026, 3, 31), target=Decimal(77))
    goals.sign_goal(goal_id, EMPLOYEE)
    goals.sign_goal(goal_id, MANAGER)
    for month, score in ((1, "71.5"), (2, "74"), (3, "76.8")):
        clock.current = date(2026, month + 1, 1)
        goals.record_kpi(goal_id, EMPLOYEE, kpi="survey", value=Decimal(score), observed_at=date(2026, month, 28),
                         source="quarterly panel")
    proposal = goals.propose_recalibration(
        goal_id, EMPLOYEE, reason="data_correction",
        justification="The survey vendor moved to a 5-point scale; 85% is no longer comparable.",
        targets={"survey": {"target": Decimal(82)}},
    )
    goals.approve_recalibration(goal_id, HR, proposal.reference or "", note="Vendor change confirmed.")
    clock.current = date(2026, 6, 16)
    goals.record_kpi(goal_id, EMPLOYEE, kpi="survey", value=Decimal("81.2"), observed_at=date(2026, 6, 15))
    goals.close_goal(goal_id, MANAGER, outcome="partially_achieved", summary="81.2% against a recalibrated 82%.")

    goal = goals.get_goal(goal_id)
    assert (goal.status, goal.outcome) == (Status.CLOSED, Outcome.PARTIALLY_ACHIEVED)
    assert (goal.kpi("survey").target, goal.original_kpis[0].target) == (Decimal(82), Decimal(85))
    assert goal.deadline == goal.original_deadline == date(2026, 6, 15)
    assert [m.value for m in goals.readings(goal)] == [Decimal("71.5"), Decimal(74), Decimal("76.8"), Decimal("81.2")]
    assert goal.readings.latest["survey"].value == Decimal("81.2")
    assert goal.recalibrations[0].before.to_stored()["targets"] == {"survey": {"target": Decimal(85)}}
    assert names(goals, goal_id) == [
        "Drafted", "AgreementSigned", "Revised", "SignatureVoided", "MilestoneSet", "AgreementSigned",
        "AgreementSigned", "Agreed", "KpiRecorded", "KpiRecorded", "KpiRecorded", "RecalibrationProposed",
        "Recalibrated", "KpiRecorded", "Closed",
    ]


def test_the_defect_rate_goal_moves_its_milestone_and_target_down_by_recalibration(
    goals: Goals, clock: Clock
) -> None:
    goal_id = draft(goals, defect_rate_terms())
    agree_milestone(goals, goal_id, kpi="defects", due=date(2026, 6, 30), target=Decimal("3.5"))
    goals.sign_goal(goal_id, EMPLOYEE)
    goals.sign_goal(goal_id, MANAGER)
    clock.current = date(2026, 7, 2)
    goals.record_kpi(goal_id, EMPLOYEE, kpi="defects", value=Decimal("4.4"), observed_at=date(2026, 6, 30))
    proposal = goals.propose_recalibration(
        goal_id, MANAGER, reason="resourcing",
        justification="The QA lead left in May; audits restarted only in June.",
        targets={"defects": {"target": Decimal("2.5")}},
        milestones=[{"kpi": "defects", "due": date(2026, 9, 30), "target": Decimal("3.5"),
                     "replaces": "defects@2026-06-30"}],
    )
    goals.approve_recalibration(goal_id, OTHER_HR, proposal.reference or "", note="Checked against the evidence.")
    clock.current = date(2027, 1, 5)
    goals.record_kpi(goal_id, EMPLOYEE, kpi="defects", value=Decimal("2.4"), observed_at=date(2026, 12, 31))
    goals.close_goal(goal_id, MANAGER, outcome="achieved", summary="2.4% against the recalibrated 2.5%.")

    goal = goals.get_goal(goal_id)
    recalibration = goal.recalibrations[0]
    assert recalibration.status == RecalibrationStatus.APPROVED and recalibration.decided_by == "hr-8"
    assert recalibration.before.to_stored()["milestones"] == [
        {"id": "defects@2026-06-30", "kpi": "defects", "due": date(2026, 6, 30), "target": Decimal("3.5")}]
    assert recalibration.after.to_stored()["targets"] == {"defects": {"target": Decimal("2.5")}}
    assert [m.id for m in goal.milestones] == ["defects@2026-09-30"]
    assert goal.kpi("defects").target == Decimal("2.5") and goal.outcome == Outcome.ACHIEVED


def test_the_customer_service_goal_recalibrates_both_kpis_at_once(goals: Goals, clock: Clock) -> None:
    goal_id = agreed(goals, customer_service_terms())
    clock.current = date(2026, 2, 2)
    for kpi, value in (("tickets", "15"), ("csat", "84"), ("tickets", "15.5")):
        goals.record_kpi(goal_id, EMPLOYEE, kpi=kpi, value=Decimal(value), observed_at=date(2026, 1, 30))
    proposal = goals.propose_recalibration(
        goal_id, EMPLOYEE, reason="role_change",
        justification="I now lead onboarding two days a week, agreed with my manager.",
        targets={"tickets": {"target": Decimal(17)}, "csat": {"target": Decimal(88)}},
    )
    goals.approve_recalibration(goal_id, HR, proposal.reference or "", note="Checked against the evidence.")
    goal = goals.get_goal(goal_id)
    assert [(k.id, k.target) for k in goal.kpis] == [("tickets", Decimal(17)), ("csat", Decimal(88))]
    latest = goal.readings.latest
    assert (latest["tickets"].observed_at, latest["csat"].observed_at) == (date(2026, 1, 30), date(2026, 1, 30))
    assert (latest["tickets"].value, latest["csat"].value) == (Decimal("15.5"), Decimal(84))
    goals.close_goal(goal_id, HR, outcome="missed", summary="Onboarding took more time than planned.")
    assert goals.get_goal(goal_id).closed_by == "hr-7"


def test_a_draft_nobody_agreed_is_cancelled(goals: Goals) -> None:
    goal_id = draft(goals, survey_terms())
    goals.sign_goal(goal_id, EMPLOYEE)
    goals.close_goal(goal_id, MANAGER, outcome="cancelled", summary="The survey was discontinued.")
    goal = goals.get_goal(goal_id)
    assert (goal.status, goal.outcome, goal.agreed_at) == (Status.CLOSED, Outcome.CANCELLED, None)


def test_the_three_seed_goals_run_through_a_real_cycle_that_hr_locks_at_the_end(goals: Goals, clock: Clock) -> None:
    cycles = Cycles(goals)
    cycles.activate(HR, YEAR.id)
    year = {"cycle": YEAR.id, "deadline": date(2026, 12, 31), "parent_goal_id": str(QUALITY_OBJECTIVE_ID)}
    ids = [agreed(goals, terms(**year)) for terms in (customer_service_terms, defect_rate_terms, survey_terms)]
    assert {goals.get_goal(i).cycle for i in ids} == {YEAR}  # the period comes from the cycle aggregate
    clock.current = date(2026, 7, 1)
    for goal_id, kpi, value in zip(ids, ("tickets", "defects", "survey"), ("17", "3.5", "77.5"), strict=True):
        goals.record_kpi(goal_id, EMPLOYEE, kpi=kpi, value=Decimal(value), observed_at=date(2026, 6, 30))
    cycles.start_review(HR, YEAR.id)
    goals.close_goal(ids[0], MANAGER, outcome="partially_achieved", summary="17 of 20 tickets a day.")
    cycles.lock(HR, YEAR.id)
    for late in (lambda: goals.close_goal(ids[1], MANAGER, outcome="missed", summary="Late."),
                 lambda: goals.record_kpi(ids[2], EMPLOYEE, kpi="survey", value=Decimal(80),
                                          observed_at=date(2026, 7, 1))):
        with pytest.raises(CycleLockedError):
            late()
    assert [goals.get_goal(i).status for i in ids] == [Status.CLOSED, Status.AGREED, Status.AGREED]
