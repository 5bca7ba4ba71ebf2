"""Request models of the goal resources: what callers send. Numbers may be JSON numbers or decimal strings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

from domain.values import Cadence, Cycle, Direction, Kpi, Outcome, ReasonCategory

# No control characters: they are never meant, and PostgreSQL text columns (read models) refuse NUL outright.
SINGLE_LINE = r"^[^\x00-\x1f\x7f]*$"
MULTI_LINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
KPI_ID = r"^[A-Za-z0-9_.-]+$"
DECIMAL = r"^[+-]?[0-9]{1,16}(\.[0-9]{1,8})?$"
ETAG = r'^(\*|(W/)?"?[0-9]{1,18}"?)$'
IDEMPOTENCY_KEY = r"^[!-~]{1,200}$"
PATTERN_MEANINGS = {  # what to tell a caller instead of a regular expression
    SINGLE_LINE: "must be a single line without control characters",
    MULTI_LINE: "must not contain control characters other than line breaks and tabs",
    KPI_ID: "may contain only letters, digits, '_', '.' and '-'",
    DECIMAL: "must be a decimal number with at most 16 digits before the point and 8 after",
    ETAG: 'must be the ETag of the version you read, such as "3" (or *)',
    IDEMPOTENCY_KEY: "must be 1 to 200 visible ASCII characters, e.g. a UUID",
}

# Documented as what is accepted: a JSON number or a decimal string, at most 16 digits before the point and 8 after.
Amount = Annotated[
    Decimal,
    Field(allow_inf_nan=False, max_digits=24, decimal_places=8),
    WithJsonSchema({"anyOf": [{"type": "number", "exclusiveMinimum": -1e16, "exclusiveMaximum": 1e16},
                              {"type": "string", "pattern": DECIMAL}]}),
]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=SINGLE_LINE)]
Line = Annotated[str, Field(max_length=200, pattern=SINGLE_LINE)]
Text = Annotated[str, Field(max_length=5000, pattern=MULTI_LINE)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def example(body: dict[str, Any]) -> ConfigDict:
    """Unknown fields are refused; the example shows in the docs and seeds the API fuzz tests."""
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [body]})


TICKETS_KPI = {"id": "tickets", "name": "Tickets resolved per day", "unit": "tickets/day", "direction": "increase",
               "baseline": 14, "target": 20, "cadence": "weekly"}


class CycleBody(Strict):
    id: Annotated[str, Field(min_length=1, max_length=100, pattern=SINGLE_LINE)]
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


class DraftGoalRequest(Strict):
    model_config = example({
        "cycle": {"id": "2026-H1", "start": "2026-01-01", "end": "2026-06-30"}, "owner_id": "emp-1",
        "manager_id": "mgr-1", "org_unit": "support", "title": "Support throughput and satisfaction",
        "statement": "Resolve at least 20 support tickets per day by the end of Q2", "kpis": [TICKETS_KPI],
        "deadline": "2026-06-30", "parent_goal_id": None, "rationale": "Support quality is a company objective.",
        "weight": 60,
    })

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
    """Only the fields given change; null clears an optional field (deadline, parent_goal_id, rationale, org_unit)."""

    model_config = example({"title": "Support throughput", "deadline": "2026-06-15"})

    title: Name | None = None
    statement: Text | None = None
    kpis: Annotated[list[KpiBody], Field(max_length=20)] | None = None
    deadline: date | None = None
    parent_goal_id: Name | None = None
    rationale: Text | None = None
    weight: Amount | None = None
    org_unit: Name | None = None

    @field_validator("title", "statement", "kpis", "weight")
    @classmethod
    def required_terms_are_not_cleared(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may not be null; leave it out to keep it as it is")
        return value

    def changes(self) -> dict[str, Any]:
        given = self.model_dump(exclude_unset=True)
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
    justification: Text

    def domain_targets(self) -> dict[str, dict[str, Decimal]]:
        return {
            kpi: (value.model_dump() if isinstance(value, RangeTarget) else {"target": value})
            for kpi, value in self.targets.items()
        }


class DecisionRequest(Strict):
    note: Text = ""


class ClosureRequest(Strict):
    model_config = example({"outcome": "achieved", "summary": "Met both targets from April on."})

    outcome: Outcome
    summary: Text

