"""The goal resource: what callers send (numbers as JSON numbers or decimal strings) and what a goal, a
recalibration, its SMART findings and history look like (decimals as strings, dates and moments as ISO 8601)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from api.schemas.common import (
    KPI_ID, SINGLE_LINE, Amount, FilledName, FilledText, Line, Name, Strict, Text, example,
    text_of_at_least,
)
from domain.goal import Goal
from domain.recalibration import MIN_JUSTIFICATION, Side
from domain.terms import GoalTerms
from domain.values import (
    Cadence, Cycle, Direction, Kpi, Measurement, Outcome, Party, ReasonCategory, RecalibrationStatus, Role, Status,
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
    summary: FilledText


# --- responses ---

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

    @model_validator(mode="before")
    @classmethod
    def from_side(cls, value: Any) -> Any:
        return value.to_stored() if isinstance(value, Side) else value


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
    proposed_by_display_name: str | None = Field(None, description="The proposer's name in the directory.")
    decided_by_display_name: str | None = Field(None, description="The HR decider's name in the directory.")


class GoalResponse(BaseModel):
    id: str
    version: int
    status: Status
    owner_id: str
    manager_id: str
    owner_display_name: str | None = Field(None, description="The owner's name in the directory (null in open mode).")
    manager_display_name: str | None = Field(None, description="The manager's name in the directory.")
    org_unit: str | None
    cycle: CycleView
    title: str
    statement: str
    kpis: list[KpiView]
    deadline: date | None
    original_deadline: date | None
    aligned_to: str | None = Field(description="The objective or goal this goal serves.")
    parent_goal_id: str | None = Field(description="The former name of aligned_to (the same value).")
    rationale: str | None
    weight: Decimal
    carried_over_to: str | None = Field(None, description="The goal this one continues as in a later cycle.")
    carried_over_from: str | None = Field(None, description="The goal of an earlier cycle this one continues.")
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
    position: int | None = Field(
        None, description="A command's answer: the log position of its last event (also in Goalengine-Position); "
        "pass it as min_position to a read to see this write there. Null on reads (see their header)."
    )

    def named(self, display_name_of: Callable[[str], str | None]) -> GoalResponse:
        """The answer with the owner's and manager's names from the directory (ADR 0033)."""
        recalibrations = [r.model_copy(update={
            "proposed_by_display_name": display_name_of(r.proposed_by),
            "decided_by_display_name": display_name_of(r.decided_by) if r.decided_by else None,
        }) for r in self.recalibrations]
        return self.model_copy(update={"owner_display_name": display_name_of(self.owner_id),
                                       "manager_display_name": display_name_of(self.manager_id),
                                       "recalibrations": recalibrations})

    @classmethod
    def of(cls, goal: Goal, readings: Sequence[Measurement]) -> GoalResponse:
        """The goal as loaded, with its reading series (read from its events: the aggregate keeps only what its
        rules need, ADR 0028)."""
        originals = {k.id: k.goal_values() for k in goal.original_kpis}
        return cls(
            id=str(goal.id), version=goal.version, status=Status(goal.status), owner_id=goal.owner_id,
            manager_id=goal.manager_id, org_unit=goal.org_unit, cycle=CycleView.model_validate(goal.cycle),
            title=goal.title, statement=goal.statement,
            kpis=[KpiView(**k.as_dict(), original=originals.get(k.id, k.goal_values())) for k in goal.kpis],
            deadline=goal.deadline, original_deadline=goal.original_deadline, parent_goal_id=goal.parent_goal_id,
            aligned_to=goal.parent_goal_id, carried_over_to=goal.carried_over_to,
            carried_over_from=goal.carried_over_from,
            rationale=goal.rationale, weight=goal.weight, content_version=goal.content_version,
            signatures=[SignatureView.model_validate(s) for s in goal.signatures.values()],
            agreed_at=goal.agreed_at, milestones=[MilestoneView.model_validate(m) for m in goal.milestones],
            measurements=[MeasurementView.model_validate(m) for m in readings],
            recalibrations=[RecalibrationView.model_validate(r) for r in goal.recalibrations],
            outcome=goal.outcome, summary=goal.summary, closed_at=goal.closed_at,
            created_at=goal.created_on, updated_at=goal.modified_on,
        )


class RecalibrationResponse(RecalibrationView):
    goal_id: str
    goal_version: int = Field(description="The goal's version after this command (also in the ETag).")
    position: int | None = Field(
        None, description="A command's answer: the log position of its last event (also in Goalengine-Position); "
        "pass it as min_position to a read to see this write there. Null on reads (see their header)."
    )

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
    actor_display_name: str | None = Field(None, description="Who wrote it, by name in the directory.")
    data: dict[str, Any]
    changes: list[FieldChange]


class HistoryResponse(BaseModel):
    goal_id: str
    as_of: datetime | None
    events: list[HistoryEntry]
