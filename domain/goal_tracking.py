"""The Goal aggregate's tracking commands: milestones, KPI readings and check-ins.

A mixin of domain.goal.Goal (kept apart so that goal.py holds the events and the commands of other stages).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain import validation
from domain.check_ins import CheckIn
from domain.errors import MilestoneLockedError, MilestoneRuleError
from domain.goal_guards import GoalGuards, by
from domain.values import Actor, Milestone, Status


class GoalTracking(GoalGuards):
    """Set milestones, record readings and check in; the attributes and events are the Goal aggregate's."""

    def set_milestone(self, kpi: str, due: date, target: Decimal, actor: Actor, *, today: date) -> str:
        """Set a checkpoint on the way to a KPI's target. On a draft it holds at once and is part of the terms both
        sign; once the goal is agreed, it holds when both parties have set it (the first proposes, the second
        confirms); changing one takes a recalibration."""
        self._require_open()
        self._require_writer(actor, "set milestones on")
        milestone = Milestone(id=f"{kpi}@{due.isoformat()}", kpi=kpi, due=due, target=target)
        if self.deadline is None:
            raise MilestoneRuleError("a goal without a deadline cannot have milestones")
        validation.require_new_milestone_fits(milestone, self.kpi(kpi), self.cycle.start, self.deadline, today)
        if self.status == Status.DRAFT:
            self._set_on_the_draft(milestone, actor)
            return milestone.id
        if any(m.id == milestone.id for m in self.milestones):
            raise MilestoneLockedError(
                f"milestone {milestone.id!r} is part of the agreed goal; change it through a recalibration",
                milestone_id=milestone.id,
            )
        self._require_party(actor, "adds a milestone to an agreed goal (or propose a recalibration)")
        proposed = self.proposed_milestones.get(milestone.id)
        if proposed is not None and proposed.milestone == milestone and proposed.proposed_by != actor.id:
            self.trigger_event(self.MilestoneSet, milestone=milestone.as_dict(), **by(actor))
        else:
            self.trigger_event(self.MilestoneProposed, milestone=milestone.as_dict(), **by(actor))
        return milestone.id

    def _set_on_the_draft(self, milestone: Milestone, actor: Actor) -> None:
        """On a draft a milestone is part of the terms both parties sign: it holds at once, and a signature given
        before it lapses, so that the second signature never puts in force a milestone the first signer never saw."""
        if milestone in self.milestones:
            raise MilestoneRuleError(f"milestone {milestone.id!r} with target {milestone.target} is set on the draft "
                                     "already; setting it again changes nothing", milestone_id=milestone.id)
        self.trigger_event(self.MilestoneSet, milestone=milestone.as_dict(), **by(actor))
        self._void_signatures_given_before_the_terms(actor, f"milestone {milestone.id} set at version "
                                                            f"{self.content_version}")

    def record_kpi(self, kpi: str, value: Decimal, observed_at: date, actor: Actor, source: str = "",
                   note: str = "", *, today: date) -> None:
        """Record a KPI reading; a second reading for the same KPI and day is a correction."""
        self._require_open()
        self._require_agreed("take KPI values")
        self._require_writer(actor, "record KPI values on")
        self.kpi(kpi)
        assert self.deadline is not None  # an agreed goal passed the SMART check, which needs a deadline
        validation.require_reading(value, observed_at, source, note, today, self.cycle.start, self.deadline)
        self.trigger_event(self.KpiRecorded, kpi=kpi, value=value, observed_at=observed_at, source=source, note=note,
                           corrects_version=self.readings.counted_version(kpi, observed_at), **by(actor))

    def check_in(self, check_in: CheckIn, actor: Actor) -> None:
        """The owner or the manager says how the agreed goal is going (domain/check_ins.py)."""
        self._require_open()
        self._require_agreed("take check-ins")
        self._require_party(actor, "check in on a goal")
        self.trigger_event(self.CheckedIn, **check_in.to_stored(), **by(actor))
