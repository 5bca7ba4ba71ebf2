"""Readings that count, milestones met or missed, and pace: all as of a given day (see ADR 0005).

Pace compares a KPI's progress with the progress expected by that day: along its milestones where set (a path
from 0 at agreement through each milestone to 1 at the deadline), else along a straight line from agreement to
deadline. The gap (expected minus actual, in fractions of the way to the target) sets the pace:
at most PACE_ON_TRACK_GAP is on_track, at most PACE_AT_RISK_GAP is at_risk, beyond that behind.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from domain.values import counted_readings as latest_per_day
from projections.review.attainment import ONE, ZERO, progress
import itertools

PACE_ON_TRACK_GAP = Decimal("0.10")
PACE_AT_RISK_GAP = Decimal("0.25")
PACE_ORDER = ("on_track", "at_risk", "behind", "overdue")


def counted_readings(state: dict[str, Any], kpi_id: str) -> list[dict[str, Any]]:
    """One reading per observed day, the latest recording winning (a correction), in observed order."""
    readings = (reading for reading in state["readings"] if reading["kpi"] == kpi_id)
    counted = latest_per_day(readings, lambda reading: reading["observed_at"])
    return [counted[day] for day in sorted(counted)]


def milestone_statuses(state: dict[str, Any], today: date) -> list[dict[str, Any]]:
    """Each milestone in force: met or missed by the latest reading on or before its due day, or pending."""
    kpis = {k["id"]: k for k in state["kpis"]}
    statuses = []
    for milestone in state["milestones"]:
        kpi = kpis[milestone["kpi"]]
        reading = _latest_on_or_before(counted_readings(state, kpi["id"]), milestone["due"])
        statuses.append({**milestone, "status": _milestone_status(kpi, milestone, reading, today),
                         "reading": reading["value"] if reading else None,
                         "reading_version": reading["version"] if reading else None})
    return statuses


def kpi_pace(state: dict[str, Any], kpi: dict[str, Any], actual: Decimal, today: date) -> tuple[str, Decimal]:
    """The KPI's pace and the progress expected by `today`."""
    start = date.fromisoformat(state["agreed_at"][:10])
    deadline = date.fromisoformat(state["deadline"])
    path = [(start, ZERO)]
    for milestone in state["milestones"]:
        if milestone["kpi"] == kpi["id"]:
            expected_there = progress(kpi, Decimal(milestone["target"]))
            path.append((date.fromisoformat(milestone["due"]), expected_there if expected_there is not None else ZERO))
    path.append((deadline, ONE))
    expected = _interpolate(path, today)
    gap = expected - actual
    if gap <= PACE_ON_TRACK_GAP:
        return "on_track", expected
    return ("at_risk" if gap <= PACE_AT_RISK_GAP else "behind"), expected


def goal_pace(state: dict[str, Any], kpi_paces: list[str], today: date) -> str | None:
    """The worst of the KPIs' paces; `overdue` once past the deadline unclosed; None for drafts and closed goals."""
    if state["status"] != "agreed":
        return None
    if today > date.fromisoformat(state["deadline"]):
        return "overdue"
    return max(kpi_paces, key=PACE_ORDER.index, default="on_track")


def _milestone_status(
    kpi: dict[str, Any], milestone: dict[str, Any], reading: dict[str, Any] | None, today: date
) -> str:
    if date.fromisoformat(milestone["due"]) > today:
        return "pending"
    if reading is None:
        return "missed"
    reached = progress(kpi, Decimal(reading["value"]))
    needed = progress(kpi, Decimal(milestone["target"]))
    return "met" if reached is not None and needed is not None and reached >= needed else "missed"


def _latest_on_or_before(readings: list[dict[str, Any]], day: str) -> dict[str, Any] | None:
    earlier = [r for r in readings if r["observed_at"] <= day]
    return earlier[-1] if earlier else None


def _interpolate(path: list[tuple[date, Decimal]], today: date) -> Decimal:
    """Expected progress on `today` along a path of (day, progress) points, flat before and after."""
    if today <= path[0][0]:
        return path[0][1]
    for (day_a, value_a), (day_b, value_b) in itertools.pairwise(path):
        if today <= day_b:
            span = (day_b - day_a).days
            if span <= 0:
                return value_b
            return value_a + (value_b - value_a) * Decimal((today - day_a).days) / Decimal(span)
    return path[-1][1]

