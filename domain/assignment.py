"""Who holds a goal, and where it goes next: reassignment to another owner or manager, carry-over to a new cycle.

Both are HR's commands (domain.rules.may_reassign); the Goal aggregate keeps only the thin methods and events.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from domain import rules, validation
from domain.errors import (
    CarryOverRuleError, PermissionDeniedError, ReassignmentRuleError, RecalibrationPendingError,
)
from domain.terms import GoalTerms
from domain.values import Actor, Cycle, Party


@dataclass(frozen=True)
class Reassignment:
    """The goal's holders before and after, and why."""

    owner_id: str
    manager_id: str
    previous_owner_id: str
    previous_manager_id: str
    reason: str

    def to_stored(self) -> dict[str, str]:
        return {"owner_id": self.owner_id, "manager_id": self.manager_id, "previous_owner_id": self.previous_owner_id,
                "previous_manager_id": self.previous_manager_id, "reason": self.reason}

    def replaced_parties(self) -> tuple[Party, ...]:
        """The parties whose holder changes: their signature on a draft no longer holds."""
        replaced = (Party.OWNER, self.owner_id != self.previous_owner_id), (
            Party.MANAGER, self.manager_id != self.previous_manager_id)
        return tuple(party for party, changed in replaced if changed)


def reassignment(actor: Actor, held_by: tuple[str, str], owner_id: str | None, manager_id: str | None,
                 reason: str) -> Reassignment:
    """HR moves a goal held by (owner, manager) to a new owner, a new manager or both, with a reason."""
    require_hr(actor, "reassign")
    validation.require_text("reason", reason)
    new_owner, new_manager = owner_id or held_by[0], manager_id or held_by[1]
    validation.require_parties(new_owner, new_manager)
    if (new_owner, new_manager) == held_by:
        raise ReassignmentRuleError("the reassignment changes neither the owner nor the manager")
    return Reassignment(new_owner, new_manager, held_by[0], held_by[1], reason)


REPORTING_LINE_CHANGED = "reporting_line_changed"


def reporting_line_change(held_by: tuple[str, str], manager_id: str) -> Reassignment:
    """The directory moved the owner to another manager: no one decides it here, the directory already has."""
    validation.require_parties(held_by[0], manager_id)
    if manager_id == held_by[1]:
        raise ReassignmentRuleError("the goal is held by that manager already")
    return Reassignment(held_by[0], manager_id, held_by[0], held_by[1], REPORTING_LINE_CHANGED)


def signature_lapsed(party: Party, by_reporting_line: bool, version: int) -> str:
    """Why a replaced party's signature on a draft lapsed, in the system's words only. HR's reason is personal text,
    stored once, sealed under its author's key in the Reassigned event (ADR 0051): a copy here would outlive them."""
    if by_reporting_line:
        return f"the goal followed the owner's reporting line to another {party} at version {version}"
    return f"the goal was reassigned to another {party} at version {version}"


def carried_terms(actor: Actor, terms: GoalTerms, cycles: tuple[Cycle, Cycle], reason: str,
                  pending_recalibration: str | None) -> GoalTerms:
    """The terms a goal carried over (from, to) takes into the later cycle: the same, its deadline in the new
    period, and no rationale: that is its author's text, stored only where they wrote it (ADR 0051), while the new
    draft is HR's; it stays readable on the goal carried from, and the parties state it again as they agree the
    new one. A recalibration awaiting HR's decision is decided first, as before a closure."""
    require_hr(actor, "carry over")
    validation.require_text("reason", reason)
    if pending_recalibration is not None:
        raise RecalibrationPendingError(f"recalibration {pending_recalibration!r} awaits HR's decision; decide it "
                                        "before carrying the goal over", recalibration_id=pending_recalibration)
    from_cycle, to_cycle = cycles
    if to_cycle.start <= from_cycle.start or to_cycle.id == from_cycle.id:
        raise CarryOverRuleError(
            f"a goal is carried over to a later cycle; {to_cycle.id!r} starts {to_cycle.start}, "
            f"not after {from_cycle.id!r} ({from_cycle.start})", to_cycle=to_cycle.id)
    deadline = terms.deadline
    if deadline is None or not to_cycle.start <= deadline <= to_cycle.end:
        deadline = to_cycle.end
    return replace(terms, deadline=deadline, rationale=None)


def require_hr(actor: Actor, doing: str) -> None:
    if not rules.may_reassign(actor):
        raise PermissionDeniedError(f"only HR may {doing} a goal, not {actor.role} {actor.id!r}", actor_id=actor.id)
