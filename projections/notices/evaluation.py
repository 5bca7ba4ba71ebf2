"""Which early warnings a goal's review state calls for on a given day, each with the events it rests on.

Pure: the same state, day and position give the same warnings. Overdue readings follow each KPI's cadence
(domain/cadence.py) from its last reading, or from agreement; pace and missed milestones are the review's own
(projections/review/pace.py), so a warning never disagrees with what the review shows.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from domain.cadence import next_reading_due
from domain.goal_warnings import PACES, EarlyWarning, Evidence, MissedMilestone, OverdueReading, PaceChange
from domain.values import Cadence
from projections.review.pace import PACE_ORDER, counted_readings
from projections.review.view import goal_review

State = dict[str, Any]
assert PACES == PACE_ORDER, "the warnings' published paces are the review's"


def warnings_for(state: State, today: date, position: int) -> list[tuple[EarlyWarning, Evidence]]:
    """The warnings that hold for an agreed goal today, in a fixed order: readings, milestones, then pace."""
    if state["status"] != "agreed":
        return []
    review = goal_review(state, today)
    found = [overdue for kpi in state["kpis"] if (overdue := overdue_reading(state, kpi, today, position))]
    found += [missed_milestone(state, m, position) for m in review["milestones"] if m["status"] == "missed"]
    if review["pace"] is not None:
        found.append((PaceChange(review["pace"]), Evidence(position, _pace_evidence(state))))
    return found


def overdue_reading(state: State, kpi: dict[str, Any], today: date,
                    position: int) -> tuple[EarlyWarning, Evidence] | None:
    """A reading is overdue once the KPI's cadence period has passed since the last one (or since agreement)."""
    if not kpi.get("cadence"):  # a state stored before cadences were kept; a rebuild brings them
        return None
    readings = counted_readings(state, kpi["id"])
    last = readings[-1] if readings else None
    since = date.fromisoformat(last["observed_at"]) if last else date.fromisoformat(state["agreed_at"][:10])
    due_by = next_reading_due(since, Cadence(kpi["cadence"]))
    if today <= due_by or due_by > date.fromisoformat(state["deadline"]):
        return None
    cited = last["version"] if last else state["agreed_version"]
    warning = OverdueReading(kpi["id"], kpi["cadence"], date.fromisoformat(last["observed_at"]) if last else None,
                             due_by)
    return warning, Evidence(position, (_event_id(state, cited),))


def missed_milestone(state: State, milestone: dict[str, Any], position: int) -> tuple[EarlyWarning, Evidence]:
    versions = [milestone["version"]] + ([milestone["reading_version"]] if milestone["reading_version"] else [])
    reading = Decimal(milestone["reading"]) if milestone["reading"] is not None else None
    warning = MissedMilestone(milestone["id"], milestone["kpi"], date.fromisoformat(milestone["due"]),
                              Decimal(milestone["target"]), reading)
    return warning, Evidence(position, tuple(_event_id(state, v) for v in versions))


def _pace_evidence(state: State) -> tuple[str, ...]:
    """The goal's latest event, and the latest counted reading of each KPI (what the pace is computed from)."""
    latest = [readings[-1]["version"] for kpi in state["kpis"] if (readings := counted_readings(state, kpi["id"]))]
    return tuple(_event_id(state, v) for v in sorted({*latest, state["version"]}))


def _event_id(state: State, version: int) -> str:
    return f"{state['goal_id']}:{version}"
