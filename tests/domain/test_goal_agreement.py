"""Drafting, revising and signing a goal: who may, which terms, and when it comes into force."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import replace
from datetime import date, datetime, UTC
from decimal import Decimal
from typing import Any

import pytest
from eventsourcing.application import project_aggregate
from freezegun import freeze_time
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import (
    AlreadySignedError,
    GoalError,
    GoalNotDraftError,
    InvalidGoalInputError,
    MilestoneRuleError,
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


# --- a milestone set on a draft is part of the terms both sign (ADR 0052) ----------------------------------------

MARCH = date(2026, 3, 31)


def test_a_milestone_set_on_a_draft_after_one_signature_voids_it_and_names_the_milestone() -> None:
    goal = drafted()
    goal.sign(EMPLOYEE, read_version=1, today=TODAY)
    goal.collect_events()
    goal.set_milestone("tickets", MARCH, Decimal(17), MANAGER, today=TODAY)
    milestone_set, voided = goal.collect_events()
    assert isinstance(milestone_set, Goal.MilestoneSet) and isinstance(voided, Goal.SignatureVoided)
    assert (voided.party, voided.signed_content_version, voided.actor_id) == ("owner", 1, "mgr-1")
    assert voided.reason == "milestone tickets@2026-03-31 set at version 3"
    assert goal.signatures == {} and goal.content_version == 3 and goal.status == Status.DRAFT
    goal.sign(MANAGER, read_version=3, today=TODAY)
    assert goal.status == Status.DRAFT, "the owner's signature of the terms without the milestone no longer counts"
    goal.sign(EMPLOYEE, read_version=5, today=TODAY)
    assert goal.status == Status.AGREED
    assert {s.content_version for s in goal.signatures.values()} == {3}
    assert [m.id for m in goal.milestones] == ["tickets@2026-03-31"]


def test_a_signature_on_terms_read_before_a_milestone_was_set_is_refused_as_stale() -> None:
    goal = drafted()
    goal.set_milestone("tickets", MARCH, Decimal(17), HR, today=TODAY)
    goal.collect_events()
    with refused(goal, StaleVersionError, "version 1", "last changed at version 2"):
        goal.sign(EMPLOYEE, read_version=1, today=TODAY)
    goal.sign(EMPLOYEE, read_version=2, today=TODAY)
    [signed] = goal.collect_events()
    assert isinstance(signed, Goal.AgreementSigned) and signed.content_version == 2


def test_milestones_set_before_any_signature_are_agreed_with_the_terms() -> None:
    goal = drafted()
    goal.set_milestone("tickets", MARCH, Decimal(17), MANAGER, today=TODAY)
    goal.set_milestone("csat", date(2026, 4, 30), Decimal(86), EMPLOYEE, today=TODAY)
    goal.sign(EMPLOYEE, read_version=3, today=TODAY)
    goal.sign(MANAGER, read_version=4, today=TODAY)
    assert [type(e).__name__ for e in goal.collect_events()] == [
        "MilestoneSet", "MilestoneSet", "AgreementSigned", "AgreementSigned", "Agreed"], "nothing was voided"
    assert goal.status == Status.AGREED and goal.content_version == 3
    assert [m.id for m in goal.milestones] == ["tickets@2026-03-31", "csat@2026-04-30"]


def test_a_milestone_set_after_agreement_changes_no_signed_terms() -> None:
    goal = agreed()
    goal.set_milestone("tickets", MARCH, Decimal(17), MANAGER, today=TODAY)
    goal.set_milestone("tickets", MARCH, Decimal(17), EMPLOYEE, today=TODAY)
    assert [type(e).__name__ for e in goal.collect_events()] == ["MilestoneProposed", "MilestoneSet"]
    assert goal.content_version == 1 and set(goal.signatures) == set(Party)


def test_setting_a_drafts_milestone_again_unchanged_is_refused_and_voids_nothing() -> None:
    goal = drafted()
    goal.set_milestone("tickets", MARCH, Decimal(17), MANAGER, today=TODAY)
    goal.sign(EMPLOYEE, today=TODAY)
    goal.collect_events()
    with refused(goal, MilestoneRuleError, "'tickets@2026-03-31'", "changes nothing"):
        goal.set_milestone("tickets", MARCH, Decimal("17.0"), MANAGER, today=TODAY)
    goal.set_milestone("tickets", MARCH, Decimal(18), MANAGER, today=TODAY)  # a new target changes the terms
    assert [type(e).__name__ for e in goal.collect_events()] == ["MilestoneSet", "SignatureVoided"]
    assert [m.target for m in goal.milestones] == [Decimal(18)]


def stored_before_milestones_moved_the_terms() -> list[Goal.Event]:
    """A draft's history as the code before ADR 0052 stored it: the owner signed, then a milestone was set on the
    draft (no signature voided), and nobody else has signed yet."""
    goal = Goal.draft(actor=EMPLOYEE, **drafting(customer_service_terms()))
    goal.sign(EMPLOYEE, read_version=1, today=TODAY)
    goal.trigger_event(Goal.MilestoneSet, milestone={"id": "tickets@2026-03-31", "kpi": "tickets", "due": MARCH,
                                                     "target": Decimal(17)}, actor_id="mgr-1", actor_role="manager")
    return [*goal.collect_events()]


def test_an_old_draft_replays_and_its_signature_given_before_the_milestone_lapses_at_the_next_signature() -> None:
    replayed = project_aggregate(None, stored_before_milestones_moved_the_terms())
    assert isinstance(replayed, Goal) and replayed.version == 3 and replayed.content_version == 3
    assert replayed.signatures[Party.OWNER].content_version == 1, "the stored signature is replayed as it was"
    replayed.sign(MANAGER, read_version=3, today=TODAY)
    voided, signed = replayed.collect_events()
    assert isinstance(voided, Goal.SignatureVoided) and isinstance(signed, Goal.AgreementSigned)
    assert (voided.party, voided.reason) == ("owner", "the terms changed at version 3, after this signature")
    assert replayed.status == Status.DRAFT and set(replayed.signatures) == {Party.MANAGER}
    replayed.sign(EMPLOYEE, read_version=5, today=TODAY)  # the owner signs again, now with the milestone
    assert replayed.status == Status.AGREED


# Draft commands in any order: who signs having read which version, and which milestone (or revision) comes between.
DRAFT_STEPS = st.one_of(
    st.tuples(st.just("sign"), st.sampled_from(["owner", "manager"]), st.sampled_from(["current", "first", "none"])),
    st.tuples(st.just("milestone"), st.sampled_from(["owner", "manager", "hr"]),
              st.sampled_from([("tickets", MARCH, Decimal(17)), ("tickets", MARCH, Decimal(18)),
                               ("csat", date(2026, 4, 30), Decimal(86))])),
    st.tuples(st.just("revise"), st.sampled_from(["owner", "manager"]), st.sampled_from(["Throughput", "Support"])),
)
ACTORS = {"owner": EMPLOYEE, "manager": MANAGER, "hr": HR}


def take(goal: Goal, step: tuple[str, str, Any]) -> None:
    kind, who, what = step
    actor = ACTORS[who]
    if kind == "sign":
        goal.sign(actor, read_version={"current": goal.version, "first": 1, "none": None}[what], today=TODAY)
    elif kind == "milestone":
        goal.set_milestone(*what, actor, today=TODAY)
    else:
        goal.revise({"title": what}, actor)


@given(st.lists(DRAFT_STEPS, max_size=12))
def test_an_agreed_goals_milestones_were_all_present_at_the_content_version_both_signed(
    steps: list[tuple[str, str, Any]],
) -> None:
    goal, history = drafted(), []
    for step in steps:
        with suppress(GoalError):  # a refusal changes nothing (tests/domain/support.refused checks that elsewhere)
            take(goal, step)
        history += goal.collect_events()
        if goal.status == Status.AGREED:
            break
    assert all(s.content_version == goal.content_version for s in goal.signatures.values())
    if goal.status != Status.AGREED:
        return
    signed = {s.content_version for s in goal.signatures.values()}
    assert signed == {goal.content_version} and set(goal.signatures) == set(Party)
    set_at = {e.milestone["id"]: e.originator_version for e in history if isinstance(e, Goal.MilestoneSet)}
    assert set(set_at) == {m.id for m in goal.milestones}
    assert all(version <= goal.content_version for version in set_at.values()), (set_at, goal.content_version)
    assert all(s.version > goal.content_version for s in goal.signatures.values()), "both signed after the change"
