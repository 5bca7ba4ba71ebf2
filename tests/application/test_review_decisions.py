"""The review as an audited decision: the manager decides on a pinned justification, the employee answers, HR
resolves a dispute. Every step is an event of the Review aggregate in the goals' log."""

from __future__ import annotations

import threading

import pytest

from application.goals.service import Goals
from application.reviews.decisions import ReviewDecisions
from domain.errors import (
    DisputeOpenError, FourEyesViolationError, InvalidGoalInputError, NotReleasedError, PermissionDeniedError,
    ReviewNotDecidedError, ReviewSettledError, UnknownDisputeError,
)
from domain.review import Review
from domain.review_values import DecisionBasis, ResolutionOutcome, Stage
from domain.values import Actor, Role
from tests.scenarios import (
    EMPLOYEE, HR, MANAGER, OTHER_HR, STRANGER, release_ratings, start_cycles,
)

BANDS = ("outstanding", "exceeds_expectations", "meets_expectations", "needs_improvement", "unsatisfactory")
BASIS = DecisionBasis("2026.1", "sha256:" + "ab" * 32, 42, "meets_expectations", BANDS, frozenset({MANAGER.id}))
CYCLE = "2026-H1"


@pytest.fixture
def decisions(goals: Goals) -> ReviewDecisions:
    release_ratings(goals, CYCLE)  # employees answer a released rating (see the test of an unreleased one)
    return ReviewDecisions(goals)


def test_the_employee_answers_a_decision_only_once_hr_released_the_cycle(goals: Goals) -> None:
    start_cycles(goals, CYCLE)  # a band is decided only in a cycle that has started
    early = ReviewDecisions(goals)
    decide(early)
    for answer in (lambda: early.acknowledge(EMPLOYEE.id, CYCLE, EMPLOYEE),
                   lambda: early.dispute(EMPLOYEE.id, CYCLE, EMPLOYEE, reason="Too low")):
        with pytest.raises(NotReleasedError) as refused:
            answer()
        assert refused.value.code == "not_released"
    with pytest.raises(PermissionDeniedError):  # a stranger is refused for who they are, not for the cycle
        early.acknowledge(EMPLOYEE.id, CYCLE, STRANGER)
    release_ratings(goals)
    early.acknowledge(EMPLOYEE.id, CYCLE, EMPLOYEE)
    review = early.review(EMPLOYEE.id, CYCLE)
    assert review is not None and review.stage is Stage.ACKNOWLEDGED


def decide(decisions: ReviewDecisions, band: str = "exceeds_expectations", reason: str | None = "Led the migration",
           actor: Actor = MANAGER) -> None:
    decisions.decide(EMPLOYEE.id, CYCLE, actor, band=band, summary="A strong half", override_reason=reason,
                     basis=BASIS)


def test_a_decision_overridden_upwards_is_disputed_and_hr_changes_the_band(decisions: ReviewDecisions) -> None:
    decisions.assess_self(EMPLOYEE.id, CYCLE, EMPLOYEE, text="I carried the team through the outage.")
    decide(decisions)
    dispute = decisions.dispute(EMPLOYEE.id, CYCLE, EMPLOYEE, reason="The outage work is not counted at all.")
    assert dispute.reference == "d1" and dispute.position is not None
    decisions.resolve_dispute(EMPLOYEE.id, CYCLE, "d1", OTHER_HR, outcome="changed", band="outstanding",
                              note="The outage work deserved more.")
    review = decisions.review(EMPLOYEE.id, CYCLE)
    assert review is not None and review.stage is Stage.RESOLVED and review.final_band == "outstanding"
    assert review.decision is not None and review.decision.override_direction == "up"
    pinned = (review.decision.justification_hash, review.decision.justification_position)
    assert pinned == (BASIS.justification_hash, 42)
    assert review.disputes[0].outcome is ResolutionOutcome.CHANGED and review.disputes[0].resolved_by == OTHER_HR.id
    names = [type(e).__name__ for e in decisions.goals.events.get(review.id)]
    assert names == ["Opened", "SelfAssessed", "DecisionRecorded", "Disputed", "DisputeResolved"]


def test_an_override_without_a_reason_names_the_field_and_stores_nothing(decisions: ReviewDecisions) -> None:
    with pytest.raises(InvalidGoalInputError) as raised:
        decide(decisions, band="needs_improvement", reason=" ")
    assert raised.value.field == "override_reason"
    assert decisions.review(EMPLOYEE.id, CYCLE) is None


