"""ReviewView: one employee's goals in one cycle, review-ready, computed from goal review states and a day.

Pure: the same states and day give the same view. Exact values (baselines, targets, readings, weights) are decimal
strings as recorded; fractions (attainment, expected progress) are numbers rounded to 4 places (see ADR 0005).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, localcontext
from typing import Any

from domain.values import ARITHMETIC
from projections.review.attainment import capped, distance_outside, progress
from projections.review.pace import counted_readings, goal_pace, kpi_pace, milestone_statuses
from projections.review.state import readings_by_day

FOUR_PLACES = Decimal("0.0001")


def fraction(value: Decimal | None) -> float | None:
    if value is None:
        return None
    with localcontext(ARITHMETIC):
        return float(value.quantize(FOUR_PLACES))


def review_view(
    employee_id: str, cycle_id: str, as_of: str | None, states: Iterable[dict[str, Any]], today: date
) -> dict[str, Any]:
    ordered = sorted(states, key=lambda s: (s["drafted_at"], s["goal_id"]))
    return {
        "employee_id": employee_id,
        "cycle": cycle_id,
        "as_of": as_of,
        "today": today.isoformat(),
        "goals": [goal_review(state, today) for state in ordered],
    }


def goal_review(state: dict[str, Any], today: date) -> dict[str, Any]:
    """One goal as a reviewer reads it: terms, progress per KPI, pace, milestones, recalibrations, outcome."""
    kpis = [kpi_review(state, kpi, today) for kpi in state["kpis"]]
    milestones = milestone_statuses(state, today)
    measured = state["status"] != "draft"
    return {
        "goal_id": state["goal_id"],
        "title": state["title"],
        "status": state["status"],
        "version": state["version"],
        "weight": state["weight"],
        "manager_id": state["manager_id"],
        "deadline": state["deadline"],
        "original_deadline": state["original_deadline"],
        "agreed_at": state["agreed_at"],
        "agreed_version": state["agreed_version"],
        "attainment": fraction(goal_attainment(state)) if measured else None,
        "pace": goal_pace(state, [k["pace"] for k in kpis if k["pace"]], today),
        "kpis": kpis,
        "milestones": milestones,
        "milestone_summary": {s: sum(m["status"] == s for m in milestones) for s in ("met", "missed", "pending")},
        "recalibrations": [_recalibration(r) for r in state["recalibrations"]],
        "outcome": state["outcome"],
        "check_ins": state.get("check_ins", []),
    }


def kpi_attainment(state: dict[str, Any], kpi: dict[str, Any]) -> Decimal | None:
    """The KPI's capped attainment by its latest counted reading (None without a reading or a target)."""
    readings = counted_readings(state, kpi["id"])
    raw = progress(kpi, Decimal(readings[-1]["value"])) if readings else None
    return capped(raw) if raw is not None else None


def goal_attainment(state: dict[str, Any]) -> Decimal:
    """The mean of the KPIs' capped attainments; a KPI without a reading counts as no progress (0)."""
    values = [kpi_attainment(state, kpi) or Decimal(0) for kpi in state["kpis"]]
    return sum(values, Decimal(0)) / len(values) if values else Decimal(0)


def kpi_review(state: dict[str, Any], kpi: dict[str, Any], today: date) -> dict[str, Any]:
    readings = counted_readings(state, kpi["id"])
    latest = readings[-1] if readings else None
    raw = progress(kpi, Decimal(latest["value"])) if latest else None
    original = next((k for k in state["original_kpis"] if k["id"] == kpi["id"]), kpi)
    pace, expected = (None, None)
    if state["status"] == "agreed" and today <= date.fromisoformat(state["deadline"]):
        pace, expected = kpi_pace(state, kpi, raw if raw is not None else Decimal(0), today)
    is_range = kpi["direction"] == "range"
    return {
        "kpi": kpi["id"],
        "name": kpi["name"],
        "unit": kpi["unit"],
        "direction": kpi["direction"],
        "baseline": kpi["baseline"],
        "original_target": None if is_range else original["target"],
        "target": None if is_range else kpi["target"],
        "original_range": {"low": original["low"], "high": original["high"]} if is_range else None,
        "range": {"low": kpi["low"], "high": kpi["high"]} if is_range else None,
        "latest": latest["value"] if latest else None,
        "latest_reading": _reading(latest) if latest else None,
        "attainment": fraction(capped(raw)) if raw is not None else None,
        "attainment_uncapped": fraction(raw),
        "distance_outside": _text(distance_outside(kpi, Decimal(latest["value"]))) if latest else None,
        "pace": pace,
        "expected_progress": fraction(expected),
        "series": [_reading(r) for r in readings],
        "corrections": _corrections(state, kpi["id"]),
        "targets": state["targets"][kpi["id"]],
    }


def _reading(reading: dict[str, Any]) -> dict[str, Any]:
    return {"observed_at": reading["observed_at"], "value": reading["value"], "version": reading["version"],
            "corrects_version": reading["corrects_version"]}


def _corrections(state: dict[str, Any], kpi_id: str) -> list[dict[str, Any]]:
    """The latest correction of each day of the KPI (ADR 0044: bounded by days, not by readings)."""
    _counted, corrections = readings_by_day(state)
    return [{k: v for k, v in c.items() if k != "kpi"} for c in corrections if c["kpi"] == kpi_id]


def _recalibration(recalibration: dict[str, Any]) -> dict[str, Any]:
    shown = {k: v for k, v in recalibration.items() if k != "replaces"}
    shown["approved_by"] = recalibration["decided_by"] if recalibration["status"] == "approved" else None
    return shown


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
