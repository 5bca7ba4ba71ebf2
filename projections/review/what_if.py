"""What approving a pending recalibration would do: per KPI the latest reading and the attainment under the target
before and after, the goal's attainment, and the employee's score and band, before and after.

The "after" is the goal's review state with the approval folded in by the reducer the read model itself uses
(projections/review/state.py `as_if_approved`), so HR sees exactly the score the review would show once approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from projections.review.justification import rating_justification
from projections.review.scoring import ScoringPolicy
from projections.review.state import State, as_if_approved
from projections.review.view import fraction, goal_attainment, kpi_attainment
from projections.review.pace import counted_readings


@dataclass(frozen=True)
class KpiEffect:
    kpi: str
    name: str
    unit: str
    latest: str | None
    latest_on: str | None
    before: dict[str, Any]
    after: dict[str, Any]
    attainment_before: float | None
    attainment_after: float | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class Effect:
    """The proposal's effect on one goal and on its owner's review in the cycle."""

    kpis: list[KpiEffect]
    goal_before: float
    goal_after: float
    score_before: float | None
    band_before: str | None
    score_after: float | None
    band_after: str | None


def recalibration_effect(states: list[State], goal_id: str, recalibration_id: str, today: date,
                         policy: ScoringPolicy) -> Effect:
    """The effect of approving `recalibration_id` of `goal_id`, given every review state of its owner in the cycle."""
    before = next(s for s in states if s["goal_id"] == goal_id)
    after = as_if_approved(before, recalibration_id)
    others = [s for s in states if s["goal_id"] != goal_id]
    scored_before = rating_justification(before["owner_id"], before["cycle"]["id"], None, states, today, policy)
    scored_after = rating_justification(before["owner_id"], before["cycle"]["id"], None, [*others, after], today,
                                        policy)
    return Effect(
        kpis=[_kpi_effect(before, old, new) for old, new in zip(before["kpis"], after["kpis"], strict=True)],
        goal_before=fraction(goal_attainment(before)) or 0.0, goal_after=fraction(goal_attainment(after)) or 0.0,
        score_before=scored_before["score"], band_before=scored_before["band"],
        score_after=scored_after["score"], band_after=scored_after["band"],
    )


def _kpi_effect(state: State, old: dict[str, Any], new: dict[str, Any]) -> KpiEffect:
    readings = counted_readings(state, old["id"])
    latest = readings[-1] if readings else None
    return KpiEffect(
        kpi=old["id"], name=old["name"], unit=old["unit"],
        latest=latest["value"] if latest else None, latest_on=latest["observed_at"] if latest else None,
        before=_goal_values(old), after=_goal_values(new),
        attainment_before=fraction(kpi_attainment(state, old)), attainment_after=fraction(kpi_attainment(state, new)),
    )


def _goal_values(kpi: dict[str, Any]) -> dict[str, Any]:
    names = ("low", "high") if kpi["direction"] == "range" else ("target",)
    return {name: kpi[name] for name in names}
