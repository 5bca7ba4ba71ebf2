"""Random sequences of valid and invalid commands, through Goals on a SQLite store: the invariants always hold.

After every step: refused commands stored nothing; the status only moves draft -> agreed -> closed (or draft ->
closed); an agreed goal carries both parties' signatures on its terms, the milestones set on its draft among them;
readings lie in the period and not in the future; milestones fit their KPI and the period; HR decisions respect the
four-eyes rule; the version is the number of stored events; and the goal reloaded from the store (from a snapshot,
and from its events alone) equals the one in memory.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.application import project_aggregate
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from application.errors import ApplicationError
from application.goals.service import Goals
from domain import validation as goal_rules
from domain.errors import GoalError
from domain.goal import Goal
from domain.readings import CountedReadings
from domain.values import Actor, Party, RecalibrationStatus, Role, Status
from tests import strategies as some
from tests.application.refusals import stored_state
from tests.conftest import AUDIT_KEY, Clock, store_settings
from tests.scenarios import customer_service_terms, drafting, ensure_cycles

HR_IDS = ("hr-7", "hr-8")
MOVES = {
    (Status.DRAFT, Status.DRAFT), (Status.DRAFT, Status.AGREED), (Status.DRAFT, Status.CLOSED),
    (Status.AGREED, Status.AGREED), (Status.AGREED, Status.CLOSED), (Status.CLOSED, Status.CLOSED),
}


class GoalLife(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.directory = tempfile.mkdtemp(prefix="goal-life-")
        self.clock = Clock(date(2026, 1, 15))
        # Snapshots every few events, so that reloading goes through snapshots as well as events.
        url = f"sqlite:///{self.directory}/goals.db"
        store = store_settings(database_url=url, audit_key=AUDIT_KEY, snapshot_interval=3)
        self.goals = Goals(store, today=self.clock)
        ensure_cycles(self.goals)
        self.goal_id: UUID | None = None
        self.status = Status.DRAFT

    def teardown(self) -> None:
        self.goals.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    # --- the goal and who acts on it ---------------------------------------------------------------------

    @initialize(manager_id=st.sampled_from(["mgr-1", "hr-7"]), agree=st.booleans())
    def draft(self, manager_id: str, agree: bool) -> None:
        """The manager is sometimes from HR, so that the four-eyes rule meets a proposer from HR.

        Half the runs start from the agreed goal, so that tracking and recalibration get most of their steps.
        """
        terms = customer_service_terms(manager_id=manager_id)
        drafted = self.goals.draft_goal(Actor("hr-8", Role.HR), **drafting(terms))
        self.goal_id = UUID(drafted.goal_id)
        if agree:
            self.goals.sign_goal(self.goal_id, self.actor("owner"))
            self.goals.sign_goal(self.goal_id, self.actor("manager"))
            self.status = Status.AGREED

    def actor(self, part: str) -> Actor:
        goal = self.goal()
        return {
            "owner": Actor(goal.owner_id, Role.EMPLOYEE),
            "manager": Actor(goal.manager_id, Role.HR if goal.manager_id in HR_IDS else Role.MANAGER),
            "hr": Actor("hr-7", Role.HR),
            "other_hr": Actor("hr-8", Role.HR),
            "stranger": Actor("emp-9", Role.EMPLOYEE),
            "auditor": Actor("aud-1", Role.AUDITOR),
        }[part]

    def goal(self) -> Goal:
        assert self.goal_id is not None
        return self.goals.get_goal(self.goal_id)

    def goal_events(self) -> list[Goal.Event]:
        assert self.goal_id is not None
        return self.goals.goal_events(self.goal_id)

    def attempt(self, command: Callable[[UUID], object]) -> bool:
        """Run a command; if the goal's rules refuse it, nothing may have been stored."""
        assert self.goal_id is not None
        before = stored_state(self.goals, self.goal_id)
        try:
            command(self.goal_id)
        except (GoalError, ApplicationError) as refusal:
            assert stored_state(self.goals, self.goal_id) == before, f"{refusal.code} stored something"
            event(f"refused: {refusal.code}")
            return False
        after = stored_state(self.goals, self.goal_id)
        assert after[1] is not None and before[1] is not None and after[1] > before[1]
        assert after[0] - before[0] == after[1] - before[1], "the log grew by exactly the goal's new events"
        event(f"stored: {type(self.goal_events()[-1]).__name__}")
        return True

    # --- commands ------------------------------------------------------------------------------------------

    @rule(part=some.parts(), changes=some.revisions())
    def revise(self, part: str, changes: dict[str, Any]) -> None:
        self.attempt(lambda goal_id: self.goals.revise_goal(goal_id, self.actor(part), changes))

    @rule(part=some.parts(), read=st.sampled_from(["none", "current", "first"]))
    def sign(self, part: str, read: str) -> None:
        read_version = {"none": None, "current": self.goal().version, "first": 1}[read]
        self.attempt(lambda goal_id: self.goals.sign_goal(goal_id, self.actor(part), read_version=read_version))

    @rule(part=some.parts(("manager", "owner", "hr")), kpi=some.kpi_ids(), due=some.days(),
          value=some.milestone_targets())
    def set_milestone(self, part: str, kpi: str, due: date, value: Decimal) -> None:
        self.attempt(lambda goal_id: self.goals.set_milestone(goal_id, self.actor(part), kpi=kpi, due=due,
                                                              target=value))

    @rule(part=some.parts(), kpi=some.kpi_ids(), value=some.kpi_values(), offset=some.day_offsets())
    def record_kpi(self, part: str, kpi: str, value: Decimal, offset: timedelta) -> None:
        observed_at = self.clock.current + offset
        stored = self.attempt(lambda goal_id: self.goals.record_kpi(
            goal_id, self.actor(part), kpi=kpi, value=value, observed_at=observed_at))
        if stored:
            goal = self.goal()
            assert goal.deadline is not None
            assert goal.cycle.start <= observed_at <= min(goal.deadline, self.clock.current)

    @rule(part=some.parts(), reason=some.reasons(), justification=some.justifications(),
          new_targets=st.one_of(st.none(), some.ticket_targets()),
          deadline=st.one_of(st.none(), some.days(date(2026, 1, 1), date(2026, 7, 10))))
    def propose(self, part: str, reason: str, justification: str, new_targets: Any, deadline: date | None) -> None:
        self.attempt(lambda goal_id: self.goals.propose_recalibration(
            goal_id, self.actor(part), reason=reason, justification=justification, targets=new_targets,
            deadline=deadline))

    @precondition(lambda self: self.goal_id is not None and bool(self.goal().recalibrations))
    @rule(part=some.parts(("hr", "other_hr")), approve=st.booleans(),
          which=st.sampled_from(["pending", "pending", "r1", "r9"]))
    def decide(self, part: str, approve: bool, which: str) -> None:
        """Once something was proposed: deciding nothing at all is refused too often to be interesting."""
        pending = self.goal().pending_recalibration()
        recalibration_id = (pending.id if pending else "r1") if which == "pending" else which
        command = Goals.approve_recalibration if approve else Goals.reject_recalibration
        self.attempt(lambda goal_id: command(self.goals, goal_id, self.actor(part), recalibration_id,
                                             note="Checked the evidence."))

    @rule(part=some.parts(("manager", "hr")), outcome=some.outcomes(), summary=some.summaries())
    def close(self, part: str, outcome: str, summary: str) -> None:
        self.attempt(lambda goal_id: self.goals.close_goal(goal_id, self.actor(part), outcome=outcome,
                                                           summary=summary))

    @rule(step=some.clock_steps())
    def time_passes(self, step: timedelta) -> None:
        self.clock.current += step

    # --- invariants ----------------------------------------------------------------------------------------

    @invariant()
    def status_only_moves_forward(self) -> None:
        if self.goal_id is None:
            return
        status = Status(self.goal().status)
        assert (self.status, status) in MOVES, f"{self.status} -> {status}"
        self.status = status

    @invariant()
    def signatures_hold_the_current_terms(self) -> None:
        if self.goal_id is None:
            return
        goal = self.goal()
        assert all(s.content_version == goal.content_version for s in goal.signatures.values())
        if goal.agreed_version is not None:
            assert set(goal.signatures) == set(Party)
            assert goal.agreed_version > max(s.version for s in goal.signatures.values())

    @invariant()
    def an_agreed_goal_holds_no_drafts_milestone_a_signer_never_saw(self) -> None:
        """A milestone set on the draft is part of the terms: both signatures came after it (ADR 0052)."""
        if self.goal_id is None or self.goal().agreed_version is None:
            return
        goal = self.goal()
        assert goal.agreed_version is not None
        set_on_the_draft = [e.originator_version for e in self.goal_events()
                            if isinstance(e, Goal.MilestoneSet) and e.originator_version < goal.agreed_version]
        assert all(version <= goal.content_version for version in set_on_the_draft)
        assert all(s.version > goal.content_version for s in goal.signatures.values())

    @invariant()
    def readings_and_milestones_lie_in_the_period(self) -> None:
        if self.goal_id is None:
            return
        goal = self.goal()
        readings = self.goals.readings(goal)
        if readings:
            assert goal.agreed_version is not None
            assert all(m.version > goal.agreed_version for m in readings)
            assert all(goal.cycle.start <= m.observed_at for m in readings)
        assert goal.readings == CountedReadings.of(readings), "what the goal keeps is what its series says"
        for milestone in goal.milestones:
            assert goal.deadline is not None
            goal_rules.require_milestone_fits(milestone, goal.kpi(milestone.kpi), goal.cycle.start, goal.deadline)

    @invariant()
    def hr_decisions_respect_four_eyes(self) -> None:
        if self.goal_id is None:
            return
        goal = self.goal()
        assert sum(r.status == RecalibrationStatus.PROPOSED for r in goal.recalibrations) <= 1
        for recalibration in goal.recalibrations:
            if recalibration.status != RecalibrationStatus.PROPOSED:
                assert recalibration.decided_by in HR_IDS
                assert recalibration.decided_by not in (goal.owner_id, goal.manager_id, recalibration.proposed_by)
            assert recalibration.proposed_by in (goal.owner_id, goal.manager_id)

    @invariant()
    def the_stored_goal_equals_the_one_in_memory(self) -> None:
        if self.goal_id is None:
            return
        in_memory = self.goal()
        events = self.goals.goal_events(self.goal_id)
        assert in_memory.version == len(events) == events[-1].originator_version
        assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
        from_store = self.goals.get_goal(self.goal_id, version=in_memory.version)  # bypasses the cache
        assert vars(from_store) == vars(in_memory)
        assert vars(project_aggregate(None, events)) == vars(in_memory)


GoalLife.TestCase.settings = settings(
    max_examples=50, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_goal_life = GoalLife.TestCase
