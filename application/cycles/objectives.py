"""Objectives: the application service that sets organisation and team objectives in a review cycle."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from application.goals import checks
from application.goals.service import Goals
from application.store.idempotency import CommandResult
from domain.errors import UnknownObjectiveError
from domain.objective import Objective
from domain.values import Actor, Kpi



class Objectives:
    """Objectives goals align to; each belongs to an existing, unlocked cycle."""

    def __init__(self, goals: Goals) -> None:
        self.goals = goals

    def set_objective(self, actor: Actor, *, title: str, cycle_id: str, org_unit: str, owner_id: str,
                      description: str = "", kpis: tuple[Kpi, ...] = ()) -> CommandResult:
        checks.cycle_period(self.goals.repository, cycle_id)
        objective = Objective.set(actor=actor, title=title, cycle_id=cycle_id, org_unit=org_unit, owner_id=owner_id,
                                  description=description, kpis=kpis)
        position = self.goals.save_at(objective)  # the one Goals application saves them all
        return CommandResult(str(objective.id), objective.version, position=position)

    def get_objective(self, objective_id: UUID) -> Objective:
        try:
            objective: object = self.goals.repository.get(objective_id)
        except AggregateNotFoundError:
            objective = None
        if not isinstance(objective, Objective):
            raise UnknownObjectiveError(f"objective {objective_id} not found", objective_id=str(objective_id))
        return objective
