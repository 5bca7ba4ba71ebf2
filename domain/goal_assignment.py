"""The Goal aggregate's assignment commands: HR reassigns a goal, or carries it over to a later cycle.

A mixin of domain.goal.Goal (kept apart so that goal.py holds the events and the commands of other stages).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain import assignment
from domain.goal_guards import GoalGuards, by
from domain.terms import GoalTerms
from domain.values import Actor, Cycle, Status

if TYPE_CHECKING:
    from domain.goal import Goal


class GoalAssignment(GoalGuards):
    """Reassign, carry over and carry in; the attributes and events are the Goal aggregate's."""

    if TYPE_CHECKING:
        Reassigned: Any
        CarriedOver: Any
        CarriedIn: Any

    def reassign(self, actor: Actor, reason: str, owner_id: str | None = None, manager_id: str | None = None) -> None:
        """HR moves the goal to another owner or manager; a replaced party's signature on a draft lapses."""
        self._require_open()
        change = assignment.reassignment(actor, (self.owner_id, self.manager_id), owner_id, manager_id, reason)
        self._reassigned(actor, change, None)

    def follow_reporting_line(self, actor: Actor, manager_id: str, follows: str) -> None:
        """The owner reports to someone else in the directory: the open goal moves to them (ADR 0035)."""
        self._require_open()
        self._reassigned(actor, assignment.reporting_line_change((self.owner_id, self.manager_id), manager_id), follows)

    def _reassigned(self, actor: Actor, change: assignment.Reassignment, follows: str | None) -> None:
        self.trigger_event(self.Reassigned, **change.to_stored(), follows=follows, **by(actor))
        for party in change.replaced_parties():
            if self.status == Status.DRAFT and party in self.signatures:
                reason = assignment.signature_lapsed(party, follows is not None, self.version)
                self.trigger_event(self.SignatureVoided, party=str(party), reason=reason,
                                   signed_content_version=self.signatures[party].content_version, **by(actor))

    def carry_over(self, actor: Actor, to_cycle: Cycle, reason: str, new_goal_id: UUID) -> GoalTerms:
        """HR carries the open goal over to a later cycle; the terms the new goal there starts from."""
        self._require_open()
        pending = getattr(self.pending_recalibration(), "id", None)
        terms = assignment.carried_terms(actor, self.terms, (self.cycle, to_cycle), reason, pending)
        self.trigger_event(self.CarriedOver, to_cycle=to_cycle.id, new_goal_id=str(new_goal_id), reason=reason,
                           **by(actor))
        return terms

    def carry_in(self, actor: Actor, from_goal: Goal, reason: str) -> None:
        """Record on a goal just drafted that it continues `from_goal`."""
        self.trigger_event(self.CarriedIn, from_goal_id=str(from_goal.id), from_cycle=from_goal.cycle.id,
                           reason=reason, **by(actor))
