"""The goal resource: what callers send (numbers as JSON numbers or decimal strings) and what a goal, a
recalibration, its SMART findings and history look like (decimals as strings, dates and moments as ISO 8601)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from api.schemas.common import (
    KPI_ID, SINGLE_LINE, Amount, FilledName, FilledText, Line, Name, Strict, Text, example,
    text_of_at_least,
)
from domain.recalibration import MIN_DECISION_NOTE, MIN_JUSTIFICATION
from domain.terms import GoalTerms
from domain.values import (
    Cadence, Cycle, Direction, Kpi, Outcome, ReasonCategory,
)

TICKETS_KPI = {"id": "tickets", "name": "Tickets resolved per day", "unit": "tickets/day", "direction": "increase",
               "baseline": 14, "target": 20, "cadence": "weekly"}


# A cycle id sits in URLs (/cycles/{id}): the alphabet of KPI ids, letters, digits, "_", "." and "-".
CycleId = Annotated[str, Field(min_length=1, max_length=100, pattern=KPI_ID)]


class CycleBody(Strict):
    id: CycleId
    start: date
    end: date

    def to_domain(self) -> Cycle:
        return Cycle(self.id, self.start, self.end)


class KpiBody(Strict):
    id: Annotated[str, Field(min_length=1, max_length=100, pattern=KPI_ID)]
    name: Name
    unit: Annotated[str, Field(max_length=50, pattern=SINGLE_LINE)]
    direction: Direction
    baseline: Amount
    target: Amount | None = None
    low: Amount | None = None
    high: Amount | None = None
    cadence: Cadence = Cadence.MONTHLY

    def to_domain(self) -> Kpi:
        return Kpi(self.id, self.name, self.unit, self.direction, self.baseline, self.cadence, self.target,
                   self.low, self.high)


ALIGNED_TO = ("The id of the objective or goal this goal serves (409 unknown_parent if it names nothing, "
              "alignment_cycle if goals would align to each other in a circle).")


def one_link(body: Any) -> Any:
    """aligned_to and its former name parent_goal_id may both name a link only when they name the same one."""
    if None not in (body.aligned_to, body.parent_goal_id) and body.aligned_to != body.parent_goal_id:
        raise ValueError("aligned_to and parent_goal_id (its former name) name different links; send one")
    return body


class DraftGoalRequest(Strict):
    model_config = example({
        "cycle": "2026-H1", "owner_id": "emp-1",
        "manager_id": "mgr-1", "org_unit": "support", "title": "Support throughput and satisfaction",
        "statement": "Resolve at least 20 support tickets per day by the end of Q2", "kpis": [TICKETS_KPI],
        "deadline": "2026-06-30", "aligned_to": None, "rationale": "Support quality is a company objective.",
        "weight": 60,
    })

    cycle: CycleId | CycleBody = Field(description="An existing review cycle: its id, or {id, start, end} with the "
                                       "cycle's own period (409 unknown_cycle, cycle_period_mismatch).")
    owner_id: FilledName | None = Field(None, description="Defaults to the caller when an employee drafts.")
    manager_id: FilledName | None = Field(None, description="Defaults to the caller when a manager drafts.")
    org_unit: Name | None = None
    title: FilledName
    statement: FilledText
    kpis: Annotated[list[KpiBody], Field(max_length=20)]
    deadline: date | None = None
    aligned_to: Name | None = Field(None, description=ALIGNED_TO)
    parent_goal_id: Name | None = Field(None, description="The former name of aligned_to (still accepted).")
    rationale: Text | None = None
    weight: Amount = Decimal(100)

    @model_validator(mode="after")
    def _one_link(self) -> Any:
        return one_link(self)

    def cycle_ref(self) -> Cycle | str:
        return self.cycle if isinstance(self.cycle, str) else self.cycle.to_domain()

    def terms(self) -> GoalTerms:
        return GoalTerms(title=self.title, statement=self.statement, kpis=tuple(k.to_domain() for k in self.kpis),
                         deadline=self.deadline, weight=self.weight, org_unit=self.org_unit,
                         parent_goal_id=self.aligned_to or self.parent_goal_id, rationale=self.rationale)


class ReviseGoalRequest(Strict):
    """Only the fields given change; null clears an optional field (deadline, aligned_to, rationale, org_unit)."""

    model_config = example({"title": "Support throughput", "deadline": "2026-06-15"})

    title: FilledName | None = None
    statement: FilledText | None = None
    kpis: Annotated[list[KpiBody], Field(max_length=20)] | None = None
    deadline: date | None = None
    aligned_to: Name | None = Field(None, description=ALIGNED_TO)
    parent_goal_id: Name | None = Field(None, description="The former name of aligned_to (still accepted).")
    rationale: Text | None = None
    weight: Amount | None = None
    org_unit: Name | None = None

    @model_validator(mode="after")
    def _one_link(self) -> Any:
        return one_link(self)

    @field_validator("title", "statement", "kpis", "weight")
    @classmethod
    def required_terms_are_not_cleared(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null; leave it out to keep it as it is")
        return value

    def changes(self) -> dict[str, Any]:
        given = self.model_dump(exclude_unset=True)
        if "aligned_to" in given:
            aligned_to = given.pop("aligned_to")
            given["parent_goal_id"] = aligned_to if aligned_to is not None else given.get("parent_goal_id")
        if "kpis" in given:
            given["kpis"] = [k.to_domain() for k in self.kpis or []]
        return given


class SignatureRequest(Strict):
    version: Annotated[int, Field(ge=1)] | None = Field(None, description="The goal version the signer read.")


class MilestoneRequest(Strict):
    model_config = example({"kpi": "tickets", "due": "2026-03-31", "target": 17})

    kpi: Name
    due: date
    target: Amount


class MeasurementRequest(Strict):
    model_config = example({"kpi": "tickets", "value": 17.5, "observed_at": "2026-01-10", "source": "helpdesk",
                            "note": "weekly export"})

    kpi: Name
    value: Amount
    observed_at: date
    source: Line = ""
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
    """Any of targets, deadline and milestones; HR decides."""

    model_config = example({"targets": {"csat": 88}, "deadline": "2026-07-31", "reason": "external_factor",
                            "justification": "A ticketing outage in March cost two weeks of throughput."})

    targets: dict[Name, Amount | RangeTarget] = Field(default_factory=dict)
    deadline: date | None = None
    milestones: Annotated[list[MilestoneChange], Field(max_length=50)] = Field(default_factory=list)
    reason: ReasonCategory
    justification: Annotated[str, Field(max_length=5000, pattern=text_of_at_least(MIN_JUSTIFICATION))]
    cancel: bool = Field(False, description="Cancel the agreed goal instead (no other change): HR decides, and an "
                                            "approval closes it as cancelled.")

    def domain_targets(self) -> dict[str, dict[str, Decimal]]:
        return {
            kpi: (value.model_dump() if isinstance(value, RangeTarget) else {"target": value})
            for kpi, value in self.targets.items()
        }


class DecisionRequest(Strict):
    """HR's reason for approving or rejecting a proposal."""

    model_config = example({"note": "The outage is documented in the incident log."})

    note: Annotated[str, Field(max_length=5000, pattern=text_of_at_least(MIN_DECISION_NOTE))]


class ClosureRequest(Strict):
    model_config = example({"outcome": "achieved", "summary": "Met both targets from April on."})

    outcome: Outcome
    summary: FilledText
