"""Review cycles and objectives: what HR (or a manager, for their own team objectives) sends, and what they read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from api.schemas.common import FilledName, FilledText, Strict, Text, example
from api.schemas.goals import TICKETS_KPI, CycleId, KpiBody
from domain.cycle import Cycle, CycleStatus
from domain.objective import Objective

POSITION = Field(None, description="A command's answer: the log position of its last event (Goalengine-Position).")


class OpenCycleRequest(Strict):
    model_config = example({"id": "2026-H1", "name": "First half 2026", "start": "2026-01-01", "end": "2026-06-30"})

    id: CycleId
    name: FilledName
    start: date
    end: date


class CycleResponse(BaseModel):
    id: str
    name: str
    start: date
    end: date
    status: CycleStatus = Field(description="planning, active, review, released (ratings shown to employees) or locked "
                                               "(goals frozen).")
    version: int
    position: int | None = POSITION

    @classmethod
    def of(cls, cycle: Cycle, position: int | None = None) -> CycleResponse:
        return cls(id=cycle.cycle_id, name=cycle.name, start=cycle.start, end=cycle.end, status=cycle.status,
                   version=cycle.version, position=position)


class CycleList(BaseModel):
    items: list[CycleResponse]


class SetObjectiveRequest(Strict):
    model_config = example({"title": "World-class support", "cycle": "2026-H1", "org_unit": "support",
                            "owner": "hr-7", "description": "Customers get fast, friendly answers.",
                            "kpis": [TICKETS_KPI]})

    title: FilledName
    cycle: CycleId
    org_unit: FilledName
    owner: FilledName = Field(description="Who answers for the objective (a manager sets only their own).")
    description: Text = ""
    kpis: Annotated[list[KpiBody], Field(max_length=20)] = Field(default_factory=list)


class AlignedGoalView(BaseModel):
    goal_id: str
    title: str
    owner_id: str
    status: str
    weight: Decimal
    progress: Decimal | None = Field(description="The goal's attainment (0 to 1, from the review projection), or "
                                     "the weighted roll-up of goals aligned to it; null with no reading yet.")
    aligned: list[AlignedGoalView] = Field(default_factory=list, description="Goals aligned to this goal.")


class ObjectiveResponse(BaseModel):
    id: str
    title: str
    cycle: str
    org_unit: str
    owner: str
    description: str
    kpis: list[dict[str, object]]
    version: int
    progress: Decimal | None = Field(None, description="Progress rolled up from the aligned goals, weighted by "
                                     "goal weight; null until an aligned goal has a reading.")
    goals: list[AlignedGoalView] = Field(default_factory=list, description="The goals aligned to it, as a tree.")
    position: int | None = POSITION

    @classmethod
    def of(cls, objective: Objective, position: int | None = None) -> ObjectiveResponse:
        return cls(id=str(objective.id), title=objective.title, cycle=objective.cycle_id, org_unit=objective.org_unit,
                   owner=objective.owner_id, description=objective.description,
                   kpis=[k.as_dict() for k in objective.kpis], version=objective.version, position=position)


class ObjectiveNode(BaseModel):
    """An objective in the cycle's tree (its details: GET /objectives/{id})."""

    id: str
    title: str
    org_unit: str
    owner: str
    progress: Decimal | None
    goals: list[AlignedGoalView]


class AlignmentResponse(BaseModel):
    cycle: str
    objectives: list[ObjectiveNode]
    unaligned: list[AlignedGoalView] = Field(description="Goals of the cycle aligned to no objective or goal here.")


class ReassignmentRequest(Strict):
    model_config = example({"manager_id": "mgr-2", "reason": "Support moved to Lena's team in the reorganisation."})

    owner_id: FilledName | None = None
    manager_id: FilledName | None = None
    reason: FilledText


class CarryOverRequest(Strict):
    model_config = example({"to_cycle": "2026-H2", "reason": "The helpdesk migration moved to Q3."})

    to_cycle: CycleId
    reason: FilledText
