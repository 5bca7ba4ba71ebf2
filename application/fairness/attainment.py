"""A goal's score under given terms and readings, as the review scores it (ADR 0005): the mean of its KPIs' capped
attainments, a KPI without a reading counting 0. Written again here over plain dicts, in the standard library only,
so that the fairness report (and anyone recomputing it) can weigh a recalibration by what it changed in the score.
"""

from __future__ import annotations

from decimal import Decimal, localcontext, Context
from typing import Any

CAP, FLOOR, ZERO, ONE = Decimal("1.5"), Decimal("-1"), Decimal(0), Decimal(1)
ARITHMETIC = Context(prec=28)
Kpi = dict[str, Any]  # id, direction, baseline, target, low, high (Decimals or None)


def kpi_attainment(kpi: Kpi, value: Decimal | None) -> Decimal:
    """Capped attainment of a reading against the KPI's target or range; 0 without a reading or a target."""
    if value is None:
        return ZERO
    with localcontext(ARITHMETIC):
        raw = _progress(kpi, value)
    return ZERO if raw is None else max(FLOOR, min(CAP, raw))


def goal_score(kpis: dict[str, Kpi], latest: dict[str, Decimal]) -> Decimal:
    """The mean of the KPIs' capped attainments by their latest readings (each KPI weighs the same, as in review)."""
    if not kpis:
        return ZERO
    with localcontext(ARITHMETIC):
        return sum((kpi_attainment(k, latest.get(i)) for i, k in kpis.items()), ZERO) / len(kpis)


def reaches(kpi: Kpi, value: Decimal | None) -> bool:
    """At or beyond the target in the KPI's direction, or inside its range."""
    if value is None:
        return False
    if kpi["direction"] == "range":
        return kpi["low"] is not None and kpi["high"] is not None and kpi["low"] <= value <= kpi["high"]
    if kpi["target"] is None:
        return False
    return bool(value >= kpi["target"]) if kpi["direction"] == "increase" else bool(value <= kpi["target"])


def _progress(kpi: Kpi, value: Decimal) -> Decimal | None:
    baseline = kpi["baseline"]
    if kpi["direction"] == "range":
        return _range_progress(baseline, value, kpi["low"], kpi["high"])
    target = kpi["target"]
    if target is None or target == baseline:
        return None
    if kpi["direction"] == "decrease":
        return Decimal((baseline - value) / (baseline - target))
    return Decimal((value - baseline) / (target - baseline))


def _range_progress(baseline: Decimal, value: Decimal, low: Decimal | None, high: Decimal | None) -> Decimal | None:
    if low is None or high is None:
        return None
    if low <= value <= high:
        return ONE
    distance = low - value if value < low else value - high
    baseline_distance = (low - baseline) if value < low else (baseline - high)
    span = baseline_distance if baseline_distance > 0 else high - low
    return ZERO if span <= 0 else ONE - distance / span
