"""Response models of the goal resources: what a goal, a recalibration, its SMART findings and history look like.

Decimals travel as strings (exact); dates and moments as ISO 8601.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from domain.goal import Goal
from domain.values import Cadence, Direction, Outcome, Party, ReasonCategory, RecalibrationStatus, Role, Status


class View(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CycleView(View):
    id: str
    start: date
    end: date


class KpiView(View):
    id: str
    name: str
    unit: str
    direction: Direction
    cadence: Cadence
    baseline: Decimal
    target: Decimal | None = Field(description="The target in force (after any approved recalibration).")
    low: Decimal | None
    high: Decimal | None
    original: dict[str, Decimal | None] = Field(description="The target (or range) as first agreed.")


class SignatureView(View):
    party: Party
    actor_id: str
    content_version: int = Field(description="The version of the terms that was signed.")
    signed_at: datetime
    version: int


class MilestoneView(View):
    id: str
    kpi: str
    due: date
    target: Decimal


class MeasurementView(View):
    kpi: str
    value: Decimal
    observed_at: date
    recorded_at: datetime
    source: str
    note: str
    recorded_by: str
    version: int
    corrects_version: int | None = Field(description="The version of the reading this one corrects.")


class TermsView(View):
    """What a recalibration changes: targets per KPI, the deadline, milestones (null: nothing there before)."""

    targets: dict[str, dict[str, Decimal | None]]
    deadline: date | None
    milestones: list[MilestoneView | None]


class RecalibrationView(View):
    id: str
    status: RecalibrationStatus
    reason: ReasonCategory
    justification: str
    proposed_by: str
    proposer_role: Role
    proposed_at: datetime
    proposed_version: int
    before: TermsView
    after: TermsView
    decided_by: str | None
    decided_at: datetime | None
    decided_version: int | None
    note: str


class GoalResponse(BaseModel):
    id: str
    version: int
    status: Status
    owner_id: str
    manager_id: str
    org_unit: str | None
    cycle: CycleView
    title: str
    statement: str
    kpis: list[KpiView]
    deadline: date | None
    original_deadline: date | None
    parent_goal_id: str | None
    rationale: str | None
    weight: Decimal
    content_version: int = Field(description="The version at which the terms last changed.")
    signatures: list[SignatureView]
    agreed_at: datetime | None
    milestones: list[MilestoneView]
    measurements: list[MeasurementView]
    recalibrations: list[RecalibrationView]
    outcome: Outcome | None
    summary: str | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, goal: Goal) -> GoalResponse:
        originals = {k.id: k.goal_values() for k in goal.original_kpis}
        return cls(
            id=str(goal.id), version=goal.version, status=Status(goal.status), owner_id=goal.owner_id,
            manager_id=goal.manager_id, org_unit=goal.org_unit, cycle=CycleView.model_validate(goal.cycle),
            title=goal.title, statement=goal.statement,
            kpis=[KpiView(**k.as_dict(), original=originals.get(k.id, k.goal_values())) for k in goal.kpis],
            deadline=goal.deadline, original_deadline=goal.original_deadline, parent_goal_id=goal.parent_goal_id,
            rationale=goal.rationale, weight=goal.weight, content_version=goal.content_version,
            signatures=[SignatureView.model_validate(s) for s in goal.signatures.values()],
            agreed_at=goal.agreed_at, milestones=[MilestoneView.model_validate(m) for m in goal.milestones],
            measurements=[MeasurementView.model_validate(m) for m in goal.measurements],
            recalibrations=[RecalibrationView.model_validate(r) for r in goal.recalibrations],
            outcome=goal.outcome, summary=goal.summary, closed_at=goal.closed_at,
            created_at=goal.created_on, updated_at=goal.modified_on,
        )


class RecalibrationResponse(RecalibrationView):
    goal_id: str
    goal_version: int = Field(description="The goal's version after this command (also in the ETag).")

    @classmethod
    def of(cls, goal: Goal, recalibration_id: str) -> RecalibrationResponse:
        view = RecalibrationView.model_validate(goal.recalibration(recalibration_id))
        return cls(**dict(view), goal_id=str(goal.id), goal_version=goal.version)


class FindingView(BaseModel):
    criterion: str
    code: str
    message: str
    blocking: bool


class SmartResponse(BaseModel):
    goal_id: str
    version: int
    passes: bool
    findings: list[FindingView]


class FieldChange(BaseModel):
    """A field of the goal before and after the event (null: not there)."""

    model_config = ConfigDict(populate_by_name=True)

    field: str
    from_: Any = Field(alias="from")
    to: Any


class HistoryEntry(BaseModel):
    version: int
    type: str
    timestamp: datetime
    actor_id: str
    actor_role: str
    data: dict[str, Any]
    changes: list[FieldChange]


class HistoryResponse(BaseModel):
    goal_id: str
    as_of: datetime | None
    events: list[HistoryEntry]
