"""Erasing a person by crypto-shredding: their text reads as erased, numbers stay, the trail still verifies."""

from __future__ import annotations

from decimal import Decimal

from application.audit.verification import verify_trail
from application.goals.service import Goals
from application.events.log_records import log_records
from application.privacy.erasure import erase_person
from application.privacy.registry import ERASED
from application.store.settings import Settings
from domain.goal import Goal
from tests.application.privacy.support import TEXTS, employee_with_history, other_employee_goal
from tests.conftest import Clock
from tests.scenarios import HR, MANAGER, YEAR, draft, survey_terms


def test_stored_events_hold_no_personal_text_in_the_clear(goals: Goals, clock: Clock) -> None:
    employee_with_history(goals, clock)
    stored = b"".join(bytes(n.state) for n in goals.recorder.select_notifications(0, 1000))
    assert not [name for name, text in TEXTS.items() if text.encode() in stored]
    first_draft = goals.recorder.select_notifications(0, 1, topics=[Goal.Drafted.TOPIC])[0]  # after the cycles
    goal = goals.get_goal(first_draft.originator_id)
    assert goal.terms.rationale == TEXTS["rationale"] and goal.summary == TEXTS["summary"]


def test_an_erased_person_s_text_reads_as_erased_while_numbers_and_the_trail_stay(goals: Goals, clock: Clock) -> None:
    goal_id = employee_with_history(goals, clock)
    other = other_employee_goal(goals)
    before = goals.get_goal(goal_id)
    erasure = erase_person(goals, "emp-1", HR, "GDPR article 17 request #12")
    goal = goals.get_goal(goal_id)
    assert erasure.keys and goal.terms.rationale == ERASED and goal.summary == TEXTS["summary"]  # the manager's
    assert [m.note for m in goals.readings(goal)] == [ERASED, ""]
    assert [(r.justification, r.note) for r in goal.recalibrations] == [
        (TEXTS["justification"], TEXTS["rejection"]), (TEXTS["justification"], TEXTS["approval"])]
    assert [m.value for m in goals.readings(goal)] == [m.value for m in goals.readings(before)] == [Decimal("16.5"),
                                                                                            Decimal("88")]
    assert goal.kpi("tickets").target == before.kpi("tickets").target == Decimal(19)
    erase_person(goals, MANAGER.id, HR, "GDPR article 17 request #13")
    goal = goals.get_goal(goal_id)
    assert goal.summary == ERASED and [r.justification for r in goal.recalibrations] == [ERASED] * 2
    assert [r.note for r in goal.recalibrations] == [TEXTS["rejection"], TEXTS["approval"]]  # HR's stay
    assert goals.get_goal(other).terms.rationale == "Rationale of emp-2 stays readable"
    assert verify_trail(goals).intact


def test_the_rebuild_fast_path_reads_the_same_marker_as_the_mapper(goals: Goals, clock: Clock) -> None:
    employee_with_history(goals, clock)
    erase_person(goals, "emp-1", HR, "retention")
    notes = [r.data.get("note") for r in log_records(goals) if r.type == "KpiRecorded"]
    assert notes == [ERASED, ""]


def test_text_a_person_writes_after_their_erasure_has_a_new_key(goals: Goals, clock: Clock) -> None:
    goal_id = employee_with_history(goals, clock)
    first = erase_person(goals, "emp-1", HR, "request")
    later = other_employee_goal(goals)
    new_goal = employee_with_history(goals, clock, YEAR)  # H1's ratings are released: its terms no longer change
    assert goals.get_goal(new_goal).terms.rationale == TEXTS["rationale"]
    assert goals.get_goal(goal_id).terms.rationale == ERASED
    assert goals.data_keys.keys_of("emp-1") and set(goals.data_keys.keys_of("emp-1")).isdisjoint(first.keys)
    assert goals.get_goal(later).terms.rationale != ERASED


def test_another_process_forgets_its_cached_goal_and_keys_once_someone_is_erased(
    goals: Goals, settings: Settings, clock: Clock
) -> None:
    goal_id = employee_with_history(goals, clock)
    other_process = Goals(settings, today=clock)
    try:
        other_process.data_keys.refresh_seconds = 0  # looks at the keys on every read (one second in production)
        assert other_process.get_goal(goal_id).summary == TEXTS["summary"]  # cached there, opened
        erase_person(goals, MANAGER.id, HR, "request")
        assert other_process.get_goal(goal_id).summary == ERASED
        assert [r.data.get("summary") for r in log_records(other_process) if r.type == "Closed"] == [ERASED]
    finally:
        other_process.close()


def test_text_sealed_under_the_owner_s_key_before_adr_0051_still_reads_and_goes_with_that_key(
    goals: Goals, clock: Clock
) -> None:
    goals.personal.sealer_of = (  # type: ignore[method-assign]  # the rule before ADR 0051: the goal's owner
        lambda event, topic: goals.personal.subject_of(event.originator_id))
    goal_id = employee_with_history(goals, clock)
    del goals.personal.sealer_of  # the rule of ADR 0051 again, for what is written from now on
    goals.forget_cached_aggregates()
    assert goals.get_goal(goal_id).summary == TEXTS["summary"]  # the manager's, sealed under emp-1's key
    assert goals.data_keys.keys_of(MANAGER.id) == []  # nothing was sealed under the manager's
    later = draft(goals, survey_terms(rationale="Written after ADR 0051 by the manager"), actor=MANAGER)
    erase_person(goals, "emp-1", HR, "request")
    goal = goals.get_goal(goal_id)
    assert goal.summary == ERASED and goal.terms.rationale == ERASED  # the key that sealed them is gone
    assert goals.get_goal(later).terms.rationale == "Written after ADR 0051 by the manager"  # emp-1's goal too
    assert verify_trail(goals).intact
