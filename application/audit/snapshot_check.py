"""Every stored snapshot against a replay of its goal's events: `goalengine verify --snapshots` (ADR 0013)."""

from __future__ import annotations

from typing import Any

from eventsourcing.application import project_aggregate
from eventsourcing.persistence import StoredEvent

from application.audit.leaf import unseal
from application.audit.snapshots import snapshot_problem
from application.goals.service import Goals
from domain.goal import Goal


def snapshot_mismatches(goals: Goals) -> list[str]:
    """One line per stored snapshot that is unsigned, signed wrongly, or holds a state its events do not produce."""
    found: list[str] = []
    if goals.snapshots is None:
        return found
    for goal_id in goals.iter_goal_ids():
        for row in goals.snapshots.recorder.select_events(goal_id):
            why = snapshot_problem(goals.audit_keys.keyring, row, goals.recorder) or replay_difference(goals, row)
            if why is not None:
                found.append(f"snapshot_mismatch: goal {goal_id}, version {row.originator_version}: {why}")
    return found


def replay_difference(goals: Goals, row: StoredEvent) -> str | None:
    """None when the snapshot's state is the state the goal's events up to its version produce."""
    sealed = unseal(row.state)
    assert sealed is not None  # snapshot_problem has checked it
    stored: dict[str, Any] = goals.mapper.transcoder.decode(sealed.unsigned)["state"]
    events = [goals.mapper.to_domain_event(e) for e in goals.recorder.select_events(
        row.originator_id, lte=row.originator_version)]
    replayed: object = project_aggregate(None, events)
    if not isinstance(replayed, Goal) or replayed.version != row.originator_version:
        return f"its events do not reach version {row.originator_version}"
    snapshot_class = getattr(Goal, "Snapshot", type(goals).snapshot_class)
    assert snapshot_class is not None  # snapshots are on: goals.snapshots was checked by the caller
    fresh = goals.mapper.transcoder.decode(goals.mapper.transcoder.encode(
        {"state": snapshot_class.take(replayed).state}))["state"]
    differing = sorted(k for k in set(stored) | set(fresh) if stored.get(k) != fresh.get(k))
    return None if not differing else f"it differs from a replay of its events in {', '.join(differing)}"
