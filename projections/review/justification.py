"""RatingJustification: a weighted score, its band, and statements that each cite the events they rest on.

Counted goals are agreed or closed, not cancelled; each counts with its weight and the mean of its KPIs' capped
attainments. Context a reviewer must weigh (recalibrations and their reasons, missed milestones, corrected
readings, KPIs without data, goals left out) is listed as statements of its own, never folded into the score.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, localcontext
from typing import Any

from domain import recalibration as recal
from domain.values import ARITHMETIC
from projections.review.pace import counted_readings
from projections.review.view import fraction, goal_attainment, goal_review, kpi_attainment
from projections.review.scoring import ScoringPolicy

State = dict[str, Any]


def rating_justification(
    employee_id: str, cycle_id: str, as_of: str | None, states: Iterable[State], today: date, policy: ScoringPolicy
) -> dict[str, Any]:
    ordered = sorted(states, key=lambda s: (s["drafted_at"], s["goal_id"]))
    counted = [s for s in ordered if _counts(s)]
    statements: list[dict[str, Any]] = []
    for state in ordered:
        statements += goal_statements(state, today) if _counts(state) else [_left_out(state)]
    score, band = rating(counted, policy)
    statements.append(_score_statement(counted, score, band, policy))
    return {
        "employee_id": employee_id,
        "cycle": cycle_id,
        "as_of": as_of,
        "today": today.isoformat(),
        "policy_version": policy.version,
        "score": fraction(score),
        "band": band,
        "statements": statements,
    }


def rating(states: Iterable[State], policy: ScoringPolicy) -> tuple[Decimal | None, str | None]:
    """The weighted score of the goals that count and the band it falls in (None for both with nothing to score)."""
    score = policy.rounded(weighted_score([s for s in states if _counts(s)]))  # one rounding: the score banded
    return score, (policy.band(score) if score is not None else None)


def weighted_score(counted: list[State]) -> Decimal | None:
    with localcontext(ARITHMETIC):
        total_weight = sum((Decimal(s["weight"]) for s in counted), Decimal(0))
        if not total_weight:
            return None
        return sum((Decimal(s["weight"]) * goal_attainment(s) for s in counted), Decimal(0)) / total_weight


def goal_statements(state: State, today: date) -> list[dict[str, Any]]:
    review = goal_review(state, today)
    statements = [_kpi_statement(state, kpi) for kpi in state["kpis"]]
    statements += [_recalibration_statement(state, r) for r in state["recalibrations"] if r["status"] != "proposed"]
    statements += [_milestone_statement(state, m) for m in review["milestones"] if m["status"] == "missed"]
    statements += [_correction_statement(state, k, c) for k in review["kpis"] for c in k["corrections"]]
    if state["outcome"]:
        outcome = state["outcome"]
        statements.append(_statement("outcome", state, f"closed as {outcome['outcome']}: {outcome['summary']}",
                                     [outcome["version"]]))
    return statements


def _kpi_statement(state: State, kpi: dict[str, Any]) -> dict[str, Any]:
    unit = kpi["unit"]
    goal_text = _range_text(kpi) if kpi["direction"] == "range" else f"target {_amount(kpi['target'], unit)}"
    recalibration = _last_target_change(state, kpi["id"])
    versions = [state["agreed_version"]]
    if recalibration:
        # A stored change may name one bound of a range only: the other stayed as it is now.
        before = recal.TargetChange.from_stored(recalibration["before"]["targets"][kpi["id"]]).given()
        was_values = {**{n: kpi[n] for n in recal.BOUNDS}, **{n: str(v) for n, v in before.items()}}
        was = _range_text(was_values) if kpi["direction"] == "range" else _amount(was_values["target"], unit)
        goal_text += (f" (recalibrated from {was} on {recalibration['decided_at'][:10]}, {recalibration['reason']}, "
                      f"approved by {recalibration['decided_by']})")
        versions += [recalibration["proposed_version"], recalibration["decided_version"]]
    attainment = kpi_attainment(state, kpi)
    readings = counted_readings(state, kpi["id"])  # the latest reading per day counts (domain.values)
    if attainment is None or not readings:
        text = f"{kpi['name']}: {goal_text}, no reading recorded: counted as 0% attainment"
        return _statement("attainment", state, text, versions)
    latest = readings[-1]
    text = (f"{kpi['name']}: {goal_text}, achieved {_amount(latest['value'], unit)} on {latest['observed_at']}: "
            f"{_percent(attainment)} attainment")
    return _statement("attainment", state, text, [*versions, latest["version"]])


def _recalibration_statement(state: State, recalibration: dict[str, Any]) -> dict[str, Any]:
    decision = "approved" if recalibration["status"] == "approved" else "rejected"
    text = (f"recalibration {recalibration['id']} ({recalibration['reason']}) proposed by "
            f"{recalibration['proposed_by']} on {recalibration['proposed_at'][:10]}: "
            f"\"{recalibration['justification']}\"; "
            f"{decision} by {recalibration['decided_by']} on {recalibration['decided_at'][:10]}")
    return _statement("context", state, text, [recalibration["proposed_version"], recalibration["decided_version"]])


def _milestone_statement(state: State, milestone: dict[str, Any]) -> dict[str, Any]:
    reached = f"reading {milestone['reading']}" if milestone["reading"] is not None else "no reading by then"
    text = f"milestone {milestone['kpi']} {milestone['target']} due {milestone['due']} missed ({reached})"
    versions = [milestone["version"]] + ([milestone["reading_version"]] if milestone["reading_version"] else [])
    return _statement("context", state, text, versions)


def _correction_statement(state: State, kpi: dict[str, Any], correction: dict[str, Any]) -> dict[str, Any]:
    text = (f"{kpi['name']} reading for {correction['observed_at']} corrected from {correction['replaced_value']} "
            f"to {correction['value']} by {correction['recorded_by']}")
    return _statement("context", state, text, [correction["corrects_version"], correction["version"]])


def _left_out(state: State) -> dict[str, Any]:
    why = "cancelled" if state["outcome"] and state["outcome"]["outcome"] == "cancelled" else "not agreed yet"
    return _statement("left_out", state, f"not counted in the score: {why}", [state["version"]])


def _score_statement(
    counted: list[State], score: Decimal | None, band: str | None, policy: ScoringPolicy
) -> dict[str, Any]:
    evidence = [{"goal_id": s["goal_id"], "version": s["version"]} for s in counted]
    if score is None:
        return {"kind": "score", "text": "no agreed goal to score", "evidence": evidence}
    weights = ", ".join(f"{s['title']} {s['weight']}" for s in counted)
    text = (f"weighted score {_percent(score)} over {len(counted)} goal(s) (weights: {weights}): "
            f"{band} under policy {policy.version}")
    return {"kind": "score", "text": text, "evidence": evidence}


def _statement(kind: str, state: State, text: str, versions: list[int | None]) -> dict[str, Any]:
    cited = sorted({v for v in versions if v is not None})
    return {"kind": kind, "goal_id": state["goal_id"], "text": f"{state['title']}: {text}",
            "evidence": [{"goal_id": state["goal_id"], "version": v} for v in cited]}


def _counts(state: State) -> bool:
    return state["status"] != "draft" and not (state["outcome"] and state["outcome"]["outcome"] == "cancelled")


def _last_target_change(state: State, kpi_id: str) -> dict[str, Any] | None:
    approved = [r for r in state["recalibrations"] if r["status"] == "approved" and kpi_id in r["after"]["targets"]]
    return approved[-1] if approved else None


def _range_text(values: dict[str, Any]) -> str:
    return f"range {values['low']} to {values['high']}"


def _amount(value: str, unit: str) -> str:
    return f"{value}{unit}" if unit == "%" else f"{value} {unit}".rstrip()


def _percent(value: Decimal) -> str:
    with localcontext(ARITHMETIC):
        return f"{(value * 100).quantize(Decimal(1))}%"
