"""The recalibration fairness report: figures per group with their events, disparity, four eyes, reproducibility."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from application.audit.fairness import canonical_json, recalibration_fairness
from application.audit.verification import LogPositionError, verify_trail
from application.goals.service import Goals
from domain.goal import Goal
from domain.recalibration import before_and_after
from domain.values import Actor, Role
from tests.conftest import Clock
from tests.projections.fairness_seed import (
    DECIDED_ON,
    EASE,
    Team,
    on,
    recalibrate,
    seed_team,
)
from tests.scenarios import MANAGER, SETUP_EVENTS

UNEVEN = (Team("mgr-a", 6, eased=6), Team("mgr-b", 6, eased=1, tightened=1), Team("mgr-c", 6, mixed=1, rejected=1))
EVEN = (Team("mgr-a", 6, eased=2), Team("mgr-b", 6, eased=2, rejected=1), Team("mgr-c", 6, eased=2, tightened=1))


def seed(goals: Goals, clock: Clock, teams: tuple[Team, ...]) -> None:
    for team in teams:
        seed_team(goals, clock, team)


def report(goals: Goals, group_by: str = "manager", **kwargs: Any) -> dict[str, Any]:
    return recalibration_fairness(goals, "2026-H1", group_by, **kwargs).body


def group(body: dict[str, Any], name: str) -> dict[str, Any]:
    return next(g for g in body["groups"] if g["group"] == name)


def test_a_team_whose_goals_were_eased_far_more_often_is_flagged(goals: Goals, clock: Clock) -> None:
    seed(goals, clock, UNEVEN)
    disparity = report(goals)["disparity"]
    assert disparity["test"] == "chi2_contingency"
    assert disparity["p_value"] < 0.01
    assert disparity["flagged"] == ["mgr-a"]
    assert "expected counts are below 5" in disparity["caveat"]


def test_an_even_cycle_flags_no_group(goals: Goals, clock: Clock) -> None:
    seed(goals, clock, EVEN)
    disparity = report(goals, group_by="org_unit")["disparity"]
    assert disparity["flagged"] == []
    assert disparity["p_value"] == 1.0


def test_each_figure_counts_the_events_it_lists(goals: Goals, clock: Clock) -> None:
    seed(goals, clock, UNEVEN)
    b, c = group(report(goals), "mgr-b"), group(report(goals), "mgr-c")
    assert {k: b[k] for k in ("goals", "proposed", "approved", "rejected", "eased", "tightened", "mixed")} == {
        "goals": 6, "proposed": 2, "approved": 2, "rejected": 0, "eased": 1, "tightened": 1, "mixed": 0}
    assert (c["approved"], c["rejected"], c["mixed"], c["eased_goals"]) == (1, 1, 1, 0)
    assert b["by_reason"] == {"external_factor": 2}
    assert b["median_days_before_deadline"] == (date(2026, 6, 30) - DECIDED_ON).days
    for name, ids in b["event_ids"].items():
        if isinstance(ids, list):
            assert b[name if name != "median_days_before_deadline" else "approved"] == len(ids)
    assert all(event_id.rsplit(":", 1)[1].isdigit() for event_id in b["event_ids"]["eased"])


def test_the_report_at_a_position_is_byte_identical_after_more_events(goals: Goals, clock: Clock) -> None:
    seed(goals, clock, UNEVEN[1:])
    first = recalibration_fairness(goals, "2026-H1", "manager")
    goal_id = seed_team(goals, clock, Team("mgr-d", 1))[0]
    recalibrate(goals, clock, goal_id, Actor("mgr-d", Role.MANAGER), EASE, approve=True)
    again = recalibration_fairness(goals, "2026-H1", "manager", position=first.body["position"])
    assert again.canonical() == first.canonical()
    assert recalibration_fairness(goals, "2026-H1", "manager").body["hash"] != first.body["hash"]


def test_the_hash_is_over_the_canonical_report_without_it(goals: Goals, clock: Clock) -> None:
    seed(goals, clock, EVEN[:2])
    body = json.loads(recalibration_fairness(goals, "2026-H1", "manager").canonical())
    stated = body.pop("hash")
    assert stated == hashlib.sha256(canonical_json(body)).hexdigest()


def test_no_four_eyes_violation_when_the_domain_decided(goals: Goals, clock: Clock) -> None:
    seed(goals, clock, UNEVEN)
    assert report(goals)["four_eyes_violations"] == []


def test_an_approval_forged_past_the_guard_is_listed_as_a_violation(goals: Goals, clock: Clock) -> None:
    goal_id = seed_team(goals, clock, Team("mgr-1", 2))[0]
    with on(date(2026, 3, 1), clock):
        goals.propose_recalibration(goal_id, MANAGER, reason="resourcing", justification="Two colleagues left.",
                                    targets={"tickets": {"target": Decimal(17)}})
        goal = goals.get_goal(goal_id)
        before, after = before_and_after(goal.in_force(), goal.recalibration("r1").changes)
        # Bypass the aggregate's guard: the owner approves their own goal's recalibration.
        goal.trigger_event(Goal.Recalibrated, recalibration_id="r1", note="", before=before.to_stored(),
                           after=after.to_stored(), actor_id=goal.owner_id, actor_role="employee")
        goals.save(goal)
    assert verify_trail(goals).intact  # the chain is fine: only the four-eyes check sees it
    violations = report(goals)["four_eyes_violations"]
    assert [(v["event_id"], v["decided_by"], v["broken"]) for v in violations] == [
        (f"{goal_id}:6", goal.owner_id, ["decider_not_hr", "decider_is_owner"])]


def test_a_cycle_without_goals_gives_an_empty_report_with_a_caveat(goals: Goals, clock: Clock) -> None:
    body = report(goals)
    assert (body["groups"], body["disparity"]["test"], body["position"]) == ([], "none", SETUP_EVENTS)
    assert "fewer than two groups" in body["disparity"]["caveat"]


def test_a_position_beyond_the_head_is_refused(goals: Goals) -> None:
    with pytest.raises(LogPositionError):
        recalibration_fairness(goals, "2026-H1", "manager", position=SETUP_EVENTS + 1)


def test_an_approval_by_the_goals_own_manager_from_hr_is_listed_as_a_violation(goals: Goals, clock: Clock) -> None:
    goal_id = seed_team(goals, clock, Team("mgr-1", 2))[0]
    with on(date(2026, 3, 1), clock):
        goals.propose_recalibration(goal_id, EMPLOYEE_OF(goals, goal_id), reason="resourcing",
                                    justification="Two colleagues left.", targets={"tickets": {"target": Decimal(17)}})
        goal = goals.get_goal(goal_id)
        before, after = before_and_after(goal.in_force(), goal.recalibration("r1").changes)
        # Stored as if the goal's manager had decided it wearing an HR hat: four eyes sees two eyes.
        goal.trigger_event(Goal.Recalibrated, recalibration_id="r1", note="", before=before.to_stored(),
                           after=after.to_stored(), actor_id=goal.manager_id, actor_role="hr")
        goals.save(goal)
    [violation] = report(goals)["four_eyes_violations"]
    assert (violation["decided_by"], violation["broken"]) == (goal.manager_id, ["decider_is_manager"])


def EMPLOYEE_OF(goals: Goals, goal_id: UUID) -> Actor:
    return Actor(goals.get_goal(goal_id).owner_id, Role.EMPLOYEE)
