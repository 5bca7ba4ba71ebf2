"""A goal's trail in words: for each event who acted, when, and which fields went from what to what.

One function serves the replay command and GET /goals/{id}/history alike: `describe_trail(events)`. It replays
the events onto the aggregate and compares a flat view of the goal before and after each one, so every change
is described the same way, whatever the event, and exactly as the goal itself saw it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from application.events.serialization import event_data, event_type, jsonable
from domain import recalibration as recal
from application.privacy.registry import ERASED
from domain.goal import Goal

TERMS = ("title", "statement", "deadline", "weight", "org_unit", "parent_goal_id", "rationale")
HOLDERS = ("owner_id", "manager_id")  # who held the goal: a reassignment shows as from -> to
CARRIED = ("carried_over_from", "carried_over_to")
KPI_FIELDS = ("name", "unit", "direction", "baseline", "cadence", "target", "low", "high")


@dataclass(frozen=True)
class Change:
    """One field of the goal and its value before and after an event (None: not there)."""

    field: str
    before: Any
    after: Any

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "from": self.before, "to": self.after}


@dataclass(frozen=True)
class TrailEntry:
    """One event of the trail: what it is, who did it when, what it said, and what it changed."""

    type: str
    version: int
    timestamp: str
    actor_id: str
    actor_role: str
    data: dict[str, Any]
    changes: list[Change] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, "version": self.version, "timestamp": self.timestamp, "actor_id": self.actor_id,
                "actor_role": self.actor_role, "data": self.data, "changes": [c.as_dict() for c in self.changes]}


def describe_trail(events: Sequence[Goal.Event]) -> list[TrailEntry]:
    """Each of a goal's events (in version order, from its Drafted on) with the changes it made."""
    goal: Goal | None = None
    counted: dict[str, Any] = {}  # the value that counts per KPI and day: the goal keeps only their versions
    entries = []
    for event in events:
        before = flat_view(goal)
        goal = event.mutate(goal)
        changes = diff(before, flat_view(goal))
        if isinstance(event, Goal.KpiRecorded):
            changes += reading_change(event, counted)
        if isinstance(event, Goal.RecalibrationProposed):
            changes += proposed_changes(event)
        if isinstance(event, Goal.Revised):
            changes += erased_revisions(event, changes)
        if isinstance(event, Goal.CheckedIn):
            changes += check_in_said(event)
        entries.append(TrailEntry(
            type=event_type(event), version=event.originator_version, timestamp=event.timestamp.isoformat(),
            actor_id=event.actor_id, actor_role=event.actor_role, data=event_data(event), changes=changes,
        ))
    return entries


def flat_view(goal: Goal | None) -> dict[str, Any]:
    """The goal's describable state as field paths ('kpis.tickets.target') to JSON-ready values."""
    if goal is None:
        return {}
    view: dict[str, Any] = {"status": goal.status, **{name: getattr(goal, name) for name in TERMS}}
    view.update({name: getattr(goal, name) for name in HOLDERS})
    for kpi in goal.kpis:
        view.update({f"kpis.{kpi.id}.{name}": getattr(kpi, name) for name in KPI_FIELDS})
    for party, signature in goal.signatures.items():
        view[f"signatures.{party}"] = f"{signature.actor_id} (terms of version {signature.content_version})"
    for milestone in goal.milestones:
        view[f"milestones.{milestone.id}.target"] = milestone.target
    for milestone_id, proposal in goal.proposed_milestones.items():
        view[f"proposed.milestones.{milestone_id}.target"] = f"{proposal.milestone.target} (by {proposal.proposed_by})"
    for recalibration in goal.recalibrations:
        view[f"recalibrations.{recalibration.id}.status"] = recalibration.status
    view.update({"outcome": goal.outcome, "summary": goal.summary})
    view.update({name: getattr(goal, name) for name in CARRIED if getattr(goal, name)})
    return {path: jsonable(value) for path, value in view.items()}


def reading_change(event: Goal.KpiRecorded, counted: dict[str, Any]) -> list[Change]:
    """The value that counts for the reading's KPI and day, before and after it (a correction replaces it)."""
    path = f"measurements.{event.kpi}@{event.observed_at.isoformat()}"
    before, counted[path] = counted.get(path), jsonable(event.value)
    return [Change(path, before, counted[path])] if before != counted[path] else []


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """The fields whose value differs, in the order of the later view (then those that disappeared)."""
    paths = list(after) + [path for path in before if path not in after]
    return [Change(path, before.get(path), after.get(path)) for path in paths if before.get(path) != after.get(path)]


def erased_revisions(event: Goal.Revised, changes: list[Change]) -> list[Change]:
    """A revised text erased since (ADR 0026) reads the same before and after; the revision still happened."""
    shown = {change.field for change in changes}
    return [Change(name, ERASED, ERASED) for name, value in event.changes.items()
            if value == ERASED and name not in shown]


def proposed_changes(event: Goal.RecalibrationProposed) -> list[Change]:
    """What a proposal would change if approved: not in force yet, so named 'proposed.<field>'."""
    before, after = recal.Side.from_stored(event.before), recal.Side.from_stored(event.after)
    changes = [
        Change(f"proposed.kpis.{kpi_id}.{name}", jsonable(getattr(before.targets.get(kpi_id), name, None)),
               jsonable(value))
        for kpi_id, change in after.targets.items()
        for name, value in change.given().items()
    ]
    if after.deadline is not None:
        changes.append(Change("proposed.deadline", jsonable(before.deadline), jsonable(after.deadline)))
    for old, new in zip(before.milestones, after.milestones, strict=True):
        if new is not None:
            changes.append(Change(f"proposed.milestones.{new.id}.target", jsonable(old.target) if old else None,
                                  jsonable(new.target)))
    return changes


def check_in_said(event: Goal.CheckedIn) -> list[Change]:
    """A check-in changes no term: what it said is described as new fields of its own, 'check_ins.<version>.*'."""
    said = {"status": event.status, "confidence": event.confidence}
    return [Change(f"check_ins.{event.originator_version}.{name}", None, value) for name, value in said.items()]


def goal_standing(goal: Goal) -> dict[str, Any]:
    """Where the goal stands: status, targets and deadline in force, the latest reading of each KPI, outcome."""
    latest = {kpi_id: {"value": m.value, "observed_at": m.observed_at} for kpi_id, m in goal.readings.latest.items()}
    standing: dict[str, Any] = jsonable({
        "goal_id": goal.id,
        "version": goal.version,
        "status": goal.status,
        "title": goal.title,
        "targets": {kpi.id: {"direction": kpi.direction, "unit": kpi.unit, **kpi.goal_values()} for kpi in goal.kpis},
        "deadline": goal.deadline,
        "latest_values": latest,
        "pending_recalibration": (pending.id if (pending := goal.pending_recalibration()) else None),
        "outcome": goal.outcome,
    })
    return standing
