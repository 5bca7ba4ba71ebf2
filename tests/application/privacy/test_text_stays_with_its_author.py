"""A person's text is stored once, where they wrote it: never copied into the system's words (a voided signature's
reason) nor under another person's key (a cancelled goal's summary), so erasing its author erases it everywhere
(ADR 0051), in the events, the read models and the raw database, on both stores."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from application.cycles.service import Cycles
from application.events.log_records import log_records
from application.goals.service import Goals
from application.privacy.erasure import erase_person
from application.privacy.registry import ERASED, personal_paths
from projections.service import build_runner
from tests.application.privacy.support import TEXTS, WRITTEN_BY, employee_with_history
from tests.application.privacy.test_no_plaintext_left import stored_bytes
from tests.conftest import Clock
from tests.scenarios import EMPLOYEE, H2, HR, MANAGER, OTHER_HR, agreed, customer_service_terms, draft, ensure_cycles

REASSIGN_REASON = "ReassignReason-Vq2 moved after her complaint"
CANCEL_JUSTIFICATION = "CancelJustification-Mz5 his long illness"
CARRY_RATIONALE = "CarriedRationale-Yb7 only emp-1 wrote this"


def signed_draft_reassigned(goals: Goals) -> UUID:
    """emp-1's draft, signed by emp-1, which HR (hr-7) moves to emp-2 with a reason: the signature lapses."""
    goal_id = draft(goals, customer_service_terms())
    goals.sign_goal(goal_id, EMPLOYEE)
    goals.reassign_goal(goal_id, HR, owner_id="emp-2", reason=REASSIGN_REASON)
    return goal_id


def cancelled_by_recalibration(goals: Goals) -> UUID:
    """An agreed goal whose manager proposes its cancellation with a justification; HR (hr-7) approves."""
    goal_id = agreed(goals, customer_service_terms())
    proposal = goals.propose_recalibration(goal_id, MANAGER, reason="priority_shift",
                                           justification=CANCEL_JUSTIFICATION, cancel=True)
    goals.approve_recalibration(goal_id, HR, proposal.reference or "", note="The product line was closed.")
    return goal_id


def everything_readable(goals: Goals) -> str:
    """Every event as the API, the feed and the exports read it (sealed text opened)."""
    return json.dumps([record.data for record in log_records(goals)])


def test_erasing_hr_who_reassigned_a_signed_draft_leaves_their_reason_nowhere(goals: Goals) -> None:
    goal_id = signed_draft_reassigned(goals)
    runner = build_runner(goals)
    runner.catch_up()
    voided = [r for r in log_records(goals) if r.type == "SignatureVoided"]
    assert [(r.goal_id, r.data["party"], r.data["reason"]) for r in voided] == [
        (str(goal_id), "owner", "the goal was reassigned to another owner at version 3")]
    assert REASSIGN_REASON in everything_readable(goals)  # HR's reason, in the Reassigned event, until the erasure
    erase_person(goals, HR.id, OTHER_HR, "GDPR article 17 request")
    runner.catch_up()
    assert [r.data["reason"] for r in log_records(goals) if r.type == "Reassigned"] == [ERASED]
    assert REASSIGN_REASON not in everything_readable(goals)
    assert REASSIGN_REASON.encode() not in stored_bytes(goals)
    assert goals.get_goal(goal_id).signatures == {}


def test_erasing_the_proposer_of_a_cancellation_leaves_their_justification_nowhere(goals: Goals) -> None:
    goal_id = cancelled_by_recalibration(goals)
    runner = build_runner(goals)
    runner.catch_up()
    goal = goals.get_goal(goal_id)
    assert goal.summary == f"cancelled by recalibration {goal.recalibrations[0].id}"
    assert CANCEL_JUSTIFICATION in everything_readable(goals)  # in the proposal, until the erasure
    erase_person(goals, MANAGER.id, HR, "GDPR article 17 request")
    runner.catch_up()
    assert CANCEL_JUSTIFICATION not in everything_readable(goals)
    assert CANCEL_JUSTIFICATION.encode() not in stored_bytes(goals)
    assert goals.get_goal(goal_id).summary == f"cancelled by recalibration {goal.recalibrations[0].id}"  # HR's key


def misplaced_texts(goals: Goals, written_by: dict[str, dict[str, str]]) -> list[str]:
    """Each stored copy of a person's text outside a personal field of an event that person wrote."""
    found = []
    for notification in goals.recorder.select_notifications(0, 10_000):
        event = goals.mapper.to_domain_event(notification)
        topic, author = get_topic(type(event)), getattr(event, "actor_id", None)
        for path, value in texts_in(vars(event)):
            for person, texts in written_by.items():
                for name, text in texts.items():
                    if text in value and (person != author or path not in personal_paths(topic)):
                        found.append(f"{name} of {person} in {topic}.{path} by {author}")
    return found


def texts_in(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string inside an event's state, with its dotted path (a list's items share the list's path)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from texts_in(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from texts_in(item, path)


def test_every_text_is_stored_only_in_a_personal_field_of_an_event_its_author_wrote(
    goals: Goals, clock: Clock
) -> None:
    signed_draft_reassigned(goals)
    cancelled_by_recalibration(goals)
    employee_with_history(goals, clock)  # last: it releases the cycle's ratings
    written_by = {person: {name: TEXTS[name] for name in names} for person, names in WRITTEN_BY.items()}
    written_by[HR.id] = {**written_by[HR.id], "reassignment": REASSIGN_REASON}
    written_by[MANAGER.id] = {**written_by[MANAGER.id], "cancellation": CANCEL_JUSTIFICATION}
    assert misplaced_texts(goals, written_by) == []


def test_a_carried_over_goal_starts_without_the_rationale_its_author_wrote_on_the_old_one(goals: Goals) -> None:
    goal_id = agreed(goals, customer_service_terms(rationale=CARRY_RATIONALE))
    ensure_cycles(goals, H2)
    carried = Cycles(goals).carry_over(goal_id, HR, to_cycle=H2.id, reason="Carried over for the reorganisation.")
    assert misplaced_texts(goals, {EMPLOYEE.id: {"rationale": CARRY_RATIONALE}}) == []
    new = goals.get_goal(UUID(carried.goal_id))
    assert new.rationale is None and new.carried_over_from == str(goal_id)
    assert goals.get_goal(goal_id).rationale == CARRY_RATIONALE  # still read where its author wrote it
    erase_person(goals, EMPLOYEE.id, HR, "GDPR article 17 request")
    assert CARRY_RATIONALE.encode() not in stored_bytes(goals)
