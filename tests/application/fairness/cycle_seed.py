"""A cycle with every kind of fact the fairness report reads: easings, a tightening, a leave adjustment, a reading,
a goal closed achieved only because it was eased, review decisions overriding both ways, a dispute resolved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from application.goals.service import Goals
from application.reviews.decisions import ReviewDecisions
from domain.review_values import DecisionBasis
from domain.values import Actor, Role
from tests.conftest import Clock
from tests.lifecycles import REVIEW_BANDS
from tests.projections.fairness_seed import DECIDED_ON, EASE, Team, on, seed_team
from tests.scenarios import HR, release_ratings

MANAGER_A = Actor("mgr-a", Role.MANAGER)


def basis(computed: str, manager: str) -> DecisionBasis:
    return DecisionBasis("2026.1", "sha256:" + "1" * 64, 1, computed, REVIEW_BANDS, frozenset({manager}))


def seed_cycle(goals: Goals, clock: Clock) -> None:
    a = seed_team(goals, clock, Team("mgr-a", 5, eased=3))
    seed_team(goals, clock, Team("mgr-b", 5, eased=1, tightened=1, rejected=1))
    with on(date(2026, 3, 1), clock):
        goals.record_kpi(a[0], Actor("mgr-a-report-0", Role.EMPLOYEE), kpi="tickets", value=Decimal(18),
                         observed_at=date(2026, 2, 27))
        goals.record_kpi(a[0], Actor("mgr-a-report-0", Role.EMPLOYEE), kpi="csat", value=Decimal(91),
                         observed_at=date(2026, 2, 27))
        leave = goals.propose_recalibration(a[4], MANAGER_A, reason="leave_or_adjustment",
                                            justification="Parental leave.", **EASE)
    with on(DECIDED_ON, clock):
        goals.approve_recalibration(a[4], HR, leave.reference or "", note="Leave agreed with HR.")
        goals.close_goal(a[0], MANAGER_A, outcome="achieved", summary="Done.")
    decisions = ReviewDecisions(goals)
    with on(date(2026, 7, 1), clock):
        release_ratings(goals)  # bands are decided in a started cycle, answered once released (ADR 0029, 0046)
        decisions.decide("mgr-a-report-1", "2026-H1", MANAGER_A, band="outstanding", summary="Great.",
                         override_reason="Led the migration.", basis=basis("meets_expectations", "mgr-a"))
        mgr_b = Actor("mgr-b", Role.MANAGER)
        decisions.decide("mgr-b-report-1", "2026-H1", mgr_b, band="needs_improvement", summary="Weak.",
                         override_reason="Missed the launch.", basis=basis("meets_expectations", "mgr-b"))
        decisions.dispute("mgr-b-report-1", "2026-H1", Actor("mgr-b-report-1", Role.EMPLOYEE),
                          reason="The launch slipped for everyone.")
        decisions.resolve_dispute("mgr-b-report-1", "2026-H1", "d1", HR, outcome="upheld", band=None,
                                  note="The launch was theirs.")
