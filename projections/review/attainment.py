"""Attainment: how far a KPI has moved from its baseline to its target, as an exact fraction (see ADR 0005).

1 means the target is reached exactly (for a range KPI: the value lies inside the range); 0 means no movement from
the baseline; below 0 means the KPI moved the wrong way. The fraction is capped at ATTAINMENT_CAP above and at
ATTAINMENT_FLOOR below, so one runaway reading cannot swamp a weighted score; the uncapped value is kept beside it.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Any

from domain.values import ARITHMETIC

ATTAINMENT_CAP = Decimal("1.5")
ATTAINMENT_FLOOR = Decimal("-1")
ZERO, ONE = Decimal(0), Decimal(1)


def dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def progress(kpi: dict[str, Any], value: Decimal) -> Decimal | None:
    """Uncapped attainment of `value` against the KPI's target in force (None if no target can be measured)."""
    with localcontext(ARITHMETIC):
        return _progress(kpi, value)


def _progress(kpi: dict[str, Any], value: Decimal) -> Decimal | None:
    baseline = dec(kpi["baseline"])
    assert baseline is not None
    if kpi["direction"] == "range":
        return _range_progress(baseline, value, dec(kpi["low"]), dec(kpi["high"]))
    target = dec(kpi["target"])
    if target is None or target == baseline:
        return None
    if kpi["direction"] == "decrease":
        return (baseline - value) / (baseline - target)
    return (value - baseline) / (target - baseline)


def capped(fraction: Decimal) -> Decimal:
    return max(ATTAINMENT_FLOOR, min(ATTAINMENT_CAP, fraction))


def distance_outside(kpi: dict[str, Any], value: Decimal) -> Decimal | None:
    """How far a range KPI's value lies outside its range (0 inside); None for other KPIs."""
    if kpi["direction"] != "range":
        return None
    low, high = dec(kpi["low"]), dec(kpi["high"])
    assert low is not None and high is not None
    return max(low - value, value - high, ZERO)


def _range_progress(baseline: Decimal, value: Decimal, low: Decimal | None, high: Decimal | None) -> Decimal | None:
    """1 inside the range; outside, 1 minus the distance to the nearest bound over a reference span.

    The span is the baseline's own distance to that bound when the baseline lay outside on the same side (so the
    value moves from 0 at the baseline to 1 at the bound, like an increase or decrease KPI), else the range's width.
    """
    if low is None or high is None:
        return None
    if low <= value <= high:
        return ONE
    distance = low - value if value < low else value - high
    baseline_distance = (low - baseline) if value < low else (baseline - high)
    span = baseline_distance if baseline_distance > 0 else high - low
    if span <= 0:
        return ZERO
    return ONE - distance / span
