"""An employee with goals, readings, a recalibration and a closure, every personal text unique and findable."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from freezegun import freeze_time
from decimal import Decimal
from uuid import UUID

from application.cycles.service import Cycles
from application.goals.service import Goals
from application.privacy.erasure import erase_person
from application.reviews.decisions import ReviewDecisions
from domain.check_ins import CheckIn
from domain.review_values import DecisionBasis
from domain.values import Actor, Cycle, Role
from tests.conftest import Clock
from tests.lifecycles import REVIEW_BANDS
from tests.scenarios import (
    EMPLOYEE,
    H1,
    HR,
    MANAGER,
    OTHER_HR,
    agreed,
    customer_service_terms,
    draft,
    start_cycles,
    survey_terms,
    release_ratings,
)

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
    "check_in": "CheckInNote-Rd6 the queue is long",
    "blockers": "Blockers-Gf1 my back again",
    "next_steps": "NextSteps-Hy2 pair with Sam",
    "self_assessment": "SelfAssessment-Uo3 I carried the team",
    "decision": "DecisionSummary-Kq8 a hard half",
    "override": "OverrideReason-Ne4 leave is not in the numbers",
    "dispute": "Dispute-Wc5 my leave was approved",
    "resolution": "Resolution-Ap0 confirmed with the lead",
}


# Who wrote each text: their data key seals it (ADR 0051), so erasing them erases exactly these.
WRITTEN_BY: dict[str, tuple[str, ...]] = {
    EMPLOYEE.id: ("rationale", "note", "revision", "first_rationale", "check_in", "blockers", "next_steps",
                  "self_assessment", "dispute"),
    MANAGER.id: ("justification", "summary", "decision", "override"),
    HR.id: ("rejection", "resolution"),
    OTHER_HR.id: ("approval",),
}
WRITERS = tuple(WRITTEN_BY)


def texts_of(*people: str) -> dict[str, str]:
    """The texts the people wrote, by name."""
    return {name: TEXTS[name] for person in people for name in WRITTEN_BY[person]}


def erase_every_writer(goals: Goals, reason: str = "GDPR article 17 request") -> None:
    """Erase everyone who wrote a text of emp-1's history: then every text of it reads as erased."""
    for person in WRITERS:
        erase_person(goals, person, HR, reason)


def employee_with_history(goals: Goals, clock: Clock, cycle: Cycle = H1) -> UUID:
    """emp-1's goal: drafted, agreed, two readings, a rejected and an approved recalibration, closed (in H1 unless
    another cycle is given: once H1's ratings are released its goals' terms no longer change)."""
    goal_id = agreed(goals, customer_service_terms(cycle=cycle, rationale=TEXTS["rationale"]))
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
    goals.check_in(goal_id, EMPLOYEE, CheckIn.of("at_risk", 2, TEXTS["check_in"], TEXTS["blockers"],
                                                 TEXTS["next_steps"]))
    goals.close_goal(goal_id, MANAGER, outcome="achieved", summary=TEXTS["summary"])
    revised = draft(goals, survey_terms(cycle=cycle))
    goals.revise_goal(revised, EMPLOYEE, {"rationale": TEXTS["revision"]})
    reviewed_with_a_dispute(goals)
    return goal_id


def reviewed_with_a_dispute(goals: Goals) -> None:
    """emp-1's review of 2026-H1: assessed, decided with an override, disputed and resolved (once per store)."""
    decisions = ReviewDecisions(goals)
    if decisions.review(EMPLOYEE.id, "2026-H1") is not None:
        return
    basis = DecisionBasis("2026.1", "sha256:" + "0" * 64, goals.head_position(), "meets_expectations", REVIEW_BANDS,
                          frozenset({MANAGER.id}))
    start_cycles(goals, "2026-H1")
    decisions.assess_self(EMPLOYEE.id, "2026-H1", EMPLOYEE, text=TEXTS["self_assessment"])
    decisions.decide(EMPLOYEE.id, "2026-H1", MANAGER, band="exceeds_expectations", summary=TEXTS["decision"],
                     override_reason=TEXTS["override"], basis=basis)
    release_ratings(goals, "2026-H1")
    decisions.dispute(EMPLOYEE.id, "2026-H1", EMPLOYEE, reason=TEXTS["dispute"])
    decisions.resolve_dispute(EMPLOYEE.id, "2026-H1", "d1", HR, outcome="upheld", band=None,
                              note=TEXTS["resolution"])


def other_employee_goal(goals: Goals) -> UUID:
    """emp-2's goal, drafted by emp-2, whose text must survive the erasure of everyone else."""
    return draft(goals, survey_terms(owner_id="emp-2", rationale="Rationale of emp-2 stays readable"),
                 actor=Actor("emp-2", Role.EMPLOYEE))


def locked_on(goals: Goals, cycle_id: str, day: date) -> None:
    """HR locks the cycle on that business day (the library stamps the event with the frozen clock)."""
    with freeze_time(datetime.combine(day, time(12), UTC)):
        Cycles(goals).lock(HR, cycle_id)
