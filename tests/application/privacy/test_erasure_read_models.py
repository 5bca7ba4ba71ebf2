"""After an erasure the review read model, live and rebuilt, shows the marker where the erased person's text was
(and only theirs, ADR 0051), the same numbers, and the live tables equal a rebuild's byte for byte."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import select

from application.cycles.service import Cycles
from application.events.feed import EventFeed
from application.events.log_records import log_records
from application.goals.service import Goals
from application.privacy.erasure import erase_person
from application.privacy.registry import ERASED
from domain.check_ins import CheckIn
from domain.values import Actor, Role
from projections.runner import ProjectionRunner
from projections.reviews import Reviews
from projections.service import build_runner
from projections.tables import goal_reviews
from tests.application.privacy.support import TEXTS, WRITERS, employee_with_history, texts_of
from tests.conftest import Clock
from tests.scenarios import EMPLOYEE, H2, HR, MANAGER, agreed, customer_service_terms, ensure_cycles

NEW_OWNER = Actor("emp-2", Role.EMPLOYEE)
NEW_MANAGER = Actor("mgr-2", Role.MANAGER)


def review_and_justification(goals: Goals) -> tuple[dict[str, Any], dict[str, Any]]:
    reviews = Reviews(goals, goals.engine)
    return reviews.review(HR, "emp-1", "2026-H1"), reviews.justification(HR, "emp-1", "2026-H1")


def with_text_erased(answer: dict[str, Any], texts: dict[str, str]) -> str:
    """The answer as it must read after the erasure: those texts replaced by the marker, every number the same."""
    text = json.dumps(answer, sort_keys=True)
    for value in texts.values():
        text = text.replace(value, ERASED)
    return text


def stored_review_model(goals: Goals) -> list[tuple[Any, ...]]:
    """The review read model's rows exactly as stored."""
    with goals.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(goal_reviews).order_by(goal_reviews.c.goal_id))]


def assert_live_equals_rebuilt(goals: Goals, runner: ProjectionRunner) -> list[tuple[Any, ...]]:
    runner.catch_up()
    live = stored_review_model(goals)
    runner.rebuild()
    assert stored_review_model(goals) == live
    return live


def test_the_live_and_the_rebuilt_review_show_the_marker_and_the_same_numbers(goals: Goals, clock: Clock) -> None:
    employee_with_history(goals, clock)
    runner = build_runner(goals)
    runner.catch_up()
    before, justified_before = review_and_justification(goals)
    assert TEXTS["summary"] in json.dumps(before)
    erase_person(goals, "emp-1", HR, "GDPR article 17 request")
    runner.catch_up()
    live, justified = review_and_justification(goals)
    assert json.dumps(live, sort_keys=True) == with_text_erased(before, texts_of("emp-1"))
    assert json.dumps(justified, sort_keys=True) == with_text_erased(justified_before, texts_of("emp-1"))
    assert TEXTS["summary"] in json.dumps(live)  # the manager's: erasing emp-1 leaves it
    assert_live_equals_rebuilt(goals, runner)
    assert review_and_justification(goals) == (live, justified)
    for writer in WRITERS[1:]:
        erase_person(goals, writer, HR, "GDPR article 17 request")
    runner.catch_up()
    live, justified = review_and_justification(goals)
    text = json.dumps([live, justified])
    assert not [name for name, value in TEXTS.items() if value in text] and ERASED in text
    assert json.dumps(live, sort_keys=True) == with_text_erased(before, TEXTS)
    assert_live_equals_rebuilt(goals, runner)


