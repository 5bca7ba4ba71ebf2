"""The fairness report counts review decisions: overrides by group and direction, bands per group with a
disparity test, and goals closed "achieved" whose data does not support it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from application.audit.fairness import recalibration_fairness
from application.goals.service import Goals
from application.reviews.decisions import ReviewDecisions
from domain.review_values import DecisionBasis
from domain.values import Actor, Role
from tests.conftest import Clock
from tests.lifecycles import REVIEW_BANDS
from tests.scenarios import (
    EMPLOYEE, HR, MANAGER, agreed, customer_service_terms, draft, release_ratings, start_cycles, survey_terms,
)

OTHER_MANAGER = Actor("mgr-2", Role.MANAGER)
REPORT = Actor("emp-2", Role.EMPLOYEE)


def basis(computed: str, manager: Actor) -> DecisionBasis:
    return DecisionBasis("2026.1", "sha256:" + "1" * 64, 1, computed, REVIEW_BANDS, frozenset({manager.id}))


def test_overrides_are_counted_by_group_and_direction_with_their_events(goals: Goals, clock: Clock) -> None:
    agreed(goals, customer_service_terms())
    report_goal = draft(goals, survey_terms(owner_id=REPORT.id, manager_id=OTHER_MANAGER.id, org_unit="sales"), HR)
    goals.sign_goal(report_goal, REPORT)
    goals.sign_goal(report_goal, OTHER_MANAGER)
    decisions = ReviewDecisions(goals)
    start_cycles(goals, "2026-H1")
    up = decisions.decide(EMPLOYEE.id, "2026-H1", MANAGER, band="outstanding", summary="Great.",
                          override_reason="Led the migration.", basis=basis("meets_expectations", MANAGER))
    decisions.decide(REPORT.id, "2026-H1", OTHER_MANAGER, band="needs_improvement", summary="Weak.",
                     override_reason="Missed the launch.", basis=basis("meets_expectations", OTHER_MANAGER))
    release_ratings(goals)
    decisions.dispute(REPORT.id, "2026-H1", REPORT, reason="The launch slipped for everyone.")
    body = recalibration_fairness(goals, "2026-H1", "manager").body
    groups = {g["group"]: g for g in body["review_decisions"]["groups"]}
    assert (groups["mgr-1"]["overrides_up"], groups["mgr-1"]["overrides_down"]) == (1, 0)
    assert (groups["mgr-2"]["overrides_up"], groups["mgr-2"]["overrides_down"], groups["mgr-2"]["disputed"]) == (
        0, 1, 1)
    assert groups["mgr-1"]["event_ids"]["overrides_up"] == [f"{up.goal_id}:{up.version}"]
    assert groups["mgr-1"]["bands"] == {"outstanding": 1}
    assert body["review_decisions"]["band_disparity"]["test"] == "fisher_exact"
    assert body["review_decisions"]["override_disparity"]["measure"].startswith("decisions overriding")
    by_unit = recalibration_fairness(goals, "2026-H1", "org_unit").body["review_decisions"]["groups"]
    assert [g["group"] for g in by_unit] == ["sales", "support"]


def test_a_goal_closed_achieved_without_the_data_for_it_is_flagged(goals: Goals, clock: Clock) -> None:
    unsupported = agreed(goals, customer_service_terms())
    supported = agreed(goals, survey_terms())
    clock.current = date(2026, 3, 1)
    goals.record_kpi(unsupported, EMPLOYEE, kpi="tickets", value=Decimal(18), observed_at=date(2026, 2, 27))
    goals.record_kpi(supported, EMPLOYEE, kpi="survey", value=Decimal(86), observed_at=date(2026, 2, 27))
    for goal_id in (unsupported, supported):
        goals.close_goal(goal_id, MANAGER, outcome="achieved", summary="Done.")
    flagged = recalibration_fairness(goals, "2026-H1", "manager").body["unsupported_achievements"]
    assert [(f["goal_id"], f["kpi"], f["why"], f["reading"]) for f in flagged] == [
        (str(unsupported), "tickets", "short_of_target", "18"), (str(unsupported), "csat", "no_reading", None)]
    assert all(f["evidence"] for f in flagged)
