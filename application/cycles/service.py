"""Cycles: the application service of review cycles (open, activate, review, release, lock) and of carrying a goal over.

Cycles live in the Goals application's store and log (one trail); this service loads and saves them through it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID, uuid4

from eventsourcing.persistence import IntegrityError

from application.goals import checks
from application.goals.service import Goals
from application.store.idempotency import CommandResult
from application.equality.attributes import take_snapshot
from domain.cycle import Cycle
from domain.errors import CycleExistsError, UnknownCycleError
from domain.goal import Goal
from domain.values import Actor



class Cycles:
    """HR's review cycles: opened in planning, then active, in review, and locked for good."""

    def __init__(self, goals: Goals) -> None:
        self.goals = goals

    def open_cycle(self, actor: Actor, *, cycle_id: str, name: str, start: date, end: date) -> CommandResult:
        cycle = Cycle.open(actor=actor, cycle_id=cycle_id, name=name, start=start, end=end)
        try:
            position = self.goals.save_at(cycle)  # the one Goals application saves them all
        except IntegrityError:
            raise CycleExistsError(f"cycle {cycle_id!r} already exists", cycle=cycle_id) from None
        take_snapshot(self.goals, cycle_id)  # protected characteristics as known when it opened (ADR 0042)
        return CommandResult(cycle_id, cycle.version, position=position)

    def activate(self, actor: Actor, cycle_id: str) -> CommandResult:
        return self._move(cycle_id, lambda cycle: cycle.activate(actor))

    def start_review(self, actor: Actor, cycle_id: str) -> CommandResult:
        return self._move(cycle_id, lambda cycle: cycle.start_review(actor))

    def release(self, actor: Actor, cycle_id: str) -> CommandResult:
        return self._move(cycle_id, lambda cycle: cycle.release(actor))

    def lock(self, actor: Actor, cycle_id: str) -> CommandResult:
        return self._move(cycle_id, lambda cycle: cycle.lock(actor))

    def get_cycle(self, cycle_id: str) -> Cycle:
        cycle = checks.find_cycle(self.goals.repository, cycle_id)
        if cycle is None:
            raise UnknownCycleError(f"no review cycle {cycle_id!r}", cycle=cycle_id)
        return cycle

    def list_cycles(self) -> list[Cycle]:
        """Every cycle, in the order they were opened."""
        return [self.get_cycle(cycle_id) for cycle_id in self.goals.opened_cycles.found()]

    def carry_over(self, goal_id: UUID, actor: Actor, *, to_cycle: str, reason: str) -> CommandResult:
        """HR carries an open goal over to a later cycle: it closes here and goes on as a new draft there."""
        old = self.goals.get_goal(goal_id)
        checks.require_cycle_unlocked(self.goals.repository, old.cycle.id)
        period = checks.cycle_period(self.goals.repository, to_cycle)
        new_id = uuid4()
        terms = old.carry_over(actor, period, reason, new_id)
        new = Goal.draft(actor=actor, cycle=period, owner_id=old.owner_id, manager_id=old.manager_id, terms=terms,
                         goal_id=new_id)
        new.carry_in(actor, old, reason)
        position = self.goals.save_or_refuse(f"goal {goal_id}", old, new)
        return CommandResult(str(new.id), new.version, str(old.id), position, goal=new)

    def _move(self, cycle_id: str, act: Callable[[Cycle], None]) -> CommandResult:
        cycle: object = self.goals.repository.get(self.get_cycle(cycle_id).id)  # a copy to change, not the cached one
        assert isinstance(cycle, Cycle)
        act(cycle)
        position = self.goals.save_or_refuse(f"cycle {cycle_id!r}", cycle)
        return CommandResult(cycle_id, cycle.version, position=position)

