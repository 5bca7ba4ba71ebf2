"""Value objects of a goal: who acts, the cycle, KPIs, milestones, measurements, recalibrations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    EMPLOYEE = "employee"
    MANAGER = "manager"
    HR = "hr"
    AUDITOR = "auditor"
    SERVICE = "service"


class Direction(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"  # lower is better
    RANGE = "range"  # stay within low..high


class Cadence(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class Status(StrEnum):
    DRAFT = "draft"
    AGREED = "agreed"
    CLOSED = "closed"


class Outcome(StrEnum):
    ACHIEVED = "achieved"
    PARTIALLY_ACHIEVED = "partially_achieved"
    MISSED = "missed"
    CANCELLED = "cancelled"


class ReasonCategory(StrEnum):
    EXTERNAL_FACTOR = "external_factor"
    ROLE_CHANGE = "role_change"
    PRIORITY_SHIFT = "priority_shift"
    RESOURCING = "resourcing"
    DATA_CORRECTION = "data_correction"
    OTHER = "other"


class Party(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"


class RecalibrationStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Actor:
    """A person (or service) acting on a goal, as the token names them."""

    id: str
    role: Role


@dataclass(frozen=True)
class Cycle:
    id: str
    start: date
    end: date

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "start": self.start, "end": self.end}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Cycle:
        return cls(id=data["id"], start=data["start"], end=data["end"])


@dataclass(frozen=True)
class Kpi:
    """A key performance indicator and the target it must reach (or the range it must stay in)."""

    id: str
    name: str
    unit: str
    direction: Direction
    baseline: Decimal
    cadence: Cadence
    target: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "unit": self.unit,
            "direction": str(self.direction),
            "baseline": self.baseline,
            "cadence": str(self.cadence),
            "target": self.target,
            "low": self.low,
            "high": self.high,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Kpi:
        return cls(
            id=data["id"],
            name=data["name"],
            unit=data["unit"],
            direction=Direction(data["direction"]),
            baseline=data["baseline"],
            cadence=Cadence(data["cadence"]),
            target=data.get("target"),
            low=data.get("low"),
            high=data.get("high"),
        )

    def goal_values(self) -> dict[str, Decimal | None]:
        """What a recalibration may change: the target, or the range bounds."""
        if self.direction is Direction.RANGE:
            return {"low": self.low, "high": self.high}
        return {"target": self.target}


@dataclass(frozen=True)
class Milestone:
    id: str
    kpi: str
    due: date
    target: Decimal

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kpi": self.kpi, "due": self.due, "target": self.target}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Milestone:
        return cls(id=data["id"], kpi=data["kpi"], due=data["due"], target=data["target"])


@dataclass(frozen=True)
class Measurement:
    """A KPI reading: observed on one date, recorded at another (both timelines are kept)."""

    kpi: str
    value: Decimal
    observed_at: date
    recorded_at: datetime
    source: str
    note: str
    recorded_by: str
    version: int
    corrects_version: int | None = None


@dataclass(frozen=True)
class Signature:
    party: Party
    actor_id: str
    content_version: int
    signed_at: datetime
    version: int


@dataclass
class Recalibration:
    """A proposed change to targets, deadline or milestones, decided by HR under the four-eyes rule."""

    id: str
    reason: ReasonCategory
    justification: str
    proposed_by: str
    proposer_role: Role
    proposed_at: datetime
    proposed_version: int
    changes: dict[str, Any]
    before: dict[str, Any]
    after: dict[str, Any]
    status: RecalibrationStatus = RecalibrationStatus.PROPOSED
    decided_by: str | None = None
    decided_at: datetime | None = None
    decided_version: int | None = None
    note: str = ""