def test_the_computed_band_needs_no_reason_and_an_unknown_band_is_refused(decisions: ReviewDecisions) -> None:
    with pytest.raises(InvalidGoalInputError) as raised:
        decide(decisions, band="superb")
    assert raised.value.field == "band"
    decide(decisions, band="meets_expectations", reason=None)
    review = decisions.review(EMPLOYEE.id, CYCLE)
    assert review is not None and review.decision is not None and review.decision.override_direction is None


@pytest.mark.parametrize("actor", [HR, STRANGER, EMPLOYEE, Actor("mgr-2", Role.MANAGER)])
def test_only_the_employees_manager_decides(decisions: ReviewDecisions, actor: Actor) -> None:
    with pytest.raises(PermissionDeniedError):
        decide(decisions, actor=actor)


def test_the_employee_answers_only_a_decision_and_only_once(decisions: ReviewDecisions) -> None:
    with pytest.raises(ReviewNotDecidedError):
        decisions.acknowledge(EMPLOYEE.id, CYCLE, EMPLOYEE)
    decide(decisions)
    with pytest.raises(PermissionDeniedError):
        decisions.acknowledge(EMPLOYEE.id, CYCLE, STRANGER)
    decisions.acknowledge(EMPLOYEE.id, CYCLE, EMPLOYEE)
    with pytest.raises(ReviewSettledError):
        decisions.dispute(EMPLOYEE.id, CYCLE, EMPLOYEE, reason="Too late")
    with pytest.raises(ReviewSettledError):
        decide(decisions)


def test_a_dispute_freezes_the_decision_until_a_second_person_in_hr_resolves_it(decisions: ReviewDecisions) -> None:
    decide(decisions)
    decisions.dispute(EMPLOYEE.id, CYCLE, EMPLOYEE, reason="Unfair")
    with pytest.raises(DisputeOpenError):
        decide(decisions, band="outstanding")
    with pytest.raises(PermissionDeniedError):
        decisions.resolve_dispute(EMPLOYEE.id, CYCLE, "d1", MANAGER, outcome="upheld", band=None, note="")
    with pytest.raises(UnknownDisputeError):
        decisions.resolve_dispute(EMPLOYEE.id, CYCLE, "d9", HR, outcome="upheld", band=None, note="")
    with pytest.raises(InvalidGoalInputError) as raised:
        decisions.resolve_dispute(EMPLOYEE.id, CYCLE, "d1", HR, outcome="changed", band=None, note="x")
    assert raised.value.field == "band"
    decisions.resolve_dispute(EMPLOYEE.id, CYCLE, "d1", HR, outcome="upheld", band=None, note="")
    review = decisions.review(EMPLOYEE.id, CYCLE)
    assert review is not None and review.final_band == "exceeds_expectations"


def test_hr_who_is_the_employee_cannot_resolve_their_own_dispute(goals: Goals) -> None:
    release_ratings(goals)
    decisions = ReviewDecisions(goals)
    start_cycles(goals, CYCLE)
    hr_employee = Actor("hr-7", Role.EMPLOYEE)
    basis = DecisionBasis("2026.1", "h", 1, "meets_expectations", BANDS, frozenset({MANAGER.id}))
    decisions.decide("hr-7", CYCLE, MANAGER, band="meets_expectations", summary="ok", override_reason=None, basis=basis)
    decisions.dispute("hr-7", CYCLE, hr_employee, reason="Unfair")
    with pytest.raises(FourEyesViolationError):
        decisions.resolve_dispute("hr-7", CYCLE, "d1", HR, outcome="upheld", band=None, note="")


def test_a_review_reloaded_by_a_second_application_is_the_same(goals: Goals) -> None:
    ReviewDecisions(goals).assess_self(EMPLOYEE.id, CYCLE, EMPLOYEE, text="A good half.")
    other = Goals(goals.settings)
    try:
        review = ReviewDecisions(other).review(EMPLOYEE.id, CYCLE)
        assert isinstance(review, Review) and review.assessments[0].text == "A good half."
    finally:
        other.close()


def test_two_first_steps_at_once_open_one_review_and_both_count(goals: Goals) -> None:
    other = Goals(goals.settings)
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def assess(app: Goals, text: str) -> None:
        try:
            start.wait(timeout=30)
            ReviewDecisions(app).assess_self(EMPLOYEE.id, CYCLE, EMPLOYEE, text=text)
        except BaseException as error:  # reported below
            failures.append(error)

    try:
        threads = [threading.Thread(target=assess, args=(app, text)) for app, text in ((goals, "A"), (other, "B"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        other.close()
    assert failures == []
    review = ReviewDecisions(goals).review(EMPLOYEE.id, CYCLE)
    assert review is not None and sorted(a.text for a in review.assessments) == ["A", "B"]
    names = [type(e).__name__ for e in goals.events.get(review.id)]
    assert names.count("Opened") == 1
