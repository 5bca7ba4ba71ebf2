"""The Goal aggregate's recalibration commands: propose new terms (or the goal's cancellation), and HR's decision.

A mixin of domain.goal.Goal (kept apart so that goal.py holds the events and the other commands). The guards are
here, in the public methods; the events' `apply` in goal.py only changes state (ADR 0029 for the policy).
"""

from __future__ import annotations

from datetime import date
from dataclasses import replace

from domain import recalibration as recal
from domain import recalibration_rules as recal_rules
from domain import validation
from domain.errors import RecalibrationPendingError
from domain.goal_guards import GoalGuards, by
from domain.values import Actor, Outcome, ReasonCategory


class GoalRecalibration(GoalGuards):
    """Propose, approve and reject recalibrations; the attributes and events are the Goal aggregate's."""

    def in_force(self) -> recal.InForce:
        return recal.InForce(self.kpis, self.deadline, tuple(self.milestones))

    def put_in_force(self, terms: recal.InForce) -> None:
        self.terms = replace(self.terms, kpis=terms.kpis, deadline=terms.deadline)
        self.milestones = list(terms.milestones)

    def propose_recalibration(self, actor: Actor, reason: ReasonCategory | str, justification: str,
                              changes: recal.Changes, today: date) -> str:
        """Propose new targets, deadline or milestones when reality has changed, or the goal's cancellation; HR
        decides. Only before the goal's deadline and before its cycle's review (the caller checks the cycle)."""
        self._require_open()
        self._require_agreed("be recalibrated")
        self._require_party(actor, "proposes a recalibration")
        reason = validation.choice(ReasonCategory, "reason", reason)
        recal_rules.require_justification(justification)
        pending = self.pending_recalibration()
        if pending:
            raise RecalibrationPendingError(
                f"recalibration {pending.id!r} awaits HR's decision; decide it first", recalibration_id=pending.id
            )
        recal_rules.require_deadline_not_passed(self.in_force().deadline, today)
        recal_rules.require_valid(changes, self.in_force(), self.cycle, today)
        recalibration_id = f"r{len(self.recalibrations) + 1}"
        before, after = recal.before_and_after(self.in_force(), changes)
        self.trigger_event(self.RecalibrationProposed, recalibration_id=recalibration_id, reason=str(reason),
                           justification=justification, changes=changes.to_stored(), before=before.to_stored(),
                           after=after.to_stored(), **by(actor))
        return recalibration_id

    def approve_recalibration(self, recalibration_id: str, actor: Actor, note: str = "", *, today: date) -> None:
        """HR approves a proposal; it takes effect (a cancellation closes the goal as cancelled). Four eyes: not a
        party to the goal, not the proposer; with a note saying why; before the goal's deadline."""
        recalibration = self._decidable(recalibration_id, actor, note)
        recal_rules.require_deadline_not_passed(self.in_force().deadline, today)
        recal_rules.require_still_ahead(recalibration.changes, today)
        # Milestones set while the proposal waited must fit the recalibrated terms too.
        recal_rules.require_milestones_fit_after(recalibration.changes, self.in_force(), self.cycle)
        before, after = recal.before_and_after(self.in_force(), recalibration.changes)
        self.trigger_event(self.Recalibrated, recalibration_id=recalibration_id, note=note, before=before.to_stored(),
                           after=after.to_stored(), **by(actor))
        if recalibration.changes.cancel:
            # The system's words only: the proposer's justification is sealed under their key where they wrote it
            # (ADR 0051); copied into the summary it would be sealed under the approver's and outlive the proposer.
            self.trigger_event(self.Closed, outcome=str(Outcome.CANCELLED), **by(actor),
                               summary=f"cancelled by recalibration {recalibration_id}")

    def reject_recalibration(self, recalibration_id: str, actor: Actor, note: str = "") -> None:
        """HR rejects a proposal, with a note saying why; the goal stays as it was."""
        self._decidable(recalibration_id, actor, note)
        self.trigger_event(self.RecalibrationRejected, recalibration_id=recalibration_id, note=note, **by(actor))

