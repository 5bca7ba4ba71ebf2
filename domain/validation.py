"""Shape checks on a goal's terms that hold whatever its status: text, numbers, KPIs, weights, periods, milestones."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TypeVar
from datetime import date
from decimal import Decimal

from domain.errors import (
    InvalidGoalInputError, MeasurementInFutureError, MeasurementOutOfPeriodError, MilestoneRuleError, TargetRuleError,
)
from domain.smart import target_problem
from domain.values import Cycle, Direction, Kpi, Milestone

MAX_TEXT = 5000
E = TypeVar("E", bound=StrEnum)


def require_text(field: str, value: str | None, *, required: bool = True, max_length: int = MAX_TEXT) -> None:
    if value is None or not value.strip():
        if required:
            raise InvalidGoalInputError(field, "must not be empty")
        return
    if len(value) > max_length:
        raise InvalidGoalInputError(field, f"is {len(value)} characters long; at most {max_length} are allowed")


def require_finite(field: str, value: Decimal | None) -> None:
    if value is not None and not value.is_finite():
        raise InvalidGoalInputError(field, f"must be a finite number, not {value}")


def require_parties(owner_id: str, manager_id: str) -> None:
    require_text("owner_id", owner_id, max_length=200)
    require_text("manager_id", manager_id, max_length=200)
    if owner_id == manager_id:
        raise InvalidGoalInputError("manager_id", f"the owner {owner_id!r} cannot also be their own manager")


def require_cycle(cycle: Cycle) -> None:
    require_text("cycle.id", cycle.id, max_length=100)
    if cycle.start >= cycle.end:
        raise InvalidGoalInputError("cycle", f"start {cycle.start} must come before end {cycle.end}")


def require_weight(weight: Decimal) -> None:
    require_finite("weight", weight)
    if not Decimal(0) < weight <= Decimal(100):
        raise InvalidGoalInputError("weight", f"must be more than 0 and at most 100, not {weight}")


def require_kpis_well_formed(kpis: Sequence[Kpi]) -> None:
    seen: set[str] = set()
    for index, kpi in enumerate(kpis):
        where = f"kpis[{index}]"
        require_text(f"{where}.id", kpi.id, max_length=100)
        require_text(f"{where}.name", kpi.name, max_length=200)
        require_text(f"{where}.unit", kpi.unit, required=False, max_length=50)
        if kpi.id in seen:
            raise InvalidGoalInputError(f"{where}.id", f"KPI id {kpi.id!r} is used twice")
        seen.add(kpi.id)
        for name in ("baseline", "target", "low", "high"):
            require_finite(f"{where}.{name}", getattr(kpi, name))
        if kpi.direction is Direction.RANGE and kpi.target is not None:
            raise InvalidGoalInputError(f"{where}.target", "a range KPI gives low and high, not a target")
        if kpi.direction is not Direction.RANGE and (kpi.low is not None or kpi.high is not None):
            raise InvalidGoalInputError(f"{where}.low", f"a {kpi.direction} KPI gives a target, not low/high")


def require_reachable_target(kpi: Kpi) -> None:
    """A target set by a recalibration must be reachable by moving the KPI the right way."""
    problem = target_problem(kpi)
    if problem:
        raise TargetRuleError(problem[1], kpi=kpi.id, rule=problem[0])


def require_milestone_fits(milestone: Milestone, kpi: Kpi, period_start: date, deadline: date) -> None:
    """A milestone is due inside the goal's period and lies on the way from baseline to target."""
    if not period_start <= milestone.due <= deadline:
        raise MilestoneRuleError(
            f"milestone due {milestone.due} lies outside the goal's period ({period_start} to {deadline})",
            due=str(milestone.due),
        )
    require_finite("target", milestone.target)
    if kpi.direction is Direction.RANGE:
        consistent = kpi.low is not None and kpi.high is not None and kpi.low <= milestone.target <= kpi.high
        expected = f"inside the range {kpi.low}..{kpi.high}"
    elif kpi.direction is Direction.INCREASE:
        consistent = kpi.target is not None and kpi.baseline < milestone.target <= kpi.target
        expected = f"above the baseline {kpi.baseline} and at most the target {kpi.target}"
    else:
        consistent = kpi.target is not None and kpi.target <= milestone.target < kpi.baseline
        expected = f"below the baseline {kpi.baseline} and at least the target {kpi.target}"
    if not consistent:
        raise MilestoneRuleError(
            f"milestone target {milestone.target} for KPI {kpi.id!r} ({kpi.direction}) must lie {expected}",
            kpi=kpi.id,
            target=str(milestone.target),
        )


def require_new_milestone_fits(milestone: Milestone, kpi: Kpi, period_start: date, deadline: date, today: date) -> None:
    """A milestone set now is due today or later, and fits the goal's period and KPI."""
    if milestone.due < today:
        raise MilestoneRuleError(f"milestone due {milestone.due} lies in the past (today is {today})",
                                 due=str(milestone.due))
    require_milestone_fits(milestone, kpi, period_start, deadline)


def require_reading(value: Decimal, observed_at: date, source: str, note: str, today: date, period_start: date,
                    deadline: date) -> None:
    """A KPI reading is a finite number observed inside the goal's period, and not in the future."""
    require_finite("value", value)
    require_text("source", source, required=False, max_length=200)
    require_text("note", note, required=False)
    if observed_at > today:
        raise MeasurementInFutureError(
            f"observed_at {observed_at} is in the future (today is {today})", observed_at=str(observed_at)
        )
    if not period_start <= observed_at <= deadline:
        raise MeasurementOutOfPeriodError(
            f"observed_at {observed_at} lies outside the goal's period ({period_start} to {deadline})",
            observed_at=str(observed_at),
        )


def choice(kind: type[E], field: str, value: str | E) -> E:
    """A caller's string read as one of today's choices (stored strings go through domain.stored instead)."""
    try:
        return kind(value)
    except ValueError:
        raise InvalidGoalInputError(field, f"{value!r} is not one of {', '.join(kind)}") from None