def reassigned_goal_with_everyone_s_text(goals: Goals, clock: Clock) -> UUID:
    """emp-1's goal (mgr-1) with their notes, moved by HR to emp-2 (mgr-2), who write theirs; then carried over."""
    goal_id = agreed(goals, customer_service_terms())
    clock.current = date(2026, 4, 2)
    goals.record_kpi(goal_id, EMPLOYEE, kpi="tickets", value=Decimal(15), observed_at=date(2026, 3, 30),
                     note="OldOwnerNote-1")
    goals.check_in(goal_id, MANAGER, CheckIn.of("at_risk", 2, "OldManagerCheckIn-2", "OldBlocker-3"))
    goals.reassign_goal(goal_id, HR, owner_id=NEW_OWNER.id, manager_id=NEW_MANAGER.id, reason="MoveReason-4")
    goals.record_kpi(goal_id, NEW_OWNER, kpi="tickets", value=Decimal(18), observed_at=date(2026, 3, 31),
                     note="NewOwnerNote-5")
    goals.record_kpi(goal_id, NEW_OWNER, kpi="tickets", value=Decimal(17), observed_at=date(2026, 3, 31),
                     note="NewOwnerCorrection-6")  # a correction: the model keeps it beside the reading
    goals.check_in(goal_id, NEW_MANAGER, CheckIn.of("on_track", 4, "NewManagerCheckIn-7", "", "NextStep-8"))
    ensure_cycles(goals, H2)
    Cycles(goals).carry_over(goal_id, HR, to_cycle=H2.id, reason="CarryReason-9")
    return goal_id


def model_text(goals: Goals, goal_id: UUID) -> str:
    with goals.engine.connect() as connection:
        return str(connection.execute(select(goal_reviews.c.state)
                                      .where(goal_reviews.c.goal_id == str(goal_id))).scalar_one())


def test_after_a_reassignment_erasing_the_old_owner_leaves_the_new_owner_s_text_live_and_rebuilt(
    goals: Goals, clock: Clock
) -> None:
    goal_id = reassigned_goal_with_everyone_s_text(goals, clock)
    runner = build_runner(goals)
    runner.catch_up()
    erase_person(goals, EMPLOYEE.id, HR, "GDPR article 17 request")
    live = assert_live_equals_rebuilt(goals, runner)
    text = model_text(goals, goal_id)
    assert "OldOwnerNote-1" not in text and ERASED in text
    assert all(kept in text for kept in ("NewOwnerCorrection-6", "OldManagerCheckIn-2", "NewManagerCheckIn-7",
                                         "CarryReason-9"))
    notes = [r.data["note"] for r in log_records(goals) if r.type == "KpiRecorded"]
    assert notes == [ERASED, "NewOwnerNote-5", "NewOwnerCorrection-6"]
    assert stored_review_model(goals) == live


def test_after_a_reassignment_erasing_the_new_owner_and_hr_leaves_the_old_owner_s_text_live_and_rebuilt(
    goals: Goals, clock: Clock
) -> None:
    goal_id = reassigned_goal_with_everyone_s_text(goals, clock)
    runner = build_runner(goals)
    runner.catch_up()
    erase_person(goals, NEW_OWNER.id, HR, "GDPR article 17 request")
    erase_person(goals, MANAGER.id, HR, "GDPR article 17 request")
    erase_person(goals, HR.id, Actor("hr-8", Role.HR), "GDPR article 17 request")
    assert_live_equals_rebuilt(goals, runner)
    text = model_text(goals, goal_id)
    assert not [gone for gone in ("NewOwnerCorrection-6", "OldManagerCheckIn-2", "OldBlocker-3", "CarryReason-9")
                if gone in text]
    assert f"carried over to cycle {H2.id}: {ERASED}" in text  # the system's words stay around HR's reason
    assert "OldOwnerNote-1" in text and "NewManagerCheckIn-7" in text and "NextStep-8" in text
    assert goals.get_goal(goal_id).owner_id == NEW_OWNER.id
    notes = [r.data["note"] for r in log_records(goals) if r.type == "CheckedIn"]
    assert notes == [ERASED, "NewManagerCheckIn-7"]


def test_the_feed_carries_the_erasure_notice_and_the_marker(goals: Goals, clock: Clock) -> None:
    employee_with_history(goals, clock)
    erase_person(goals, "emp-1", HR, "GDPR article 17 request")
    items = EventFeed(goals).page(limit=100).items
    notice = items[-1]
    assert notice["type"] == "person.erased.v1" and notice["data"]["person_id"] == "emp-1"
    assert notice["data"]["reason"] == "GDPR article 17 request" and notice["data"]["actor"]["id"] == HR.id
    text = json.dumps(items)
    assert not [name for name, value in texts_of("emp-1").items() if value in text] and ERASED in text
    assert TEXTS["summary"] in text
