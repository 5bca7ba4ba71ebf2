"""Request and response models of the goal resources. Decimals travel as strings in responses (exact)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from application.serialization import jsonable
from domain.goal import Goal
from domain.values import Cadence, Cycle, Direction, Kpi, Outcome, ReasonCategory

Amount = Annotated[Decimal, Field(allow_inf_nan=False, max_digits=24, decimal_places=8)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(max_length=5000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CycleBody(Strict):
    id: Annotated[str, Field(min_length=1, max_length=100)]
    start: date
    end: date

    def to_domain(self) -> Cycle:
        return Cycle(self.id, self.start, self.end)


class KpiBody(Strict):
    id: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")]
    name: Name
    unit: Annotated[str, Field(max_length=50)]
    direction: Direction
    baseline: Amount
    target: Amount | None = None
    low: Amount | None = None
    high: Amount | None = None
    cadence: Cadence = Cadence.MONTHLY

    def to_domain(self) -> Kpi:
        return Kpi(self.id, self.name, self.unit, self.direction, self.baseline, self.cadence, self.target,
                   self.low, self.high)


class DraftGoalRequest(Strict):
    cycle: CycleBody
    owner_id: Name | None = Field(None, description="Defaults to the caller when an employee drafts.")
    manager_id: Name | None = Field(None, description="Defaults to the caller when a manager drafts.")
    org_unit: Name | None = None
    title: Name
    statement: Text
    kpis: Annotated[list[KpiBody], Field(max_length=20)]
    deadline: date | None = None
    parent_goal_id: Name | None = None
    rationale: Text | None = None
    weight: Amount = Decimal(100)


class ReviseGoalRequest(Strict):
    """Only the fields given change."""

    title: Name | None = None
    statement: Text | None = None
    kpis: Annotated[list[KpiBody], Field(max_length=20)] | None = None
    deadline: date | None = None
    parent_goal_id: Name | None = None
    rationale: Text | None = None
    weight: Amount | None = None
    org_unit: Name | None = None

    def changes(self) -> dict[str, Any]:
        given = self.model_dump(exclude_unset=True)
        if "kpis" in given:
            given["kpis"] = [k.to_domain() for k in self.kpis or []]
        return given


class SignatureRequest(Strict):
    version: Annotated[int, Field(ge=1)] | None = Field(None, description="The goal version the signer read.")


class MilestoneRequest(Strict):
    kpi: Name
    due: date
    target: Amount


class MeasurementRequest(Strict):
    kpi: Name
    value: Amount
    observed_at: date
    source: Annotated[str, Field(max_length=200)] = ""
    note: Text = ""


class RangeTarget(Strict):
    low: Amount
    high: Amount


class MilestoneChange(Strict):
    kpi: Name
    due: date
    target: Amount
    replaces: Name | None = Field(None, description="The id of the milestone this one replaces.")


class RecalibrationRequest(Strict):
    targets: dict[Name, Amount | RangeTarget] = Field(default_factory=dict)
    deadline: date | None = None
    milestones: Annotated[list[MilestoneChange], Field(max_length=50)] = Field(default_factory=list)
    reason: ReasonCategory
    justification: Text

    def domain_targets(self) -> dict[str, dict[str, Decimal]]:
        return {
            kpi: (value.model_dump() if isinstance(value, RangeTarget) else {"target": value})
            for kpi, value in self.targets.items()
        }


class DecisionRequest(Strict):
    note: Text = ""


class ClosureRequest(Strict):
    outcome: Outcome
    summary: Text


class KpiView(BaseModel):
    id: str
    name: str
    unit: str
    direction: Direction
    cadence: Cadence
    baseline: Decimal
    target: Decimal | None
    low: Decimal | None
    high: Decimal | None
    original: dict[str, Decimal | None]


class GoalResponse(BaseModel):
    id: str
    version: int
    status: str
    owner_id: str
    manager_id: str
    org_unit: str | None
    cycle: dict[str, Any]
    title: str
    statement: str
    kpis: list[KpiView]
    deadline: date | None
    original_deadline: date | None
    parent_goal_id: str | None
    rationale: str | None
    weight: Decimal
    content_version: int
    signatures: list[dict[str, Any]]
    agreed_at: datetime | None
    milestones: list[dict[str, Any]]
    measurements: list[dict[str, Any]]
    recalibrations: list[dict[str, Any]]
    outcome: str | None
    summary: str | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, goal: Goal) -> GoalResponse:
        originals = {k.id: k.goal_values() for k in goal.original_kpis}
        return cls(
            id=str(goal.id), version=goal.version, status=str(goal.status), owner_id=goal.owner_id,
            manager_id=goal.manager_id, org_unit=goal.org_unit, cycle=jsonable(goal.cycle.as_dict()),
            title=goal.title, statement=goal.statement,
            kpis=[KpiView(id=k.id, name=k.name, unit=k.unit, direction=k.direction, cadence=k.cadence,
                          baseline=k.baseline, target=k.target, low=k.low, high=k.high,
                          original=originals.get(k.id, k.goal_values())) for k in goal.kpis],
            deadline=goal.deadline, original_deadline=goal.original_deadline, parent_goal_id=goal.parent_goal_id,
            rationale=goal.rationale, weight=goal.weight, content_version=goal.content_version,
            signatures=[jsonable(vars(s)) for s in goal.signatures.values()], agreed_at=goal.agreed_at,
            milestones=[jsonable(m.as_dict()) for m in goal.milestones],
            measurements=[jsonable(vars(m)) for m in goal.measurements],
            recalibrations=[recalibration_view(r) for r in goal.recalibrations],
            outcome=str(goal.outcome) if goal.outcome else None, summary=goal.summary, closed_at=goal.closed_at,
            created_at=goal.created_on, updated_at=goal.modified_on,
        )


def recalibration_view(recalibration: Any) -> dict[str, Any]:
    view: dict[str, Any] = jsonable(vars(recalibration))
    view.pop("changes", None)
    return view


class RecalibrationResponse(BaseModel):
    id: str
    goal_id: str
    goal_version: int
    status: str
    reason: str
    justification: str
    proposed_by: str
    before: dict[str, Any]
    after: dict[str, Any]
    decided_by: str | None
    note: str


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


class HistoryEntry(BaseModel):
    version: int
    type: str
    timestamp: datetime
    actor_id: str
    actor_role: str
    data: dict[str, Any]


class HistoryResponse(BaseModel):
    goal_id: str
    as_of: datetime | None
    events: list[HistoryEntry]
