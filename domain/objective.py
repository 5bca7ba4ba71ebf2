"""Objectives as aggregates: the organisation's and teams' objectives for a cycle, which goals align to.

HR sets objectives for any org unit; a manager sets team objectives they own themself (the token names no org unit
to check, so ownership is the rule that can be checked; ADR 0023).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain import rules, stored, validation
from domain.errors import PermissionDeniedError
from domain.values import Actor, Kpi


class Objective(Aggregate):
    """An organisation or team objective in one review cycle, with optional KPIs of its own."""

    TOPIC = "goalengine:Objective"

    class Event(Aggregate.Event):
        TOPIC = "goalengine:Objective.Event"
        actor_id: str
        actor_role: str

    class Set(Aggregate.Created, Event):
        TOPIC = "goalengine:Objective.Set"
        title: str
        cycle: str
        org_unit: str
        owner_id: str
        description: str
        kpis: list[dict[str, Any]]

        def apply(self, objective: Objective) -> None:
            objective.kpis = tuple(stored.kpi(k) for k in self.kpis)

    def __init__(self, title: str, cycle: str, org_unit: str, owner_id: str, description: str) -> None:
        self.title = title
        self.cycle_id = cycle
        self.org_unit = org_unit
        self.owner_id = owner_id
        self.description = description
        self.kpis: tuple[Kpi, ...] = ()

    @classmethod
    def set(cls, *, actor: Actor, title: str, cycle_id: str, org_unit: str, owner_id: str, description: str,
            kpis: tuple[Kpi, ...] = (), objective_id: UUID | None = None) -> Objective:
        """Set an objective: HR for any org unit, a manager for a team objective they own."""
        if not rules.may_set_objective(actor, owner_id):
            raise PermissionDeniedError(
                f"{actor.role} {actor.id!r} may not set an objective owned by {owner_id!r}: HR sets any, "
                "a manager only their own", actor_id=actor.id)
        validation.require_text("title", title, max_length=200)
        validation.require_text("org_unit", org_unit, max_length=200)
        validation.require_text("owner", owner_id, max_length=200)
        validation.require_text("description", description, required=False)
        validation.require_kpis_well_formed(kpis)
        return cls._create(cls.Set, id=objective_id or uuid4(), title=title, cycle=cycle_id, org_unit=org_unit,
                           owner_id=owner_id, description=description, kpis=[k.as_dict() for k in kpis],
                           actor_id=actor.id, actor_role=str(actor.role))
