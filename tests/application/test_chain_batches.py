"""Events saved together (the second signature and the agreement it completes) are chained to each other."""

from __future__ import annotations

from uuid import UUID

from application.audit.leaf import GENESIS
from application.audit.leaf import unseal
from application.audit.tamper import signature_holds
from application.goals.service import Goals
from tests.scenarios import EMPLOYEE, MANAGER, agreed, customer_service_terms, draft


def chained_to_previous(goals: Goals, goal_id: UUID) -> list[bool]:
    """For each stored event, whether its signature covers its content after the previous event's signature."""
    previous, verdicts = GENESIS, []
    for stored in goals.recorder.select_events(goal_id):
        sealed = unseal(stored.state)
        assert sealed is not None
        verdicts.append(signature_holds(goals.audit_keys.keyring, stored, sealed, previous))
        previous = sealed.field
    return verdicts


def test_the_agreement_saved_with_the_second_signature_is_chained_to_it(goals: Goals) -> None:
    goal_id = agreed(goals, customer_service_terms())
    assert chained_to_previous(goals, goal_id) == [True] * 4


def test_voided_signatures_saved_with_a_revision_are_chained_to_it(goals: Goals) -> None:
    goal_id = draft(goals, customer_service_terms())
    goals.sign_goal(goal_id, EMPLOYEE)
    goals.revise_goal(goal_id, MANAGER, {"title": "Support throughput and customer satisfaction"})
    assert chained_to_previous(goals, goal_id) == [True] * 4
