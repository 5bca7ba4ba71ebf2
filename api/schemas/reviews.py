"""Response models of the review routes: the main fields typed, the rest carried as the projection gives them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class SeriesPoint(Open):
    observed_at: str
    value: str
    version: int
    corrects_version: int | None


class KpiReview(Open):
    kpi: str
    direction: str
    baseline: str
    original_target: str | None
    target: str | None
    latest: str | None
    attainment: float | None
    pace: str | None
    series: list[SeriesPoint]


class GoalReview(Open):
    goal_id: str
    title: str
    status: str
    weight: str
    pace: str | None
    attainment: float | None
    kpis: list[KpiReview]
    milestones: list[dict[str, Any]]
    recalibrations: list[dict[str, Any]]
    outcome: dict[str, Any] | None


class ReviewResponse(Open):
    """Every field naming a person (employee_id, decided_by, resolved_by, by, proposed_by, ...) has its name beside
    it, `<field>_display_name` (`employee_display_name`, `decided_by_display_name`, ...): the directory's display
    name, or the id itself in open mode and for an id that names nobody in the directory."""

    employee_id: str
    employee_display_name: str = Field(description="The employee's name (the id in open mode).")
    cycle: str
    as_of: str | None
    goals: list[GoalReview]
    stage: str = Field(description="The review decision's stage: open, decided, acknowledged, disputed, resolved.")
    score: float | None = Field(description="The weighted score computed from the goals shown (as the justification "
                                "computes it with the current scoring policy); null with nothing to score.")
    band: str | None = Field(description="The band that stands: final_band once decided, else the band the score "
                             "computes to; null with neither.")
    final_band: str | None = Field(description="The band that stands: decided, or changed by HR on a dispute.")
    decision: dict[str, Any] | None = Field(description="The manager's decision and the justification it pins.")
    released: bool = Field(description="False while HR has not released the cycle's ratings and the employee reads "
                           "their own review: score, band, final_band and decision are then null.")
    self_assessments: list[dict[str, Any]]
    acknowledgement: dict[str, Any] | None
    disputes: list[dict[str, Any]]


class Evidence(BaseModel):
    goal_id: str
    version: int


class Statement(Open):
    kind: str
    text: str
    evidence: list[Evidence]


class JustificationResponse(Open):
    employee_id: str
    cycle: str
    as_of: str | None
    policy_version: str
    score: float | None = Field(description="Null also for the employee's own, until HR releases the cycle.")
    band: str | None = Field(description="The band the score computes to. Null also for the employee's own, until HR "
                             "releases the cycle.")
    decision: dict[str, Any] | None = Field(description="The manager's decision as the review shows it; null until "
                                            "decided, and for the employee's own until HR releases the cycle. It is "
                                            "not part of the document a decision pins the hash of.")
    statements: list[Statement]
