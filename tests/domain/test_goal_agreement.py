"""Drafting, revising and signing a goal: who may, which terms, and when it comes into force."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, UTC
from decimal import Decimal

import pytest
from freezegun import freeze_time

from domain.errors import (
    AlreadySignedError,
    GoalNotDraftError,
    InvalidGoalInputError,
    NotAPartyError,
    PermissionDeniedError,
    SmartCheckFailedError,
    StaleVersionError,
)
from domain.goal import Goal
from domain.values import Actor, Party, Role, Status
from tests.domain.support import TODAY, agreed, drafted, refused
from tests.scenarios import (
    AUDITOR,
    CSAT,
    EMPLOYEE,
    HR,
    MANAGER,
    STRANGER,
    TICKETS,
    customer_service_terms,
    drafting,
    survey_terms,
)

MOMENT = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


def test_drafting_records_who_drafted_and_when() -> None:
    with freeze_time(MOMENT):
        goal = Goal.draft(actor=MANAGER, **drafting(survey_terms()))
    [event] = goal.collect_events()
    assert type(event) is Goal.Drafted and event.timestamp == MOMENT
    assert (event.actor_id, event.actor_role) == ("mgr-1", "manager")
    assert goal.status == Status.DRAFT and goal.version == 1 and goal.content_version == 1
    assert goal.kpis[0].target == Decimal(85) and goal.original_kpis == goal.kpis


@pytest.mark.parametrize("actor", [STRANGER, AUDITOR, Actor("svc-1", Role.SERVICE), Actor("mgr-1", Role.AUDITOR)])
def test_only_the_owner_the_manager_or_hr_drafts(actor: Actor) -> None:
    with pytest.raises(PermissionDeniedError, match=repr(actor.id)):
        Goal.draft(actor=actor, **drafting(customer_service_terms()))


def test_hr_may_draft_for_anyone() -> None:
    assert Goal.draft(actor=HR, **drafting(customer_service_terms())).drafted_by == HR.id


@pytest.mark.parametrize(("override", "field", "named"), [
    ({"manager_id": "emp-1"}, "manager_id", "'emp-1'"),
    ({"title": "  "}, "title", "must not be empty"),
    ({"weight": Decimal(0)}, "weight", "not 0"),
    ({"weight": Decimal("NaN")}, "weight", "NaN"),
    ({"kpis": [TICKETS, replace(CSAT, id="tickets")]}, "kpis[1].id", "'tickets'"),
    ({"kpis": [replace(TICKETS, target=Decimal("Infinity"))]}, "kpis[0].target", "Infinity"),
])
def test_malformed_terms_are_refused_naming_the_field(override: dict[str, object], field: str, named: str) -> None:
    with pytest.raises(InvalidGoalInputError) as caught:
        Goal.draft(actor=EMPLOYEE, **drafting(customer_service_terms(**override)))
    assert caught.value.field == field and named in caught.value.message


def test_a_draft_that_fails_the_smart_check_may_still_be_drafted() -> None:
    goal = Goal.draft(actor=EMPLOYEE, **drafting(customer_service_terms(statement="Work on tickets", rationale=None)))
    assert {f.code for f in goal.smart_report(TODAY).blocking} == {"statement_too_short", "vague_wording",
                                                                    "no_alignment"}


def test_revising_a_draft_changes_its_terms_and_content_version() -> None:
    goal = drafted()
    goal.revise({"title": "Support throughput", "weight": Decimal(50)}, EMPLOYEE)
    [event] = goal.collect_events()
    assert type(event) is Goal.Revised and event.changes == {"title": "Support throughput", "weight": Decimal(50)}
    assert goal.title == "Support throughput" and goal.content_version == goal.version == 2


def test_a_revision_must_change_something_revisable() -> None:
    goal = drafted()
    with refused(goal, InvalidGoalInputError, "changes", "changes nothing"):
        goal.revise({"title": goal.title}, EMPLOYEE)
    with refused(goal, InvalidGoalInputError, "owner_id", "cannot be revised"):
        goal.revise({"owner_id": "emp-2"}, EMPLOYEE)
    with refused(goal, PermissionDeniedError, "'emp-9'"):
        goal.revise({"title": "Mine now"}, STRANGER)


def test_an_agreed_goal_cannot_be_revised() -> None:
    goal = agreed()
    with refused(goal, GoalNotDraftError, "agreed", "only a draft can be revised"):
        goal.revise({"title": "Changed after the fact"}, MANAGER)


def test_the_goal_is_agreed_once_owner_and_manager_signed_the_same_terms() -> None:
    goal = drafted()
    with freeze_time(MOMENT):
        goal.sign(EMPLOYEE, read_version=1, today=TODAY)
        goal.sign(MANAGER, read_version=2, today=TODAY)
    owner_signed, manager_signed, agreed_event = goal.collect_events()
    assert isinstance(owner_signed, Goal.AgreementSigned) and isinstance(manager_signed, Goal.AgreementSigned)
    assert isinstance(agreed_event, Goal.Agreed)
    assert [(e.party, e.content_version, e.read_version) for e in (owner_signed, manager_signed)] == [
        ("owner", 1, 1), ("manager", 1, 2)], "each signature keeps the version its signer read"
    assert goal.status == Status.AGREED and goal.agreed_at == MOMENT and goal.agreed_version == 4
    assert {p: s.content_version for p, s in goal.signatures.items()} == {"owner": 1, "manager": 1}
    assert goal.signatures[Party.MANAGER].signed_at == MOMENT


@pytest.mark.parametrize("actor", [STRANGER, HR, Actor("hr-boss", Role.MANAGER)])
def test_nobody_but_the_owner_and_the_manager_signs(actor: Actor) -> None:
    goal = drafted()
    with refused(goal, NotAPartyError, repr(actor.id), "'emp-1'", "'mgr-1'"):
        goal.sign(actor, today=TODAY)


def test_each_party_signs_once() -> None:
    goal = drafted()
    goal.sign(EMPLOYEE, today=TODAY)
    goal.collect_events()
    with refused(goal, AlreadySignedError, "owner", "'emp-1'"):
        goal.sign(EMPLOYEE, today=TODAY)


def test_an_agreed_goal_takes_no_more_signatures() -> None:
    goal = agreed()
    with refused(goal, GoalNotDraftError, "only a draft can be signed"):
        goal.sign(MANAGER, today=TODAY)


def test_a_revision_after_one_signature_voids_it_and_says_so() -> None:
    goal = drafted()
    goal.sign(EMPLOYEE, today=TODAY)
    goal.revise({"deadline": date(2026, 5, 31)}, MANAGER)
    events = goal.collect_events()
    assert [type(e).__name__ for e in events] == ["AgreementSigned", "Revised", "SignatureVoided"]
    voided = events[-1]
    assert isinstance(voided, Goal.SignatureVoided)
    assert (voided.party, voided.signed_content_version, voided.actor_id) == ("owner", 1, "mgr-1")
    assert goal.signatures == {} and goal.content_version == 3
    goal.sign(MANAGER, today=TODAY)
    assert goal.status == Status.DRAFT, "the manager's signature alone does not agree the goal"
    goal.sign(EMPLOYEE, today=TODAY)
    assert goal.status == Status.AGREED
    assert {s.content_version for s in goal.signatures.values()} == {3}


def test_a_signature_on_terms_read_before_the_last_revision_is_refused() -> None:
    goal = drafted()
    goal.revise({"title": "Support throughput"}, MANAGER)
    goal.collect_events()
    with refused(goal, StaleVersionError, "version 1", "version 2"):
        goal.sign(EMPLOYEE, read_version=1, today=TODAY)
    with refused(goal, StaleVersionError, "version 7"):
        goal.sign(EMPLOYEE, read_version=7, today=TODAY)


def test_a_goal_with_blocking_smart_findings_cannot_be_signed() -> None:
    goal = drafted(customer_service_terms(rationale=None))
    with refused(goal, SmartCheckFailedError, "relevant", "neither a parent goal nor a rationale") as caught:
        goal.sign(EMPLOYEE, today=TODAY)
    assert [f["code"] for f in caught.value.context["findings"]] == ["no_alignment"]


def test_a_deadline_already_past_blocks_signing_on_the_business_date() -> None:
    goal = drafted(customer_service_terms(deadline=date(2026, 3, 31)))
    goal.sign(EMPLOYEE, today=date(2026, 3, 31))
    with refused(goal, SmartCheckFailedError, "2026-03-31", "2026-04-01"):
        goal.sign(MANAGER, today=date(2026, 4, 1))


def test_a_stretch_target_is_advisory_and_does_not_block_agreement() -> None:
    goal = drafted(customer_service_terms(kpis=[replace(TICKETS, target=Decimal(40))]))
    assert [f.code for f in goal.smart_report(TODAY).findings] == ["stretch_too_far"]
    goal.sign(EMPLOYEE, today=TODAY)
    goal.sign(MANAGER, today=TODAY)
    assert goal.status == Status.AGREED
