"""Request models of the goal resources: what callers send. Numbers may be JSON numbers or decimal strings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

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

