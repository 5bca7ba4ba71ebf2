"""The fairness report, version 2, over a real store (ADR 0041): bytes, signature, no data key, versions,
unknown and open cycles, leave adjustments kept apart, easing then restoring, the deadline before the change."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from application.fairness.report import CycleNotFoundError, FairnessRequestError, canonical_json, fairness_report
from application.goals.service import Goals
from application.store.settings import Settings
from domain.values import Actor, Role
from tests.conftest import SIGNER, Clock
from tests.projections.fairness_seed import DECIDED_ON, EASE, TIGHTEN, Team, on, seed_team
from tests.scenarios import HR

MANAGER = Actor("mgr-a", Role.MANAGER)


def propose_and_approve(goals: Goals, clock: Clock, goal_id: Any, change: dict[str, Any], reason: str) -> None:
    with on(date(2026, 3, 1), clock):
        proposal = goals.propose_recalibration(goal_id, MANAGER, reason=reason,
                                               justification="Six weeks of leave agreed with HR.", **change)
    with on(DECIDED_ON, clock):
        goals.approve_recalibration(goal_id, HR, proposal.reference or "", note="Decided on the evidence.")


def body(goals: Goals, **kwargs: Any) -> dict[str, Any]:
    return fairness_report(goals, "2026-H1", **kwargs).body


def group(measure: dict[str, Any], name: str) -> dict[str, Any]:
    return next(g for g in measure["groups"] if g["group"] == name)


def test_the_report_is_the_same_bytes_twice_and_its_signature_holds(goals: Goals, clock: Clock) -> None:
    seed_team(goals, clock, Team("mgr-a", 6, eased=3))
    seed_team(goals, clock, Team("mgr-b", 6, eased=1, tightened=1))
    first, second = fairness_report(goals, "2026-H1"), fairness_report(goals, "2026-H1")
    assert first.canonical() == second.canonical()
    report = first.body
    unsigned = {k: v for k, v in report.items() if k not in ("hash", "signature", "signature_key_id")}
    assert report["hash"] == hashlib.sha256(canonical_json(unsigned)).hexdigest()
    SIGNER.public.verify(base64.b64decode(report["signature"]), report["hash"].encode())
    assert (report["report_version"], report["adrs"]) == (2, ["0041", "0042"])
    assert report["tree_size"] == report["position"] and report["checkpoint"].splitlines()[1] == str(
        report["tree_size"])
    assert report["summary"].startswith("0 of 2 managers flagged")
    assert group(report["measures"]["eased"], "mgr-a")["count"] == 3


def test_an_earlier_position_gives_the_report_of_then(goals: Goals, clock: Clock) -> None:
    seed_team(goals, clock, Team("mgr-a", 4, eased=1))
    then = fairness_report(goals, "2026-H1")
    seed_team(goals, clock, Team("mgr-b", 4, eased=2))
    again = fairness_report(goals, "2026-H1", position=then.body["position"])
    assert again.canonical() == then.canonical()


def test_it_needs_no_data_key(settings: Settings, goals: Goals, clock: Clock) -> None:
    seed_team(goals, clock, Team("mgr-a", 3, eased=1))
    keyless = Goals(replace(settings, data_master_key=None, reads_sealed_text=False), today=clock)
    try:
        report = fairness_report(keyless, "2026-H1").body
    finally:
        keyless.close()
    assert report["hash"] == fairness_report(goals, "2026-H1").body["hash"]


def test_version_1_is_still_the_report_of_adr_0007(goals: Goals, clock: Clock) -> None:
    from application.audit.fairness import recalibration_fairness

    seed_team(goals, clock, Team("mgr-a", 3, eased=1))
    old = fairness_report(goals, "2026-H1", report_version=1)
    assert old.canonical() == recalibration_fairness(goals, "2026-H1", "manager").canonical()


def test_an_unknown_cycle_and_a_bad_request_are_refused(goals: Goals) -> None:
    with pytest.raises(CycleNotFoundError):
        fairness_report(goals, "1999-H1")
    with pytest.raises(CycleNotFoundError):
        fairness_report(goals, "1999-H1", report_version=1)
    with pytest.raises(FairnessRequestError):
        fairness_report(goals, "2026-H1", strata="weather")
    with pytest.raises(FairnessRequestError):
        fairness_report(goals, "2026-H1", report_version=3)


def test_an_open_cycle_is_provisional(goals: Goals) -> None:
    report = body(goals)
    assert report["provisional"] is True and report["cycle_state"] != "locked"


def test_a_leave_adjustment_is_reported_apart_and_not_counted_as_easing(goals: Goals, clock: Clock) -> None:
    [goal_id] = seed_team(goals, clock, Team("mgr-a", 1))
    propose_and_approve(goals, clock, goal_id, EASE, "leave_or_adjustment")
    report = body(goals)
    assert group(report["measures"]["eased"], "mgr-a")["count"] == 0
    figures = report["figures"][0]
    assert figures["leave_or_adjustment_approvals"] == 1
    assert figures["median_days_before_deadline"] == (date(2026, 6, 30) - DECIDED_ON).days


def test_easing_then_restoring_is_eased_but_not_net_eased(goals: Goals, clock: Clock) -> None:
    [goal_id] = seed_team(goals, clock, Team("mgr-a", 1))
    propose_and_approve(goals, clock, goal_id, EASE, "external_factor")
    propose_and_approve(goals, clock, goal_id, {"targets": {"tickets": {"target": Decimal(20)}}}, "other")
    measures = body(goals)["measures"]
    assert group(measures["eased"], "mgr-a")["count"] == 1
    assert group(measures["eased_net"], "mgr-a")["count"] == 0


def test_a_tightening_is_not_an_easing_and_pending_proposals_are_listed(goals: Goals, clock: Clock) -> None:
    [_first, second] = seed_team(goals, clock, Team("mgr-a", 2, tightened=1))
    with on(date(2026, 3, 1), clock):
        goals.propose_recalibration(second, MANAGER, reason="resourcing", justification="Two people left.", **TIGHTEN)
    report = body(goals)
    assert group(report["measures"]["eased"], "mgr-a")["count"] == 0
    assert len(report["pending_proposals"]) == 1 and report["pending_proposals"][0].startswith(str(second))
    assert report["deciders"] == [{"decider": HR.id, "approved": 1, "rejected": 0}]


def test_cutting_most_of_one_stretch_while_nudging_another_is_eased_by_the_score(goals: Goals, clock: Clock) -> None:
    [goal_id] = seed_team(goals, clock, Team("mgr-a", 1))
    owner = Actor("mgr-a-report-0", Role.EMPLOYEE)
    with on(date(2026, 2, 27), clock):
        goals.record_kpi(goal_id, owner, kpi="tickets", value=Decimal(16), observed_at=date(2026, 2, 27))
        goals.record_kpi(goal_id, owner, kpi="csat", value=Decimal(88), observed_at=date(2026, 2, 27))
    # tickets: baseline 14, target 20 -> 15 (5/6 of the stretch cut); csat: target 90 -> 91 (a nudge up)
    change = {"targets": {"tickets": {"target": Decimal(15)}, "csat": {"target": Decimal(91)}}}
    propose_and_approve(goals, clock, goal_id, change, "resourcing")
    report = body(goals)
    assert group(report["measures"]["eased"], "mgr-a")["count"] == 1  # version 1 called this "mixed"
    assert group(report["measures"]["easing_magnitude"], "mgr-a")["mean"] > 0


def test_days_before_the_deadline_count_to_the_deadline_before_the_change(goals: Goals, clock: Clock) -> None:
    [goal_id] = seed_team(goals, clock, Team("mgr-a", 1))
    propose_and_approve(goals, clock, goal_id, {"deadline": date(2026, 5, 31)}, "priority_shift")
    report = body(goals)
    assert report["figures"][0]["median_days_before_deadline"] == (date(2026, 6, 30) - DECIDED_ON).days  # not 31 May
    assert group(report["measures"]["eased"], "mgr-a")["count"] == 0  # an earlier deadline tightens


def test_an_easing_without_readings_two_months_in_was_behind_pace(goals: Goals, clock: Clock) -> None:
    seed_team(goals, clock, Team("mgr-a", 1, eased=1))
    assert body(goals)["figures"][0]["eased_while_behind_pace"] == 1


def test_an_easing_counts_for_the_manager_at_the_time_not_the_one_who_holds_the_goal_now(
    goals: Goals, clock: Clock
) -> None:
    [eased] = seed_team(goals, clock, Team("mgr-a", 1, eased=1))
    with on(date(2026, 4, 1), clock):
        goals.reassign_goal(eased, HR, reason="Team change in April.", manager_id="mgr-b")
    measure = body(goals)["measures"]["eased"]
    assert [(g["group"], g["count"]) for g in measure["groups"]] == [("mgr-a", 1)]
    never_eased = seed_team(goals, clock, Team("mgr-c", 1))[0]
    with on(date(2026, 4, 1), clock):
        goals.reassign_goal(never_eased, HR, reason="Team change in April.", manager_id="mgr-b")
    groups = {g["group"]: g for g in body(goals)["measures"]["eased"]["groups"]}
    assert (groups["mgr-b"]["employees"], groups["mgr-b"]["count"]) == (1, 0)  # held now by mgr-b, not eased


def test_a_cancellation_hr_approved_counts_as_eased_and_is_listed(goals: Goals, clock: Clock) -> None:
    """Cancelling an agreed goal is a recalibration (ADR 0029): the goal leaves the score, so it eases."""
    cancelled, _kept = seed_team(goals, clock, Team("mgr-a", 2))
    with on(date(2026, 3, 1), clock):
        proposal = goals.propose_recalibration(cancelled, MANAGER, reason="priority_shift", cancel=True,
                                               justification="The product line was closed in February.")
    with on(DECIDED_ON, clock):
        goals.approve_recalibration(cancelled, HR, proposal.reference or "", note="Closure confirmed by the board.")
    report = body(goals)
    figures = next(f for f in report["figures"] if f["group"] == "mgr-a")
    assert figures["cancelled"] == 1
    assert group(report["measures"]["eased"], "mgr-a")["count"] == 1
