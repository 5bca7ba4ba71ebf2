"""A goal's review state: what its events say, folded into one JSON-ready dict by a pure reducer.

The live read model stores this state per goal; an `as_of` review folds the goal's events up to a moment through
the same function, so the two can never disagree. Values stay as the events' JSON: decimals as exact strings,
dates and datetimes as ISO strings. Nothing here reads a clock.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any, cast

from application.events.serialization import EventRecord, UnknownEventError, jsonable, type_name
from domain import recalibration as recal
from domain.goal import Goal

State = dict[str, Any]


def fold(records: Iterable[EventRecord], state: State | None = None, *, keep_input: bool = True) -> State | None:
    """The state after applying the records in order (None until the goal is drafted).

    The input state is left unchanged unless keep_input is False (a caller's own fresh copy, changed in place).
    """
    state = copy.deepcopy(state) if keep_input else state
    for record in records:
        state = _apply(state, record)
    return state


def _apply(state: State | None, record: EventRecord) -> State:
    # Mutates `state`: fold copies once per call, not once per event, so a long series stays linear.
    if record.type == "Drafted":
        state = drafted(record)
    elif state is None:
        raise ValueError(f"goal {record.goal_id}: event {record.type} v{record.version} before Drafted")
    else:
        handler = HANDLERS.get(record.type)
        if handler is None:
            raise UnknownEventError(record.type)
        handler(state, record)
    state["version"] = record.version
    state["updated_at"] = record.timestamp
    return state


def drafted(record: EventRecord) -> State:
    data = record.data
    kpis = [_kpi(k) for k in data["kpis"]]
    return {
        "goal_id": record.goal_id,
        "owner_id": data["owner_id"],
        "manager_id": data["manager_id"],
        "org_unit": data["org_unit"],
        "cycle": data["cycle"],
        "title": data["title"],
        "status": "draft",
        "weight": data["weight"],
        "deadline": data["deadline"],
        "original_deadline": data["deadline"],
        "drafted_at": record.timestamp,
        "agreed_at": None,
        "agreed_version": None,
        "kpis": kpis,
        "original_kpis": _copied(kpis),
        "targets": {k["id"]: [_target_entry(k, record)] for k in kpis},
        "milestones": [],
        "readings": [],
        "corrections": [],
        "recalibrations": [],
        "outcome": None,
        "check_ins": [],
    }


def revised(state: State, record: EventRecord) -> None:
    for name, value in record.data["changes"].items():
        if name == "kpis":
            state["kpis"] = [_kpi(k) for k in value]
            state["original_kpis"] = _copied(state["kpis"])
            state["targets"] = {k["id"]: [_target_entry(k, record)] for k in state["kpis"]}
        elif name == "deadline":
            state["deadline"] = state["original_deadline"] = value
        elif name in ("title", "weight", "org_unit"):
            state[name] = value


def agreed(state: State, record: EventRecord) -> None:
    state["status"] = "agreed"
    state["agreed_at"] = record.timestamp
    state["agreed_version"] = record.version
    state["original_kpis"] = _copied(state["kpis"])
    state["original_deadline"] = state["deadline"]


def milestone_set(state: State, record: EventRecord) -> None:
    milestone = {**record.data["milestone"], "version": record.version}
    _put_milestones(state, [milestone], replaced=set())


def kpi_recorded(state: State, record: EventRecord) -> None:
    """The reading counts for its KPI and day; a later one for the same day replaces it, and the correction is kept
    (the latest per KPI and day): the state grows with the days read, never with the readings (ADR 0044)."""
    data = record.data
    reading = {
        "kpi": data["kpi"],
        "observed_at": data["observed_at"],
        "value": data["value"],
        "version": record.version,
        "recorded_at": record.timestamp,
        "recorded_by": record.actor_id,
        "corrects_version": data["corrects_version"],
        "note": data["note"],
    }
    state["readings"], state["corrections"] = readings_by_day(state)
    day = (reading["kpi"], reading["observed_at"])
    replaced = next((r for r in state["readings"] if (r["kpi"], r["observed_at"]) == day), None)
    state["readings"] = [r for r in state["readings"] if r is not replaced] + [reading]
    if replaced is not None:
        state["corrections"] = [c for c in state["corrections"] if (c["kpi"], c["observed_at"]) != day]
        state["corrections"].append(_correction(reading, replaced["value"]))


def readings_by_day(state: State) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The counted reading per KPI and day and the latest correction per KPI and day, in recorded order; a state
    stored before ADR 0044 (every reading kept, no corrections) is read into that shape."""
    if "corrections" in state:
        return state["readings"], state["corrections"]
    by_version = {r["version"]: r for r in state["readings"]}
    counted: dict[tuple[str, str], dict[str, Any]] = {}
    corrections: dict[tuple[str, str], dict[str, Any]] = {}
    for reading in state["readings"]:
        day = (reading["kpi"], reading["observed_at"])
        counted.pop(day, None)
        counted[day] = reading
        if reading["corrects_version"] is not None and reading["corrects_version"] in by_version:
            corrections.pop(day, None)
            corrections[day] = _correction(reading, by_version[reading["corrects_version"]]["value"])
    return list(counted.values()), list(corrections.values())


def _correction(reading: dict[str, Any], replaced_value: str) -> dict[str, Any]:
    return {"kpi": reading["kpi"], "observed_at": reading["observed_at"], "value": reading["value"],
            "replaced_value": replaced_value, "version": reading["version"],
            "corrects_version": reading["corrects_version"], "recorded_by": reading["recorded_by"],
            "note": reading["note"]}


def recalibration_proposed(state: State, record: EventRecord) -> None:
    data = record.data
    state["recalibrations"].append({
        "id": data["recalibration_id"],
        "reason": data["reason"],
        "justification": data["justification"],
        "proposed_by": record.actor_id,
        "proposed_at": record.timestamp,
        "proposed_version": record.version,
        "status": "proposed",
        "decided_by": None,
        "decided_at": None,
        "decided_version": None,
        "note": "",
        "before": data["before"],
        "after": data["after"],
        "replaces": [m.get("replaces") for m in data["changes"]["milestones"]],
    })


def recalibration_rejected(state: State, record: EventRecord) -> None:
    _decide(state, record, "rejected")


def recalibrated(state: State, record: EventRecord) -> None:
    recalibration = _decide(state, record, "approved")
    recalibration["before"], recalibration["after"] = record.data["before"], record.data["after"]
    after = recal.Side.from_stored(record.data["after"])
    for kpi in state["kpis"]:
        if kpi["id"] in after.targets:
            # TargetChange.applied_to's merge (ADR 0030), on the JSON state: the bounds it names replace those in force.
            kpi.update(jsonable(after.targets[kpi["id"]].given()))
            state["targets"][kpi["id"]].append(_target_entry(kpi, record))
    if after.deadline is not None:
        state["deadline"] = after.deadline.isoformat()
    added = [{**jsonable(m.as_dict()), "version": record.version} for m in after.milestones if m]
    _put_milestones(state, added, replaced={r for r in recalibration["replaces"] if r})


def as_if_approved(state: State, recalibration_id: str) -> State:
    """A copy of the state with its pending proposal approved through `recalibrated`, the read model's own way:
    what the review would show once HR approves it (projections/review/what_if.py)."""
    proposal = next(r for r in state["recalibrations"] if r["id"] == recalibration_id)
    record = EventRecord(goal_id=state["goal_id"], version=state["version"] + 1, type=type_name(Goal.Recalibrated),
                         timestamp=state["updated_at"], actor_id="", actor_role="hr",
                         data={"recalibration_id": recalibration_id, "note": "", "before": proposal["before"],
                               "after": proposal["after"]})
    approved = fold([record], state)
    assert approved is not None
    return approved


def closed(state: State, record: EventRecord) -> None:
    state["status"] = "closed"
    state["outcome"] = {
        "outcome": record.data.get("outcome"),
        "summary": record.data.get("summary"),
        "closed_by": record.actor_id,
        "closed_at": record.timestamp,
        "version": record.version,
    }


def checked_in(state: State, record: EventRecord) -> None:
    # States stored before check-ins existed have no list yet: a rebuild gives them one, a live one starts it here.
    state.setdefault("check_ins", []).append({
        "id": f"{record.goal_id}:{record.version}", "version": record.version, "at": record.timestamp,
        "by": record.actor_id, "role": record.actor_role, **record.data,
    })


def reassigned(state: State, record: EventRecord) -> None:
    """From this event on the review is the new owner's, and the new manager's to see."""
    state["owner_id"], state["manager_id"] = record.data["owner_id"], record.data["manager_id"]


def carried_over(state: State, record: EventRecord) -> None:
    """The goal ends in this cycle (cancelled, not rated here) and goes on in a later one."""
    closed(state, record)
    state["outcome"].update(outcome="cancelled", carried_over_to=record.data["new_goal_id"],
                            summary=f"carried over to cycle {record.data['to_cycle']}: {record.data['reason']}")


def _ignored(_state: State, _record: EventRecord) -> None:
    """Signatures, their voiding and milestones awaiting the other party change nothing a review shows."""


def _copied(kpis: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy of KPIs made by _kpi (flat dicts of JSON scalars): cheaper than deepcopy, once per goal in a rebuild."""
    return [dict(kpi) for kpi in kpis]


def _kpi(data: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "name", "unit", "direction", "baseline", "cadence", "target", "low", "high")
    return {key: data.get(key) for key in keys}


def _target_entry(kpi: dict[str, Any], record: EventRecord) -> dict[str, Any]:
    """The target in force from this event on: the history a chart draws beside the readings."""
    return {"since": record.timestamp, "target": kpi["target"], "low": kpi["low"], "high": kpi["high"],
            "version": record.version}


def _put_milestones(state: State, added: list[dict[str, Any]], replaced: set[str]) -> None:
    merged = recal.merge_milestones(state["milestones"], added, replaced, lambda m: str(m["id"]))
    state["milestones"] = sorted(merged, key=lambda m: (m["due"], m["kpi"]))


def _decide(state: State, record: EventRecord, status: str) -> dict[str, Any]:
    recalibration = next(r for r in state["recalibrations"] if r["id"] == record.data["recalibration_id"])
    recalibration.update(
        status=status, decided_by=record.actor_id, decided_at=record.timestamp, decided_version=record.version,
        note=record.data["note"],
    )
    return cast(dict[str, Any], recalibration)


HANDLERS: dict[str, Callable[[State, EventRecord], None]] = {
    type_name(cls): handler for cls, handler in (
        (Goal.Revised, revised),
        (Goal.Agreed, agreed),
        (Goal.MilestoneSet, milestone_set),
        (Goal.KpiRecorded, kpi_recorded),
        (Goal.RecalibrationProposed, recalibration_proposed),
        (Goal.RecalibrationRejected, recalibration_rejected),
        (Goal.Recalibrated, recalibrated),
        (Goal.Closed, closed),
        (Goal.CheckedIn, checked_in),
        (Goal.AgreementSigned, _ignored),
        (Goal.SignatureVoided, _ignored),
        (Goal.MilestoneProposed, _ignored),
        (Goal.Reassigned, reassigned),
        (Goal.CarriedOver, carried_over),
        (Goal.CarriedIn, _ignored),
    )
}
