"""Events saved together (the second signature and the agreement it completes) are chained to each other."""

from __future__ import annotations

from uuid import UUID

from application.audit.chain import link, split_state
from application.goals import Goals
from tests.conftest import AUDIT_KEY
from tests.scenarios import EMPLOYEE, MANAGER, agreed, customer_service_terms, draft


def chained_to_previous(goals: Goals, goal_id: UUID) -> list[bool]:
    """For each stored event, whether its link is the HMAC over the previous event's link and its content."""
    previous, verdicts = "", []
    for stored in goals.recorder.select_events(goal_id):
        state, chained = split_state(stored.state)
        verdicts.append(chained == link(AUDIT_KEY, previous, goal_id, stored.originator_version, stored.topic, state))
        previous = str(chained)
    return verdicts


def test_the_agreement_saved_with_the_second_signature_is_chained_to_it(goals: Goals) -> None:
    goal_id = agreed(goals, customer_service_terms())
    assert chained_to_previous(goals, goal_id) == [True] * 4


def test_voided_signatures_saved_with_a_revision_are_chained_to_it(goals: Goals) -> None:
    goal_id = draft(goals, customer_service_terms())
    goals.sign_goal(goal_id, EMPLOYEE)
    goals.revise_goal(goal_id, MANAGER, {"title": "Support throughput and customer satisfaction"})
    assert chained_to_previous(goals, goal_id) == [True] * 4
