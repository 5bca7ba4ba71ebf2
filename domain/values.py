"""Value objects of a goal: who acts, the cycle, KPIs, milestones, measurements, signatures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal, DivisionByZero, InvalidOperation, Overflow
from enum import StrEnum
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

# Every calculation on goal numbers runs under this context (decimal.localcontext), so a result never depends on
# whatever precision or rounding the calling thread happened to set.
ARITHMETIC = Context(prec=28, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])


class Role(StrEnum):
    EMPLOYEE = "employee"
    MANAGER = "manager"
    HR = "hr"
    AUDITOR = "auditor"
    SERVICE = "service"
    EQUALITY_ANALYST = "equality_analyst"  # reads the fairness report by protected characteristic only (ADR 0042)


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
    LEAVE_OR_ADJUSTMENT = "leave_or_adjustment"  # leave, disability or other lawful adjustment: apart from leniency
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

    def is_reached_by(self, value: Decimal) -> bool:
        """A reading meets the KPI's goal: at or beyond the target in its direction, or inside the range."""
        if self.direction is Direction.RANGE:
            return self.low is not None and self.high is not None and self.low <= value <= self.high
        if self.target is None:
            return False
        return value >= self.target if self.direction is Direction.INCREASE else value <= self.target

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
class ProposedMilestone:
    """A milestone one party set on an agreed goal; it holds once the other party sets the same one."""

    milestone: Milestone
    proposed_by: str


@dataclass(frozen=True)
class Signature:
    party: Party
    actor_id: str
    content_version: int
    signed_at: datetime
    version: int


K = TypeVar("K")
R = TypeVar("R")


def counted_readings(readings: Iterable[R], key: Callable[[R], K]) -> dict[K, R]:
    """The reading that counts for each KPI and day: the one recorded last, which corrects any earlier one."""
    counted: dict[K, R] = {}
    for reading in readings:
        counted[key(reading)] = reading
    return counted
