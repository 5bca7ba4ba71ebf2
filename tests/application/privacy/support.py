"""An employee with goals, readings, a recalibration and a closure, every personal text unique and findable."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from application.goals import Goals
from tests.conftest import Clock
from tests.scenarios import EMPLOYEE, HR, MANAGER, OTHER_HR, agreed, customer_service_terms, draft, survey_terms

# Every text written by or about emp-1, each one unique so that a scan of the raw store can find it.
TEXTS = {
    "rationale": "Rationale-Zq7 only emp-1 wrote this",
    "note": "ReadingNote-Xk3 a headache that week",
    "justification": "Justification-Pw9 family leave in March",
    "rejection": "RejectNote-Lm2 too generous",
    "approval": "ApproveNote-Vb5 leave confirmed",
    "summary": "Summary-Jh4 strong recovery after leave",
    "revision": "RevisedRationale-Tt8 after the reorg",
    "first_rationale": "Customer satisfaction is a company objective.",  # survey_terms's, revised
}


def employee_with_history(goals: Goals, clock: Clock) -> UUID:
    """emp-1's goal: drafted, agreed, two readings, a rejected and an approved recalibration, closed."""
    goal_id = agreed(goals, customer_service_terms(rationale=TEXTS["rationale"]))
    clock.current = date(2026, 4, 2)
    goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal("16.5"), observed_at=date(2026, 3, 31),
                     note=TEXTS["note"])
    goals.record_kpi(goal_id, EMPLOYEE, kpi="csat", value=Decimal("88"), observed_at=date(2026, 3, 31))
    rejected = goals.propose_recalibration(goal_id, MANAGER, reason="external_factor",
                                           justification=TEXTS["justification"],
                                           targets={"tickets": {"target": Decimal(17)}})
    goals.reject_recalibration(goal_id, HR, rejected.reference or "", note=TEXTS["rejection"])
    approved = goals.propose_recalibration(goal_id, MANAGER, reason="external_factor",
                                           justification=TEXTS["justification"],
                                           targets={"tickets": {"target": Decimal(19)}})
    goals.approve_recalibration(goal_id, OTHER_HR, approved.reference or "", note=TEXTS["approval"])
    goals.close_goal(goal_id, MANAGER, outcome="achieved", summary=TEXTS["summary"])
    revised = draft(goals, survey_terms())
    goals.revise_goal(revised, EMPLOYEE, {"rationale": TEXTS["revision"]})
    return goal_id


def other_employee_goal(goals: Goals) -> UUID:
    """emp-2's goal, whose text must survive emp-1's erasure."""
    return draft(goals, survey_terms(owner_id="emp-2", rationale="Rationale of emp-2 stays readable"),
                 actor=MANAGER)
