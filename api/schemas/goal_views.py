"""The goal resource as answered: a goal, a recalibration, its SMART findings and its history (decimals as strings,
dates and moments as ISO 8601). What callers send is in api/schemas/goals.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from application.goals.readings import Readings
from domain.goal import Goal
from domain.recalibration import Side
from domain.values import (
    Cadence, Direction, Outcome, Party, ReasonCategory, RecalibrationStatus, Role, Status,
)


NAMED = " (the directory's display name; the id itself in open mode, or for an id that names nobody there)."


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
    actor_display_name: str | None = Field(None, description="The signer's name" + NAMED)
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
    recorded_by_display_name: str | None = Field(None, description="The name of who recorded it" + NAMED)
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
    proposed_by_display_name: str | None = Field(None, description="The proposer's name" + NAMED)
    decided_by_display_name: str | None = Field(None, description="The HR approver's name" + NAMED)
    cancels: bool = Field(False, description="The proposal cancels the agreed goal (approved: it closes as cancelled).")


class GoalResponse(BaseModel):
    id: str
    version: int
    status: Status
    owner_id: str
    manager_id: str
    owner_display_name: str | None = Field(None, description="The owner's name" + NAMED)
    manager_display_name: str | None = Field(None, description="The manager's name" + NAMED)
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
    content_version: int = Field(
        description="The version at which the terms last changed: a revision of the draft, or a milestone set on it.")
    signatures: list[SignatureView]
    agreed_at: datetime | None
    milestones: list[MilestoneView]
    measurements: list[MeasurementView] = Field(
        description="The latest readings (at most 100 by default), in the order recorded, corrections too; every "
        "reading when there are no more (see measurements_total), else page them at measurements_link.")
    measurements_total: int = Field(description="How many readings the goal has (corrections too).")
    measurements_link: str = Field(description="Where the whole series is paged: GET /goals/{id}/measurements.")
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

    @classmethod
    def of(cls, goal: Goal, readings: Readings, name_of: Callable[[str], str] | None = None) -> GoalResponse:
        """The goal as loaded, with its latest readings (read from its events: the aggregate keeps only what its
        rules need, ADR 0028; the answer only the latest, ADR 0044) and, given `name_of`, every person's name beside
        their id: owner, manager, signers, who recorded each reading, proposers and HR approvers (ADR 0033;
        application/goals/parties.py name_lookup)."""
        originals = {k.id: k.goal_values() for k in goal.original_kpis}
        named = name_of or (lambda _person_id: None)
        # Names are set on the views just validated (a plain attribute each) rather than copied in: the answer
        # holds up to 100 readings, and a model_copy per reading cost more than building it (issue 26's profile).
        signatures = [SignatureView.model_validate(s) for s in goal.signatures.values()]
        for signature in signatures:
            signature.actor_display_name = named(signature.actor_id)
        measurements = [MeasurementView.model_validate(m) for m in readings.latest]
        for measurement in measurements:
            measurement.recorded_by_display_name = named(measurement.recorded_by)
        recalibrations = [RecalibrationView.model_validate(r) for r in goal.recalibrations]
        for recalibration in recalibrations:
            recalibration.proposed_by_display_name = named(recalibration.proposed_by)
            recalibration.decided_by_display_name = named(recalibration.decided_by) if recalibration.decided_by \
                else None
        return cls(
            id=str(goal.id), version=goal.version, status=Status(goal.status), owner_id=goal.owner_id,
            manager_id=goal.manager_id, owner_display_name=named(goal.owner_id),
            manager_display_name=named(goal.manager_id), org_unit=goal.org_unit,
            cycle=CycleView.model_validate(goal.cycle), title=goal.title, statement=goal.statement,
            kpis=[KpiView(**k.as_dict(), original=originals.get(k.id, k.goal_values())) for k in goal.kpis],
            deadline=goal.deadline, original_deadline=goal.original_deadline, parent_goal_id=goal.parent_goal_id,
            aligned_to=goal.parent_goal_id, carried_over_to=goal.carried_over_to,
            carried_over_from=goal.carried_over_from,
            rationale=goal.rationale, weight=goal.weight, content_version=goal.content_version,
            signatures=signatures, agreed_at=goal.agreed_at,
            milestones=[MilestoneView.model_validate(m) for m in goal.milestones],
            measurements=measurements, measurements_total=readings.total,
            measurements_link=f"/goals/{goal.id}/measurements", recalibrations=recalibrations,
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
    actor_display_name: str | None = Field(None, description="The name of who wrote it" + NAMED)
    data: dict[str, Any]
    changes: list[FieldChange]


class HistoryResponse(BaseModel):
    goal_id: str
    as_of: datetime | None
    events: list[HistoryEntry]
