"""The seed's three example goals run through check-ins, early warnings and a decided review."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from application.goals.service import Goals
from application.reviews.decisions import ReviewDecisions
from domain.check_ins import CheckIn
from domain.goal_warnings import GoalWarnings
from api.bootstrap import notifier_for
from projections.reviews import Reviews
from tests.projections.conftest import OnDay
from tests.projections.test_notifier import notices
from tests.scenarios import (
    EMPLOYEE,
    HR,
    MANAGER,
    agreed,
    customer_service_terms,
    defect_rate_terms,
    start_cycles,
    survey_terms,
    release_ratings,
)


def test_the_seed_goals_are_checked_in_on_warned_about_and_reviewed(
    goals: Goals, reviews: Reviews, on_day: OnDay
) -> None:
    with on_day(date(2026, 1, 15)):
        service, defects, survey = (agreed(goals, terms()) for terms in (
            customer_service_terms, defect_rate_terms, survey_terms))
    with on_day(date(2026, 2, 2)):
        goals.record_kpi(service, EMPLOYEE, kpi="tickets", value=Decimal(16), observed_at=date(2026, 2, 2))
        goals.record_kpi(defects, EMPLOYEE, kpi="defects", value=Decimal("4.2"), observed_at=date(2026, 1, 31))
        goals.record_kpi(survey, EMPLOYEE, kpi="survey", value=Decimal(74), observed_at=date(2026, 1, 31))
        for goal_id in (service, defects, survey):
            goals.check_in(goal_id, EMPLOYEE, CheckIn.of("on_track", 4, note="Steady."))
    with on_day(date(2026, 2, 12)):
        notifier_for(goals).step()
    overdue = {g: [n.kpi for n in notices(goals, g) if isinstance(n, GoalWarnings.ReadingOverdue)]
               for g in (service, defects, survey)}
    assert overdue == {service: ["tickets"], defects: [], survey: []}  # only the weekly KPI is due already
    with on_day(date(2026, 3, 1)):
        decisions = ReviewDecisions(goals)
        start_cycles(goals, "2026-H1", "2026")
        for cycle in ("2026-H1", "2026"):
            basis = reviews.decision_basis(MANAGER, EMPLOYEE.id, cycle)
            decisions.decide(EMPLOYEE.id, cycle, MANAGER, band="meets_expectations", summary="On the way.",
                             override_reason="Early in the cycle: the trend counts.", basis=basis)
            release_ratings(goals, cycle)
        decisions.acknowledge(EMPLOYEE.id, "2026", EMPLOYEE)
        decisions.dispute(EMPLOYEE.id, "2026-H1", EMPLOYEE, reason="The survey rose faster than planned.")
        decisions.resolve_dispute(EMPLOYEE.id, "2026-H1", "d1", HR, outcome="upheld", band=None, note="")
        half = reviews.review(HR, EMPLOYEE.id, "2026-H1")
        year = reviews.review(HR, EMPLOYEE.id, "2026")
    assert (half["stage"], len(half["goals"]), year["stage"], len(year["goals"])) == ("resolved", 2, "acknowledged", 1)
    assert all(len(g["check_ins"]) == 1 for g in half["goals"] + year["goals"])
