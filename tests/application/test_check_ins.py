"""Check-ins: the owner or the manager says how an agreed goal is going; the trail keeps every one."""

from __future__ import annotations

from uuid import UUID

import pytest

from application.goals.service import Goals
from application.goals.history import describe_trail
from domain.check_ins import CheckIn
from domain.errors import GoalNotAgreedError, InvalidGoalInputError, NotAPartyError
from domain.goal import Goal
from tests.scenarios import EMPLOYEE, HR, MANAGER, STRANGER, agreed, customer_service_terms, draft


def test_the_owner_and_the_manager_check_in_and_the_trail_keeps_what_they_said(goals: Goals) -> None:
    goal_id = agreed(goals, customer_service_terms())
    first = goals.check_in(goal_id, EMPLOYEE, CheckIn.of("at_risk", 3, note="Queue doubled", blockers="Outage",
                                                         next_steps="Ask for a second agent"))
    second = goals.check_in(goal_id, MANAGER, CheckIn.of("on_track", 4))
    assert first.reference == f"{goal_id}:{first.version}" and second.version == first.version + 1
    assert first.position is not None and second.position == first.position + 1
    events = goals.goal_events(goal_id)
    said = [(e.actor_id, e.status, e.confidence) for e in events if isinstance(e, Goal.CheckedIn)]
    assert said == [("emp-1", "at_risk", 3), ("mgr-1", "on_track", 4)]
    entry = describe_trail(events)[-2]
    assert entry.type == "CheckedIn" and entry.data["blockers"] == "Outage"
    assert {c.field for c in entry.changes} == {f"check_ins.{first.version}.status",
                                                f"check_ins.{first.version}.confidence"}


@pytest.mark.parametrize("actor", [HR, STRANGER])
def test_nobody_but_the_owner_and_the_manager_checks_in(goals: Goals, actor: object) -> None:
    goal_id = agreed(goals, customer_service_terms())
    with pytest.raises(NotAPartyError):
        goals.check_in(goal_id, actor, CheckIn.of("on_track", 5))  # type: ignore[arg-type]
    assert not any(isinstance(e, Goal.CheckedIn) for e in goals.goal_events(goal_id))


def test_a_draft_takes_no_check_in(goals: Goals) -> None:
    goal_id: UUID = draft(goals, customer_service_terms())
    with pytest.raises(GoalNotAgreedError):
        goals.check_in(goal_id, EMPLOYEE, CheckIn.of("on_track", 5))


@pytest.mark.parametrize(("values", "field"), [
    ({"status": "fine", "confidence": 3}, "status"),
    ({"status": "on_track", "confidence": 0}, "confidence"),
    ({"status": "on_track", "confidence": 6}, "confidence"),
    ({"status": "on_track", "confidence": 3, "note": "x" * 2001}, "note"),
])
def test_a_malformed_check_in_names_its_field(values: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidGoalInputError) as raised:
        CheckIn.of(**values)  # type: ignore[arg-type]
    assert raised.value.field == field
